//! The OOS `x-ctyun-data-location` header:
//! `type=Local|Specified,[location=R1,R2,…,]scheduleStrategy=Allowed|NotAllowed`.
//!
//! Input: the header value. The parser must accept exactly what the OOS server's regular
//! expression `^type=(Local|Specified),(location=(([^,\s]+,)*[^,\s]+),){0,1}scheduleStrategy=(Allowed|NotAllowed)$`
//! accepts (with a region list for `Specified`), and what it returns, written back in that
//! syntax, parses to itself.

use oos_server::fuzzing::{parse_data_location, DataLocation};

pub fn check(data: &[u8]) {
    let Ok(value) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse_data_location(value);
    let want = reference(value);
    assert_eq!(parsed.is_some(), want.is_some(), "{value:?}");
    let Some(location) = parsed else {
        return;
    };
    let want = want.expect("both parsed");
    assert_eq!(location.specified, want.0);
    assert_eq!(location.schedule_allowed, want.2);
    // The regions are the listed ones, first occurrences in order.
    let mut regions: Vec<&str> = Vec::new();
    for r in &want.1 {
        if !regions.contains(r) {
            regions.push(r);
        }
    }
    assert_eq!(location.regions, regions);
    assert_eq!(parse_data_location(&spell(&location)), Some(location));
}

/// The regular expression, by hand: (specified, regions, schedule allowed).
fn reference(v: &str) -> Option<(bool, Vec<&str>, bool)> {
    let (specified, rest) = if let Some(r) = v.strip_prefix("type=Local,") {
        (false, r)
    } else {
        (true, v.strip_prefix("type=Specified,")?)
    };
    let (list, strategy) = match rest.strip_prefix("location=") {
        // `location=` could also be a region list's first region only if the list was
        // absent, and the strategy must follow: try the list form first.
        Some(after) => match after.rfind(",scheduleStrategy=") {
            Some(i) => (Some(&after[..i]), &after[i + 1..]),
            None => (None, rest),
        },
        None => (None, rest),
    };
    let allowed = match strategy {
        "scheduleStrategy=Allowed" => true,
        "scheduleStrategy=NotAllowed" => false,
        _ => return None,
    };
    let regions: Vec<&str> = match list {
        Some(l) => {
            let regions: Vec<&str> = l.split(',').collect();
            let blank = |c: char| c.is_whitespace();
            if regions.iter().any(|r| r.is_empty() || r.contains(blank)) {
                return None;
            }
            regions
        }
        None => Vec::new(),
    };
    // OOS: `Specified` needs its list.
    if specified && regions.is_empty() {
        return None;
    }
    Some((specified, regions, allowed))
}

fn spell(l: &DataLocation) -> String {
    let mut s = format!("type={},", if l.specified { "Specified" } else { "Local" });
    if !l.regions.is_empty() {
        s.push_str(&format!("location={},", l.regions.join(",")));
    }
    s.push_str(if l.schedule_allowed {
        "scheduleStrategy=Allowed"
    } else {
        "scheduleStrategy=NotAllowed"
    });
    s
}

//! Request timestamps: the SigV4 basic ISO 8601 form and the HTTP date forms.
//!
//! Parsed by hand because clients send several RFC 2616 variants (`GMT` or
//! `+0000` zones, RFC 850, asctime) and one strict parser would reject some.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

/// Formats `20130524T000000Z`, the SigV4 `x-amz-date` form.
pub fn format_amz_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Formats `20130524`, the credential scope date.
pub fn format_amz_day(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day())
}

/// Formats `Fri, 24 May 2013 00:00:00 GMT` (RFC 1123), for `Date` headers.
pub fn format_http_date(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    let wd = match t.weekday() {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    };
    let mon = &MONTHS[usize::from(u8::from(t.month()) - 1)][..3];
    format!(
        "{wd}, {:02} {mon} {:04} {:02}:{:02}:{:02} GMT",
        t.day(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses `YYYYMMDDTHHMMSSZ` exactly.
pub fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if !part.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    make(
        num(0..4)? as i32,
        num(4..6)?,
        num(6..8)?,
        num(9..11)?,
        num(11..13)?,
        num(13..15)?,
        0,
    )
}

/// Parses any timestamp a client may put in `Date` or `x-amz-date`:
/// the SigV4 basic form, RFC 1123 (any zone), RFC 850, asctime, RFC 3339.
pub fn parse_any_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    parse_amz_date(s)
        .or_else(|| parse_http_date(s))
        .or_else(|| OffsetDateTime::parse(s, &Rfc3339).ok())
}

/// Parses the RFC 2616 date forms.
pub fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    let mut toks: Vec<&str> = s.split_whitespace().collect();
    // A leading weekday ("Tue," / "Tuesday,") carries no information.
    if toks.first().is_some_and(|t| t.ends_with(',')) {
        toks.remove(0);
    }
    match toks.as_slice() {
        // asctime: Tue Mar 27 19:36:42 2007 (weekday had no comma)
        [wd, mon, day, hms, year] if wd.bytes().all(|b| b.is_ascii_alphabetic()) => {
            let (h, mi, se) = parse_hms(hms)?;
            make(
                year.parse().ok()?,
                month_number(mon)?,
                day.parse().ok()?,
                h,
                mi,
                se,
                0,
            )
        }
        // RFC 1123: 27 Mar 2007 19:36:42 GMT
        [day, mon, year, hms, zone] => {
            let (h, mi, se) = parse_hms(hms)?;
            make(
                year.parse().ok()?,
                month_number(mon)?,
                day.parse().ok()?,
                h,
                mi,
                se,
                parse_zone(zone)?,
            )
        }
        // RFC 850: 27-Mar-07 19:36:42 GMT
        [dmy, hms, zone] => {
            let mut parts = dmy.split('-');
            let day = parts.next()?.parse().ok()?;
            let mon = month_number(parts.next()?)?;
            let year: i32 = parts.next()?.parse().ok()?;
            // Two-digit years: RFC 7231 says interpret within 50 years of now; 1970-2069 is close enough.
            let year = if year < 70 {
                2000 + year
            } else if year < 100 {
                1900 + year
            } else {
                year
            };
            let (h, mi, se) = parse_hms(hms)?;
            make(year, mon, day, h, mi, se, parse_zone(zone)?)
        }
        _ => None,
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn month_number(s: &str) -> Option<u32> {
    if s.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m[..3].eq_ignore_ascii_case(&s[..3]) && m.len() >= s.len())
        .map(|i| i as u32 + 1)
}

fn parse_hms(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split(':');
    let h = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let sec = it.next()?.parse().ok()?;
    if it.next().is_some() {
        return None;
    }
    Some((h, m, sec))
}

/// Zone offset in seconds east of UTC.
fn parse_zone(z: &str) -> Option<i32> {
    match z.to_ascii_uppercase().as_str() {
        "GMT" | "UTC" | "UT" | "Z" => Some(0),
        _ => {
            let (sign, digits) = match z.as_bytes().first()? {
                b'+' => (1, &z[1..]),
                b'-' => (-1, &z[1..]),
                _ => return None,
            };
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let hh: i32 = digits[..2].parse().ok()?;
            let mm: i32 = digits[2..].parse().ok()?;
            Some(sign * (hh * 3600 + mm * 60))
        }
    }
}

fn make(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, offset: i32) -> Option<OffsetDateTime> {
    let month = Month::try_from(u8::try_from(mo).ok()?).ok()?;
    let date = Date::from_calendar_date(y, month, u8::try_from(d).ok()?).ok()?;
    let dt = date
        .with_hms(
            u8::try_from(h).ok()?,
            u8::try_from(mi).ok()?,
            u8::try_from(s).ok()?,
        )
        .ok()?;
    let off = UtcOffset::from_whole_seconds(offset).ok()?;
    Some(dt.assume_offset(off).to_offset(UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn parses_all_forms() {
        let want = datetime!(2007-03-27 19:36:42 UTC);
        for s in [
            "20070327T193642Z",
            "Tue, 27 Mar 2007 19:36:42 +0000",
            "Tue, 27 Mar 2007 19:36:42 GMT",
            "Tue, 27 Mar 2007 21:36:42 +0200",
            "Tuesday, 27-Mar-07 19:36:42 GMT",
            "Tue Mar 27 19:36:42 2007",
            "2007-03-27T19:36:42Z",
        ] {
            assert_eq!(parse_any_date(s), Some(want), "{s}");
        }
        for s in [
            "",
            "2007",
            "20070327T193642",
            "Tue, 32 Mar 2007 19:36:42 GMT",
        ] {
            assert_eq!(parse_any_date(s), None, "{s}");
        }
    }

    #[test]
    fn formats() {
        let t = datetime!(2013-05-24 00:00:00 UTC);
        assert_eq!(format_amz_date(t), "20130524T000000Z");
        assert_eq!(format_amz_day(t), "20130524");
        assert_eq!(format_http_date(t), "Fri, 24 May 2013 00:00:00 GMT");
    }
}

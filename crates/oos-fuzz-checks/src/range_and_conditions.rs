//! `Range` and the conditional headers of GetObject, HeadObject and copies.
//!
//! Input: a first line `<object size> [<etag> [<last-modified ms>]]` (defaults for what is
//! missing), then header lines (`Range`, `If-Match`, `If-None-Match`, `If-Modified-Since`,
//! `If-Unmodified-Since`).

use http::{HeaderMap, HeaderName};
use oos_meta::{DataRef, Object};
use oos_proto::time_fmt::{http_date, parse_http_date};
use oos_proto::ErrorCode;
use oos_server::fuzzing::{check_conditions, parse_range, requested_range, Conditions, RangeSpec};

use crate::input;

const CONDITIONS: [&str; 4] = [
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
];

pub fn check(data: &[u8]) {
    let (first, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let first = String::from_utf8_lossy(first);
    let mut words = first.split_whitespace();
    let size = words
        .next()
        .and_then(|w| w.parse::<u64>().ok())
        .unwrap_or(1000);
    let etag = words
        .next()
        .unwrap_or("d41d8cd98f00b204e9800998ecf8427e")
        .to_string();
    let last_modified = words
        .next()
        .and_then(|w| w.parse::<i64>().ok())
        .unwrap_or(1_255_369_830_123);
    let headers = input::headers(rest);

    ranges(&headers, size);
    if let Ok(raw) = std::str::from_utf8(rest) {
        // Every line as a Range value too, whatever its header name.
        for line in raw.lines() {
            range_bounds(line, size);
        }
    }
    let object = Object {
        bucket: "b".into(),
        key: "k".into(),
        size,
        etag,
        last_modified,
        storage_class: "STANDARD".into(),
        attrs: Default::default(),
        data: DataRef::Inline(Vec::new()),
        version_id: None,
        delete_marker: false,
    };
    conditions(&headers, &object);
    // Last-Modified as sent reads back as the same second.
    // (Years 1970 to 9999: what `Last-Modified` can show.)
    let shown = http_date(last_modified);
    if (0..253_402_300_800_000).contains(&last_modified) {
        assert_eq!(
            parse_http_date(&shown),
            Some(last_modified.div_euclid(1000)),
            "{shown}"
        );
    }
}

fn ranges(headers: &HeaderMap, size: u64) {
    let first = headers.get("range").and_then(|v| v.to_str().ok());
    let got = requested_range(headers, size);
    match first.map(|raw| parse_range(raw, size)) {
        None | Some(RangeSpec::Ignore) => assert!(matches!(got, Ok(None))),
        Some(RangeSpec::Unsatisfiable) => {
            let e = got.expect_err("416");
            assert_eq!(e.code, ErrorCode::InvalidRange);
            assert!(e
                .headers
                .iter()
                .any(|(n, v)| *n == "content-range" && *v == format!("bytes */{size}")));
        }
        Some(RangeSpec::Range(s, e)) => assert_eq!(got.ok(), Some(Some((s, e)))),
    }
}

/// A range served is inside the object and not empty; the plain forms mean what RFC 9110 says.
fn range_bounds(raw: &str, size: u64) {
    let spec = parse_range(raw, size);
    if let RangeSpec::Range(s, e) = spec {
        assert!(s < e && e <= size, "{raw:?} of {size}: {s}..{e}");
    }
    let Some(r) = raw.strip_prefix("bytes=") else {
        return;
    };
    let Some((a, b)) = r.split_once('-') else {
        return;
    };
    let digits = |s: &str| !s.is_empty() && s.len() < 20 && s.bytes().all(|c| c.is_ascii_digit());
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(first), Ok(last)) if digits(a) && digits(b) && first <= last => {
            let want = if first < size {
                RangeSpec::Range(first, last.min(size - 1) + 1)
            } else {
                RangeSpec::Unsatisfiable
            };
            assert_eq!(spec, want, "{raw:?} of {size}");
        }
        (Ok(first), _) if digits(a) && b.is_empty() => {
            let want = if first < size {
                RangeSpec::Range(first, size)
            } else {
                RangeSpec::Unsatisfiable
            };
            assert_eq!(spec, want, "{raw:?} of {size}");
        }
        (_, Ok(suffix)) if a.is_empty() && digits(b) => {
            let want = if suffix == 0 || size == 0 {
                RangeSpec::Unsatisfiable
            } else {
                RangeSpec::Range(size.saturating_sub(suffix), size)
            };
            assert_eq!(spec, want, "{raw:?} of {size}");
        }
        _ => {}
    }
}

/// The outcome is one of three; a copy's `x-amz-copy-source-if-*` headers decide as the plain
/// ones do (412 where a GET says 304); what has no condition passes.
fn conditions(headers: &HeaderMap, object: &Object) {
    let plain = check_conditions(headers, object, Conditions::plain()).map_err(|e| e.code);
    let mut copy_headers = HeaderMap::new();
    for name in CONDITIONS {
        for v in headers.get_all(name) {
            let copy = HeaderName::from_bytes(format!("x-amz-copy-source-{name}").as_bytes())
                .expect("a valid name");
            copy_headers.append(copy, v.clone());
        }
    }
    let copy =
        check_conditions(&copy_headers, object, Conditions::copy_source()).map_err(|e| e.code);
    match plain {
        Ok(()) => assert_eq!(copy, Ok(())),
        Err(ErrorCode::PreconditionFailed) | Err(ErrorCode::NotModified) => {
            assert_eq!(copy, Err(ErrorCode::PreconditionFailed))
        }
        Err(other) => panic!("a condition failed with {other:?}"),
    }
    if !CONDITIONS.iter().any(|n| headers.contains_key(*n)) {
        assert_eq!(plain, Ok(()));
    }
    // `If-Match: *` and the object's own ETag always match; `If-None-Match` of them never passes.
    for tag in ["*".to_string(), format!("\"{}\"", object.etag)] {
        let odd = |c: char| c == ',' || c == '"' || c.is_whitespace();
        let Ok(value) = http::HeaderValue::from_str(&tag) else {
            break;
        };
        if object.etag.contains(odd) || value.to_str().is_err() {
            break;
        }
        let mut h = HeaderMap::new();
        h.insert("if-match", value.clone());
        assert_eq!(
            check_conditions(&h, object, Conditions::plain()).map_err(|e| e.code),
            Ok(())
        );
        let mut h = HeaderMap::new();
        h.insert("if-none-match", value);
        assert_eq!(
            check_conditions(&h, object, Conditions::plain()).map_err(|e| e.code),
            Err(ErrorCode::NotModified)
        );
    }
}

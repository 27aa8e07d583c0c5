//! The OOS speed limit, `x-amz-limit: rate=<KiB/s>[,concurrency=<n>]` and the legacy
//! `x-amz-limitrate`, as headers or query parameters.
//!
//! Input: header lines; a line starting with `?` is the query string.

use oos_proto::ErrorCode;
use oos_server::fuzzing::{requested_limit, Query, MIN_RATE_KIB};

use crate::input;

pub fn check(data: &[u8]) {
    let headers = input::headers(data);
    let text = String::from_utf8_lossy(data);
    let raw_query = text.lines().find_map(|l| l.strip_prefix('?')).unwrap_or("");
    let query = Query::parse(raw_query).unwrap_or_default();
    let limit = match requested_limit(&headers, &query) {
        Ok(limit) => limit,
        Err(e) => {
            assert_eq!(e.code, ErrorCode::InvalidArgument);
            return;
        }
    };
    if let Some(rate) = limit.rate {
        assert!(rate >= MIN_RATE_KIB * 1024, "rate {rate} below the floor");
    }
    if let Some(n) = limit.concurrency {
        assert!(n >= 1);
    }
    // A header of the documented form means what it says.
    let Some(value) = headers.get("x-amz-limit").and_then(|v| v.to_str().ok()) else {
        return;
    };
    if let Some(n) = value
        .strip_prefix("rate=")
        .and_then(|n| n.parse::<u64>().ok())
    {
        if n >= 1 {
            let want = n.max(MIN_RATE_KIB).saturating_mul(1024);
            assert_eq!(limit.rate, Some(want), "{value:?}");
            assert_eq!(limit.concurrency, None);
        }
    }
}

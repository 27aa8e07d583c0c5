//! Speed limits (oos-api A8, B 7): `x-amz-limit: rate=<KiB/s>[,concurrency=<n>]` or the legacy
//! `x-amz-limitrate: <KiB/s>` (or `rate=<KiB/s>`), as a header or a query parameter, so a
//! shared link can carry its own download speed. Rates below 128 KiB/s are raised to 128.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::stream;
use http::HeaderMap;
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;

use crate::error::S3Result;
use crate::response::Body;
use crate::route::Query;
use crate::s3_error;

/// The lowest rate OOS applies, in KiB/s.
pub const MIN_RATE_KIB: u64 = 128;
/// Pieces a throttled body is cut into, so the pace is smooth.
const SLICE: usize = 16 * 1024;

/// The requested limit in bytes per second, if any. Header first, then query (OOS).
pub fn requested_rate(headers: &HeaderMap, query: &Query) -> S3Result<Option<u64>> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| query.get(name).map(str::to_string))
    };
    let from_limit = match get("x-amz-limit") {
        Some(v) => {
            let mut rate = None;
            for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match item.split_once('=') {
                    Some(("rate", n)) => rate = Some(parse_kib(n, "x-amz-limit")?),
                    Some(("concurrency", n)) => {
                        parse_kib(n, "x-amz-limit")?;
                    }
                    _ => return Err(s3_error!(InvalidArgument, "x-amz-limit invalid.")),
                }
            }
            rate
        }
        None => None,
    };
    let rate = match from_limit {
        Some(r) => Some(r),
        None => match get("x-amz-limitrate") {
            Some(v) => Some(parse_kib(
                v.strip_prefix("rate=").unwrap_or(&v),
                "x-amz-limitrate",
            )?),
            None => None,
        },
    };
    Ok(rate.map(|kib| kib.max(MIN_RATE_KIB) * 1024))
}

fn parse_kib(v: &str, name: &str) -> S3Result<u64> {
    v.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "{name} invalid.The input should be positive integer."
            )
        })
}

/// Paces bytes to `rate` bytes per second since the first one.
#[derive(Debug)]
pub struct Pace {
    rate: u64,
    started: Instant,
    sent: u64,
}

impl Pace {
    pub fn new(rate: u64) -> Pace {
        Pace {
            rate,
            started: Instant::now(),
            sent: 0,
        }
    }

    /// Waits until `n` more bytes fit the rate.
    pub async fn wait(&mut self, n: usize) {
        self.sent += n as u64;
        let due = Duration::from_secs_f64(self.sent as f64 / self.rate as f64);
        let elapsed = self.started.elapsed();
        if due > elapsed {
            tokio::time::sleep(due - elapsed).await;
        }
    }
}

/// A response body delivered at `rate` bytes per second.
pub fn throttled(body: Body, rate: u64) -> Body {
    let state = (body, Pace::new(rate), Bytes::new());
    let s = stream::unfold(state, |(mut body, mut pace, mut pending)| async move {
        loop {
            if !pending.is_empty() {
                let piece = pending.split_to(pending.len().min(SLICE));
                pace.wait(piece.len()).await;
                return Some((Ok(Frame::data(piece)), (body, pace, pending)));
            }
            match body.frame().await? {
                Ok(frame) => match frame.into_data() {
                    Ok(data) => pending = data,
                    Err(other) => return Some((Ok(other), (body, pace, pending))),
                },
                Err(e) => return Some((Err(e), (body, pace, pending))),
            }
        }
    });
    StreamBody::new(s).boxed_unsync()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn rates_from_headers_and_query() {
        let none = Query::default();
        assert_eq!(requested_rate(&headers(&[]), &none).unwrap(), None);
        assert_eq!(
            requested_rate(
                &headers(&[("x-amz-limit", "rate=1024,concurrency=2")]),
                &none
            )
            .unwrap(),
            Some(1024 * 1024)
        );
        assert_eq!(
            requested_rate(&headers(&[("x-amz-limit", "rate=5")]), &none).unwrap(),
            Some(128 * 1024),
            "below 128 KiB/s is raised to 128"
        );
        assert_eq!(
            requested_rate(&headers(&[("x-amz-limitrate", "rate=300")]), &none).unwrap(),
            Some(300 * 1024)
        );
        let q = Query::parse("x-amz-limit=rate%3D256").unwrap();
        assert_eq!(requested_rate(&headers(&[]), &q).unwrap(), Some(256 * 1024));
        for bad in ["rate=0", "rate=x", "speed=3", "rate=-1"] {
            assert!(
                requested_rate(&headers(&[("x-amz-limit", bad)]), &none).is_err(),
                "{bad}"
            );
        }
        assert!(requested_rate(&headers(&[("x-amz-limitrate", "fast")]), &none).is_err());
    }
}

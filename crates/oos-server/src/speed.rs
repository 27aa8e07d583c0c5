//! Speed limits (oos-api A8, B 7): `x-amz-limit: rate=<KiB/s>[,concurrency=<n>]` or the legacy
//! `x-amz-limitrate: <KiB/s>` (or `rate=<KiB/s>`), as a header or a query parameter, so a
//! shared link can carry its own download speed. Rates below 128 KiB/s are raised to 128.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

/// What a request asked for: a rate in bytes per second and a cap on simultaneous transfers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limit {
    pub rate: Option<u64>,
    pub concurrency: Option<u32>,
}

/// The requested limit, if any. Header first, then query (OOS).
pub fn requested(headers: &HeaderMap, query: &Query) -> S3Result<Limit> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| query.get(name).map(str::to_string))
    };
    let mut limit = Limit::default();
    if let Some(v) = get("x-amz-limit") {
        for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item.split_once('=') {
                Some(("rate", n)) => limit.rate = Some(parse_kib(n, "x-amz-limit")?),
                Some(("concurrency", n)) => {
                    let n = parse_kib(n, "x-amz-limit")?;
                    limit.concurrency = Some(u32::try_from(n).unwrap_or(u32::MAX));
                }
                _ => return Err(s3_error!(InvalidArgument, "x-amz-limit invalid.")),
            }
        }
    }
    if limit.rate.is_none() {
        if let Some(v) = get("x-amz-limitrate") {
            limit.rate = Some(parse_kib(
                v.strip_prefix("rate=").unwrap_or(&v),
                "x-amz-limitrate",
            )?);
        }
    }
    // Saturating: a huge rate is no limit, not an overflow (which wrapped a rate of 2^54 KiB/s
    // to 0 bytes/s, and `Pace` then panicked on an infinite wait).
    limit.rate = limit
        .rate
        .map(|kib| kib.max(MIN_RATE_KIB).saturating_mul(1024));
    Ok(limit)
}

/// Transfers in flight per (object, link or key), for `concurrency=` (B 7). Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Transfers(Arc<Mutex<HashMap<String, u32>>>);

/// One transfer counted in [`Transfers`] until dropped (with the response body it rides).
#[derive(Debug)]
pub struct TransferSlot {
    transfers: Transfers,
    key: String,
}

impl Transfers {
    /// Counts one more transfer of `key`, or `503 SlowDown` when `max` are running.
    pub fn acquire(&self, key: String, max: u32) -> S3Result<TransferSlot> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(key.clone()).or_insert(0);
        if *n >= max {
            return Err(s3_error!(
                SlowDown,
                "Too many concurrent transfers of this object by this link or key (x-amz-limit concurrency={max})."
            ));
        }
        *n += 1;
        Ok(TransferSlot {
            transfers: self.clone(),
            key,
        })
    }

    pub fn in_flight(&self, key: &str) -> u32 {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).copied().unwrap_or(0)
    }
}

impl Drop for TransferSlot {
    fn drop(&mut self) {
        let mut map = self.transfers.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// A response body that keeps `slot` counted until the body ends or is dropped.
pub fn holding(body: Body, slot: TransferSlot) -> Body {
    let s = stream::unfold((body, slot), |(mut body, slot)| async move {
        let frame = body.frame().await?;
        Some((frame, (body, slot)))
    });
    StreamBody::new(s).boxed_unsync()
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

    fn requested_rate_for_tests(h: &HeaderMap, q: &Query) -> S3Result<Option<u64>> {
        requested(h, q).map(|l| l.rate)
    }

    #[test]
    fn concurrency_slots() {
        let t = Transfers::default();
        let a = t.acquire("k".into(), 2).unwrap();
        let _b = t.acquire("k".into(), 2).unwrap();
        assert!(t.acquire("k".into(), 2).is_err());
        assert!(t.acquire("other".into(), 2).is_ok());
        drop(a);
        assert_eq!(t.in_flight("k"), 1);
        assert!(t.acquire("k".into(), 2).is_ok());
        assert_eq!(
            requested(
                &headers(&[("x-amz-limit", "rate=1024,concurrency=2")]),
                &Query::default()
            )
            .unwrap()
            .concurrency,
            Some(2)
        );
    }

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
        assert_eq!(
            requested_rate_for_tests(&headers(&[]), &none).unwrap(),
            None
        );
        assert_eq!(
            requested_rate_for_tests(
                &headers(&[("x-amz-limit", "rate=1024,concurrency=2")]),
                &none
            )
            .unwrap(),
            Some(1024 * 1024)
        );
        assert_eq!(
            requested_rate_for_tests(&headers(&[("x-amz-limit", "rate=5")]), &none).unwrap(),
            Some(128 * 1024),
            "below 128 KiB/s is raised to 128"
        );
        assert_eq!(
            requested_rate_for_tests(&headers(&[("x-amz-limitrate", "rate=300")]), &none).unwrap(),
            Some(300 * 1024)
        );
        let q = Query::parse("x-amz-limit=rate%3D256").unwrap();
        assert_eq!(
            requested_rate_for_tests(&headers(&[]), &q).unwrap(),
            Some(256 * 1024)
        );
        for bad in ["rate=0", "rate=x", "speed=3", "rate=-1"] {
            assert!(
                requested_rate_for_tests(&headers(&[("x-amz-limit", bad)]), &none).is_err(),
                "{bad}"
            );
        }
        assert!(requested_rate_for_tests(&headers(&[("x-amz-limitrate", "fast")]), &none).is_err());
    }
}

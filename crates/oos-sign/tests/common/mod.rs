//! Helpers shared by the integration tests.
#![allow(dead_code)]

use bytes::BytesMut;
use http::{HeaderMap, HeaderName, HeaderValue};
use oos_sign::{parse_auth, verify, ChunkedDecoder, RequestView, SignError, Trailers, Verified};
use time::OffsetDateTime;

/// The credentials of the AWS documentation examples.
pub const AK: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

pub fn headers(list: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in list {
        h.append(
            HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

pub fn view<'a>(
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a HeaderMap,
) -> RequestView<'a> {
    RequestView {
        method,
        path,
        query,
        headers,
        v2_virtual_bucket: None,
    }
}

/// `2013-05-24T00:00:00Z`, the time of the SigV4 examples.
pub fn t2013() -> OffsetDateTime {
    time::macros::datetime!(2013-05-24 00:00:00 UTC)
}

pub fn check(
    req: &RequestView<'_>,
    secret: &str,
    now: OffsetDateTime,
) -> Result<Verified, SignError> {
    verify(&parse_auth(req)?, req, secret, now)
}

/// Feeds `body` to the decoder in pieces of `step` bytes; returns the payload and the trailers.
pub fn decode_all(
    mut dec: ChunkedDecoder,
    body: &[u8],
    step: usize,
) -> Result<(Vec<u8>, Trailers), SignError> {
    let mut out = Vec::new();
    let mut buf = BytesMut::new();
    for piece in body.chunks(step.max(1)) {
        buf.extend_from_slice(piece);
        while let Some(data) = dec.decode(&mut buf)? {
            out.extend_from_slice(&data);
        }
    }
    let trailers = dec.finish()?;
    Ok((out, trailers))
}

/// Tiny deterministic PRNG (xorshift64*), so tests need no extra crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

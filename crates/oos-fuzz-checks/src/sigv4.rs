//! SigV4: the `Authorization` header and presigned query parsers, the canonicalisation
//! (canonical query, re-encoded path, header values), verification, and signing round trips.
//!
//! Input: an HTTP request head (see [`crate::input::Head`]).

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use oos_sign::{Auth, PayloadMode, RequestView, SigningParams, MAX_PRESIGN_EXPIRES, SERVICES};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use oos_sign::fuzzing::{canonical_query, decoded_query_keys, reencoded_path};

use crate::input::{Bytes, Head};

pub const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// The presigned parameters a signer adds: a query that already has one is not signed again.
const PRESIGN_PARAMS: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

pub fn check(data: &[u8]) {
    let head = Head::parse(data);
    let view = view(&head, &head.headers, &head.query);
    parse_and_verify(&view, &head.body);
    canonicalisation(&head);
    // The time of the round trips: 2013-05-24 (the AWS examples) plus up to ~136 years.
    let mut b = Bytes::new(&head.body);
    let time =
        OffsetDateTime::from_unix_timestamp(1_369_353_600 + i64::from(b.u32())).expect("in range");
    let expires = u64::from(b.u32()) % MAX_PRESIGN_EXPIRES + 1;
    header_round_trip(&head, time);
    presigned_round_trip(&head, time, expires);
}

pub(crate) fn view<'a>(head: &'a Head, headers: &'a HeaderMap, query: &'a str) -> RequestView<'a> {
    RequestView {
        method: &head.method,
        path: &head.path,
        query,
        headers,
        v2_virtual_bucket: None,
    }
}

/// Whatever a request carries parses without panicking; what parses as SigV4 is well formed,
/// and verifying it (at its own time, so the whole canonical request is built) does not panic.
fn parse_and_verify(view: &RequestView<'_>, body: &[u8]) {
    let Ok(auth) = oos_sign::parse_auth(view) else {
        return;
    };
    let Auth::V4(a) = &auth else {
        return;
    };
    assert!(!a.access_key_id.is_empty());
    assert!(a.date.len() == 8 && a.date.bytes().all(|b| b.is_ascii_digit()));
    assert!(SERVICES.contains(&a.service.as_str()));
    assert!(a.signed_headers.iter().any(|h| h == "host"));
    assert!(a
        .signed_headers
        .iter()
        .all(|h| !h.is_empty() && *h == h.to_ascii_lowercase()));
    if a.presigned {
        assert!(a
            .expires
            .is_some_and(|e| (1..=MAX_PRESIGN_EXPIRES).contains(&e)));
    } else {
        assert_eq!(a.expires, None);
    }
    for now in [a.request_time, a.request_time + Duration::minutes(20)] {
        let _ = oos_sign::verify(&auth, view, SECRET, now);
        let _ = oos_sign::verify_with_body(&auth, view, SECRET, now, body);
    }
}

/// The canonical forms are fixed points: canonicalising twice changes nothing, and what they
/// contain is only what SigV4 allows.
fn canonicalisation(head: &Head) {
    let q = canonical_query(&head.query);
    assert_eq!(
        canonical_query(&q),
        q,
        "canonical query of {:?}",
        head.query
    );
    assert!(
        q.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~%&=".contains(&b)),
        "{q:?}"
    );
    let p = reencoded_path(&head.path);
    assert_eq!(reencoded_path(&p), p, "path {:?}", head.path);
    assert_eq!(p.matches('/').count(), head.path.matches('/').count());
    let encoded = oos_sign::uri_encode(head.path.as_bytes(), true);
    assert!(encoded
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b)));
}

/// Headers a signer sets itself.
fn signable_headers(head: &Head) -> HeaderMap {
    let mut headers = head.headers.clone();
    for name in [
        "authorization",
        "x-amz-date",
        "x-amz-content-sha256",
        "x-amz-security-token",
    ] {
        headers.remove(name);
    }
    if !headers.contains_key("host") {
        headers.insert(
            "host",
            HeaderValue::from_static("examplebucket.s3.amazonaws.com"),
        );
    }
    headers
}

/// A request signed with `sign_v4_headers` verifies, with the payload hash it was signed with.
fn header_round_trip(head: &Head, time: OffsetDateTime) {
    let params = SigningParams::new(ACCESS_KEY, SECRET, "us-east-1", "s3", time);
    let mut headers = signable_headers(head);
    let body_hash = Sha256::digest(&head.body);
    let payload = if head.body.first().is_some_and(|b| b & 1 == 1) {
        oos_sign::UNSIGNED_PAYLOAD.to_string()
    } else {
        hex::encode(body_hash)
    };
    if oos_sign::sign_v4_headers(
        &params,
        &head.method,
        &head.path,
        &head.query,
        &mut headers,
        &payload,
    )
    .is_err()
    {
        return;
    }
    let view = view(head, &headers, &head.query);
    let auth = oos_sign::parse_auth(&view).expect("a signed request parses");
    assert!(matches!(&auth, Auth::V4(a) if !a.presigned && a.access_key_id == ACCESS_KEY));
    let verified = oos_sign::verify(&auth, &view, SECRET, time)
        .unwrap_or_else(|e| panic!("a signed request verifies: {e:?}\n{headers:?}"));
    match verified.payload {
        PayloadMode::Unsigned => assert_eq!(payload, oos_sign::UNSIGNED_PAYLOAD),
        PayloadMode::Sha256(h) => assert_eq!(h[..], body_hash[..]),
        PayloadMode::Chunked(_) => panic!("not a streaming request"),
    }
    // Another secret, or a moment past the skew, does not verify.
    assert!(oos_sign::verify(&auth, &view, "another secret", time).is_err());
    assert!(oos_sign::verify(&auth, &view, SECRET, time + Duration::minutes(16)).is_err());
}

/// A URL presigned with `presign_v4` verifies until it expires.
fn presigned_round_trip(head: &Head, time: OffsetDateTime, expires: u64) {
    let named = decoded_query_keys(&head.query)
        .iter()
        .any(|k| PRESIGN_PARAMS.iter().any(|p| p.as_bytes() == &k[..]));
    if named {
        return;
    }
    let params = SigningParams::new(ACCESS_KEY, SECRET, "cn-chengdu", "s3", time);
    let mut headers = signable_headers(head);
    headers.remove(AUTHORIZATION);
    let Ok(query) = oos_sign::presign_v4(
        &params,
        &head.method,
        &head.path,
        &head.query,
        &headers,
        expires,
    ) else {
        return;
    };
    let view = view(head, &headers, &query);
    let auth = oos_sign::parse_auth(&view).expect("a presigned request parses");
    assert!(matches!(&auth, Auth::V4(a) if a.presigned && a.expires == Some(expires)));
    let last = time + Duration::seconds(expires as i64);
    for now in [time, last] {
        let verified = oos_sign::verify(&auth, &view, SECRET, now)
            .unwrap_or_else(|e| panic!("a presigned request verifies: {e:?}\n{query}"));
        assert!(verified.presigned);
    }
    assert!(oos_sign::verify(&auth, &view, SECRET, last + Duration::seconds(1)).is_err());
}

//! SigV2: the `Authorization: AWS` header and presigned query parsers, verification (the
//! string to sign with its sub-resources and `x-amz-*` headers), and signing round trips.
//!
//! Input: an HTTP request head (see [`crate::input::Head`]); a `Host` ending in
//! `.s3.amazonaws.com` addresses its bucket virtual-host style.

use http::{HeaderMap, HeaderValue};
use oos_sign::fuzzing::decoded_query_keys;
use oos_sign::{Auth, PayloadMode, RequestView, SigningParams};
use time::OffsetDateTime;

use crate::input::{Bytes, Head};
use crate::sigv4::{ACCESS_KEY, SECRET};

/// Parameters a V2 or V4 presigned URL is recognised by: a query with one is not presigned again.
const PRESIGN_PARAMS: [&str; 6] = [
    "AWSAccessKeyId",
    "Expires",
    "Signature",
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
];

pub fn check(data: &[u8]) {
    let head = Head::parse(data);
    let bucket = head
        .header("host")
        .and_then(|h| h.strip_suffix(".s3.amazonaws.com"))
        .map(str::to_string);
    let view = RequestView {
        method: &head.method,
        path: &head.path,
        query: &head.query,
        headers: &head.headers,
        v2_virtual_bucket: bucket.as_deref(),
    };
    if let Ok(auth @ Auth::V2(_)) = oos_sign::parse_auth(&view) {
        let Auth::V2(a) = &auth else { unreachable!() };
        assert!(!a.access_key_id.is_empty() || a.presigned);
        let now = match a.expires {
            Some(e) => {
                OffsetDateTime::from_unix_timestamp(e.clamp(0, 253_402_300_799)).expect("in range")
            }
            None => OffsetDateTime::from_unix_timestamp(1_369_353_600).expect("in range"),
        };
        let _ = oos_sign::verify(&auth, &view, SECRET, now);
    }
    let mut b = Bytes::new(&head.body);
    let time =
        OffsetDateTime::from_unix_timestamp(1_369_353_600 + i64::from(b.u32())).expect("in range");
    header_round_trip(&head, bucket.as_deref(), time);
    presigned_round_trip(&head, bucket.as_deref(), time, i64::from(b.u32()));
}

fn signable_headers(head: &Head) -> HeaderMap {
    let mut headers = head.headers.clone();
    for name in [
        "authorization",
        "date",
        "x-amz-date",
        "x-amz-security-token",
    ] {
        headers.remove(name);
    }
    if !headers.contains_key("host") {
        headers.insert("host", HeaderValue::from_static("s3.amazonaws.com"));
    }
    headers
}

/// A request signed with `sign_v2` verifies (at the `Date` it was given), with another secret not.
fn header_round_trip(head: &Head, bucket: Option<&str>, time: OffsetDateTime) {
    let params = SigningParams::new(ACCESS_KEY, SECRET, "us-east-1", "s3", time);
    let mut headers = signable_headers(head);
    if oos_sign::sign_v2(
        &params,
        &head.method,
        &head.path,
        &head.query,
        &mut headers,
        bucket,
    )
    .is_err()
    {
        return;
    }
    let view = RequestView {
        method: &head.method,
        path: &head.path,
        query: &head.query,
        headers: &headers,
        v2_virtual_bucket: bucket,
    };
    let auth = oos_sign::parse_auth(&view).expect("a signed request parses");
    assert!(matches!(&auth, Auth::V2(a) if !a.presigned && a.access_key_id == ACCESS_KEY));
    let verified = oos_sign::verify(&auth, &view, SECRET, time)
        .unwrap_or_else(|e| panic!("a signed request verifies: {e:?}\n{headers:?}"));
    assert!(matches!(verified.payload, PayloadMode::Unsigned));
    assert!(oos_sign::verify(&auth, &view, "another secret", time).is_err());
}

/// A URL presigned with `presign_v2` verifies until its `Expires`.
fn presigned_round_trip(head: &Head, bucket: Option<&str>, time: OffsetDateTime, life: i64) {
    let named = decoded_query_keys(&head.query)
        .iter()
        .any(|k| PRESIGN_PARAMS.iter().any(|p| p.as_bytes() == &k[..]))
        || PRESIGN_PARAMS.iter().any(|p| head.query.contains(p));
    if named {
        return;
    }
    let params = SigningParams::new(ACCESS_KEY, SECRET, "us-east-1", "s3", time);
    let headers = signable_headers(head);
    let expires = time.unix_timestamp() + life;
    let query = oos_sign::presign_v2(
        &params,
        &head.method,
        &head.path,
        &head.query,
        &headers,
        expires,
        bucket,
    );
    let view = RequestView {
        method: &head.method,
        path: &head.path,
        query: &query,
        headers: &headers,
        v2_virtual_bucket: bucket,
    };
    let auth = oos_sign::parse_auth(&view).expect("a presigned request parses");
    assert!(matches!(&auth, Auth::V2(a) if a.presigned && a.expires == Some(expires)));
    let at = |t: i64| OffsetDateTime::from_unix_timestamp(t).expect("in range");
    oos_sign::verify(&auth, &view, SECRET, at(expires))
        .unwrap_or_else(|e| panic!("a presigned request verifies: {e:?}\n{query}"));
    assert!(oos_sign::verify(&auth, &view, SECRET, at(expires + 1)).is_err());
}

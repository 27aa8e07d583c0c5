//! Requests that must be refused, and how the refusal maps to S3 errors.

mod common;

use common::*;
use http::HeaderMap;
use oos_sign::{
    canonical_request, parse_auth, presign_v2, presign_v4, sign_v2, sign_v4_headers, signing_key,
    string_to_sign, verify, verify_with_body, Auth, PayloadMode, SignError, SigningParams,
    EMPTY_SHA256_HEX,
};
use time::Duration;

fn params() -> SigningParams<'static> {
    SigningParams::new(AK, SECRET, "us-east-1", "s3", t2013())
}

/// A GET signed with our signer at `t2013()`.
fn signed_get() -> HeaderMap {
    let mut h = headers(&[("host", "bucket.localhost"), ("x-amz-meta-a", "1")]);
    sign_v4_headers(
        &params(),
        "GET",
        "/bucket/key",
        "versionId=3",
        &mut h,
        EMPTY_SHA256_HEX,
    )
    .unwrap();
    h
}

fn err(h: &HeaderMap, now: time::OffsetDateTime) -> SignError {
    check(&view("GET", "/bucket/key", "versionId=3", h), SECRET, now).unwrap_err()
}

fn with_auth(h: &HeaderMap, auth: &str) -> HeaderMap {
    let mut h = h.clone();
    h.insert("authorization", auth.parse().unwrap());
    h
}

#[test]
fn bad_signature() {
    let h = signed_get();
    check(
        &view("GET", "/bucket/key", "versionId=3", &h),
        SECRET,
        t2013(),
    )
    .unwrap();
    let auth = h["authorization"].to_str().unwrap().to_string();
    let last = auth.chars().last().unwrap();
    let flipped = format!(
        "{}{}",
        &auth[..auth.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    assert_eq!(
        err(&with_auth(&h, &flipped), t2013()),
        SignError::SignatureDoesNotMatch
    );
    let short = auth[..auth.len() - 2].to_string();
    assert_eq!(
        err(&with_auth(&h, &short), t2013()),
        SignError::SignatureDoesNotMatch
    );
    let e = SignError::SignatureDoesNotMatch;
    assert_eq!(
        (e.s3_code(), e.http_status()),
        ("SignatureDoesNotMatch", 403)
    );
    // A changed query value or header value.
    assert_eq!(
        check(
            &view("GET", "/bucket/key", "versionId=4", &h),
            SECRET,
            t2013()
        )
        .unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    let mut h2 = h.clone();
    h2.insert("x-amz-meta-a", "2".parse().unwrap());
    assert_eq!(err(&h2, t2013()), SignError::SignatureDoesNotMatch);
}

#[test]
fn clock_skew() {
    let h = signed_get();
    check(
        &view("GET", "/bucket/key", "versionId=3", &h),
        SECRET,
        t2013() + Duration::minutes(14),
    )
    .unwrap();
    for off in [
        Duration::minutes(16),
        Duration::minutes(-16),
        Duration::days(3),
    ] {
        assert_eq!(err(&h, t2013() + off), SignError::RequestTimeTooSkewed);
    }
    assert_eq!(SignError::RequestTimeTooSkewed.http_status(), 403);
}

#[test]
fn missing_or_bad_date() {
    let mut h = signed_get();
    h.remove("x-amz-date");
    assert!(matches!(err(&h, t2013()), SignError::AccessDenied(_)));
    h.insert("x-amz-date", "yesterday".parse().unwrap());
    assert!(matches!(err(&h, t2013()), SignError::AccessDenied(_)));
}

#[test]
fn presigned_expiry_and_parameters() {
    let h = headers(&[("host", "bucket.localhost")]);
    let q = presign_v4(&params(), "GET", "/bucket/key", "", &h, 600).unwrap();
    let req = view("GET", "/bucket/key", &q, &h);
    check(&req, SECRET, t2013() + Duration::seconds(600)).unwrap();
    assert_eq!(
        check(&req, SECRET, t2013() + Duration::seconds(601)).unwrap_err(),
        SignError::ExpiredRequest
    );
    assert_eq!(
        check(&req, SECRET, t2013() - Duration::minutes(20)).unwrap_err(),
        SignError::RequestNotYetValid
    );
    assert_eq!(SignError::RequestNotYetValid.s3_code(), "AccessDenied");

    // Lifetimes that can never be valid are refused as S3 conformance suites expect: 403.
    for to in [
        "X-Amz-Expires=0",
        "X-Amz-Expires=-7",
        "X-Amz-Expires=604801",
    ] {
        let bad = q.replace("X-Amz-Expires=600", to);
        let e = check(&view("GET", "/bucket/key", &bad, &h), SECRET, t2013()).unwrap_err();
        assert_eq!(
            (e.s3_code(), e.http_status()),
            ("AccessDenied", 403),
            "{to}"
        );
    }
    for (from, to) in [
        ("X-Amz-Expires=600", "X-Amz-Expires=ten"),
        (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Algorithm=AWS4-HMAC-SHA512",
        ),
        ("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24"),
        ("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date"),
        ("X-Amz-SignedHeaders=host&", ""),
    ] {
        let bad = q.replace(from, to);
        assert_ne!(bad, q);
        let e = check(&view("GET", "/bucket/key", &bad, &h), SECRET, t2013()).unwrap_err();
        assert!(
            matches!(e, SignError::AuthorizationQueryParametersError(_)),
            "{to}: {e:?}"
        );
        assert_eq!(e.http_status(), 400);
    }
    // Credential date other than X-Amz-Date.
    let bad = q.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=20130525T000000Z");
    let e = check(
        &view("GET", "/bucket/key", &bad, &h),
        SECRET,
        t2013() + Duration::days(1),
    )
    .unwrap_err();
    assert!(
        matches!(e, SignError::AuthorizationQueryParametersError(_)),
        "{e:?}"
    );
    // Tampered signature, path or extra parameter.
    let bad = q.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    assert_eq!(
        check(&view("GET", "/bucket/key", &bad, &h), SECRET, t2013()).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    assert_eq!(
        check(&view("GET", "/bucket/kex", &q, &h), SECRET, t2013()).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    let more = format!("{q}&response-content-type=text%2Fhtml");
    assert_eq!(
        check(&view("GET", "/bucket/key", &more, &h), SECRET, t2013()).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    assert!(matches!(
        presign_v4(&params(), "GET", "/", "", &h, 0),
        Err(SignError::InvalidArgument(_))
    ));
    assert!(matches!(
        presign_v4(&params(), "GET", "/", "", &h, 604_801),
        Err(SignError::InvalidArgument(_))
    ));
}

#[test]
fn malformed_authorization_header() {
    let h = signed_get();
    let sig = "f".repeat(64);
    for auth in [
        format!("AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/s3/aws4_request, SignedHeaders=host"),
        format!("AWS4-HMAC-SHA256 SignedHeaders=host, Signature={sig}"),
        format!("AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/s3, SignedHeaders=host, Signature={sig}"),
        format!("AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/s3/aws5_request, SignedHeaders=host, Signature={sig}"),
        format!("AWS4-HMAC-SHA256 Credential={AK}/2013-05-24/us-east-1/s3/aws4_request, SignedHeaders=host, Signature={sig}"),
        format!("AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature={sig}"),
        format!("AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date, Signature={sig}"),
    ] {
        let e = parse_auth(&view("GET", "/", "", &with_auth(&h, &auth))).unwrap_err();
        assert!(matches!(e, SignError::AuthorizationHeaderMalformed(_)), "{auth}: {e:?}");
        assert_eq!((e.s3_code(), e.http_status()), ("AuthorizationHeaderMalformed", 400));
    }
    // Credential date other than the request date.
    let auth = h["authorization"]
        .to_str()
        .unwrap()
        .replace("/20130524/", "/20130523/");
    assert!(matches!(
        err(&with_auth(&h, &auth), t2013()),
        SignError::AuthorizationHeaderMalformed(_)
    ));
    // Algorithms we do not speak.
    for auth in [
        "AWS4-ECDSA-P256-SHA256 Credential=x",
        "Bearer abc",
        "AWS4-HMAC-SHA256X Credential=x",
        "AWS4 HAHAHA",
    ] {
        let e = parse_auth(&view("GET", "/", "", &with_auth(&h, auth))).unwrap_err();
        assert_eq!(
            e,
            SignError::InvalidArgument("Unsupported Authorization Type".into()),
            "{auth}"
        );
    }
}

#[test]
fn authorization_header_shapes_refused_with_s3_messages() {
    let h = signed_get();
    let sig = "f".repeat(64);
    let cred = format!("Credential={AK}/20130524/us-east-1/s3/aws4_request");
    let malformed = |m: &str| SignError::AuthorizationHeaderMalformed(m.to_string());
    let three = "the authorization header requires three components: Credential, SignedHeaders, and Signature.";
    for (auth, want) in [
        // Empty: refused like an unsigned request to a private resource.
        (
            String::new(),
            SignError::AccessDenied("Access Denied".into()),
        ),
        (
            "   ".into(),
            SignError::AccessDenied("Access Denied".into()),
        ),
        // No space between scheme and parameters.
        (
            "invalid_header".into(),
            SignError::InvalidArgument(
                "Authorization header is invalid -- one and only one ' ' (space) required.".into(),
            ),
        ),
        (
            "AWS4-HMAC-SHA256".into(),
            SignError::InvalidArgument(
                "Authorization header is invalid -- one and only one ' ' (space) required.".into(),
            ),
        ),
        // V2 without a key:signature pair.
        (
            "AWS HAHAHA".into(),
            SignError::InvalidArgument(
                "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature".into(),
            ),
        ),
        (
            format!("AWS {AK}:"),
            SignError::InvalidArgument(
                "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature".into(),
            ),
        ),
        // V4 with the wrong number of components.
        (
            "AWS4-HMAC-SHA256 Credential=HAHAHA".into(),
            malformed(three),
        ),
        (
            format!("AWS4-HMAC-SHA256 {cred}, Signature={sig}"),
            malformed(three),
        ),
        (
            format!("AWS4-HMAC-SHA256 {cred}, SignedHeaders=host, Signature={sig}, Extra=1"),
            malformed(three),
        ),
        // Three components, one malformed or misnamed.
        (
            format!("AWS4-HMAC-SHA256 {cred}, SignedHeaders-host, Signature={sig}"),
            malformed("the authorization component \"SignedHeaders-host\" is malformed."),
        ),
        (
            format!("AWS4-HMAC-SHA256 Cred=x, SignedHeaders=host, Signature={sig}"),
            malformed("missing Credential."),
        ),
        (
            format!("AWS4-HMAC-SHA256 {cred}, missing=host, Signature={sig}"),
            malformed("missing SignedHeaders."),
        ),
        (
            format!("AWS4-HMAC-SHA256 {cred}, SignedHeaders=host, missing={sig}"),
            malformed("missing Signature."),
        ),
    ] {
        let e = parse_auth(&view("GET", "/", "", &with_auth(&h, &auth))).unwrap_err();
        assert_eq!(e, want, "{auth:?}");
    }
    assert_eq!(
        (malformed(three).s3_code(), malformed(three).http_status()),
        ("AuthorizationHeaderMalformed", 400)
    );
    assert_eq!(
        malformed(three).to_string(),
        format!("The authorization header is malformed; {three}")
    );
}

#[test]
fn content_sha256_rules() {
    let mut h = signed_get();
    h.remove("x-amz-content-sha256");
    let e = err(&h, t2013());
    assert_eq!(e, SignError::MissingContentSha256);
    assert_eq!((e.s3_code(), e.http_status()), ("InvalidRequest", 400));
    h.insert("x-amz-content-sha256", "not-a-hash".parse().unwrap());
    assert!(matches!(err(&h, t2013()), SignError::InvalidArgument(_)));
    h.insert(
        "x-amz-content-sha256",
        "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD".parse().unwrap(),
    );
    assert!(matches!(err(&h, t2013()), SignError::InvalidArgument(_)));
    assert_eq!(
        SignError::XAmzContentSha256Mismatch.s3_code(),
        "XAmzContentSHA256Mismatch"
    );
}

#[test]
fn sts_signs_the_body_hash_without_the_header() {
    // Like botocore for STS/IAM: no x-amz-content-sha256, the body hash is signed.
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let h = headers(&[
        ("host", "localhost:9000"),
        ("content-type", "application/x-www-form-urlencoded"),
        ("x-amz-date", "20130524T000000Z"),
    ]);
    let signed: Vec<String> = ["content-type", "host", "x-amz-date"]
        .map(String::from)
        .to_vec();
    let creq = canonical_request(
        "POST",
        "/",
        "",
        &h,
        &signed,
        &hex::encode(<sha2::Sha256 as sha2::Digest>::digest(body)),
    );
    let sts = string_to_sign(
        "20130524T000000Z",
        "20130524/us-east-1/sts/aws4_request",
        &creq,
    );
    let key = signing_key(SECRET, "20130524", "us-east-1", "sts");
    let sig = hex::encode(
        <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(&key)
            .map(|mut m| {
                hmac::Mac::update(&mut m, sts.as_bytes());
                hmac::Mac::finalize(m).into_bytes()
            })
            .unwrap(),
    );
    let h = with_auth(
        &h,
        &format!("AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={sig}"),
    );
    let req = view("POST", "/", "", &h);
    let auth = parse_auth(&req).unwrap();
    assert_eq!(auth.service(), Some("sts"));
    assert_eq!(
        verify(&auth, &req, SECRET, t2013()).unwrap_err(),
        SignError::MissingContentSha256
    );
    let v = verify_with_body(&auth, &req, SECRET, t2013(), body).unwrap();
    assert_eq!(v.service.as_deref(), Some("sts"));
    assert_eq!(
        verify_with_body(&auth, &req, SECRET, t2013(), b"Action=CreateUser").unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
}

#[test]
fn anonymous_and_header_priority() {
    let h = headers(&[("host", "x")]);
    let req = view("GET", "/b/k", "", &h);
    let auth = parse_auth(&req).unwrap();
    assert_eq!(auth, Auth::Anonymous);
    let v = verify(&auth, &req, "", t2013()).unwrap();
    assert!(v.access_key_id.is_none() && matches!(v.payload, PayloadMode::Unsigned));
    // The header wins over presigned parameters.
    let h = signed_get();
    let q = presign_v4(
        &params(),
        "GET",
        "/bucket/key",
        "versionId=3",
        &headers(&[("host", "bucket.localhost")]),
        60,
    )
    .unwrap();
    let auth = parse_auth(&view("GET", "/bucket/key", &q, &h)).unwrap();
    assert!(matches!(auth, Auth::V4(ref a) if !a.presigned));
}

#[test]
fn v2_refusals() {
    let now = t2013();
    let mut h = headers(&[("host", "localhost"), ("content-type", "text/plain")]);
    sign_v2(
        &params(),
        "PUT",
        "/bucket/key",
        "uploadId=7&partNumber=2",
        &mut h,
        None,
    )
    .unwrap();
    fn req(h: &HeaderMap) -> oos_sign::RequestView<'_> {
        view("PUT", "/bucket/key", "uploadId=7&partNumber=2", h)
    }
    check(&req(&h), SECRET, now).unwrap();
    // Non-sub-resource parameters are not signed in V2, sub-resources are.
    check(
        &view("PUT", "/bucket/key", "uploadId=7&partNumber=2&foo=1", &h),
        SECRET,
        now,
    )
    .unwrap();
    let e = check(
        &view("PUT", "/bucket/key", "uploadId=7&partNumber=3", &h),
        SECRET,
        now,
    )
    .unwrap_err();
    assert_eq!(e, SignError::SignatureDoesNotMatch);
    assert_eq!(
        check(&req(&h), "wrong", now).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    let mut h2 = h.clone();
    h2.insert("content-type", "text/html".parse().unwrap());
    assert_eq!(
        check(&req(&h2), SECRET, now).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    assert_eq!(
        check(&req(&h), SECRET, now + Duration::minutes(16)).unwrap_err(),
        SignError::RequestTimeTooSkewed
    );
    let mut h3 = h.clone();
    h3.remove("date");
    assert!(matches!(
        check(&req(&h3), SECRET, now),
        Err(SignError::AccessDenied(_))
    ));
    h3.insert("authorization", "AWS nocolon".parse().unwrap());
    assert!(matches!(
        parse_auth(&req(&h3)),
        Err(SignError::InvalidArgument(_))
    ));

    // Presigned V2.
    let hh = headers(&[("host", "localhost")]);
    let expires = now.unix_timestamp() + 60;
    let q = presign_v2(&params(), "GET", "/bucket/key", "", &hh, expires, None);
    check(&view("GET", "/bucket/key", &q, &hh), SECRET, now).unwrap();
    assert_eq!(
        check(
            &view("GET", "/bucket/key", &q, &hh),
            SECRET,
            now + Duration::seconds(61)
        )
        .unwrap_err(),
        SignError::ExpiredRequest
    );
    let e = parse_auth(&view("GET", "/", "AWSAccessKeyId=AK&Signature=abc", &hh)).unwrap_err();
    assert!(matches!(e, SignError::AccessDenied(_)));
    assert_eq!(e.http_status(), 403);
}

#[test]
fn v2_retries_with_decoded_path() {
    // Some V2 signers sign the decoded path; boto3 signs it as sent.
    let now = t2013();
    for signed_path in ["/bucket/my key+é", "/bucket/my%20key+%C3%A9"] {
        let mut h = headers(&[("host", "localhost")]);
        sign_v2(&params(), "GET", signed_path, "", &mut h, None).unwrap();
        check(&view("GET", "/bucket/my%20key+%C3%A9", "", &h), SECRET, now).unwrap();
        let e = check(&view("GET", "/bucket/my%20key+%C3%A8", "", &h), SECRET, now).unwrap_err();
        assert_eq!(e, SignError::SignatureDoesNotMatch);
    }
    // Virtual-host style: the bucket is part of the canonical resource.
    let mut h = headers(&[("host", "bucket.localhost")]);
    sign_v2(&params(), "GET", "/key", "acl", &mut h, Some("bucket")).unwrap();
    let mut req = view("GET", "/key", "acl", &h);
    req.v2_virtual_bucket = Some("bucket");
    check(&req, SECRET, now).unwrap();
    req.v2_virtual_bucket = Some("other");
    assert_eq!(
        check(&req, SECRET, now).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
}

#[test]
fn error_codes_are_s3_codes() {
    let table: Vec<(SignError, &str, u16)> = vec![
        (
            SignError::AuthorizationQueryParametersError("x".into()),
            "AuthorizationQueryParametersError",
            400,
        ),
        (SignError::AccessDenied("x".into()), "AccessDenied", 403),
        (SignError::InvalidAccessKeyId, "InvalidAccessKeyId", 403),
        (
            SignError::InvalidArgument("x".into()),
            "InvalidArgument",
            400,
        ),
        (SignError::IncompleteBody, "IncompleteBody", 400),
        (SignError::InvalidChunk("x".into()), "InvalidRequest", 400),
        (SignError::InvalidDigest("x".into()), "InvalidDigest", 400),
        (SignError::BadDigest("x".into()), "BadDigest", 400),
    ];
    for (e, code, status) in table {
        assert_eq!((e.s3_code(), e.http_status()), (code, status), "{e:?}");
        assert!(!e.to_string().is_empty());
    }
}

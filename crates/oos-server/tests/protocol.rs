//! Wire-level protocol tests: hand-written HTTP/1.1 requests signed with `oos-sign`
//! (aws-chunked bodies, payload hashes, clock skew, malformed auth, SigV2, error documents).

mod common;

use common::{join_path_query, sha256_hex, test_bytes, Oosd, RawResponse};
use http::HeaderMap;
use oos_sign::{
    encoded_length, ChecksumAlgorithm, ChunkedEncoder, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
};
use time::OffsetDateTime;

const CHUNK: usize = 64 * 1024;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (n, v) in pairs {
        h.insert(*n, v.parse().unwrap());
    }
    h
}

/// Asserts an S3 error response: status, code, the XML document fields, and that the
/// document's RequestId is the `x-amz-request-id` header.
fn assert_error(resp: &RawResponse, status: u16, code: &str) {
    assert_eq!(
        (resp.status, resp.code().as_deref()),
        (status, Some(code)),
        "response: {} {}",
        resp.status,
        resp.text()
    );
    let text = resp.text();
    assert!(text.contains("<Error>"), "error document: {text}");
    assert!(resp.xml_tag("Message").is_some_and(|m| !m.is_empty()));
    assert!(resp.xml_tag("Resource").is_some(), "Resource in {text}");
    let rid = resp.header("x-amz-request-id").expect("x-amz-request-id");
    assert!(!rid.is_empty());
    assert_eq!(resp.xml_tag("RequestId").as_deref(), Some(rid));
    assert!(
        resp.header("content-type")
            .is_some_and(|c| c.contains("xml")),
        "error content type: {:?}",
        resp.header("content-type")
    );
}

async fn get(srv: &Oosd, path: &str) -> RawResponse {
    srv.signed("GET", path, "", HeaderMap::new(), b"").await
}

async fn assert_absent(srv: &Oosd, path: &str) {
    let resp = get(srv, path).await;
    assert_error(&resp, 404, "NoSuchKey");
}

/// A STREAMING-AWS4-HMAC-SHA256-PAYLOAD request: headers and encoded body.
fn signed_chunked_put(srv: &Oosd, path: &str, data: &[u8]) -> (HeaderMap, Vec<u8>) {
    let len = encoded_length(data.len() as u64, CHUNK as u64, true, &[]);
    let mut h = headers(&[
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", &data.len().to_string()),
        ("content-length", &len.to_string()),
    ]);
    let t = now();
    let seed = srv.sign_v4("PUT", path, "", &mut h, STREAMING_SIGNED, t);
    let body = ChunkedEncoder::signed(&srv.params(t), &seed).encode_all(data, CHUNK, &[]);
    assert_eq!(body.len() as u64, len);
    (h, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_signed_payload_is_stored_and_a_bad_chunk_signature_is_rejected() {
    let srv = Oosd::start();
    srv.create_bucket("stream").await;
    let data = test_bytes(200 * 1024 + 17, 1);

    let (h, body) = signed_chunked_put(&srv, "/stream/good", &data);
    let resp = srv.raw("PUT", "/stream/good", &h, &body).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(
        resp.header("etag"),
        Some(format!("\"{}\"", common::md5_hex(&data)).as_str())
    );
    let back = get(&srv, "/stream/good").await;
    assert_eq!(back.status, 200);
    assert!(back.body == data, "streamed object reads back");

    // Alter the second chunk's signature.
    let (h, mut body) = signed_chunked_put(&srv, "/stream/bad", &data);
    let marker = b"chunk-signature=";
    let second = body
        .windows(marker.len())
        .enumerate()
        .filter(|(_, w)| *w == marker)
        .nth(1)
        .map(|(i, _)| i + marker.len())
        .unwrap();
    body[second] = if body[second] == b'0' { b'1' } else { b'0' };
    let resp = srv.raw("PUT", "/stream/bad", &h, &body).await;
    assert_error(&resp, 403, "SignatureDoesNotMatch");
    assert_absent(&srv, "/stream/bad").await;

    // A truncated body (fewer bytes than declared) stores nothing either.
    let (mut h, body) = signed_chunked_put(&srv, "/stream/short", &data);
    let cut = body.len() - 100;
    h.insert("content-length", cut.to_string().parse().unwrap());
    let resp = srv.raw("PUT", "/stream/short", &h, &body[..cut]).await;
    assert!(
        resp.status >= 400,
        "truncated chunked body: {}",
        resp.status
    );
    assert_absent(&srv, "/stream/short").await;
}

fn unsigned_trailer_put(
    srv: &Oosd,
    path: &str,
    data: &[u8],
    crc_value: &str,
) -> (HeaderMap, Vec<u8>) {
    let trailers = [("x-amz-checksum-crc32", crc_value)];
    let len = encoded_length(data.len() as u64, CHUNK as u64, false, &trailers);
    let mut h = headers(&[
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", &data.len().to_string()),
        ("x-amz-trailer", "x-amz-checksum-crc32"),
        ("x-amz-sdk-checksum-algorithm", "CRC32"),
        ("content-length", &len.to_string()),
    ]);
    srv.sign_v4("PUT", path, "", &mut h, STREAMING_UNSIGNED_TRAILER, now());
    let body = ChunkedEncoder::unsigned().encode_all(data, CHUNK, &trailers);
    assert_eq!(body.len() as u64, len);
    (h, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsigned_payload_with_checksum_trailer_is_verified() {
    let srv = Oosd::start();
    srv.create_bucket("trail").await;
    let data = test_bytes(150 * 1024 + 5, 2);
    let crc = ChecksumAlgorithm::Crc32.checksum_base64(&data);

    let (h, body) = unsigned_trailer_put(&srv, "/trail/good", &data, &crc);
    let resp = srv.raw("PUT", "/trail/good", &h, &body).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-amz-checksum-crc32"), Some(crc.as_str()));
    let back = get(&srv, "/trail/good").await;
    assert!(back.status == 200 && back.body == data);

    let wrong = ChecksumAlgorithm::Crc32.checksum_base64(b"not the data");
    let (h, body) = unsigned_trailer_put(&srv, "/trail/bad", &data, &wrong);
    let resp = srv.raw("PUT", "/trail/bad", &h, &body).await;
    assert_error(&resp, 400, "BadDigest");
    assert_absent(&srv, "/trail/bad").await;

    // Small (inline) objects go through the same check.
    let small = b"tiny".to_vec();
    let (h, body) = unsigned_trailer_put(&srv, "/trail/small-bad", &small, &wrong);
    let resp = srv.raw("PUT", "/trail/small-bad", &h, &body).await;
    assert_error(&resp, 400, "BadDigest");
    assert_absent(&srv, "/trail/small-bad").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_does_not_match_x_amz_content_sha256_is_rejected() {
    let srv = Oosd::start();
    srv.create_bucket("hash").await;
    for (key, len) in [("big", 100_000usize), ("small", 10)] {
        let path = format!("/hash/{key}");
        let data = test_bytes(len, 3);
        let mut h = HeaderMap::new();
        let claimed = sha256_hex(b"a different body");
        srv.sign_v4("PUT", &path, "", &mut h, &claimed, now());
        let resp = srv.raw("PUT", &path, &h, &data).await;
        assert_error(&resp, 400, "XAmzContentSHA256Mismatch");
        assert_absent(&srv, &path).await;
    }
    // The same request with the right hash works (the helper is sound).
    let resp = srv
        .signed("PUT", "/hash/ok", "", HeaderMap::new(), b"fine")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skewed_clock_malformed_auth_and_incomplete_presign_are_rejected() {
    let srv = Oosd::start();
    srv.create_bucket("auth").await;
    srv.signed("PUT", "/auth/k", "", HeaderMap::new(), b"v")
        .await;

    // Dated 20 minutes ago.
    let mut h = HeaderMap::new();
    let old = now() - time::Duration::minutes(20);
    srv.sign_v4(
        "GET",
        "/auth/k",
        "",
        &mut h,
        oos_sign::EMPTY_SHA256_HEX,
        old,
    );
    let resp = srv.raw("GET", "/auth/k", &h, b"").await;
    assert_error(&resp, 403, "RequestTimeTooSkewed");

    // Dated 20 minutes in the future.
    let mut h = HeaderMap::new();
    let future = now() + time::Duration::minutes(20);
    srv.sign_v4(
        "GET",
        "/auth/k",
        "",
        &mut h,
        oos_sign::EMPTY_SHA256_HEX,
        future,
    );
    let resp = srv.raw("GET", "/auth/k", &h, b"").await;
    assert_error(&resp, 403, "RequestTimeTooSkewed");

    // Malformed Authorization headers.
    for auth in [
        "AWS4-HMAC-SHA256 Credential=garbage, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=abcd",
    ] {
        let mut h = HeaderMap::new();
        srv.sign_v4(
            "GET",
            "/auth/k",
            "",
            &mut h,
            oos_sign::EMPTY_SHA256_HEX,
            now(),
        );
        h.insert("authorization", auth.parse().unwrap());
        let resp = srv.raw("GET", "/auth/k", &h, b"").await;
        assert_error(&resp, 400, "AuthorizationHeaderMalformed");
    }

    // A wrong signature.
    let mut h = HeaderMap::new();
    srv.sign_v4(
        "GET",
        "/auth/k",
        "",
        &mut h,
        oos_sign::EMPTY_SHA256_HEX,
        now(),
    );
    let auth = h
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let tampered = format!("{}0", &auth[..auth.len() - 1]);
    let tampered = if tampered == auth {
        format!("{}1", &auth[..auth.len() - 1])
    } else {
        tampered
    };
    h.insert("authorization", tampered.parse().unwrap());
    let resp = srv.raw("GET", "/auth/k", &h, b"").await;
    assert_error(&resp, 403, "SignatureDoesNotMatch");

    // Presigned V4: complete works; without X-Amz-Signature it is a query-parameters error
    // (AWS: "Query-string authentication version 4 requires ... X-Amz-Signature ...").
    let host = headers(&[("host", srv.addr.as_str())]);
    let query = oos_sign::presign_v4(&srv.params(now()), "GET", "/auth/k", "", &host, 300).unwrap();
    let resp = srv
        .raw("GET", &join_path_query("/auth/k", &query), &host, b"")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.body, b"v");
    let without_sig: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("X-Amz-Signature="))
        .collect();
    let resp = srv
        .raw(
            "GET",
            &join_path_query("/auth/k", &without_sig.join("&")),
            &host,
            b"",
        )
        .await;
    assert_error(&resp, 400, "AuthorizationQueryParametersError");

    // An unknown access key.
    let mut h = headers(&[("host", srv.addr.as_str())]);
    let params = oos_sign::SigningParams::new("NOSUCHKEY", "whatever", "cn", "s3", now());
    oos_sign::sign_v4_headers(
        &params,
        "GET",
        "/auth/k",
        "",
        &mut h,
        oos_sign::EMPTY_SHA256_HEX,
    )
    .unwrap();
    let resp = srv.raw("GET", "/auth/k", &h, b"").await;
    assert_error(&resp, 403, "InvalidAccessKeyId");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_a_request_id_and_errors_are_xml_documents() {
    let srv = Oosd::start();
    srv.create_bucket("ids").await;
    let put = srv
        .signed("PUT", "/ids/k", "", HeaderMap::new(), b"value")
        .await;
    assert_eq!(put.status, 200);
    let got = get(&srv, "/ids/k").await;
    assert_eq!(got.status, 200);
    let list = srv
        .signed("GET", "/ids", "list-type=2", HeaderMap::new(), b"")
        .await;
    assert_eq!(list.status, 200);
    let head = srv
        .signed("HEAD", "/ids/missing", "", HeaderMap::new(), b"")
        .await;
    assert_eq!(head.status, 404);
    let mut ids = Vec::new();
    for r in [&put, &got, &list, &head] {
        let id = r.header("x-amz-request-id").expect("x-amz-request-id");
        assert!(!id.is_empty());
        ids.push(id.to_string());
    }

    let missing = get(&srv, "/ids/missing").await;
    assert_error(&missing, 404, "NoSuchKey");
    assert_eq!(missing.xml_tag("Resource").as_deref(), Some("/ids/missing"));
    assert!(missing.text().starts_with("<?xml"), "{}", missing.text());
    let no_bucket = get(&srv, "/nobucket/k").await;
    assert_error(&no_bucket, 404, "NoSuchBucket");
    // Anonymous access to a private bucket.
    let anon = srv.raw("GET", "/ids/k", &HeaderMap::new(), b"").await;
    assert_error(&anon, 403, "AccessDenied");
    for r in [&missing, &no_bucket, &anon] {
        ids.push(r.header("x-amz-request-id").unwrap().to_string());
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "request ids are unique: {ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigv2_header_and_presigned_requests_work() {
    let srv = Oosd::start();
    srv.create_bucket("sigv2").await;
    let data = test_bytes(50_000, 4);
    let params = srv.params(now());

    let mut h = headers(&[
        ("host", srv.addr.as_str()),
        ("content-type", "application/octet-stream"),
        ("x-amz-meta-flavour", "v2"),
    ]);
    oos_sign::sign_v2(&params, "PUT", "/sigv2/obj", "", &mut h, None).unwrap();
    let resp = srv.raw("PUT", "/sigv2/obj", &h, &data).await;
    assert_eq!(resp.status, 200, "{}", resp.text());

    let mut h = headers(&[("host", srv.addr.as_str())]);
    oos_sign::sign_v2(&params, "GET", "/sigv2/obj", "", &mut h, None).unwrap();
    let resp = srv.raw("GET", "/sigv2/obj", &h, b"").await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(resp.body == data);
    assert_eq!(resp.header("x-amz-meta-flavour"), Some("v2"));

    // A V2 signature made with the wrong secret.
    let bad = oos_sign::SigningParams::new(common::ACCESS_KEY, "wrong", "cn", "s3", now());
    let mut h = headers(&[("host", srv.addr.as_str())]);
    oos_sign::sign_v2(&bad, "GET", "/sigv2/obj", "", &mut h, None).unwrap();
    let resp = srv.raw("GET", "/sigv2/obj", &h, b"").await;
    assert_error(&resp, 403, "SignatureDoesNotMatch");

    // Presigned V2 GET.
    let expires = now().unix_timestamp() + 300;
    let query = oos_sign::presign_v2(
        &params,
        "GET",
        "/sigv2/obj",
        "",
        &HeaderMap::new(),
        expires,
        None,
    );
    let resp = srv
        .raw(
            "GET",
            &join_path_query("/sigv2/obj", &query),
            &HeaderMap::new(),
            b"",
        )
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(resp.body == data);

    // Expired presigned V2 URL.
    let expired = now().unix_timestamp() - 10;
    let query = oos_sign::presign_v2(
        &params,
        "GET",
        "/sigv2/obj",
        "",
        &HeaderMap::new(),
        expired,
        None,
    );
    let resp = srv
        .raw(
            "GET",
            &join_path_query("/sigv2/obj", &query),
            &HeaderMap::new(),
            b"",
        )
        .await;
    assert_error(&resp, 403, "AccessDenied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_sub_resources_answer_not_implemented() {
    let srv = Oosd::start();
    srv.create_bucket("subres").await;
    let resp = srv
        .signed("GET", "/subres", "replication", HeaderMap::new(), b"")
        .await;
    assert_error(&resp, 501, "NotImplemented");
    let resp = srv
        .signed("GET", "/subres", "notification", HeaderMap::new(), b"")
        .await;
    assert_error(&resp, 501, "NotImplemented");
    let resp = srv
        .signed("GET", "/subres", "tagging", HeaderMap::new(), b"")
        .await;
    assert_error(&resp, 404, "NoSuchTagSet");
    let resp = srv
        .signed("GET", "/subres", "website", HeaderMap::new(), b"")
        .await;
    assert_error(&resp, 404, "NoSuchWebsiteConfiguration");
    // Built sub-resources answer for real: no policy set yet.
    let resp = srv
        .signed("GET", "/subres", "policy", HeaderMap::new(), b"")
        .await;
    assert_error(&resp, 404, "NoSuchBucketPolicy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_streaming_with_signed_trailer_and_wrong_decoded_length() {
    let srv = Oosd::start();
    srv.create_bucket("signed-trailer").await;
    let data = test_bytes(130 * 1024 + 9, 6);
    let crc = ChecksumAlgorithm::Crc32c.checksum_base64(&data);
    let trailers = [("x-amz-checksum-crc32c", crc.as_str())];

    let path = "/signed-trailer/ok";
    let len = encoded_length(data.len() as u64, CHUNK as u64, true, &trailers);
    let mut h = headers(&[
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", &data.len().to_string()),
        ("x-amz-trailer", "x-amz-checksum-crc32c"),
        ("content-length", &len.to_string()),
    ]);
    let t = now();
    let seed = srv.sign_v4("PUT", path, "", &mut h, STREAMING_SIGNED_TRAILER, t);
    let body = ChunkedEncoder::signed(&srv.params(t), &seed).encode_all(&data, CHUNK, &trailers);
    let resp = srv.raw("PUT", path, &h, &body).await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(resp.header("x-amz-checksum-crc32c"), Some(crc.as_str()));
    assert!(get(&srv, path).await.body == data);

    // The trailer signature covers the trailer: change the value after signing.
    let path = "/signed-trailer/tampered";
    let mut h = headers(&[
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", &data.len().to_string()),
        ("x-amz-trailer", "x-amz-checksum-crc32c"),
        ("content-length", &len.to_string()),
    ]);
    let t = now();
    let seed = srv.sign_v4("PUT", path, "", &mut h, STREAMING_SIGNED_TRAILER, t);
    let mut body =
        ChunkedEncoder::signed(&srv.params(t), &seed).encode_all(&data, CHUNK, &trailers);
    let sig_at = body
        .windows(b"x-amz-trailer-signature:".len())
        .position(|w| w == b"x-amz-trailer-signature:")
        .unwrap()
        + b"x-amz-trailer-signature:".len();
    body[sig_at] = if body[sig_at] == b'0' { b'1' } else { b'0' };
    let resp = srv.raw("PUT", path, &h, &body).await;
    assert_error(&resp, 403, "SignatureDoesNotMatch");
    assert_absent(&srv, path).await;

    // x-amz-decoded-content-length larger than what the chunks carry.
    let path = "/signed-trailer/short";
    let (mut h, _) = signed_chunked_put(&srv, path, &data);
    h.insert(
        "x-amz-decoded-content-length",
        (data.len() + 10).to_string().parse().unwrap(),
    );
    let t = now();
    h.remove("authorization");
    let seed = srv.sign_v4("PUT", path, "", &mut h, STREAMING_SIGNED, t);
    let body = ChunkedEncoder::signed(&srv.params(t), &seed).encode_all(&data, CHUNK, &[]);
    let resp = srv.raw("PUT", path, &h, &body).await;
    assert!(
        resp.status == 400,
        "decoded length mismatch: {} {}",
        resp.status,
        resp.text()
    );
    assert_absent(&srv, path).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_v4_put_works_and_expired_urls_are_refused() {
    let srv = Oosd::start();
    srv.create_bucket("presign").await;
    let host = headers(&[("host", srv.addr.as_str())]);
    let path = "/presign/up";
    let q = oos_sign::presign_v4(&srv.params(now()), "PUT", path, "", &host, 60).unwrap();
    let resp = srv
        .raw("PUT", &join_path_query(path, &q), &host, b"presigned body")
        .await;
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(get(&srv, path).await.body, b"presigned body");

    // Signed 10 minutes ago for 60 seconds.
    let old = now() - time::Duration::minutes(10);
    let q = oos_sign::presign_v4(&srv.params(old), "GET", path, "", &host, 60).unwrap();
    let resp = srv.raw("GET", &join_path_query(path, &q), &host, b"").await;
    assert_error(&resp, 403, "AccessDenied");

    // A presigned GET URL used for a PUT does not match.
    let q = oos_sign::presign_v4(&srv.params(now()), "GET", path, "", &host, 60).unwrap();
    let resp = srv
        .raw("PUT", &join_path_query(path, &q), &host, b"overwrite?")
        .await;
    assert_error(&resp, 403, "SignatureDoesNotMatch");
    assert_eq!(get(&srv, path).await.body, b"presigned body");
}

//! Test vectors from the AWS S3 documentation (SigV4 header, presigned,
//! streaming and trailer examples; SigV2 examples).

mod common;

use common::*;
use oos_sign::{
    encoded_length, presign_v2, presign_v4, sign_v2, sign_v4_headers, ChecksumAlgorithm,
    ChunkedDecoder, ChunkedEncoder, PayloadHashCheck, PayloadMode, RequestView, SignError,
    SigningParams, EMPTY_SHA256_HEX,
};
use time::macros::datetime;

fn v4_auth(signed: &str, sig: &str) -> String {
    format!("AWS4-HMAC-SHA256 Credential={AK}/20130524/us-east-1/s3/aws4_request,SignedHeaders={signed},Signature={sig}")
}

fn params() -> SigningParams<'static> {
    SigningParams::new(AK, SECRET, "us-east-1", "s3", t2013())
}

#[test]
fn v4_get_object_with_range() {
    let sig = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    let h = headers(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("range", "bytes=0-9"),
        ("x-amz-content-sha256", EMPTY_SHA256_HEX),
        ("x-amz-date", "20130524T000000Z"),
        (
            "authorization",
            &v4_auth("host;range;x-amz-content-sha256;x-amz-date", sig),
        ),
    ]);
    let v = check(&view("GET", "/test.txt", "", &h), SECRET, t2013()).unwrap();
    assert_eq!(v.access_key_id.as_deref(), Some(AK));
    assert_eq!(v.service.as_deref(), Some("s3"));
    assert!(matches!(v.payload, PayloadMode::Sha256(h) if hex::encode(h) == EMPTY_SHA256_HEX));

    // Our signer produces the same signature.
    let mut h = headers(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("range", "bytes=0-9"),
    ]);
    assert_eq!(
        sign_v4_headers(&params(), "GET", "/test.txt", "", &mut h, EMPTY_SHA256_HEX).unwrap(),
        sig
    );
    check(&view("GET", "/test.txt", "", &h), SECRET, t2013()).unwrap();
}

#[test]
fn v4_put_object() {
    let sig = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd";
    let body = b"Welcome to Amazon S3.";
    let hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    let h = headers(&[
        ("date", "Fri, 24 May 2013 00:00:00 GMT"),
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-content-sha256", hash),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "authorization",
            &v4_auth(
                "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                sig,
            ),
        ),
    ]);
    // The key is `test$file.text`: whether sent encoded or raw, it verifies.
    for path in ["/test%24file.text", "/test$file.text"] {
        let v = check(&view("PUT", path, "", &h), SECRET, t2013()).unwrap();
        let PayloadMode::Sha256(expected) = v.payload else {
            panic!("want a sha256 payload")
        };
        let mut c = PayloadHashCheck::new(expected);
        c.update(body);
        c.finish().unwrap();
        let mut c = PayloadHashCheck::new(expected);
        c.update(b"Welcome to Amazon S3!");
        assert_eq!(c.finish(), Err(SignError::XAmzContentSha256Mismatch));
    }
    // verify_with_body checks the hash against the body right away.
    let req = view("PUT", "/test%24file.text", "", &h);
    let auth = oos_sign::parse_auth(&req).unwrap();
    oos_sign::verify_with_body(&auth, &req, SECRET, t2013(), body).unwrap();
    assert_eq!(
        oos_sign::verify_with_body(&auth, &req, SECRET, t2013(), b"other").unwrap_err(),
        SignError::XAmzContentSha256Mismatch
    );
}

#[test]
fn v4_get_bucket_lifecycle() {
    let sig = "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543";
    let h = headers(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-content-sha256", EMPTY_SHA256_HEX),
        ("x-amz-date", "20130524T000000Z"),
        (
            "authorization",
            &v4_auth("host;x-amz-content-sha256;x-amz-date", sig),
        ),
    ]);
    check(&view("GET", "/", "lifecycle", &h), SECRET, t2013()).unwrap();
    check(&view("GET", "/", "lifecycle=", &h), SECRET, t2013()).unwrap();
    assert_eq!(
        check(&view("GET", "/", "policy", &h), SECRET, t2013()).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
}

#[test]
fn v4_list_objects() {
    let sig = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
    let h = headers(&[
        ("host", "examplebucket.s3.amazonaws.com"),
        ("x-amz-content-sha256", EMPTY_SHA256_HEX),
        ("x-amz-date", "20130524T000000Z"),
        (
            "authorization",
            &v4_auth("host;x-amz-content-sha256;x-amz-date", sig),
        ),
    ]);
    // Parameter order on the wire does not matter.
    check(
        &view("GET", "/", "max-keys=2&prefix=J", &h),
        SECRET,
        t2013(),
    )
    .unwrap();
    check(
        &view("GET", "/", "prefix=J&max-keys=2", &h),
        SECRET,
        t2013(),
    )
    .unwrap();
    let mut h2 = headers(&[("host", "examplebucket.s3.amazonaws.com")]);
    let ours = sign_v4_headers(
        &params(),
        "GET",
        "/",
        "prefix=J&max-keys=2",
        &mut h2,
        EMPTY_SHA256_HEX,
    )
    .unwrap();
    assert_eq!(ours, sig);
}

#[test]
fn v4_presigned_url() {
    let sig = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    let query = format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={AK}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature={sig}"
    );
    let h = headers(&[("host", "examplebucket.s3.amazonaws.com")]);
    let req = view("GET", "/test.txt", &query, &h);
    let v = check(&req, SECRET, t2013() + time::Duration::hours(1)).unwrap();
    assert!(v.presigned);
    assert!(matches!(v.payload, PayloadMode::Unsigned));
    assert_eq!(
        check(&req, SECRET, t2013() + time::Duration::seconds(86401)).unwrap_err(),
        SignError::ExpiredRequest
    );
    assert_eq!(SignError::ExpiredRequest.s3_code(), "AccessDenied");

    let ours = presign_v4(&params(), "GET", "/test.txt", "", &h, 86400).unwrap();
    assert!(ours.ends_with(&format!("&X-Amz-Signature={sig}")), "{ours}");
    check(&view("GET", "/test.txt", &ours, &h), SECRET, t2013()).unwrap();
}

fn streaming_body() -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        b"10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n",
    );
    body.extend_from_slice(&[b'a'; 65536]);
    body.extend_from_slice(b"\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n");
    body.extend_from_slice(&[b'a'; 1024]);
    body.extend_from_slice(b"\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n");
    body
}

#[test]
fn v4_streaming_chunked_upload() {
    let seed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
    let h = headers(&[
        ("content-encoding", "aws-chunked"),
        ("content-length", "66824"),
        ("host", "s3.amazonaws.com"),
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        ("x-amz-date", "20130524T000000Z"),
        ("x-amz-decoded-content-length", "66560"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        (
            "authorization",
            &v4_auth(
                "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class",
                seed,
            ),
        ),
    ]);
    let req = view("PUT", "/examplebucket/chunkObject.txt", "", &h);
    let body = streaming_body();
    assert_eq!(body.len(), 66824);
    for step in [1, 7, 1000, 65536, body.len()] {
        let PayloadMode::Chunked(dec) = check(&req, SECRET, t2013()).unwrap().payload else {
            panic!("want aws-chunked")
        };
        assert!(dec.is_signed());
        let (data, trailers) = decode_all(dec, &body, step).unwrap();
        assert_eq!(data, vec![b'a'; 66560], "step {step}");
        assert!(trailers.is_empty());
    }
    // Our encoder produces the same bytes, and the right Content-Length.
    let ours = ChunkedEncoder::signed(&params(), seed).encode_all(&[b'a'; 66560], 65536, &[]);
    assert_eq!(ours, body);
    assert_eq!(encoded_length(66560, 65536, true, &[]), 66824);
}

#[test]
fn v4_streaming_with_trailer() {
    // Chunk and trailer signatures of the AWS trailing-header example.
    let seed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
    let mut body = Vec::new();
    body.extend_from_slice(
        b"10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n",
    );
    body.extend_from_slice(&[b'a'; 65536]);
    body.extend_from_slice(b"\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n");
    body.extend_from_slice(&[b'a'; 1024]);
    body.extend_from_slice(b"\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n");
    let trailer = b"x-amz-checksum-crc32c:sOO8/Q==\r\n\
                    x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n";
    // Both framings SDKs send: trailers right after the final chunk, or after
    // an extra CRLF; with and without the closing CRLF.
    for (extra, close) in [("", "\r\n"), ("\r\n", "\r\n"), ("", ""), ("\r\n", "")] {
        let mut b = body.clone();
        b.extend_from_slice(extra.as_bytes());
        b.extend_from_slice(trailer);
        b.extend_from_slice(close.as_bytes());
        let dec = ChunkedDecoder::signed(&params(), seed, true)
            .with_decoded_length(Some(66560))
            .with_declared_trailers(vec!["x-amz-checksum-crc32c".into()]);
        let (data, trailers) = decode_all(dec, &b, 4096).unwrap();
        assert_eq!(data.len(), 66560);
        let (algo, value) = trailers.checksum().unwrap();
        assert_eq!((algo, value), (ChecksumAlgorithm::Crc32c, "sOO8/Q=="));
        assert_eq!(algo.checksum_base64(&data), value);
    }
    let ours = ChunkedEncoder::signed(&params(), seed).encode_all(
        &[b'a'; 66560],
        65536,
        &[("x-amz-checksum-crc32c", "sOO8/Q==")],
    );
    let mut want = body.clone();
    want.extend_from_slice(trailer);
    want.extend_from_slice(b"\r\n");
    assert_eq!(ours, want);
    assert_eq!(
        encoded_length(66560, 65536, true, &[("x-amz-checksum-crc32c", "sOO8/Q==")]),
        want.len() as u64
    );
}

#[test]
fn v4_minio_java_repeated_query_keys() {
    // Repeated keys sort by value (captured minio-java request).
    let h = headers(&[
        ("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="),
        ("host", "localhost:8014"),
        ("x-amz-content-sha256", EMPTY_SHA256_HEX),
        ("x-amz-date", "20230204T155111Z"),
        (
            "authorization",
            "AWS4-HMAC-SHA256 Credential=minioadmin/20230204/us-east-1/s3/aws4_request, \
             SignedHeaders=content-md5;host;x-amz-content-sha256;x-amz-date, \
             Signature=96ad058ca27352e0fc2bd4efd8973792077570667bdaf749655f42e204bc649c",
        ),
    ]);
    let q = "prefix=prefix&suffix=suffix&events=s3%3AObjectCreated%3A%2A&events=s3%3AObjectAccessed%3A%2A";
    check(
        &view("GET", "/minio-java-test-1gqr1v4", q, &h),
        "minioadmin",
        datetime!(2023-02-04 15:51:11 UTC),
    )
    .unwrap();
}

fn v2_req<'a>(
    method: &'a str,
    path: &'a str,
    query: &'a str,
    h: &'a http::HeaderMap,
    bucket: Option<&'a str>,
) -> RequestView<'a> {
    RequestView {
        method,
        path,
        query,
        headers: h,
        v2_virtual_bucket: bucket,
    }
}

type V2Case = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Vec<(&'static str, &'static str)>,
    &'static str,
);

#[test]
fn v2_documentation_examples() {
    // (method, path, query, virtual bucket, headers, signature)
    let cases: Vec<V2Case> = vec![
        (
            "GET",
            "/photos/puppy.jpg",
            "",
            Some("johnsmith"),
            vec![("date", "Tue, 27 Mar 2007 19:36:42 +0000")],
            "bWq2s1WEIj+Ydj0vQ697zp+IXMU=",
        ),
        (
            "PUT",
            "/photos/puppy.jpg",
            "",
            Some("johnsmith"),
            vec![
                ("content-type", "image/jpeg"),
                ("content-length", "94328"),
                ("date", "Tue, 27 Mar 2007 21:15:45 +0000"),
            ],
            "MyyxeRY7whkBe+bq8fHCL/2kKUg=",
        ),
        (
            "GET",
            "/",
            "prefix=photos&max-keys=50&marker=puppy",
            Some("johnsmith"),
            vec![
                ("user-agent", "Mozilla/5.0"),
                ("date", "Tue, 27 Mar 2007 19:42:41 +0000"),
            ],
            "htDYFYduRNen8P9ZfE/s9SuKy0U=",
        ),
        (
            "GET",
            "/",
            "acl",
            Some("johnsmith"),
            vec![("date", "Tue, 27 Mar 2007 19:44:46 +0000")],
            "c2WLPFtWHVgbEmeEG93a4cG37dM=",
        ),
        (
            "PUT",
            "/db-backup.dat.gz",
            "",
            Some("static.johnsmith.net"),
            vec![
                ("user-agent", "curl/7.15.5"),
                ("date", "Tue, 27 Mar 2007 21:06:08 +0000"),
                ("x-amz-acl", "public-read"),
                ("content-type", "application/x-download"),
                ("content-md5", "4gJE4saaMU4BqNR0kLY+lw=="),
                ("x-amz-meta-reviewedby", "joe@johnsmith.net"),
                ("x-amz-meta-reviewedby", "jane@johnsmith.net"),
                ("x-amz-meta-filechecksum", "0x02661779"),
                ("x-amz-meta-checksumalgorithm", "crc32"),
                ("content-disposition", "attachment; filename=database.dat"),
                ("content-encoding", "gzip"),
                ("content-length", "5913339"),
            ],
            "ilyl83RwaSoYIEdixDQcA4OnAnc=",
        ),
        (
            "GET",
            "/",
            "",
            None,
            vec![("date", "Wed, 28 Mar 2007 01:29:59 +0000")],
            "qGdzdERIC03wnaRNKh6OqZehG9s=",
        ),
        (
            "GET",
            "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
            "",
            None,
            vec![("date", "Wed, 28 Mar 2007 01:49:49 +0000")],
            "DNEZGsoieTZ92F3bUfSPQcbGmlM=",
        ),
    ];
    for (method, path, query, bucket, hs, sig) in cases {
        let date = hs.iter().find(|(k, _)| *k == "date").unwrap().1;
        let now = oos_sign::parse_any_date(date).unwrap();
        let mut h = headers(&hs);
        h.insert("authorization", format!("AWS {AK}:{sig}").parse().unwrap());
        let req = v2_req(method, path, query, &h, bucket);
        let v = check(&req, SECRET, now).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!(matches!(v.payload, PayloadMode::Unsigned));
        assert_eq!(v.access_key_id.as_deref(), Some(AK));
        // Our signer agrees.
        let mut h2 = headers(&hs);
        let p = SigningParams::new(AK, SECRET, "", "s3", now);
        assert_eq!(
            sign_v2(&p, method, path, query, &mut h2, bucket).unwrap(),
            sig,
            "{method} {path}"
        );
    }
}

#[test]
fn v2_presigned_example() {
    let q = format!(
        "AWSAccessKeyId={AK}&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
    );
    let h = headers(&[("host", "johnsmith.s3.amazonaws.com")]);
    let req = v2_req("GET", "/photos/puppy.jpg", &q, &h, Some("johnsmith"));
    let before = time::OffsetDateTime::from_unix_timestamp(1_175_139_000).unwrap();
    let v = check(&req, SECRET, before).unwrap();
    assert!(v.presigned);
    let after = time::OffsetDateTime::from_unix_timestamp(1_175_139_621).unwrap();
    assert_eq!(
        check(&req, SECRET, after).unwrap_err(),
        SignError::ExpiredRequest
    );

    let p = SigningParams::new(AK, SECRET, "", "s3", before);
    let ours = presign_v2(
        &p,
        "GET",
        "/photos/puppy.jpg",
        "",
        &h,
        1_175_139_620,
        Some("johnsmith"),
    );
    assert_eq!(
        ours,
        format!(
            "AWSAccessKeyId={AK}&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D"
        )
    );
}

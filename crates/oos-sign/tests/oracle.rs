//! `aws-sigv4` (the AWS Rust SDK signer, S3 settings) as an oracle: what it
//! signs must verify, and any change to a signed part must not.

mod common;

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use bytes::Bytes;
use common::*;
use http::HeaderMap;
use oos_sign::{PayloadMode, SignError};
use time::OffsetDateTime;

const BASE_EPOCH: u64 = 1_700_000_000;

/// Characters keys and values are drawn from: unreserved, sub-delims, space, '%', non-ASCII.
const CHARS: &[&str] = &[
    "a", "Z", "0", "9", "-", "_", ".", "~", " ", "$", "+", "!", "=", "@", ",", ";", ":", "'", "(",
    ")", "*", "&", "%", "é", "中", "😀",
];

/// Encodes for the wire: unreserved raw, some sub-delims raw (clients differ), the rest `%XX`.
fn wire_encode(rng: &mut Rng, s: &str, raw_ok: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        let unreserved = b.is_ascii_alphanumeric() || "-_.~".contains(c);
        if unreserved || (b.is_ascii() && raw_ok.contains(c) && rng.below(2) == 0) {
            out.push(c);
        } else if rng.below(4) == 0 {
            out.push_str(&format!("%{b:02x}"));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn random_string(rng: &mut Rng, max: usize) -> String {
    let n = 1 + rng.below(max);
    (0..n).map(|_| *rng.pick(CHARS)).collect()
}

struct Case {
    method: &'static str,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    body_mode: usize,
}

fn random_case(rng: &mut Rng) -> Case {
    let method = *rng.pick(&["GET", "PUT", "POST", "DELETE", "HEAD"]);
    let mut path = String::from("/bucket");
    for _ in 0..1 + rng.below(3) {
        path.push('/');
        let seg = random_string(rng, 8);
        path.push_str(&wire_encode(rng, &seg, "$!=@,;:'()*+&"));
    }
    let mut params = Vec::new();
    for _ in 0..rng.below(5) {
        let key = match rng.below(4) {
            0 => (*rng.pick(&[
                "prefix",
                "max-keys",
                "uploadId",
                "partNumber",
                "versionId",
                "x-id",
            ]))
            .to_string(),
            1 => (*rng.pick(&["acl", "uploads", "tagging", "versioning"])).to_string(),
            _ => random_string(rng, 5),
        };
        match rng.below(5) {
            0 => params.push(wire_encode(rng, &key, "")),
            _ => {
                let value = random_string(rng, 10);
                params.push(format!(
                    "{}={}",
                    wire_encode(rng, &key, ""),
                    wire_encode(rng, &value, "!$'()*,;:@/?+")
                ));
            }
        }
        if rng.below(6) == 0 {
            // A repeated key with another value.
            params.push(format!("{}=v{}", wire_encode(rng, &key, ""), rng.below(10)));
        }
    }
    let mut headers = vec![(
        "host".to_string(),
        (*rng.pick(&["bucket.localhost:9000", "127.0.0.1:9000", "s3.example.com"])).to_string(),
    )];
    for i in 0..rng.below(4) {
        let v = format!("  v{}  with   spaces {} ", rng.below(1000), rng.below(9));
        headers.push((format!("x-amz-meta-k{i}"), v));
    }
    if rng.below(2) == 0 {
        headers.push(("content-type".into(), "text/plain; charset=utf-8".into()));
    }
    let body: Vec<u8> = (0..rng.below(200)).map(|_| rng.next() as u8).collect();
    Case {
        method,
        path,
        query: params.join("&"),
        headers,
        body,
        body_mode: rng.below(3),
    }
}

fn settings(presign: bool) -> SigningSettings {
    let mut s = SigningSettings::default();
    s.percent_encoding_mode = PercentEncodingMode::Single;
    s.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    s.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    if presign {
        s.signature_location = SignatureLocation::QueryParams;
        s.expires_in = Some(Duration::from_secs(3600));
    }
    s
}

fn identity(token: bool) -> Identity {
    let token = token.then(|| "session-token/with+chars".to_string());
    Credentials::new(AK, SECRET, token, None, "test").into()
}

/// Signs with aws-sigv4; returns (path, query, headers) as they go on the wire.
fn oracle_sign(
    c: &Case,
    presign: bool,
    token: bool,
    at: SystemTime,
) -> (String, String, HeaderMap) {
    let identity = identity(token);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(at)
        .settings(settings(presign))
        .build()
        .unwrap()
        .into();
    let host = &c.headers[0].1;
    let uri = if c.query.is_empty() {
        format!("http://{host}{}", c.path)
    } else {
        format!("http://{host}{}?{}", c.path, c.query)
    };
    let precomputed = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&c.body));
    let body = match c.body_mode {
        0 => SignableBody::Bytes(&c.body),
        1 => SignableBody::UnsignedPayload,
        _ => SignableBody::Precomputed(precomputed),
    };
    let signable = SignableRequest::new(
        c.method,
        uri.clone(),
        c.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .unwrap();
    let (instructions, _sig) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder().method(c.method).uri(&uri);
    for (k, v) in &c.headers {
        req = req.header(k, v);
    }
    let mut req = req.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    (path, query, req.headers().clone())
}

fn at(offset: u64) -> (SystemTime, OffsetDateTime) {
    let secs = BASE_EPOCH + offset;
    (
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs),
        OffsetDateTime::from_unix_timestamp(secs as i64).unwrap(),
    )
}

#[test]
fn oracle_signed_requests_verify_and_tampering_fails() {
    let mut rng = Rng(0x5EED_F0A5);
    for i in 0..300u64 {
        let mut c = random_case(&mut rng);
        let presign = i % 3 == 0;
        if presign {
            // S3 presigned URLs sign UNSIGNED-PAYLOAD (the SDK presigner does so).
            c.body_mode = 1;
        }
        let token = i % 5 == 0;
        let (st, now) = at(i * 7919);
        let (path, query, headers) = oracle_sign(&c, presign, token, st);
        let what = format!("#{i} {} {path}?{query} presign={presign}", c.method);

        let v = check(&view(c.method, &path, &query, &headers), SECRET, now)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(v.access_key_id.as_deref(), Some(AK), "{what}");
        assert_eq!(v.presigned, presign, "{what}");
        assert_eq!(v.security_token.is_some(), token, "{what}");
        match (&v.payload, c.body_mode, presign) {
            (PayloadMode::Unsigned, _, true) | (PayloadMode::Unsigned, 1, false) => {}
            (PayloadMode::Sha256(h), 0 | 2, false) => {
                assert_eq!(
                    h.as_slice(),
                    <sha2::Sha256 as sha2::Digest>::digest(&c.body).as_slice(),
                    "{what}"
                )
            }
            (p, m, _) => panic!("{what}: unexpected payload {p:?} for body mode {m}"),
        }

        // Wrong secret.
        assert_eq!(
            check(&view(c.method, &path, &query, &headers), "wrong", now).unwrap_err(),
            SignError::SignatureDoesNotMatch,
            "{what}"
        );
        // Changed path.
        let p2 = format!("{path}x");
        assert_eq!(
            check(&view(c.method, &p2, &query, &headers), SECRET, now).unwrap_err(),
            SignError::SignatureDoesNotMatch,
            "{what}"
        );
        // Changed method.
        let m2 = if c.method == "GET" { "PUT" } else { "GET" };
        assert_eq!(
            check(&view(m2, &path, &query, &headers), SECRET, now).unwrap_err(),
            SignError::SignatureDoesNotMatch,
            "{what}"
        );
        // Added query parameter.
        let q2 = if query.is_empty() {
            "extra=1".to_string()
        } else {
            format!("{query}&extra=1")
        };
        assert_eq!(
            check(&view(c.method, &path, &q2, &headers), SECRET, now).unwrap_err(),
            SignError::SignatureDoesNotMatch,
            "{what}"
        );
        // Changed signed header (host is always signed).
        let mut h2 = headers.clone();
        h2.insert("host", "evil.example.com".parse().unwrap());
        assert_eq!(
            check(&view(c.method, &path, &query, &h2), SECRET, now).unwrap_err(),
            SignError::SignatureDoesNotMatch,
            "{what}"
        );
        if let Some((k, _)) = c.headers.iter().find(|(k, _)| k.starts_with("x-amz-meta-")) {
            let mut h3 = headers.clone();
            h3.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                "changed".parse().unwrap(),
            );
            assert_eq!(
                check(&view(c.method, &path, &query, &h3), SECRET, now).unwrap_err(),
                SignError::SignatureDoesNotMatch,
                "{what}"
            );
        }
    }
}

#[test]
fn oracle_chunk_and_trailer_signatures_match_ours() {
    // Our decoder accepts chunks signed by aws-sigv4's sign_chunk / sign_trailer.
    let (st, now) = at(0);
    let identity = identity(false);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("eu-west-1")
        .name("s3")
        .time(st)
        .settings(())
        .build()
        .unwrap();
    let seed = "c0ffee0000000000000000000000000000000000000000000000000000c0ffee";
    let chunks: [&[u8]; 3] = [b"hello ", b"aws-chunked ", b"world"];
    let mut body = Vec::new();
    let mut prev = seed.to_string();
    for c in chunks.iter().copied().chain([&b""[..]]) {
        let sig = v4::sign_chunk(&Bytes::copy_from_slice(c), &prev, &params)
            .unwrap()
            .into_parts()
            .1;
        body.extend_from_slice(format!("{:x};chunk-signature={sig}\r\n", c.len()).as_bytes());
        body.extend_from_slice(c);
        if !c.is_empty() {
            body.extend_from_slice(b"\r\n");
        }
        prev = sig;
    }
    let data = b"hello aws-chunked world";
    let crc = oos_sign::ChecksumAlgorithm::Crc32.checksum_base64(data);
    let sha = oos_sign::ChecksumAlgorithm::Sha256.checksum_base64(data);
    let mut trailers = aws_smithy_runtime_api::http::Headers::new();
    trailers.insert("x-amz-checksum-sha256", sha.clone());
    trailers.insert("x-amz-checksum-crc32", crc.clone());
    let tsig = v4::sign_trailer(&trailers, &prev, &params)
        .unwrap()
        .into_parts()
        .1;
    // Wire order differs from the signer's sorted order on purpose.
    body.extend_from_slice(
        format!("x-amz-checksum-sha256:{sha}\r\nx-amz-checksum-crc32:{crc}\r\nx-amz-trailer-signature:{tsig}\r\n\r\n")
            .as_bytes(),
    );
    let ours = oos_sign::SigningParams::new(AK, SECRET, "eu-west-1", "s3", now);
    let dec = oos_sign::ChunkedDecoder::signed(&ours, seed, true)
        .with_decoded_length(Some(data.len() as u64));
    let (out, t) = decode_all(dec, &body, 3).unwrap();
    assert_eq!(out, data);
    assert_eq!(t.get("x-amz-checksum-crc32"), Some(crc.as_str()));
    assert_eq!(t.get("X-Amz-Checksum-Sha256"), Some(sha.as_str()));

    // And our encoder's trailer signature is what aws-sigv4 computes.
    let mut enc = oos_sign::ChunkedEncoder::signed(&ours, seed);
    let mine = enc.encode_all(
        data,
        1 << 20,
        &[
            ("x-amz-checksum-sha256", &sha),
            ("x-amz-checksum-crc32", &crc),
        ],
    );
    let dec = oos_sign::ChunkedDecoder::signed(&ours, seed, true);
    assert_eq!(decode_all(dec, &mine, 5).unwrap().0, data);
}

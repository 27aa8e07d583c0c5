//! aws-chunked decoding end to end: signed, signed with trailer, unsigned
//! with trailer; tampering, truncation and malformed framing.

mod common;

use bytes::BytesMut;
use common::*;
use http::HeaderMap;
use oos_sign::{
    encoded_length, sign_v4_headers, ChecksumAlgorithm, ChunkedDecoder, ChunkedEncoder,
    PayloadMode, SignError, SigningParams, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER,
    STREAMING_UNSIGNED_TRAILER,
};

fn params() -> SigningParams<'static> {
    SigningParams::new(AK, SECRET, "eu-central-1", "s3", t2013())
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .rposition(|w| w == needle)
        .unwrap()
}

fn payload(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

/// Signs a PUT declaring `mode`; returns the headers and the seed signature.
fn signed_put(mode: &str, data_len: usize, trailer: Option<&str>) -> (HeaderMap, String) {
    let mut h = headers(&[
        ("host", "localhost:9000"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", &data_len.to_string()),
    ]);
    if let Some(t) = trailer {
        h.insert("x-amz-trailer", t.parse().unwrap());
    }
    let seed = sign_v4_headers(&params(), "PUT", "/bucket/obj", "", &mut h, mode).unwrap();
    (h, seed)
}

fn decoder(h: &HeaderMap) -> ChunkedDecoder {
    match check(&view("PUT", "/bucket/obj", "", h), SECRET, t2013())
        .unwrap()
        .payload
    {
        PayloadMode::Chunked(d) => d,
        other => panic!("want aws-chunked, got {other:?}"),
    }
}

#[test]
fn signed_round_trip_any_split() {
    let data = payload(20_000);
    let (h, seed) = signed_put(STREAMING_SIGNED, data.len(), None);
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 8192, &[]);
    assert_eq!(
        body.len() as u64,
        encoded_length(data.len() as u64, 8192, true, &[])
    );
    for step in [1, 2, 3, 100, 8192, 8300, body.len()] {
        let (out, trailers) = decode_all(decoder(&h), &body, step).unwrap();
        assert_eq!(out, data, "step {step}");
        assert!(trailers.is_empty());
    }
}

#[test]
fn payload_is_released_before_the_chunk_ends() {
    let data = payload(10_000);
    let (h, seed) = signed_put(STREAMING_SIGNED, data.len(), None);
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 10_000, &[]);
    let mut dec = decoder(&h);
    let mut buf = BytesMut::from(&body[..5000]);
    let mut got = Vec::new();
    while let Some(b) = dec.decode(&mut buf).unwrap() {
        got.extend_from_slice(&b);
    }
    assert!(!got.is_empty() && got.len() < data.len());
    assert_eq!(got, data[..got.len()]);
    assert!(buf.is_empty(), "all input consumed");
    assert_eq!(dec.decoded_so_far(), got.len() as u64);
}

#[test]
fn tampered_chunks_are_rejected() {
    let data = payload(20_000);
    let (h, seed) = signed_put(STREAMING_SIGNED, data.len(), None);
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 8192, &[]);
    let header_len = body.iter().position(|&b| b == b'\n').unwrap() + 1;

    // One flipped payload byte, in the first and in the last data chunk.
    for pos in [header_len + 10, body.len() - 200] {
        let mut b = body.clone();
        b[pos] ^= 1;
        assert_eq!(
            decode_all(decoder(&h), &b, 4096).unwrap_err(),
            SignError::SignatureDoesNotMatch,
            "{pos}"
        );
    }
    // A flipped chunk signature, including the final chunk's.
    let sigs: Vec<usize> = body
        .windows(16)
        .enumerate()
        .filter(|(_, w)| *w == b"chunk-signature=")
        .map(|(i, _)| i + 16)
        .collect();
    assert_eq!(sigs.len(), 4);
    for nth in [0, 3] {
        let at = sigs[nth];
        let mut b = body.clone();
        b[at] = if b[at] == b'0' { b'1' } else { b'0' };
        assert_eq!(
            decode_all(decoder(&h), &b, 4096).unwrap_err(),
            SignError::SignatureDoesNotMatch,
            "{nth}"
        );
    }
    // Chunks from another upload (other seed) do not chain.
    let other = ChunkedEncoder::signed(&params(), &"0".repeat(64)).encode_all(&data, 8192, &[]);
    assert_eq!(
        decode_all(decoder(&h), &other, 4096).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    // A chunk without signature in a signed body.
    let unsigned = ChunkedEncoder::unsigned().encode_all(&data, 8192, &[]);
    assert!(matches!(
        decode_all(decoder(&h), &unsigned, 4096),
        Err(SignError::InvalidChunk(_))
    ));
}

#[test]
fn truncated_bodies_are_incomplete() {
    let data = payload(3000);
    let (h, seed) = signed_put(STREAMING_SIGNED, data.len(), None);
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 1024, &[]);
    // Up to the end of the final chunk's header line, nothing may be accepted.
    let final_line_end = body.len() - 2;
    for cut in 0..final_line_end {
        match decode_all(decoder(&h), &body[..cut], 7) {
            Err(SignError::IncompleteBody) => {}
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    // The closing CRLF alone may be missing.
    decode_all(decoder(&h), &body[..final_line_end], 7).unwrap();
    assert_eq!(SignError::IncompleteBody.http_status(), 400);
}

#[test]
fn decoded_length_must_match() {
    let data = payload(3000);
    let (h, seed) = signed_put(STREAMING_SIGNED, data.len() + 1, None);
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 1024, &[]);
    assert_eq!(
        decode_all(decoder(&h), &body, 100).unwrap_err(),
        SignError::IncompleteBody
    );
    let (h, seed) = signed_put(STREAMING_SIGNED, data.len() - 1, None);
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 1024, &[]);
    assert!(matches!(
        decode_all(decoder(&h), &body, 100),
        Err(SignError::InvalidChunk(_))
    ));
}

#[test]
fn signed_trailer_round_trip_and_tampering() {
    let data = payload(5000);
    let crc = ChecksumAlgorithm::Crc32.checksum_base64(&data);
    let trailer = [("x-amz-checksum-crc32", crc.as_str())];
    let (h, seed) = signed_put(
        STREAMING_SIGNED_TRAILER,
        data.len(),
        Some("x-amz-checksum-crc32"),
    );
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 2048, &trailer);
    assert_eq!(
        body.len() as u64,
        encoded_length(data.len() as u64, 2048, true, &trailer)
    );
    let (out, t) = decode_all(decoder(&h), &body, 333).unwrap();
    assert_eq!(out, data);
    assert_eq!(t.checksum(), Some((ChecksumAlgorithm::Crc32, crc.as_str())));

    let sig_at = find(&body, b"x-amz-trailer-signature:") + 24;
    // Bad trailer signature.
    let mut b = body.clone();
    b[sig_at] = if b[sig_at] == b'0' { b'1' } else { b'0' };
    assert_eq!(
        decode_all(decoder(&h), &b, 333).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    // Changed checksum value, signature kept.
    let at = find(&body, crc.as_bytes());
    let mut b = body[..at].to_vec();
    b.extend_from_slice(
        ChecksumAlgorithm::Crc32
            .checksum_base64(b"other")
            .as_bytes(),
    );
    b.extend_from_slice(&body[at + crc.len()..]);
    assert_eq!(
        decode_all(decoder(&h), &b, 333).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    // Trailer signature line missing.
    let cut = body[..sig_at - 24].to_vec();
    assert_eq!(
        decode_all(decoder(&h), &cut, 333).unwrap_err(),
        SignError::SignatureDoesNotMatch
    );
    // Declared trailer missing altogether.
    let none = ChunkedEncoder::signed(&params(), &seed).encode_all(&data, 2048, &[]);
    assert_eq!(
        decode_all(decoder(&h), &none, 333).unwrap_err(),
        SignError::IncompleteBody
    );
}

#[test]
fn unsigned_trailer_round_trip() {
    let data = payload(70_000);
    for algo in ChecksumAlgorithm::ALL {
        let value = algo.checksum_base64(&data);
        let (h, _) = signed_put(
            STREAMING_UNSIGNED_TRAILER,
            data.len(),
            Some(algo.header_name()),
        );
        let body =
            ChunkedEncoder::unsigned().encode_all(&data, 65536, &[(algo.header_name(), &value)]);
        let dec = decoder(&h);
        assert!(!dec.is_signed());
        let (out, t) = decode_all(dec, &body, 1000).unwrap();
        assert_eq!(out, data);
        assert_eq!(t.get(algo.header_name()), Some(value.as_str()));
        // The form some SDKs send: an extra CRLF after the final chunk.
        let mut alt = ChunkedEncoder::unsigned().encode_all(&data, 65536, &[]);
        alt.truncate(alt.len() - 2);
        alt.extend_from_slice(format!("\r\n{}:{value}\r\n\r\n", algo.header_name()).as_bytes());
        let (_, t) = decode_all(decoder(&h), &alt, 1000).unwrap();
        assert_eq!(t.checksum(), Some((algo, value.as_str())));
    }
}

#[test]
fn malformed_framing() {
    let (h, _) = signed_put(STREAMING_UNSIGNED_TRAILER, 5, None);
    let bad: [&[u8]; 8] = [
        b"5\r\nhello\r\n0\r\nx-amz-meta-a:b\r\n\r\ngarbage",
        b"zz\r\nhello\r\n0\r\n\r\n",
        b"\r\nhello\r\n0\r\n\r\n",
        b"5\r\nhelloXX0\r\n\r\n",
        b"5\r\nhello\r\n0\r\nno-colon-here\r\n\r\n",
        b"5\r\nhello\r\n0\r\n\r\ngarbage after the end",
        b"12345678901234567\r\n",
        b"5\r\nhello\r\n0\r\n\xff\xfe:x\r\n\r\n",
    ];
    for body in bad {
        let e = decode_all(decoder(&h), body, 3).unwrap_err();
        assert!(
            matches!(e, SignError::InvalidChunk(_)),
            "{:?}: {e:?}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(e.s3_code(), "InvalidRequest");
    }
    // Over-long chunk header lines and trailer sections are bounded.
    let mut long = b"5;".to_vec();
    long.extend(std::iter::repeat_n(b'x', oos_sign::MAX_LINE + 10));
    assert!(matches!(
        decode_all(decoder(&h), &long, 1000),
        Err(SignError::InvalidChunk(_))
    ));
    let mut many = b"5\r\nhello\r\n0\r\n".to_vec();
    for i in 0..=oos_sign::MAX_TRAILERS {
        many.extend_from_slice(format!("x-amz-meta-{i}:v\r\n").as_bytes());
    }
    assert!(matches!(
        decode_all(decoder(&h), &many, 1000),
        Err(SignError::InvalidChunk(_))
    ));
    // A signed body without trailers must not carry any.
    let (h, seed) = signed_put(STREAMING_SIGNED, 5, None);
    let body = ChunkedEncoder::signed(&params(), &seed).encode_all(
        b"hello",
        10,
        &[("x-amz-checksum-crc32", "AAAAAA==")],
    );
    assert!(matches!(
        decode_all(decoder(&h), &body, 1000),
        Err(SignError::InvalidChunk(_))
    ));
    // Trailing line ends after the body are tolerated.
    let mut ok = ChunkedEncoder::signed(&params(), &seed).encode_all(b"hello", 10, &[]);
    ok.extend_from_slice(b"\r\n\r\n");
    assert_eq!(decode_all(decoder(&h), &ok, 4).unwrap().0, b"hello");
}

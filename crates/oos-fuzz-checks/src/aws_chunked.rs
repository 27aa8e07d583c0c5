//! The aws-chunked decoder, with chunk signatures and trailers.
//!
//! Input: a mode byte, then either a raw body fed to a decoder in pieces (modes 0, 1: the
//! decoder never yields more than it was fed, nor stops with input left unread), or a payload
//! and trailers encoded with [`oos_sign::ChunkedEncoder`] and then tampered with (modes 2, 3:
//! what was encoded decodes to itself, and a signed body that still decodes after tampering
//! yields exactly the payload and trailers that were signed).

use bytes::BytesMut;
use oos_sign::{encoded_length, ChunkedDecoder, ChunkedEncoder, SigningParams, Trailers};
use time::OffsetDateTime;

use crate::input::Bytes;
use crate::sigv4::{ACCESS_KEY, SECRET};

/// The seed signature of the AWS documentation's streaming example.
const SEED: &str = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
const TRAILER_NAMES: [&str; 4] = [
    "x-amz-checksum-crc32",
    "x-amz-checksum-sha256",
    "x-fuzz-a",
    "X-Fuzz-B",
];

fn params() -> SigningParams<'static> {
    let time = OffsetDateTime::from_unix_timestamp(1_369_353_600).expect("in range");
    SigningParams::new(ACCESS_KEY, SECRET, "us-east-1", "s3", time)
}

pub fn check(data: &[u8]) {
    let mut b = Bytes::new(data);
    let mode = b.u8();
    let flags = b.u8();
    let piece = usize::from(b.u8() % 64) + 1;
    match mode % 4 {
        0 | 1 => {
            let decoder = if mode.is_multiple_of(4) {
                ChunkedDecoder::unsigned_trailer()
            } else {
                ChunkedDecoder::signed(&params(), SEED, flags & 1 == 1)
            };
            let expected = (flags & 2 == 2).then(|| u64::from(b.u16()));
            let declared = if flags & 4 == 4 {
                vec![TRAILER_NAMES[usize::from(flags >> 4) % 4].to_string()]
            } else {
                Vec::new()
            };
            let decoder = decoder
                .with_decoded_length(expected)
                .with_declared_trailers(declared);
            if let Ok((payload, Ok(trailers))) = decode(decoder, b.rest(), piece) {
                if let Some(e) = expected {
                    assert_eq!(payload.len() as u64, e, "decoded length was required");
                }
                assert!(trailers.iter().count() <= oos_sign::MAX_TRAILERS);
            }
        }
        _ => round_trip(mode % 4 == 3, flags, piece, &mut b),
    }
}

/// Decodes `body` fed in pieces of `piece` bytes: the payload, and what `finish` said.
/// Err: the decoder refused the body before its end.
type Decoded = Result<(Vec<u8>, Result<Trailers, oos_sign::SignError>), oos_sign::SignError>;

fn decode(mut decoder: ChunkedDecoder, body: &[u8], piece: usize) -> Decoded {
    let mut payload = Vec::new();
    let mut fed = 0usize;
    let mut input = BytesMut::new();
    for p in body.chunks(piece) {
        input.extend_from_slice(p);
        fed += p.len();
        loop {
            match decoder.decode(&mut input)? {
                Some(bytes) => {
                    assert!(!bytes.is_empty(), "Some means payload");
                    payload.extend_from_slice(&bytes);
                    assert!(payload.len() <= fed, "more payload than body");
                    assert_eq!(decoder.decoded_so_far(), payload.len() as u64);
                }
                None => {
                    assert!(input.is_empty(), "None means all input was consumed");
                    break;
                }
            }
        }
    }
    let finished = decoder.finish();
    Ok((payload, finished))
}

fn round_trip(signed: bool, flags: u8, piece: usize, b: &mut Bytes<'_>) {
    let chunk_size = usize::from(b.u8()) + 1;
    let len = usize::from(b.u16() % 2048);
    let payload = b.take(len).to_vec();
    let mut trailers: Vec<(&str, String)> = Vec::new();
    // Signed bodies carry trailers only in the -TRAILER variant (flag bit 0).
    let with_trailers = !signed || flags & 1 == 1;
    if with_trailers {
        for _ in 0..b.u8() % 4 {
            let name = TRAILER_NAMES[usize::from(b.u8()) % TRAILER_NAMES.len()];
            let n = usize::from(b.u8() % 32);
            let value: String = b.take(n).iter().map(|&c| char::from(c % 95 + 32)).collect();
            trailers.push((name, value.trim().to_string()));
        }
    }
    let refs: Vec<(&str, &str)> = trailers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let mut encoder = if signed {
        ChunkedEncoder::signed(&params(), SEED)
    } else {
        ChunkedEncoder::unsigned()
    };
    let body = encoder.encode_all(&payload, chunk_size, &refs);
    assert_eq!(
        body.len() as u64,
        encoded_length(payload.len() as u64, chunk_size as u64, signed, &refs)
    );
    let want: Vec<(String, String)> = trailers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect();
    let decoder = || {
        let d = if signed {
            ChunkedDecoder::signed(&params(), SEED, with_trailers)
        } else {
            ChunkedDecoder::unsigned_trailer()
        };
        d.with_decoded_length((flags & 2 == 2).then_some(payload.len() as u64))
            .with_declared_trailers(want.iter().map(|(n, _)| n.clone()).collect())
    };
    let (got, finished) = decode(decoder(), &body, piece)
        .unwrap_or_else(|e| panic!("an encoded body decodes: {e:?}"));
    assert_eq!(got, payload);
    assert_eq!(finished.expect("an encoded body finishes").0, want);

    // Tampering: flip bytes, or cut the body short.
    let mut tampered = body.clone();
    for _ in 0..b.u8() % 4 {
        let at = b.u32() as usize % tampered.len();
        tampered[at] ^= b.u8() | 1;
    }
    if b.bool() {
        tampered.truncate(b.u32() as usize % tampered.len());
    }
    if tampered == body {
        return;
    }
    if let Ok((got, Ok(trailers))) = decode(decoder(), &tampered, piece) {
        if signed {
            assert_eq!(
                got, payload,
                "a tampered signed body decoded to other bytes"
            );
            let normalised: Vec<(String, String)> = trailers.0;
            assert_eq!(
                normalised, want,
                "a tampered signed body has other trailers"
            );
        }
    }
}

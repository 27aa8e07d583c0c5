//! The encrypted segment format of `oos-sse` under a fixed key: ranges of an encrypted
//! segment decrypt to the plaintext; after tampering (flipped bytes, a cut-off tail, a wrong
//! size claimed, another key) the `Decryptor` returns only authentic plaintext, never other
//! bytes, and a flip inside what a read needs makes the read fail. Sealed keys and SSE-C check
//! values from arbitrary text neither panic nor open.
//!
//! Input: plaintext length (up to ~3 chunks), the range, the tampering, a plaintext seed, then
//! arbitrary text for the sealed-key parsers.

use bytes::Bytes as Chunk;
use oos_sse::{window, Decryptor, Encryptor, ObjectKey, SseError, CHUNK, HEADER_LEN};

use crate::input::Bytes;

const KEY: [u8; 32] = [7; 32];

pub fn check(data: &[u8]) {
    let mut b = Bytes::new(data);
    let key = ObjectKey::from_bytes(KEY);
    let size = u64::from(b.u32()) % (3 * CHUNK as u64 + 100);
    let start = u64::from(b.u32()) % (size + 1);
    let end = start + u64::from(b.u32()) % (size - start + 1);
    let seed = b.u8();
    let plain: Vec<u8> = (0..size)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    let stored = encrypt(&key, &plain, usize::from(b.u16()) + 1);

    // Untouched, every range reads back.
    let piece = usize::from(b.u16()) + 1;
    let got = decrypt(&key, &stored, size, start, end, piece);
    assert_eq!(got.1, Ok(()), "an untouched range decrypts");
    assert_eq!(got.0, &plain[start as usize..end as usize]);

    // Tampered: flips, a cut, a claimed size, another key.
    let mut tampered = stored.clone();
    for _ in 0..b.u8() % 4 {
        let at = b.u32() as usize % tampered.len();
        tampered[at] ^= b.u8() | 1;
    }
    let w = window(size, start, end);
    let needed = |s: &[u8]| {
        let body = &s[w.stored_start as usize..w.stored_end as usize];
        [&s[..HEADER_LEN], body].concat()
    };
    let flipped_needed = needed(&tampered) != needed(&stored);
    let cut = b.bool();
    if cut {
        tampered.truncate(b.u32() as usize % (tampered.len() + 1));
    }
    let claimed = match b.u8() % 4 {
        0 => size.saturating_sub(u64::from(b.u16())),
        1 => size + u64::from(b.u16()),
        _ => size,
    };
    let other_key = b.u8().is_multiple_of(8);
    let key_used = if other_key {
        ObjectKey::from_bytes([8; 32])
    } else {
        key.clone()
    };
    let (start, end) = (start.min(claimed), end.min(claimed));
    let (out, result) = decrypt(&key_used, &tampered, claimed, start, end, piece);
    // Whatever came out is the plaintext it claims to be.
    assert!(
        plain.get(start as usize..start as usize + out.len()) == Some(&out[..]),
        "tampered data decrypted to other bytes"
    );
    if other_key && start < end {
        assert!(
            out.is_empty() && result.is_err(),
            "another key opened a chunk"
        );
    }
    if flipped_needed && claimed == size && !cut && start < end {
        assert!(result.is_err(), "a flip inside the window went unnoticed");
    }

    // Sealed keys and check values from arbitrary text.
    let text = String::from_utf8_lossy(b.rest());
    assert!(
        oos_sse::open_key(&key, &text, b"ctx").is_err(),
        "arbitrary text opened"
    );
    let _ = oos_sse::verify_key_check(&key, &text);
    let sealed = oos_sse::seal_key(&key, &ObjectKey::from_bytes([9; 32]), text.as_bytes());
    let opened = oos_sse::open_key(&key, &sealed, text.as_bytes()).expect("a sealed key opens");
    assert_eq!(opened.as_bytes(), &[9; 32]);
    assert!(
        oos_sse::open_key(&key, &sealed, b"another context").is_err() || text == "another context"
    );
    assert!(oos_sse::verify_key_check(&key, &oos_sse::key_check(&key)));
}

fn encrypt(key: &ObjectKey, plain: &[u8], piece: usize) -> Vec<u8> {
    let mut e = Encryptor::new(key);
    let mut out = Vec::new();
    for p in plain.chunks(piece) {
        e.update(p, &mut out);
    }
    e.finish(&mut out);
    out.concat()
}

/// Reads `[start, end)` of a segment claimed to hold `size` bytes the way the server does:
/// the header, then the window's stored bytes in pieces. Returns what the decryptor gave and
/// how the read ended.
fn decrypt(
    key: &ObjectKey,
    stored: &[u8],
    size: u64,
    start: u64,
    end: u64,
    piece: usize,
) -> (Vec<u8>, Result<(), SseError>) {
    let mut out: Vec<Chunk> = Vec::new();
    let result = (|| {
        let header = stored.get(..HEADER_LEN).ok_or(SseError::Truncated)?;
        let mut d = Decryptor::new(key, header, size, start, end)?;
        let w = window(size, start, end);
        let from = (w.stored_start as usize).min(stored.len());
        let to = (w.stored_end as usize).min(stored.len());
        for p in stored[from..to].chunks(piece) {
            d.update(p, &mut out)?;
        }
        d.finish()
    })();
    (out.concat(), result)
}

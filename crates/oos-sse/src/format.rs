//! The chunked segment format: streaming encryption, and decryption of any plaintext range.

use bytes::{Buf, Bytes, BytesMut};
use ring::aead::{Aad, LessSafeKey, Nonce, Tag, UnboundKey, AES_256_GCM};

use crate::keys::{chunk_key, ObjectKey};
use crate::SseError;

/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
/// The GCM tag after each chunk.
pub const TAG_LEN: usize = 16;
const MAGIC: &[u8; 4] = b"OSE1";
const SALT_LEN: usize = 16;
/// The segment header: magic and salt.
pub const HEADER_LEN: usize = MAGIC.len() + SALT_LEN;
const STORED_CHUNK: u64 = (CHUNK + TAG_LEN) as u64;

/// The stored size of a segment of `plain` bytes.
pub fn stored_len(plain: u64) -> u64 {
    HEADER_LEN as u64 + plain + chunks(plain) * TAG_LEN as u64
}

fn chunks(plain: u64) -> u64 {
    plain.div_ceil(CHUNK as u64)
}

/// Every chunk's nonce is distinct under its segment's key (the key is the salt's own).
fn nonce(index: u64, last: bool) -> Nonce {
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(&index.to_be_bytes());
    n[8..].copy_from_slice(&u32::from(last).to_be_bytes());
    Nonce::assume_unique_for_key(n)
}

/// `ring`'s AES-256-GCM (assembly with AES-NI and carry-less multiply, several times
/// RustCrypto's pure-Rust speed on this machine).
fn cipher(key: &ObjectKey, salt: &[u8]) -> LessSafeKey {
    let key = chunk_key(key, salt);
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key.as_ref()).expect("a 32-byte key"))
}

/// Encrypts a stream of plaintext pieces into the stored form. The last chunk is known only
/// at [`Encryptor::finish`], so up to one chunk of plaintext is held back.
pub struct Encryptor {
    cipher: LessSafeKey,
    header: Option<[u8; HEADER_LEN]>,
    pending: BytesMut,
    index: u64,
}

impl Encryptor {
    /// A new segment under `key`, with a fresh random salt.
    pub fn new(key: &ObjectKey) -> Encryptor {
        let salt: [u8; SALT_LEN] = rand::random();
        let mut header = [0u8; HEADER_LEN];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        header[MAGIC.len()..].copy_from_slice(&salt);
        Encryptor {
            cipher: cipher(key, &salt),
            header: Some(header),
            pending: BytesMut::with_capacity(CHUNK + TAG_LEN),
            index: 0,
        }
    }

    /// Takes plaintext; appends to `out` whatever stored bytes are complete.
    pub fn update(&mut self, mut plain: &[u8], out: &mut Vec<Bytes>) {
        if let Some(header) = self.header.take() {
            out.push(Bytes::copy_from_slice(&header));
        }
        while !plain.is_empty() {
            // A full pending chunk is sealed only once more plaintext shows it is not the last.
            if self.pending.len() == CHUNK {
                out.push(self.seal(false));
            }
            let take = (CHUNK - self.pending.len()).min(plain.len());
            self.pending.extend_from_slice(&plain[..take]);
            plain = &plain[take..];
        }
    }

    /// Seals the last chunk; appends the rest of the stored bytes to `out`.
    pub fn finish(mut self, out: &mut Vec<Bytes>) {
        if let Some(header) = self.header.take() {
            out.push(Bytes::copy_from_slice(&header));
        }
        if !self.pending.is_empty() {
            out.push(self.seal(true));
        }
    }

    /// Encrypts the pending chunk in place and hands its buffer out (no copy).
    fn seal(&mut self, last: bool) -> Bytes {
        let mut buf =
            std::mem::replace(&mut self.pending, BytesMut::with_capacity(CHUNK + TAG_LEN));
        let tag = self
            .cipher
            .seal_in_place_separate_tag(nonce(self.index, last), Aad::empty(), &mut buf)
            .expect("a 64 KiB chunk is far below the GCM message limit");
        buf.extend_from_slice(tag.as_ref());
        self.index += 1;
        buf.freeze()
    }
}

/// Which stored bytes hold the plaintext range `[start, end)` of a segment of `plain_size`
/// bytes (the header, `[0, HEADER_LEN)`, is needed too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub stored_start: u64,
    pub stored_end: u64,
}

pub fn window(plain_size: u64, start: u64, end: u64) -> Window {
    if start >= end {
        let at = HEADER_LEN as u64;
        return Window {
            stored_start: at,
            stored_end: at,
        };
    }
    let first = start / CHUNK as u64;
    let last = (end - 1) / CHUNK as u64;
    let stored_start = HEADER_LEN as u64 + first * STORED_CHUNK;
    let stored_end = (HEADER_LEN as u64 + (last + 1) * STORED_CHUNK).min(stored_len(plain_size));
    Window {
        stored_start,
        stored_end,
    }
}

/// Decrypts the stored bytes of a [`window`] back into the plaintext range it was made for.
pub struct Decryptor {
    cipher: LessSafeKey,
    plain_size: u64,
    /// Index of the next chunk to open.
    index: u64,
    /// Plaintext bytes to drop from the first chunk opened.
    skip: usize,
    /// Plaintext bytes still to return.
    remaining: u64,
    buf: BytesMut,
}

impl Decryptor {
    /// `header`: the segment's first [`HEADER_LEN`] stored bytes.
    pub fn new(
        key: &ObjectKey,
        header: &[u8],
        plain_size: u64,
        start: u64,
        end: u64,
    ) -> Result<Decryptor, SseError> {
        if header.len() != HEADER_LEN || &header[..MAGIC.len()] != MAGIC || end > plain_size {
            return Err(SseError::BadHeader);
        }
        Ok(Decryptor {
            cipher: cipher(key, &header[MAGIC.len()..]),
            plain_size,
            index: start / CHUNK as u64,
            skip: (start % CHUNK as u64) as usize,
            remaining: end.saturating_sub(start),
            buf: BytesMut::with_capacity(CHUNK + TAG_LEN),
        })
    }

    /// The stored size of the chunk to open next.
    fn chunk_stored_len(&self) -> usize {
        let offset = self.index * CHUNK as u64;
        (self.plain_size - offset).min(CHUNK as u64) as usize + TAG_LEN
    }

    /// Takes stored bytes of the window, in order; appends the plaintext they complete.
    pub fn update(&mut self, mut stored: &[u8], out: &mut Vec<Bytes>) -> Result<(), SseError> {
        while !stored.is_empty() && self.remaining > 0 {
            let want = self.chunk_stored_len();
            let take = (want - self.buf.len()).min(stored.len());
            self.buf.extend_from_slice(&stored[..take]);
            stored = &stored[take..];
            if self.buf.len() == want {
                out.push(self.open()?);
            }
        }
        Ok(())
    }

    /// Checks that the whole range was returned.
    pub fn finish(self) -> Result<(), SseError> {
        if self.remaining == 0 {
            Ok(())
        } else {
            Err(SseError::Truncated)
        }
    }

    /// Decrypts the buffered chunk in place and hands out the part of it the range wants.
    fn open(&mut self) -> Result<Bytes, SseError> {
        let last = (self.index + 1) * CHUNK as u64 >= self.plain_size;
        let mut buf = std::mem::replace(&mut self.buf, BytesMut::with_capacity(CHUNK + TAG_LEN));
        let split = buf.len() - TAG_LEN;
        let tag: [u8; TAG_LEN] = buf[split..].try_into().expect("TAG_LEN bytes");
        buf.truncate(split);
        self.cipher
            .open_in_place_separate_tag(
                nonce(self.index, last),
                Aad::empty(),
                Tag::from(tag),
                &mut buf,
                0..,
            )
            .map_err(|_| SseError::Unauthentic(self.index))?;
        self.index += 1;
        let from = std::mem::take(&mut self.skip);
        let to = (from as u64 + self.remaining).min(buf.len() as u64) as usize;
        buf.truncate(to);
        buf.advance(from);
        self.remaining -= buf.len() as u64;
        Ok(buf.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encrypt(key: &ObjectKey, plain: &[u8], piece: usize) -> Vec<u8> {
        let mut e = Encryptor::new(key);
        let mut out = Vec::new();
        for p in plain.chunks(piece.max(1)) {
            e.update(p, &mut out);
        }
        e.finish(&mut out);
        out.concat()
    }

    fn decrypt(
        key: &ObjectKey,
        stored: &[u8],
        size: u64,
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, SseError> {
        let w = window(size, start, end);
        let mut d = Decryptor::new(key, &stored[..HEADER_LEN], size, start, end)?;
        let mut out = Vec::new();
        let body = stored
            .get(w.stored_start as usize..w.stored_end as usize)
            .ok_or(SseError::Truncated)?;
        for p in body.chunks(7777) {
            d.update(p, &mut out)?;
        }
        d.finish()?;
        Ok(out.concat())
    }

    #[test]
    fn every_size_and_range_round_trips() {
        let key = ObjectKey::generate();
        for size in [
            0usize,
            1,
            100,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            3 * CHUNK,
            3 * CHUNK + 5,
        ] {
            let plain: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            for piece in [1usize, 1000, CHUNK, 1 << 20] {
                if size > 10_000 && piece == 1 {
                    continue;
                }
                let stored = encrypt(&key, &plain, piece);
                assert_eq!(stored.len() as u64, stored_len(size as u64), "size {size}");
                assert_eq!(
                    decrypt(&key, &stored, size as u64, 0, size as u64).unwrap(),
                    plain
                );
            }
            let stored = encrypt(&key, &plain, 4096);
            let s = size as u64;
            for (a, b) in [
                (0, s.min(1)),
                (s / 3, s / 2),
                (s.saturating_sub(1), s),
                (s / 2, s),
            ] {
                assert_eq!(
                    decrypt(&key, &stored, s, a, b).unwrap(),
                    &plain[a as usize..b as usize],
                    "{size} {a}-{b}"
                );
            }
        }
    }

    #[test]
    fn tampering_and_wrong_keys_are_errors_not_bytes() {
        let key = ObjectKey::generate();
        let plain = vec![7u8; 2 * CHUNK + 10];
        let stored = encrypt(&key, &plain, 5000);
        let size = plain.len() as u64;
        let mut flipped = stored.clone();
        flipped[HEADER_LEN + CHUNK + TAG_LEN + 3] ^= 1;
        assert_eq!(
            decrypt(&key, &flipped, size, 0, size),
            Err(SseError::Unauthentic(1))
        );
        // The first chunk still reads: a ranged GET of it does not touch the damage.
        assert_eq!(decrypt(&key, &flipped, size, 0, 10).unwrap(), vec![7u8; 10]);
        assert!(decrypt(&ObjectKey::generate(), &stored, size, 0, size).is_err());
        // Cutting the last chunk off and claiming a shorter size fails: chunk 1 was not last.
        let cut = &stored[..HEADER_LEN + 2 * (CHUNK + TAG_LEN)];
        assert!(decrypt(&key, cut, 2 * CHUNK as u64, 0, 2 * CHUNK as u64).is_err());
        let mut bad_magic = stored.clone();
        bad_magic[0] = b'X';
        assert_eq!(
            decrypt(&key, &bad_magic, size, 0, 1),
            Err(SseError::BadHeader)
        );
        // Swapping two chunks is detected (nonces bind the position).
        let a = HEADER_LEN..HEADER_LEN + CHUNK + TAG_LEN;
        let mut swapped = stored.clone();
        let (first, second) = (
            stored[a.clone()].to_vec(),
            stored[a.end..a.end + CHUNK + TAG_LEN].to_vec(),
        );
        swapped[a.clone()].copy_from_slice(&second);
        swapped[a.end..a.end + CHUNK + TAG_LEN].copy_from_slice(&first);
        assert!(decrypt(&key, &swapped, size, 0, size).is_err());
    }

    #[test]
    fn same_key_same_plaintext_stores_differently() {
        let key = ObjectKey::generate();
        assert_ne!(encrypt(&key, b"hello", 5), encrypt(&key, b"hello", 5));
    }
}

#[cfg(test)]
mod speed {
    use super::*;

    /// A measurement, not a check: `cargo test --release -p oos-sse -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn chunk_throughput() {
        let key = ObjectKey::generate();
        let plain = vec![3u8; 64 << 20];
        let t = std::time::Instant::now();
        let mut e = Encryptor::new(&key);
        let mut out = Vec::new();
        for p in plain.chunks(1 << 20) {
            e.update(p, &mut out);
        }
        e.finish(&mut out);
        let enc = t.elapsed();
        let stored = out.concat();
        let t = std::time::Instant::now();
        let mut d = Decryptor::new(
            &key,
            &stored[..HEADER_LEN],
            plain.len() as u64,
            0,
            plain.len() as u64,
        )
        .unwrap();
        let mut back = Vec::new();
        for p in stored[HEADER_LEN..].chunks(1 << 20) {
            d.update(p, &mut back).unwrap();
        }
        let dec = t.elapsed();
        println!(
            "encrypt {:.0} MiB/s, decrypt {:.0} MiB/s",
            64.0 / enc.as_secs_f64(),
            64.0 / dec.as_secs_f64()
        );
    }
}

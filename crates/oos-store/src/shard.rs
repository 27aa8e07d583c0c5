//! The shard file format, version 2 (version 1 is the single-copy format of `format.rs`, still
//! read as shard 0 of EC_1_0).
//!
//! ```text
//! header (40 bytes): magic "OOSSHD02" | version u16 = 2 | codec u16 | N u8 | M u8 | shard u8 | 0u8
//!                    | shard chunk size u32 | payload size u64 | 0u32 | xxh3-64 of bytes 0..32
//! per stripe:        this shard's chunk (chunk size bytes; the last stripe's may be shorter)
//!                    | xxh3-64 of the chunk, u64 LE
//! ```
//! All header integers are little-endian. The header has its own checksum because a flipped
//! bit in the payload size or layout would otherwise make a read return wrong bytes. Every
//! stripe but the last is full, so stripe `s` of a shard starts at `40 + s * (chunk + 8)`. The
//! last stripe holds `rem` payload bytes: a replica stores them as they are; an erasure-coded
//! stripe pads them with zeros to N chunks of `ceil(rem / N)` rounded up to 2 bytes (the SIMD
//! codec needs even lengths), so a small object costs little more than its size.

use std::fs::File;
use std::os::unix::fs::FileExt;

use xxhash_rust::xxh3::xxh3_64;

use crate::codec::{self, CODEC_PLAIN};
use crate::format;
use crate::layout::Layout;

pub const MAGIC: &[u8; 8] = b"OOSSHD02";
pub const VERSION: u16 = 2;
pub const HEADER_LEN: u64 = 40;
pub const CHECKSUM_LEN: u64 = 8;

/// What a shard header says, for either format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardHeader {
    pub version: u16,
    pub codec: u16,
    pub layout: Layout,
    pub index: u8,
    /// Bytes of this shard per full stripe.
    pub chunk: usize,
    pub payload: u64,
}

/// Why a shard cannot be used.
#[derive(Debug)]
pub enum Fault {
    /// No such file (or disk): a missing shard.
    Missing,
    /// Truncated, or failing a header or chunk check: the file is wrong; quarantine it.
    Corrupt(String),
    /// The read itself failed (EIO from a failing disk, maybe only this once): unusable for
    /// this read and queued for heal, but no evidence against the file, which stays where it
    /// is (moving it after a transient error would lose a good shard, and with it, on a
    /// single-copy layout, the object).
    Unreadable(String),
}

impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Fault {
        match e.kind() {
            std::io::ErrorKind::NotFound => Fault::Missing,
            std::io::ErrorKind::UnexpectedEof => Fault::Corrupt("the file is truncated".into()),
            _ => Fault::Unreadable(format!("i/o error: {e}")),
        }
    }
}

impl ShardHeader {
    pub fn new(layout: Layout, index: u8, chunk: usize, payload: u64) -> ShardHeader {
        ShardHeader {
            version: VERSION,
            codec: codec::codec_for(layout),
            layout,
            index,
            chunk,
            payload,
        }
    }

    pub fn header_len(&self) -> u64 {
        if self.version == 1 {
            format::HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    pub fn encode(&self) -> [u8; HEADER_LEN as usize] {
        let mut h = [0u8; HEADER_LEN as usize];
        h[..8].copy_from_slice(MAGIC);
        h[8..10].copy_from_slice(&VERSION.to_le_bytes());
        h[10..12].copy_from_slice(&self.codec.to_le_bytes());
        h[12] = self.layout.data;
        h[13] = self.layout.parity;
        h[14] = self.index;
        h[16..20].copy_from_slice(&(self.chunk as u32).to_le_bytes());
        h[20..28].copy_from_slice(&self.payload.to_le_bytes());
        let sum = xxh3_64(&h[..32]);
        h[32..40].copy_from_slice(&sum.to_le_bytes());
        h
    }

    /// Reads and checks the header of `file` (v2, or v1 as EC_1_0 shard 0), including that
    /// the file length matches it, so a truncated file is caught before any read.
    pub fn read(file: &File) -> Result<ShardHeader, Fault> {
        let file_len = file.metadata()?.len();
        let mut h = [0u8; HEADER_LEN as usize];
        let got = read_up_to(file, &mut h, 0)?;
        let h = &h[..got];
        let hdr = if h.len() >= 8 && &h[..8] == format::MAGIC {
            let chunk = format::parse_header(h).ok_or(Fault::Corrupt("bad v1 header".into()))?;
            let payload = format::payload_len(file_len, chunk)
                .ok_or(Fault::Corrupt("v1 file length is impossible".into()))?;
            ShardHeader {
                version: 1,
                codec: CODEC_PLAIN,
                layout: Layout::SINGLE,
                index: 0,
                chunk,
                payload,
            }
        } else {
            Self::decode(h).ok_or(Fault::Corrupt("bad shard header".into()))?
        };
        if hdr.file_len() != file_len {
            return Err(Fault::Corrupt(format!(
                "shard is {file_len} bytes, its header implies {}",
                hdr.file_len()
            )));
        }
        Ok(hdr)
    }

    fn decode(h: &[u8]) -> Option<ShardHeader> {
        if h.len() < HEADER_LEN as usize || &h[..8] != MAGIC {
            return None;
        }
        if xxh3_64(&h[..32]).to_le_bytes() != h[32..40] {
            return None;
        }
        let version = u16::from_le_bytes(h[8..10].try_into().ok()?);
        let codec = u16::from_le_bytes(h[10..12].try_into().ok()?);
        let layout = Layout::new(h[12], h[13]);
        let index = h[14];
        let chunk = u32::from_le_bytes(h[16..20].try_into().ok()?) as usize;
        let payload = u64::from_le_bytes(h[20..28].try_into().ok()?);
        let sane = version == VERSION
            && layout.data > 0
            && (index as usize) < layout.shards()
            && chunk > 0
            && (layout.is_replicated() || chunk.is_multiple_of(2))
            && codec == codec::codec_for(layout);
        sane.then_some(ShardHeader {
            version,
            codec,
            layout,
            index,
            chunk,
            payload,
        })
    }

    /// Whether two shards belong to the same data (same geometry), whatever their index.
    pub fn same_data(&self, other: &ShardHeader) -> bool {
        self.codec == other.codec
            && self.layout == other.layout
            && self.chunk == other.chunk
            && self.payload == other.payload
    }

    /// Payload bytes of a full stripe.
    pub fn stripe_payload(&self) -> u64 {
        if self.layout.is_replicated() {
            self.chunk as u64
        } else {
            self.chunk as u64 * self.layout.data as u64
        }
    }

    pub fn stripes(&self) -> u64 {
        self.payload.div_ceil(self.stripe_payload())
    }

    /// Payload bytes in stripe `s`.
    pub fn stripe_len(&self, s: u64) -> u64 {
        self.stripe_payload()
            .min(self.payload - s * self.stripe_payload())
    }

    /// This shard's chunk length in stripe `s`.
    pub fn chunk_len(&self, s: u64) -> usize {
        let rem = self.stripe_len(s) as usize;
        if self.layout.is_replicated() {
            rem
        } else if rem == self.stripe_payload() as usize {
            self.chunk
        } else {
            rem.div_ceil(self.layout.data as usize).next_multiple_of(2)
        }
    }

    pub fn chunk_offset(&self, s: u64) -> u64 {
        self.header_len() + s * (self.chunk as u64 + CHECKSUM_LEN)
    }

    pub fn file_len(&self) -> u64 {
        match self.stripes() {
            0 => self.header_len(),
            n => self.chunk_offset(n - 1) + self.chunk_len(n - 1) as u64 + CHECKSUM_LEN,
        }
    }
}

/// Reads and verifies chunk `s` of a shard.
pub fn read_chunk(file: &File, hdr: &ShardHeader, s: u64) -> Result<Vec<u8>, Fault> {
    let len = hdr.chunk_len(s);
    let want = len + CHECKSUM_LEN as usize;
    let mut buf = vec![0u8; want];
    let got = read_up_to(file, &mut buf, hdr.chunk_offset(s))?;
    if got != want {
        return Err(Fault::Corrupt(format!("chunk {s} is truncated")));
    }
    let (data, sum) = buf.split_at(len);
    if xxh3_64(data).to_le_bytes() != sum {
        return Err(Fault::Corrupt(format!("checksum mismatch in chunk {s}")));
    }
    buf.truncate(len);
    Ok(buf)
}

pub fn checksum(data: &[u8]) -> [u8; CHECKSUM_LEN as usize] {
    xxh3_64(data).to_le_bytes()
}

/// Like `read_exact_at`, but a short file is a short count, not an error.
fn read_up_to(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry() {
        let h = ShardHeader::new(Layout::new(4, 2), 5, 256, 1000 + 17);
        assert_eq!(h.stripe_payload(), 1024);
        assert_eq!(h.stripes(), 1);
        assert_eq!(h.chunk_len(0), 256); // 1017 / 4 → 255 → even 256
        let h = ShardHeader::new(Layout::new(4, 2), 5, 256, 2048 + 17);
        assert_eq!(h.stripes(), 3);
        assert_eq!(h.chunk_len(2), 6);
        assert_eq!(h.file_len(), 40 + 2 * 264 + 6 + 8);
        assert_eq!(ShardHeader::decode(&h.encode()), Some(h));
        let mut bad = h.encode();
        bad[21] ^= 1;
        assert_eq!(ShardHeader::decode(&bad), None);
        let r = ShardHeader::new(Layout::new(3, 0), 1, 100, 250);
        assert_eq!((r.stripes(), r.chunk_len(2)), (3, 50));
    }
}

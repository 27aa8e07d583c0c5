//! The data file format, version 1 (single copy, file named `<id>`): still read, as shard 0 of
//! EC_1_0, so data written before pools existed stays readable. New data uses `shard.rs`.
//!
//! ```text
//! header (16 bytes): magic "OOSDAT01" | chunk size u32 LE | codec u16 LE (0 = plain copy) | 0u16
//! chunk*:            data (chunk size bytes, the last chunk shorter) | xxh3-64 of data, u64 LE
//! ```
//! The payload length follows from the file length.

pub const MAGIC: &[u8; 8] = b"OOSDAT01";
pub const HEADER_LEN: u64 = 16;
pub const CHECKSUM_LEN: u64 = 8;
pub const CODEC_PLAIN: u16 = 0;

/// Parses a header, returning the chunk size.
pub fn parse_header(h: &[u8]) -> Option<usize> {
    if h.len() < HEADER_LEN as usize || &h[..8] != MAGIC {
        return None;
    }
    let chunk_size = u32::from_le_bytes(h[8..12].try_into().ok()?) as usize;
    let codec = u16::from_le_bytes(h[12..14].try_into().ok()?);
    (chunk_size > 0 && codec == CODEC_PLAIN).then_some(chunk_size)
}

/// Payload length of a file of `file_len` bytes, or `None` if the length is impossible.
pub fn payload_len(file_len: u64, chunk_size: usize) -> Option<u64> {
    let body = file_len.checked_sub(HEADER_LEN)?;
    let stride = chunk_size as u64 + CHECKSUM_LEN;
    let full = body / stride;
    let rest = body % stride;
    match rest {
        0 => Some(full * chunk_size as u64),
        r if r > CHECKSUM_LEN => Some(full * chunk_size as u64 + r - CHECKSUM_LEN),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_length_from_file_length() {
        let cs = 4;
        assert_eq!(payload_len(HEADER_LEN, cs), Some(0));
        assert_eq!(payload_len(HEADER_LEN + 12, cs), Some(4));
        assert_eq!(payload_len(HEADER_LEN + 12 + 9, cs), Some(5));
        assert_eq!(payload_len(HEADER_LEN + 5, cs), None);
        assert_eq!(payload_len(3, cs), None);
        let mut h = [0u8; 16];
        h[..8].copy_from_slice(MAGIC);
        h[8..12].copy_from_slice(&4u32.to_le_bytes());
        assert_eq!(parse_header(&h), Some(4));
        assert_eq!(parse_header(b"garbage garbage!"), None);
    }
}

//! S3 flexible checksums (`x-amz-checksum-*`) and `Content-MD5`.
//!
//! Values travel base64-encoded; CRCs as their big-endian bytes.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use crc_fast::{CrcAlgorithm, Digest as CrcDigest};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

use crate::error::SignError;

/// The checksum algorithms S3 accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

impl ChecksumAlgorithm {
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// From `x-amz-checksum-algorithm` / `x-amz-sdk-checksum-algorithm` values, case-insensitive.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name.trim()))
    }

    /// From a header name such as `x-amz-checksum-crc32`, case-insensitive.
    pub fn from_header_name(header: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.header_name().eq_ignore_ascii_case(header.trim()))
    }

    /// The S3 name: `CRC32`, `CRC32C`, `CRC64NVME`, `SHA1`, `SHA256`.
    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The header (or trailer) carrying the value, e.g. `x-amz-checksum-crc32`.
    pub fn header_name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// Length of the raw digest in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// Whether this is a CRC (which can be combined across parts).
    pub fn is_crc(self) -> bool {
        self.crc_algorithm().is_some()
    }

    fn crc_algorithm(self) -> Option<CrcAlgorithm> {
        match self {
            ChecksumAlgorithm::Crc32 => Some(CrcAlgorithm::Crc32IsoHdlc),
            ChecksumAlgorithm::Crc32c => Some(CrcAlgorithm::Crc32Iscsi),
            ChecksumAlgorithm::Crc64Nvme => Some(CrcAlgorithm::Crc64Nvme),
            ChecksumAlgorithm::Sha1 | ChecksumAlgorithm::Sha256 => None,
        }
    }

    /// Starts an incremental checksum.
    pub fn checksummer(self) -> Checksummer {
        Checksummer::new(self)
    }

    /// One-shot checksum, base64-encoded.
    pub fn checksum_base64(self, data: &[u8]) -> String {
        let mut c = self.checksummer();
        c.update(data);
        c.finish()
    }

    /// Decodes a base64 value and checks its length, e.g. a client-supplied header.
    pub fn decode_value(self, b64: &str) -> Result<Vec<u8>, SignError> {
        match B64.decode(b64.trim()) {
            Ok(raw) if raw.len() == self.digest_len() => Ok(raw),
            _ => Err(SignError::InvalidDigest(format!(
                "Value for {} header is invalid.",
                self.header_name()
            ))),
        }
    }

    /// CRC of `a ++ b` from `crc(a)`, `crc(b)` and `len(b)`: full-object
    /// checksums of multipart uploads. `None` for the SHA algorithms.
    pub fn combine_crc(self, crc_a: u64, crc_b: u64, len_b: u64) -> Option<u64> {
        Some(crc_fast::checksum_combine(
            self.crc_algorithm()?,
            crc_a,
            crc_b,
            len_b,
        ))
    }

    /// The raw CRC value as an integer from its base64 form (inverse of the encoding).
    pub fn crc_from_base64(self, b64: &str) -> Option<u64> {
        self.crc_algorithm()?;
        let raw = self.decode_value(b64).ok()?;
        Some(raw.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    /// Base64 of a raw CRC value (big-endian, 4 or 8 bytes).
    pub fn crc_to_base64(self, crc: u64) -> Option<String> {
        self.crc_algorithm()?;
        let be = crc.to_be_bytes();
        Some(B64.encode(&be[8 - self.digest_len()..]))
    }
}

/// Incremental checksum of one of the [`ChecksumAlgorithm`]s.
#[derive(Clone)]
pub struct Checksummer {
    algorithm: ChecksumAlgorithm,
    state: State,
}

#[derive(Clone)]
enum State {
    Crc(CrcDigest),
    Sha1(Sha1),
    Sha256(Sha256),
}

impl std::fmt::Debug for Checksummer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checksummer")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Checksummer {
    pub fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm.crc_algorithm() {
            Some(crc) => State::Crc(CrcDigest::new(crc)),
            None if algorithm == ChecksumAlgorithm::Sha1 => State::Sha1(Sha1::new()),
            None => State::Sha256(Sha256::new()),
        };
        Checksummer { algorithm, state }
    }

    pub fn algorithm(&self) -> ChecksumAlgorithm {
        self.algorithm
    }

    pub fn update(&mut self, data: &[u8]) {
        match &mut self.state {
            State::Crc(d) => d.update(data),
            State::Sha1(d) => d.update(data),
            State::Sha256(d) => d.update(data),
        }
    }

    /// The raw digest (big-endian for CRCs).
    pub fn finish_raw(self) -> Vec<u8> {
        match self.state {
            State::Crc(d) => {
                let be = d.finalize().to_be_bytes();
                be[8 - self.algorithm.digest_len()..].to_vec()
            }
            State::Sha1(d) => d.finalize().to_vec(),
            State::Sha256(d) => d.finalize().to_vec(),
        }
    }

    /// The digest base64-encoded, as S3 sends and expects it.
    pub fn finish(self) -> String {
        B64.encode(self.finish_raw())
    }
}

/// `Content-MD5` of a body: base64 of its MD5.
pub fn content_md5_base64(data: &[u8]) -> String {
    B64.encode(Md5::digest(data))
}

/// Decodes a `Content-MD5` header value (must be 16 bytes of base64) → `InvalidDigest` otherwise.
pub fn parse_content_md5(value: &str) -> Result<[u8; 16], SignError> {
    B64.decode(value.trim())
        .ok()
        .and_then(|raw| <[u8; 16]>::try_from(raw).ok())
        .ok_or_else(|| {
            SignError::InvalidDigest("The Content-MD5 you specified was invalid.".into())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // "123456789" check values of each CRC, as S3 sends them.
        let data = b"123456789";
        assert_eq!(
            ChecksumAlgorithm::Crc32.checksum_base64(data),
            B64.encode(0xCBF4_3926u32.to_be_bytes())
        );
        assert_eq!(
            ChecksumAlgorithm::Crc32c.checksum_base64(data),
            B64.encode(0xE306_9283u32.to_be_bytes())
        );
        assert_eq!(
            ChecksumAlgorithm::Crc64Nvme.checksum_base64(data),
            B64.encode(0xAE8B_1486_0A79_9888u64.to_be_bytes())
        );
        assert_eq!(
            ChecksumAlgorithm::Sha1.checksum_base64(b""),
            "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
        );
        assert_eq!(
            ChecksumAlgorithm::Sha256.checksum_base64(b""),
            "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
        // AWS trailer example: 66560 bytes of 'a' has CRC32C sOO8/Q==.
        assert_eq!(
            ChecksumAlgorithm::Crc32c.checksum_base64(&[b'a'; 66560]),
            "sOO8/Q=="
        );
        assert_eq!(content_md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        assert_eq!(
            parse_content_md5("1B2M2Y8AsgTpgAmY7PhCfg==").unwrap()[0],
            0xd4
        );
        assert!(parse_content_md5("AAAA").is_err());
    }

    #[test]
    fn incremental_equals_one_shot_and_names_round_trip() {
        for a in ChecksumAlgorithm::ALL {
            let mut c = a.checksummer();
            c.update(b"hello ");
            c.update(b"world");
            assert_eq!(c.finish(), a.checksum_base64(b"hello world"));
            assert_eq!(
                ChecksumAlgorithm::from_name(&a.name().to_lowercase()),
                Some(a)
            );
            assert_eq!(
                ChecksumAlgorithm::from_header_name(a.header_name()),
                Some(a)
            );
            assert_eq!(
                a.decode_value(&a.checksum_base64(b"x")).unwrap().len(),
                a.digest_len()
            );
        }
        assert_eq!(ChecksumAlgorithm::from_name("md5"), None);
    }

    #[test]
    fn crc_combine() {
        for a in [
            ChecksumAlgorithm::Crc32,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Crc64Nvme,
        ] {
            let x = a.crc_from_base64(&a.checksum_base64(b"1234")).unwrap();
            let y = a.crc_from_base64(&a.checksum_base64(b"56789")).unwrap();
            let all = a.crc_to_base64(a.combine_crc(x, y, 5).unwrap()).unwrap();
            assert_eq!(all, a.checksum_base64(b"123456789"));
        }
        assert_eq!(ChecksumAlgorithm::Sha256.combine_crc(1, 2, 3), None);
    }
}

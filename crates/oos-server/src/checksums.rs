//! Flexible checksums of whole objects (`x-amz-checksum-*`): what a multipart upload asks
//! for, how its parts' checksums make the object's, and how stored checksums are answered.
//! One body's checksum is verified as it streams in `body.rs`.

use http::{HeaderMap, Response};
use oos_meta::{ChecksumType, ObjectAttrs};
use oos_proto::headers::X_AMZ_CHECKSUM_PREFIX;
use oos_sign::ChecksumAlgorithm;

use crate::error::S3Result;
use crate::response::{set_header, Body};
use crate::s3_error;

/// `x-amz-checksum-algorithm`: CreateMultipartUpload and CopyObject name the algorithm with it.
pub const X_AMZ_CHECKSUM_ALGORITHM: &str = "x-amz-checksum-algorithm";
/// `x-amz-checksum-type`: COMPOSITE or FULL_OBJECT.
pub const X_AMZ_CHECKSUM_TYPE: &str = "x-amz-checksum-type";

/// The checksum a multipart upload keeps: every part is checked with `algorithm`, and the
/// object's checksum is made from the parts' as `kind` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadChecksum {
    pub algorithm: ChecksumAlgorithm,
    pub kind: ChecksumType,
}

impl UploadChecksum {
    /// From CreateMultipartUpload's `x-amz-checksum-algorithm` and `x-amz-checksum-type`.
    pub fn from_headers(headers: &HeaderMap) -> S3Result<Option<UploadChecksum>> {
        let kind = match header(headers, X_AMZ_CHECKSUM_TYPE) {
            None => None,
            Some(v) => Some(ChecksumType::parse(v).ok_or_else(|| {
                s3_error!(
                    InvalidRequest,
                    "Value for x-amz-checksum-type header is invalid."
                )
            })?),
        };
        let Some(algorithm) = algorithm_header(headers)? else {
            if kind.is_some() {
                return Err(s3_error!(
                    InvalidRequest,
                    "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header."
                ));
            }
            return Ok(None);
        };
        let kind = kind.unwrap_or(if algorithm == ChecksumAlgorithm::Crc64Nvme {
            ChecksumType::FullObject
        } else {
            ChecksumType::Composite
        });
        // S3 combines only CRCs into a full-object value, and CRC64NVME has no composite form.
        let supported = match kind {
            ChecksumType::FullObject => algorithm.is_crc(),
            ChecksumType::Composite => algorithm != ChecksumAlgorithm::Crc64Nvme,
        };
        if !supported {
            return Err(s3_error!(
                InvalidRequest,
                "The {} checksum type cannot be used with the {} checksum algorithm.",
                kind.as_str(),
                algorithm.name().to_ascii_lowercase()
            ));
        }
        Ok(Some(UploadChecksum { algorithm, kind }))
    }

    /// What an upload's attributes recorded at initiation.
    pub fn of_upload(attrs: &ObjectAttrs) -> Option<UploadChecksum> {
        let algorithm = ChecksumAlgorithm::from_name(attrs.checksum_algorithm.as_deref()?)?;
        Some(UploadChecksum {
            algorithm,
            kind: attrs.checksum_type.unwrap_or(ChecksumType::Composite),
        })
    }

    /// Records the choice in an upload's attributes.
    pub fn record(self, attrs: &mut ObjectAttrs) {
        attrs.checksum_algorithm = Some(self.algorithm.name().to_string());
        attrs.checksum_type = Some(self.kind);
    }

    /// The object's checksum from its parts' base64 checksums and sizes, in object order:
    /// a CRC of the whole object for FULL_OBJECT; for COMPOSITE, the checksum of the parts'
    /// raw checksums one after another, followed by `-N`.
    pub fn combine(self, parts: &[(&str, u64)]) -> S3Result<String> {
        let algo = self.algorithm;
        let bad = || crate::error::S3Error::internal("stored part checksum", algo.name());
        match self.kind {
            ChecksumType::FullObject => {
                let mut crc: Option<u64> = None;
                for (value, size) in parts {
                    let part = algo.crc_from_base64(value).ok_or_else(bad)?;
                    crc = Some(match crc {
                        None => part,
                        Some(sum) => algo.combine_crc(sum, part, *size).ok_or_else(bad)?,
                    });
                }
                let crc = crc.unwrap_or_else(|| {
                    let empty = algo.checksum_base64(b"");
                    algo.crc_from_base64(&empty).unwrap_or_default()
                });
                algo.crc_to_base64(crc).ok_or_else(bad)
            }
            ChecksumType::Composite => {
                let mut hasher = algo.checksummer();
                for (value, _) in parts {
                    hasher.update(&algo.decode_value(value).map_err(|_| bad())?);
                }
                Ok(format!("{}-{}", hasher.finish(), parts.len()))
            }
        }
    }
}

/// `x-amz-checksum-algorithm`, when present: one of S3's algorithms (any case).
pub fn algorithm_header(headers: &HeaderMap) -> S3Result<Option<ChecksumAlgorithm>> {
    let Some(name) = header(headers, X_AMZ_CHECKSUM_ALGORITHM) else {
        return Ok(None);
    };
    ChecksumAlgorithm::from_name(name).map(Some).ok_or_else(|| {
        s3_error!(
            InvalidRequest,
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
        )
    })
}

/// The type S3 reports for a stored checksum.
pub fn type_of(attrs: &ObjectAttrs) -> ChecksumType {
    attrs.checksum_type.unwrap_or(ChecksumType::FullObject)
}

/// The header carrying a stored algorithm's value (`CRC32` → `x-amz-checksum-crc32`).
pub fn header_name(algorithm: &str) -> Option<&'static str> {
    ChecksumAlgorithm::from_name(algorithm).map(ChecksumAlgorithm::header_name)
}

/// An `x-amz-checksum-<algorithm>` value sent with a request that carries no body to check it
/// against (CompleteMultipartUpload): `(algorithm, value)`.
pub fn value_header(headers: &HeaderMap) -> Option<(ChecksumAlgorithm, &str)> {
    headers.iter().find_map(|(name, value)| {
        let algo = name.as_str().strip_prefix(X_AMZ_CHECKSUM_PREFIX)?;
        let algo = ChecksumAlgorithm::from_name(algo)?;
        Some((algo, value.to_str().ok()?))
    })
}

/// Answers a stored checksum: `x-amz-checksum-<algorithm>`, and `x-amz-checksum-type` when
/// the operation reports it.
pub fn set_headers(
    resp: &mut Response<Body>,
    stored: Option<&(String, String)>,
    kind: Option<ChecksumType>,
) {
    let Some((algorithm, value)) = stored else {
        return;
    };
    if let Some(name) = header_name(algorithm) {
        set_header(resp, name, value);
        if let Some(kind) = kind {
            set_header(resp, X_AMZ_CHECKSUM_TYPE, kind.as_str());
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn upload_choice_follows_s3_rules() {
        let pick = |pairs| UploadChecksum::from_headers(&headers(pairs));
        assert_eq!(pick(&[]).unwrap(), None);
        let crc = pick(&[(X_AMZ_CHECKSUM_ALGORITHM, "CRC32")])
            .unwrap()
            .unwrap();
        assert_eq!(crc.kind, ChecksumType::Composite);
        let nvme = pick(&[(X_AMZ_CHECKSUM_ALGORITHM, "crc64nvme")])
            .unwrap()
            .unwrap();
        assert_eq!(nvme.kind, ChecksumType::FullObject);
        assert!(pick(&[(X_AMZ_CHECKSUM_TYPE, "COMPOSITE")]).is_err());
        assert!(pick(&[(X_AMZ_CHECKSUM_ALGORITHM, "MD5")]).is_err());
        assert!(pick(&[
            (X_AMZ_CHECKSUM_ALGORITHM, "SHA256"),
            (X_AMZ_CHECKSUM_TYPE, "FULL_OBJECT")
        ])
        .is_err());
        assert!(pick(&[
            (X_AMZ_CHECKSUM_ALGORITHM, "CRC64NVME"),
            (X_AMZ_CHECKSUM_TYPE, "COMPOSITE")
        ])
        .is_err());
        assert!(pick(&[
            (X_AMZ_CHECKSUM_ALGORITHM, "CRC32C"),
            (X_AMZ_CHECKSUM_TYPE, "full_object")
        ])
        .is_err());
    }

    #[test]
    fn full_object_equals_checksum_of_all_bytes() {
        let (a, b) = (b"hello ".as_slice(), b"multipart world".as_slice());
        for algorithm in [ChecksumAlgorithm::Crc32, ChecksumAlgorithm::Crc64Nvme] {
            let c = UploadChecksum {
                algorithm,
                kind: ChecksumType::FullObject,
            };
            let parts = [
                (algorithm.checksum_base64(a), a.len() as u64),
                (algorithm.checksum_base64(b), b.len() as u64),
            ];
            let refs: Vec<(&str, u64)> = parts.iter().map(|(v, s)| (v.as_str(), *s)).collect();
            assert_eq!(
                c.combine(&refs).unwrap(),
                algorithm.checksum_base64(b"hello multipart world")
            );
        }
    }

    #[test]
    fn composite_is_checksum_of_part_checksums() {
        let algorithm = ChecksumAlgorithm::Sha256;
        let c = UploadChecksum {
            algorithm,
            kind: ChecksumType::Composite,
        };
        let p1 = algorithm.checksum_base64(b"one");
        let p2 = algorithm.checksum_base64(b"two");
        let mut raw = algorithm.decode_value(&p1).unwrap();
        raw.extend(algorithm.decode_value(&p2).unwrap());
        let want = format!("{}-2", algorithm.checksum_base64(&raw));
        assert_eq!(c.combine(&[(&p1, 3), (&p2, 3)]).unwrap(), want);
    }
}

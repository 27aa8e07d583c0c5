//! XML documents of the S3 and OOS APIs, both directions, through quick-xml's serde support.
//! Response types serialize with [`to_xml`]; request types parse with [`from_xml`].

use serde::{Deserialize, Serialize};

use crate::headers::{S3_XMLNS, XML_DECL};

mod encryption;
mod public_access;
pub use encryption::{EncryptionByDefault, EncryptionRule, ServerSideEncryptionConfiguration};
pub use public_access::{
    OwnershipControls, OwnershipControlsRule, PolicyStatus, PublicAccessBlockConfiguration,
};

/// Serializes a response document under `root`, with the XML declaration S3 sends.
pub fn to_xml<T: Serialize>(root: &str, value: &T) -> String {
    let mut out = String::from(XML_DECL);
    let mut ser = quick_xml::se::Serializer::with_root(&mut out, Some(root))
        .expect("root element names are static and valid");
    ser.expand_empty_elements(false);
    value
        .serialize(ser)
        .expect("response documents always serialize");
    out
}

/// Parses a request document. Any error means the client sent malformed XML.
pub fn from_xml<'de, T: Deserialize<'de>>(body: &'de str) -> Result<T, quick_xml::DeError> {
    // quick-xml 0.38's deserializer panics (an `unreachable!`) on a DOCTYPE between two pieces
    // of an element's text, `<Key>a<!DOCTYPE x>b</Key>` (found by fuzzing). XML allows a
    // DOCTYPE only before the root element: refuse one anywhere else before deserializing.
    if doctype_inside_element(body) {
        return Err(quick_xml::DeError::Custom(
            "a DOCTYPE declaration inside an element".into(),
        ));
    }
    quick_xml::de::from_str(body)
}

/// Whether a DOCTYPE declaration appears inside an element. Documents without `<!DOCTYPE`
/// (any case) are not read twice.
fn doctype_inside_element(body: &str) -> bool {
    const DOCTYPE: &[u8] = b"<!doctype";
    let mentions = body
        .as_bytes()
        .windows(DOCTYPE.len())
        .any(|w| w.eq_ignore_ascii_case(DOCTYPE));
    if !mentions {
        return false;
    }
    let mut reader = quick_xml::Reader::from_str(body);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(quick_xml::events::Event::DocType(_)) if depth > 0 => return true,
            // Malformed documents are the deserializer's to refuse.
            Ok(quick_xml::events::Event::Eof) | Err(_) => return false,
            Ok(_) => {}
        }
    }
}

/// A text or reference event whose content is not valid text for a request document.
#[derive(Debug, thiserror::Error)]
#[error("malformed XML text")]
pub struct BadText;

/// Appends a text event's content to `out`, verbatim but for the line-end normalisation XML
/// 1.0 prescribes. Request documents carry user data (keys, tag values, prefixes) that must
/// arrive byte for byte: callers never trim what they store.
pub fn push_text(out: &mut String, text: &quick_xml::events::BytesText) -> Result<(), BadText> {
    out.push_str(&text.xml_content().map_err(|_| BadText)?);
    Ok(())
}

/// Appends what a reference event stands for: a character reference (`&#x20;`) or one of the
/// five predefined entities. Anything else (a DTD-defined entity) is refused.
pub fn push_ref(out: &mut String, reference: &quick_xml::events::BytesRef) -> Result<(), BadText> {
    if let Some(c) = reference.resolve_char_ref().map_err(|_| BadText)? {
        out.push(c);
        return Ok(());
    }
    let name = reference.decode().map_err(|_| BadText)?;
    let value = quick_xml::escape::resolve_predefined_entity(&name).ok_or(BadText)?;
    out.push_str(value);
    Ok(())
}

fn s3_ns() -> &'static str {
    S3_XMLNS
}

#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "DisplayName")]
    pub display_name: String,
}

// ---------- service ----------

#[derive(Debug, Serialize)]
pub struct ListAllMyBucketsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "Buckets")]
    pub buckets: BucketList,
    /// Where the next page starts, when this one is not the last (`max-buckets`).
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    #[serde(rename = "Prefix", skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct BucketList {
    #[serde(rename = "Bucket", default)]
    pub bucket: Vec<BucketEntry>,
}

#[derive(Debug, Serialize)]
pub struct BucketEntry {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "CreationDate")]
    pub creation_date: String,
}

// ---------- bucket location (OOS BucketConfiguration) ----------

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BucketConfiguration {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    #[serde(
        rename = "MetadataLocationConstraint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub metadata_location: Option<MetadataLocation>,
    #[serde(
        rename = "DataLocationConstraint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub data_location: Option<DataLocationConstraint>,
}

fn default_ns_string() -> String {
    s3_ns().to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetadataLocation {
    #[serde(rename = "Location")]
    pub location: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataLocationConstraint {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(
        rename = "LocationList",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub location_list: Option<LocationList>,
    #[serde(
        rename = "ScheduleStrategy",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub schedule_strategy: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocationList {
    #[serde(rename = "Location", default)]
    pub location: Vec<String>,
}

/// The body of CreateBucket. Both the OOS fields and the AWS `LocationConstraint` are accepted.
#[derive(Debug, Default, Deserialize)]
pub struct CreateBucketConfiguration {
    #[serde(rename = "LocationConstraint", default)]
    pub location_constraint: Option<String>,
    #[serde(rename = "MetadataLocationConstraint", default)]
    pub metadata_location: Option<MetadataLocation>,
    #[serde(rename = "DataLocationConstraint", default)]
    pub data_location: Option<DataLocationConstraint>,
}

// ---------- listing ----------

#[derive(Debug, Serialize)]
pub struct ListObjectEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "ChecksumAlgorithm", skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<String>,
    #[serde(rename = "ChecksumType", skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<&'static str>,
    #[serde(rename = "Size")]
    pub size: u64,
    #[serde(rename = "Owner", skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
}

#[derive(Debug, Serialize)]
pub struct CommonPrefix {
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

/// ListObjects (v1) result.
#[derive(Debug, Serialize)]
pub struct ListBucketResultV1 {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "Marker")]
    pub marker: String,
    #[serde(rename = "NextMarker", skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Contents")]
    pub contents: Vec<ListObjectEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// ListObjectsV2 result.
#[derive(Debug, Serialize)]
pub struct ListBucketResultV2 {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "KeyCount")]
    pub key_count: usize,
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    #[serde(
        rename = "NextContinuationToken",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_continuation_token: Option<String>,
    #[serde(rename = "StartAfter", skip_serializing_if = "Option::is_none")]
    pub start_after: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Contents")]
    pub contents: Vec<ListObjectEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

#[derive(Debug, Serialize)]
pub struct VersionEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId")]
    pub version_id: String,
    #[serde(rename = "IsLatest")]
    pub is_latest: bool,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "ChecksumAlgorithm", skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<String>,
    #[serde(rename = "ChecksumType", skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<&'static str>,
    #[serde(rename = "Size")]
    pub size: u64,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
}

#[derive(Debug, Serialize)]
pub struct DeleteMarkerEntry {
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId")]
    pub version_id: String,
    #[serde(rename = "IsLatest")]
    pub is_latest: bool,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
}

/// Versions and delete markers interleave in listing order, as S3 sends them.
#[derive(Debug, Serialize)]
pub enum VersionListEntry {
    Version(VersionEntry),
    DeleteMarker(DeleteMarkerEntry),
}

#[derive(Debug, Serialize)]
pub struct ListVersionsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "KeyMarker")]
    pub key_marker: String,
    #[serde(rename = "VersionIdMarker")]
    pub version_id_marker: String,
    #[serde(rename = "NextKeyMarker", skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    #[serde(
        rename = "NextVersionIdMarker",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_version_id_marker: Option<String>,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "$value")]
    pub entries: Vec<VersionListEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// GetBucketVersioning: no `Status` for a bucket that was never versioned.
#[derive(Debug, Serialize)]
pub struct VersioningConfiguration {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
}

/// PutBucketVersioning body.
#[derive(Debug, Deserialize)]
pub struct VersioningConfigurationIn {
    #[serde(rename = "Status", default)]
    pub status: Option<String>,
    #[serde(rename = "MfaDelete", default)]
    pub mfa_delete: Option<String>,
}

// ---------- object lock ----------

/// PUT / GET `?object-lock`: whether Object Lock is on and the bucket's default retention.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLockConfiguration {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    /// `Enabled` (the only value S3 accepts).
    #[serde(
        rename = "ObjectLockEnabled",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub object_lock_enabled: Option<String>,
    #[serde(rename = "Rule", skip_serializing_if = "Option::is_none", default)]
    pub rule: Option<ObjectLockRule>,
}

impl ObjectLockConfiguration {
    /// Object Lock on, with this default retention (if any).
    pub fn enabled(default_retention: Option<DefaultRetention>) -> ObjectLockConfiguration {
        ObjectLockConfiguration {
            xmlns: s3_ns().to_string(),
            object_lock_enabled: Some("Enabled".into()),
            rule: default_retention.map(|d| ObjectLockRule {
                default_retention: Some(d),
            }),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLockRule {
    #[serde(
        rename = "DefaultRetention",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub default_retention: Option<DefaultRetention>,
}

/// A default retention: a mode and exactly one of `Days` or `Years`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRetention {
    /// `GOVERNANCE` or `COMPLIANCE`.
    #[serde(rename = "Mode", skip_serializing_if = "Option::is_none", default)]
    pub mode: Option<String>,
    #[serde(rename = "Days", skip_serializing_if = "Option::is_none", default)]
    pub days: Option<i64>,
    #[serde(rename = "Years", skip_serializing_if = "Option::is_none", default)]
    pub years: Option<i64>,
}

/// PUT / GET `?retention` (root element `Retention`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRetention {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    #[serde(rename = "Mode", skip_serializing_if = "Option::is_none", default)]
    pub mode: Option<String>,
    /// ISO 8601, as `2030-01-01T00:00:00.000Z`.
    #[serde(
        rename = "RetainUntilDate",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub retain_until_date: Option<String>,
}

/// PUT / GET `?legal-hold` (root element `LegalHold`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectLegalHold {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    /// `ON` or `OFF`.
    #[serde(rename = "Status", skip_serializing_if = "Option::is_none", default)]
    pub status: Option<String>,
}

// ---------- GetObjectAttributes ----------

/// GetObjectAttributes answer: only the attributes asked for are present.
#[derive(Debug, Serialize)]
pub struct GetObjectAttributesResponse {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    /// Without quotes, unlike the `ETag` header.
    #[serde(rename = "ETag", skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(rename = "Checksum", skip_serializing_if = "Option::is_none")]
    pub checksum: Option<AttributesChecksum>,
    #[serde(rename = "ObjectParts", skip_serializing_if = "Option::is_none")]
    pub object_parts: Option<AttributesParts>,
    #[serde(rename = "StorageClass", skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    #[serde(rename = "ObjectSize", skip_serializing_if = "Option::is_none")]
    pub object_size: Option<u64>,
}

/// The five checksum fields S3 documents carry; at most one is set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecksumValues {
    #[serde(
        rename = "ChecksumCRC32",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub crc32: Option<String>,
    #[serde(
        rename = "ChecksumCRC32C",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub crc32c: Option<String>,
    #[serde(
        rename = "ChecksumCRC64NVME",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub crc64nvme: Option<String>,
    #[serde(
        rename = "ChecksumSHA1",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub sha1: Option<String>,
    #[serde(
        rename = "ChecksumSHA256",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub sha256: Option<String>,
}

impl ChecksumValues {
    /// The one field of `algorithm` (an S3 name such as `CRC32`) set to `value`.
    pub fn of(algorithm: &str, value: &str) -> ChecksumValues {
        let mut values = ChecksumValues::default();
        if let Some(slot) = values.slot(algorithm) {
            *slot = Some(value.to_string());
        }
        values
    }

    /// From an optional stored `(algorithm, value)`.
    pub fn from_stored(stored: Option<&(String, String)>) -> ChecksumValues {
        stored.map_or_else(ChecksumValues::default, |(a, v)| ChecksumValues::of(a, v))
    }

    /// The value given for `algorithm`, if any.
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        match algorithm {
            "CRC32" => self.crc32.as_deref(),
            "CRC32C" => self.crc32c.as_deref(),
            "CRC64NVME" => self.crc64nvme.as_deref(),
            "SHA1" => self.sha1.as_deref(),
            "SHA256" => self.sha256.as_deref(),
            _ => None,
        }
    }

    /// The algorithms that have a value, in S3's order.
    pub fn present(&self) -> Vec<&'static str> {
        [
            ("CRC32", &self.crc32),
            ("CRC32C", &self.crc32c),
            ("CRC64NVME", &self.crc64nvme),
            ("SHA1", &self.sha1),
            ("SHA256", &self.sha256),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(name, _)| name)
        .collect()
    }

    fn slot(&mut self, algorithm: &str) -> Option<&mut Option<String>> {
        Some(match algorithm {
            "CRC32" => &mut self.crc32,
            "CRC32C" => &mut self.crc32c,
            "CRC64NVME" => &mut self.crc64nvme,
            "SHA1" => &mut self.sha1,
            "SHA256" => &mut self.sha256,
            _ => return None,
        })
    }
}

/// The stored checksum: one of the values, and its type.
#[derive(Debug, Default, Serialize)]
pub struct AttributesChecksum {
    #[serde(flatten)]
    pub values: ChecksumValues,
    #[serde(rename = "ChecksumType")]
    pub checksum_type: &'static str,
}

/// The parts of a multipart object, a page at a time.
#[derive(Debug, Serialize)]
pub struct AttributesParts {
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "MaxParts")]
    pub max_parts: usize,
    #[serde(
        rename = "NextPartNumberMarker",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_part_number_marker: Option<usize>,
    #[serde(rename = "PartNumberMarker")]
    pub part_number_marker: usize,
    #[serde(rename = "Part")]
    pub parts: Vec<AttributesPart>,
    #[serde(rename = "PartsCount")]
    pub parts_count: usize,
}

#[derive(Debug, Serialize)]
pub struct AttributesPart {
    #[serde(flatten)]
    pub checksum: ChecksumValues,
    #[serde(rename = "PartNumber")]
    pub part_number: usize,
    #[serde(rename = "Size")]
    pub size: u64,
}

// ---------- multipart ----------

#[derive(Debug, Serialize)]
pub struct InitiateMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
}

#[derive(Debug, Deserialize)]
pub struct CompleteMultipartUpload {
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletedPart>,
}

#[derive(Debug, Deserialize)]
pub struct CompletedPart {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "ETag")]
    pub etag: String,
    // Not `#[serde(flatten)]`: a flattened struct makes serde read `PartNumber` as text.
    #[serde(rename = "ChecksumCRC32", default)]
    pub checksum_crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C", default)]
    pub checksum_crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME", default)]
    pub checksum_crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA1", default)]
    pub checksum_sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256", default)]
    pub checksum_sha256: Option<String>,
}

impl CompletedPart {
    pub fn checksum(&self) -> ChecksumValues {
        ChecksumValues {
            crc32: self.checksum_crc32.clone(),
            crc32c: self.checksum_crc32c.clone(),
            crc64nvme: self.checksum_crc64nvme.clone(),
            sha1: self.checksum_sha1.clone(),
            sha256: self.checksum_sha256.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CompleteMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Location")]
    pub location: String,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(flatten)]
    pub checksum: ChecksumValues,
    #[serde(rename = "ChecksumType", skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct PartEntry {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "Size")]
    pub size: u64,
    #[serde(flatten)]
    pub checksum: ChecksumValues,
}

#[derive(Debug, Serialize)]
pub struct ListPartsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    #[serde(rename = "Initiator")]
    pub initiator: Owner,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    #[serde(rename = "PartNumberMarker")]
    pub part_number_marker: u32,
    #[serde(
        rename = "NextPartNumberMarker",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_part_number_marker: Option<u32>,
    #[serde(rename = "MaxParts")]
    pub max_parts: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Part")]
    pub parts: Vec<PartEntry>,
    #[serde(rename = "ChecksumAlgorithm", skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<String>,
    #[serde(rename = "ChecksumType", skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct UploadEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    #[serde(rename = "Initiator")]
    pub initiator: Owner,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    #[serde(rename = "Initiated")]
    pub initiated: String,
}

#[derive(Debug, Serialize)]
pub struct ListMultipartUploadsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "KeyMarker")]
    pub key_marker: String,
    #[serde(rename = "UploadIdMarker")]
    pub upload_id_marker: String,
    #[serde(rename = "NextKeyMarker", skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    #[serde(rename = "NextUploadIdMarker", skip_serializing_if = "Option::is_none")]
    pub next_upload_id_marker: Option<String>,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "MaxUploads")]
    pub max_uploads: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Upload")]
    pub uploads: Vec<UploadEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

// ---------- POST Object ----------

/// The answer to a form upload with `success_action_status=201` (S3 sends it without a
/// namespace).
#[derive(Debug, Serialize)]
pub struct PostResponse {
    #[serde(rename = "Location")]
    pub location: String,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "ETag")]
    pub etag: String,
}

// ---------- copy ----------

/// `CopyObjectResult` and `CopyPartResult` share this shape.
#[derive(Debug, Serialize)]
pub struct CopyResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(flatten)]
    pub checksum: ChecksumValues,
    /// CopyObjectResult only (a part's checksum has no type).
    #[serde(rename = "ChecksumType", skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<&'static str>,
}

// ---------- delete objects ----------

#[derive(Debug, Deserialize)]
pub struct Delete {
    #[serde(rename = "Quiet", default)]
    pub quiet: Option<bool>,
    #[serde(rename = "Object", default)]
    pub objects: Vec<DeleteObject>,
}

#[derive(Debug, Deserialize)]
pub struct DeleteObject {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId", default)]
    pub version_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeleteResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Deleted")]
    pub deleted: Vec<Deleted>,
    #[serde(rename = "Error")]
    pub errors: Vec<DeleteError>,
}

#[derive(Debug, Serialize)]
pub struct Deleted {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId", skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(rename = "DeleteMarker", skip_serializing_if = "Option::is_none")]
    pub delete_marker: Option<bool>,
    #[serde(
        rename = "DeleteMarkerVersionId",
        skip_serializing_if = "Option::is_none"
    )]
    pub delete_marker_version_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeleteError {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId", skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Message")]
    pub message: String,
}

// ---------- errors ----------

#[derive(Debug, Serialize)]
pub struct ErrorDocument<'a> {
    #[serde(rename = "Code")]
    pub code: &'a str,
    #[serde(rename = "Message")]
    pub message: &'a str,
    #[serde(rename = "Resource")]
    pub resource: &'a str,
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    #[serde(rename = "HostId")]
    pub host_id: &'a str,
}

/// The namespace value for response documents.
pub const XMLNS: &str = S3_XMLNS;

// ===================================================================================
// SDK (client side) documents, added for the `oos` crate (issue #7). Response documents the
// SDK parses and request documents it writes; each type derives both directions so the CLI
// can also read and write them as JSON (keys are the XML element names).
// ===================================================================================

/// Documents as the SDK reads and writes them.
pub mod sdk {
    use serde::{Deserialize, Serialize};

    /// A bucket or object owner.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default)]
    pub struct Owner {
        /// Canonical user id.
        #[serde(rename = "ID")]
        pub id: String,
        /// Display name.
        #[serde(rename = "DisplayName")]
        pub display_name: String,
    }

    /// ListBuckets result.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ListAllMyBucketsResult {
        /// The account owning the buckets.
        pub owner: Owner,
        /// The buckets.
        pub buckets: Buckets,
    }

    /// `<Buckets>` wrapper.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Buckets {
        /// One entry per bucket.
        pub bucket: Vec<Bucket>,
    }

    /// One bucket of ListBuckets.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Bucket {
        /// Bucket name.
        pub name: String,
        /// ISO 8601 creation time.
        pub creation_date: String,
    }

    /// OOS GetRegions result (`BucketRegions`).
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct BucketRegions {
        /// Regions that may hold metadata.
        pub metadata_regions: Regions,
        /// Regions that may hold data.
        pub data_regions: Regions,
    }

    /// A list of region names.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Regions {
        /// Region names.
        pub region: Vec<String>,
    }

    /// One object of a listing.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Object {
        /// Object key.
        pub key: String,
        /// ISO 8601 modification time.
        pub last_modified: String,
        /// Entity tag, quoted as sent.
        #[serde(rename = "ETag")]
        pub etag: String,
        /// Size in bytes.
        pub size: u64,
        /// Storage class.
        pub storage_class: String,
        /// Owner, when listed.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub owner: Option<Owner>,
    }

    /// A common prefix of a delimited listing.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct CommonPrefix {
        /// The prefix, ending with the delimiter.
        pub prefix: String,
    }

    /// ListObjects (v1) and ListObjectsV2 result; fields of the other version stay empty.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ListBucketResult {
        /// Bucket name.
        pub name: String,
        /// Prefix asked for.
        pub prefix: String,
        /// v1 marker.
        pub marker: Option<String>,
        /// v1 next marker (only with a delimiter).
        pub next_marker: Option<String>,
        /// Page size asked for.
        pub max_keys: u32,
        /// Delimiter asked for.
        pub delimiter: Option<String>,
        /// Whether more pages follow.
        pub is_truncated: bool,
        /// v2 key count.
        pub key_count: Option<u32>,
        /// v2 token sent.
        pub continuation_token: Option<String>,
        /// v2 token of the next page.
        pub next_continuation_token: Option<String>,
        /// v2 start-after.
        pub start_after: Option<String>,
        /// The objects.
        pub contents: Vec<Object>,
        /// The common prefixes.
        pub common_prefixes: Vec<CommonPrefix>,
    }

    /// ListObjectVersions result: versions and delete markers in key order, newest first
    /// within a key, as the server sent them.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ListVersionsResult {
        /// Bucket name.
        pub name: String,
        /// Prefix asked for.
        pub prefix: String,
        /// Key marker sent.
        pub key_marker: Option<String>,
        /// Version id marker sent.
        pub version_id_marker: Option<String>,
        /// Where the next page starts (with `next_version_id_marker`).
        pub next_key_marker: Option<String>,
        /// Where the next page starts within `next_key_marker`.
        pub next_version_id_marker: Option<String>,
        /// Page size asked for.
        pub max_keys: u32,
        /// Delimiter asked for.
        pub delimiter: Option<String>,
        /// Whether more pages follow.
        pub is_truncated: bool,
        /// Versions, delete markers and common prefixes, in the order sent.
        #[serde(rename = "$value")]
        pub entries: Vec<VersionListItem>,
    }

    /// One element of a ListObjectVersions result.
    #[derive(Debug, Clone, Deserialize)]
    pub enum VersionListItem {
        /// A version with data.
        Version(ObjectVersion),
        /// A delete marker.
        DeleteMarker(ObjectVersion),
        /// A common prefix.
        CommonPrefixes(CommonPrefix),
        /// The result's own fields (`Name`, `Prefix`, ...), read above.
        #[serde(other)]
        Other,
    }

    /// A version or delete marker in ListObjectVersions.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ObjectVersion {
        /// Key.
        pub key: String,
        /// Version id (`null` for the null version).
        pub version_id: String,
        /// Whether this is the key's current version.
        pub is_latest: bool,
        /// ISO 8601 time.
        pub last_modified: String,
        /// ETag (quoted as sent; empty for a delete marker).
        #[serde(rename = "ETag")]
        pub etag: String,
        /// Size in bytes (0 for a delete marker).
        pub size: u64,
        /// Storage class.
        pub storage_class: String,
        /// Owner.
        pub owner: Option<Owner>,
    }

    /// InitiateMultipartUpload result.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct InitiateMultipartUploadResult {
        /// Bucket.
        pub bucket: String,
        /// Key.
        pub key: String,
        /// Upload id.
        pub upload_id: String,
    }

    /// A part in CompleteMultipartUpload.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct CompletedPart {
        /// Part number, 1..=10000.
        pub part_number: u32,
        /// The part's ETag as UploadPart returned it.
        #[serde(rename = "ETag")]
        pub etag: String,
    }

    /// CompleteMultipartUpload request.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    pub struct CompleteMultipartUpload {
        /// Parts in ascending order.
        #[serde(rename = "Part", default)]
        pub parts: Vec<CompletedPart>,
    }

    /// CompleteMultipartUpload result.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct CompleteMultipartUploadResult {
        /// Object URL.
        pub location: String,
        /// Bucket.
        pub bucket: String,
        /// Key.
        pub key: String,
        /// Multipart ETag (`"md5-of-md5s-N"`).
        #[serde(rename = "ETag")]
        pub etag: String,
    }

    /// CopyObjectResult and CopyPartResult.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct CopyResult {
        /// Modification time of the copy.
        pub last_modified: String,
        /// ETag of the copy.
        #[serde(rename = "ETag")]
        pub etag: String,
    }

    /// One part of ListParts.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Part {
        /// Part number.
        pub part_number: u32,
        /// Upload time.
        pub last_modified: String,
        /// ETag.
        #[serde(rename = "ETag")]
        pub etag: String,
        /// Size.
        pub size: u64,
    }

    /// ListParts result.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ListPartsResult {
        /// Bucket.
        pub bucket: String,
        /// Key.
        pub key: String,
        /// Upload id.
        pub upload_id: String,
        /// Storage class.
        pub storage_class: String,
        /// Marker sent.
        pub part_number_marker: u32,
        /// Marker of the next page.
        pub next_part_number_marker: Option<u32>,
        /// Page size.
        pub max_parts: u32,
        /// Whether more pages follow.
        pub is_truncated: bool,
        /// The parts.
        #[serde(rename = "Part")]
        pub parts: Vec<Part>,
    }

    /// One upload of ListMultipartUploads.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Upload {
        /// Key.
        pub key: String,
        /// Upload id.
        pub upload_id: String,
        /// Storage class.
        pub storage_class: String,
        /// ISO 8601 start time.
        pub initiated: String,
    }

    /// ListMultipartUploads result.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ListMultipartUploadsResult {
        /// Bucket.
        pub bucket: String,
        /// Key marker sent.
        pub key_marker: String,
        /// Upload id marker sent.
        pub upload_id_marker: String,
        /// Next key marker.
        pub next_key_marker: Option<String>,
        /// Next upload id marker.
        pub next_upload_id_marker: Option<String>,
        /// Prefix.
        pub prefix: String,
        /// Page size.
        pub max_uploads: u32,
        /// Whether more pages follow.
        pub is_truncated: bool,
        /// The uploads.
        #[serde(rename = "Upload")]
        pub uploads: Vec<Upload>,
        /// Common prefixes.
        pub common_prefixes: Vec<CommonPrefix>,
    }

    /// An object to delete in DeleteObjects.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct ObjectIdentifier {
        /// Key.
        pub key: String,
        /// One version of it (`None`: the current one; on a versioned bucket that adds a
        /// delete marker).
        #[serde(rename = "VersionId", skip_serializing_if = "Option::is_none", default)]
        pub version_id: Option<String>,
    }

    /// DeleteObjects request.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(rename_all = "PascalCase")]
    pub struct Delete {
        /// Quiet mode: only errors are reported.
        pub quiet: bool,
        /// Keys to delete.
        #[serde(rename = "Object")]
        pub objects: Vec<ObjectIdentifier>,
    }

    /// A deleted key.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Deleted {
        /// Key.
        pub key: String,
        /// The version removed, when one was named.
        pub version_id: Option<String>,
        /// A delete marker was made, or the version removed was one.
        pub delete_marker: Option<bool>,
        /// The marker made or removed.
        pub delete_marker_version_id: Option<String>,
    }

    /// A key that could not be deleted.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct DeleteError {
        /// Key.
        pub key: String,
        /// The version named.
        pub version_id: Option<String>,
        /// S3 error code.
        pub code: String,
        /// Message.
        pub message: String,
    }

    /// DeleteObjects result.
    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct DeleteResult {
        /// Deleted keys (empty in quiet mode).
        pub deleted: Vec<Deleted>,
        /// Failures.
        pub error: Vec<DeleteError>,
    }

    /// An S3 error document.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ErrorDocument {
        /// Error code.
        pub code: String,
        /// Message.
        pub message: String,
        /// Resource.
        pub resource: String,
        /// Request id.
        pub request_id: String,
    }

    /// An ACL grantee.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default)]
    pub struct Grantee {
        /// XML namespace of `xsi:type`; set it to `http://www.w3.org/2001/XMLSchema-instance`.
        #[serde(rename = "@xmlns:xsi", skip_serializing_if = "Option::is_none")]
        pub xmlns_xsi: Option<String>,
        /// `CanonicalUser` or `Group`. (quick-xml matches attributes by local name when
        /// reading, so the prefix is written but not expected.)
        #[serde(
            rename(serialize = "@xsi:type", deserialize = "@type"),
            alias = "@xsi:type"
        )]
        pub kind: String,
        /// Canonical user id.
        #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        /// Display name.
        #[serde(rename = "DisplayName", skip_serializing_if = "Option::is_none")]
        pub display_name: Option<String>,
        /// Group URI.
        #[serde(rename = "URI", skip_serializing_if = "Option::is_none")]
        pub uri: Option<String>,
    }

    /// One grant.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Grant {
        /// Who.
        pub grantee: Grantee,
        /// `FULL_CONTROL`, `READ`, `WRITE`, `READ_ACP` or `WRITE_ACP`.
        pub permission: String,
    }

    /// `<AccessControlList>`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct AccessControlList {
        /// Grants.
        pub grant: Vec<Grant>,
    }

    /// Object or bucket tags: the body of PUT `?tagging` and the result of GET `?tagging`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Tagging {
        /// The tags.
        pub tag_set: TagSet,
    }

    /// `<TagSet>`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct TagSet {
        /// One entry per tag.
        pub tag: Vec<Tag>,
    }

    /// One tag.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Tag {
        /// Tag key.
        pub key: String,
        /// Tag value (may be empty).
        pub value: String,
    }

    /// GetBucketAcl result and PutBucketAcl body.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct AccessControlPolicy {
        /// Owner.
        pub owner: Owner,
        /// Grants.
        pub access_control_list: AccessControlList,
    }

    /// Website configuration.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct WebsiteConfiguration {
        /// Redirect every request.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub redirect_all_requests_to: Option<RedirectAllRequestsTo>,
        /// Index document.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub index_document: Option<IndexDocument>,
        /// Error document.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub error_document: Option<ErrorDocumentKey>,
        /// Routing rules.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub routing_rules: Option<RoutingRules>,
    }

    /// `<RedirectAllRequestsTo>`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct RedirectAllRequestsTo {
        /// Target host.
        pub host_name: String,
        /// `http` or `https`.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub protocol: Option<String>,
    }

    /// `<IndexDocument>`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct IndexDocument {
        /// e.g. `index.html`.
        pub suffix: String,
    }

    /// `<ErrorDocument>` of a website.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ErrorDocumentKey {
        /// e.g. `error.html`.
        pub key: String,
    }

    /// `<RoutingRules>`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct RoutingRules {
        /// Rules.
        pub routing_rule: Vec<RoutingRule>,
    }

    /// One routing rule.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct RoutingRule {
        /// When it applies.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub condition: Option<RoutingCondition>,
        /// Where it redirects.
        pub redirect: Redirect,
    }

    /// Routing condition.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct RoutingCondition {
        /// Error code to match.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub http_error_code_returned_equals: Option<String>,
        /// Key prefix to match.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub key_prefix_equals: Option<String>,
    }

    /// Routing redirect.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct Redirect {
        /// Host.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub host_name: Option<String>,
        /// Status code.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub http_redirect_code: Option<String>,
        /// Protocol.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub protocol: Option<String>,
        /// Prefix replacement.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub replace_key_prefix_with: Option<String>,
        /// Key replacement.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub replace_key_with: Option<String>,
    }

    /// Lifecycle configuration.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct LifecycleConfiguration {
        /// Rules.
        pub rule: Vec<LifecycleRule>,
    }

    /// One lifecycle rule.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct LifecycleRule {
        /// Rule id.
        #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        /// Key prefix (the older form).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub prefix: Option<String>,
        /// Filter (the newer form).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub filter: Option<LifecycleFilter>,
        /// `Enabled` or `Disabled`.
        pub status: String,
        /// When objects expire.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub expiration: Option<LifecycleExpiration>,
        /// When incomplete uploads are aborted.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub abort_incomplete_multipart_upload: Option<AbortIncompleteMultipartUpload>,
    }

    /// Lifecycle filter.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct LifecycleFilter {
        /// Key prefix.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub prefix: Option<String>,
    }

    /// Expiration: days after creation or a date.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct LifecycleExpiration {
        /// Days after creation.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub days: Option<u32>,
        /// ISO 8601 midnight date.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub date: Option<String>,
    }

    /// Abort of incomplete uploads.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct AbortIncompleteMultipartUpload {
        /// Days after initiation.
        pub days_after_initiation: u32,
    }

    /// CORS configuration.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default)]
    pub struct CorsConfiguration {
        /// Rules.
        #[serde(rename = "CORSRule")]
        pub rules: Vec<CorsRule>,
    }

    /// One CORS rule.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct CorsRule {
        /// Rule id.
        #[serde(rename = "ID", skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        /// Allowed origins.
        pub allowed_origin: Vec<String>,
        /// Allowed methods.
        pub allowed_method: Vec<String>,
        /// Allowed request headers.
        pub allowed_header: Vec<String>,
        /// Exposed response headers.
        pub expose_header: Vec<String>,
        /// Preflight cache time.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub max_age_seconds: Option<u32>,
    }

    /// Bucket logging status.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct BucketLoggingStatus {
        /// Absent: logging off.
        #[serde(skip_serializing_if = "Option::is_none")]
        pub logging_enabled: Option<LoggingEnabled>,
    }

    /// Where logs go.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct LoggingEnabled {
        /// Target bucket.
        pub target_bucket: String,
        /// Key prefix of the log objects.
        pub target_prefix: String,
    }

    /// OOS bucket acceleration.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default)]
    pub struct AccelerateConfiguration {
        /// `Enabled` or `Suspended`.
        #[serde(rename = "Status")]
        pub status: String,
        /// White-listed addresses or CIDRs.
        #[serde(rename = "IPWhiteLists", skip_serializing_if = "Option::is_none")]
        pub ip_white_lists: Option<IpWhiteLists>,
    }

    /// `<IPWhiteLists>`.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default)]
    pub struct IpWhiteLists {
        /// Addresses or CIDRs (at most 5).
        #[serde(rename = "IP")]
        pub ip: Vec<String>,
    }

    /// An IAM access key as CreateAccessKey and ListAccessKeys return it.
    #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct AccessKey {
        /// Owner's user name.
        pub user_name: String,
        /// Key id.
        pub access_key_id: String,
        /// `Active` or `Inactive`.
        pub status: String,
        /// Secret (CreateAccessKey only).
        #[serde(skip_serializing_if = "Option::is_none")]
        pub secret_access_key: Option<String>,
        /// Whether it is a primary key.
        pub is_primary: bool,
        /// Creation time.
        pub create_date: String,
    }

    /// `<CreateAccessKeyResponse>`.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct CreateAccessKeyResponse {
        /// Result.
        pub create_access_key_result: CreateAccessKeyResult,
    }

    /// `<CreateAccessKeyResult>`.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct CreateAccessKeyResult {
        /// The new key.
        pub access_key: AccessKey,
    }

    /// `<ListAccessKeysResponse>`.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ListAccessKeysResponse {
        /// Result.
        pub list_access_keys_result: ListAccessKeysResult,
    }

    /// `<ListAccessKeysResult>`.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct ListAccessKeysResult {
        /// Keys.
        pub access_key_metadata: AccessKeyMetadata,
        /// Whether more pages follow.
        pub is_truncated: bool,
        /// Marker of the next page.
        pub marker: Option<String>,
    }

    /// `<AccessKeyMetadata>`.
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default)]
    pub struct AccessKeyMetadata {
        /// Keys.
        #[serde(rename = "member")]
        pub member: Vec<AccessKey>,
    }

    /// An IAM error response (`<ErrorResponse><Error>…`).
    #[derive(Debug, Clone, Default, Deserialize)]
    #[serde(default, rename_all = "PascalCase")]
    pub struct IamErrorResponse {
        /// The error.
        pub error: ErrorDocument,
        /// Request id.
        pub request_id: String,
    }

    #[cfg(test)]
    mod tests {

        #[test]
        fn doctype_inside_an_element_is_malformed_not_a_panic() {
            #[derive(Debug, Deserialize)]
            struct Owner {
                #[serde(rename = "ID")]
                id: String,
            }
            for doc in [
                "<Owner><ID>a<!DOCTYPE x>b</ID></Owner>",
                "<Owner><ID>a<!doctype x>b</ID></Owner>",
            ] {
                assert!(from_xml::<Owner>(doc).is_err(), "{doc}");
            }
            let prolog = from_xml::<Owner>("<!DOCTYPE x><Owner><ID>a&lt;<!--c-->b</ID></Owner>");
            assert_eq!(prolog.unwrap().id, "a<b");
        }
        use super::*;
        use crate::xml::{from_xml, to_xml};

        const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

        #[test]
        fn request_documents_exact() {
            let d = Delete {
                quiet: true,
                objects: vec![
                    ObjectIdentifier {
                        key: "a".into(),
                        version_id: None,
                    },
                    ObjectIdentifier {
                        key: "b&c".into(),
                        version_id: Some("v1".into()),
                    },
                ],
            };
            assert_eq!(
                to_xml("Delete", &d),
                format!(
                    "{DECL}<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object>\
<Object><Key>b&amp;c</Key><VersionId>v1</VersionId></Object></Delete>"
                )
            );
            let c = CompleteMultipartUpload {
                parts: vec![CompletedPart {
                    part_number: 1,
                    etag: "\"e1\"".into(),
                }],
            };
            assert_eq!(
                to_xml("CompleteMultipartUpload", &c),
                format!(
                    "{DECL}<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>\
<ETag>\"e1\"</ETag></Part></CompleteMultipartUpload>"
                )
            );
            let l = LifecycleConfiguration {
                rule: vec![LifecycleRule {
                    id: Some("r".into()),
                    prefix: Some("logs/".into()),
                    status: "Enabled".into(),
                    expiration: Some(LifecycleExpiration {
                        days: Some(30),
                        date: None,
                    }),
                    ..Default::default()
                }],
            };
            assert_eq!(
                to_xml("LifecycleConfiguration", &l),
                format!(
                    "{DECL}<LifecycleConfiguration><Rule><ID>r</ID><Prefix>logs/</Prefix>\
<Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule></LifecycleConfiguration>"
                )
            );
            let a = AccessControlPolicy {
                owner: Owner {
                    id: "o".into(),
                    display_name: "n".into(),
                },
                access_control_list: AccessControlList {
                    grant: vec![Grant {
                        grantee: Grantee {
                            xmlns_xsi: Some("http://www.w3.org/2001/XMLSchema-instance".into()),
                            kind: "Group".into(),
                            uri: Some("http://acs.amazonaws.com/groups/global/AllUsers".into()),
                            ..Default::default()
                        },
                        permission: "READ".into(),
                    }],
                },
            };
            let xml = to_xml("AccessControlPolicy", &a);
            assert_eq!(
                xml,
                format!(
                    "{DECL}<AccessControlPolicy><Owner><ID>o</ID><DisplayName>n</DisplayName>\
</Owner><AccessControlList><Grant><Grantee \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\">\
<URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ\
</Permission></Grant></AccessControlList></AccessControlPolicy>"
                )
            );
            // What is written reads back (the xsi:type attribute included).
            let back: AccessControlPolicy = from_xml(&xml).unwrap();
            assert_eq!(back, a);
        }

        #[test]
        fn version_listings_keep_their_order() {
            let doc: ListVersionsResult = from_xml(
                "<ListVersionsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
<Name>b</Name><Prefix></Prefix><KeyMarker></KeyMarker><VersionIdMarker></VersionIdMarker>\
<NextKeyMarker>k</NextKeyMarker><NextVersionIdMarker>v1</NextVersionIdMarker>\
<MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated>\
<Version><Key>a</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest>\
<LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>3</Size>\
<Owner><ID>o</ID><DisplayName>n</DisplayName></Owner><StorageClass>STANDARD</StorageClass></Version>\
<DeleteMarker><Key>k</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest>\
<LastModified>2026-01-01T00:00:00.000Z</LastModified></DeleteMarker>\
<Version><Key>k</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest><Size>1</Size></Version>\
<CommonPrefixes><Prefix>p/</Prefix></CommonPrefixes></ListVersionsResult>",
            )
            .unwrap();
            assert!(doc.is_truncated);
            assert_eq!(doc.next_version_id_marker.as_deref(), Some("v1"));
            let seen: Vec<String> = doc
                .entries
                .iter()
                .filter_map(|e| match e {
                    VersionListItem::Version(v) => {
                        Some(format!("V {} {} {}", v.key, v.version_id, v.is_latest))
                    }
                    VersionListItem::DeleteMarker(v) => {
                        Some(format!("M {} {}", v.key, v.version_id))
                    }
                    VersionListItem::CommonPrefixes(p) => Some(format!("P {}", p.prefix)),
                    VersionListItem::Other => None,
                })
                .collect();
            assert_eq!(seen, ["V a v3 true", "M k v2", "V k v1 false", "P p/"]);
        }

        #[test]
        fn response_documents_parse() {
            let v2: ListBucketResult = from_xml(
                "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>\
<Prefix/><KeyCount>1</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>true</IsTruncated>\
<NextContinuationToken>t</NextContinuationToken><Contents><Key>k</Key>\
<LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>\"e\"</ETag><Size>3</Size>\
<StorageClass>STANDARD</StorageClass></Contents><CommonPrefixes><Prefix>d/</Prefix>\
</CommonPrefixes></ListBucketResult>",
            )
            .unwrap();
            assert!(v2.is_truncated);
            assert_eq!(v2.next_continuation_token.as_deref(), Some("t"));
            assert_eq!(v2.contents[0].size, 3);
            assert_eq!(v2.contents[0].etag, "\"e\"");
            assert_eq!(v2.common_prefixes[0].prefix, "d/");
            let keys: ListAccessKeysResponse = from_xml(
                "<ListAccessKeysResponse><ListAccessKeysResult><AccessKeyMetadata><member>\
<UserName>u</UserName><AccessKeyId>K1</AccessKeyId><Status>Active</Status>\
<IsPrimary>true</IsPrimary><CreateDate>2024-01-01T00:00:00Z</CreateDate></member>\
</AccessKeyMetadata><IsTruncated>false</IsTruncated></ListAccessKeysResult>\
</ListAccessKeysResponse>",
            )
            .unwrap();
            let k = &keys.list_access_keys_result.access_key_metadata.member[0];
            assert_eq!((k.access_key_id.as_str(), k.is_primary), ("K1", true));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Request documents keep every byte of their text: a key that differs from another only by
    /// whitespace must never be read as that other key (a delete would remove the wrong object).
    #[test]
    fn request_text_is_verbatim() {
        let doc: Delete = from_xml(
            "<Delete>\n  <Quiet> true </Quiet>\n  <Object><Key>_ </Key></Object>\n  \
             <Object><Key> </Key></Object><Object><Key>\tk\n</Key></Object>\n  \
             <Object><Key>&#x20;a&amp;b&lt;&#9;</Key></Object><Object><Key><![CDATA[ c ]]></Key></Object>\n</Delete>",
        )
        .unwrap();
        assert_eq!(doc.quiet, Some(true));
        let keys: Vec<&str> = doc.objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, ["_ ", " ", "\tk\n", " a&b<\t", " c "]);
        // Entities other than the five predefined ones are malformed, not dropped.
        assert!(from_xml::<Delete>("<Delete><Object><Key>&x;</Key></Object></Delete>").is_err());
    }

    /// Checksum fields flatten into the documents that carry them, attributes intact.
    #[test]
    fn checksum_fields_flatten() {
        let doc = CopyResult {
            xmlns: XMLNS,
            last_modified: "t".into(),
            etag: "\"e\"".into(),
            checksum: ChecksumValues::of("CRC32", "AAAAAA=="),
            checksum_type: Some("FULL_OBJECT"),
        };
        let text = to_xml("CopyObjectResult", &doc);
        assert!(
            text.contains(&format!("<CopyObjectResult xmlns=\"{XMLNS}\">")),
            "{text}"
        );
        assert!(
            text.contains(
                "<ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumType>FULL_OBJECT</ChecksumType>"
            ),
            "{text}"
        );
        assert!(!text.contains("SHA256"), "{text}");
        let part: CompleteMultipartUpload = from_xml(
            "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>\"x\"</ETag>\
             <ChecksumSHA256>abc=</ChecksumSHA256></Part></CompleteMultipartUpload>",
        )
        .unwrap();
        assert_eq!(part.parts[0].part_number, 2);
        assert_eq!(part.parts[0].checksum().get("SHA256"), Some("abc="));
        assert_eq!(part.parts[0].checksum().present(), ["SHA256"]);
    }

    #[test]
    fn push_text_and_refs() {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str("<a> x&amp;&#x41;&#66;\r\ny </a>");
        let mut out = String::new();
        loop {
            match reader.read_event().unwrap() {
                Event::Text(t) => push_text(&mut out, &t).unwrap(),
                Event::GeneralRef(r) => push_ref(&mut out, &r).unwrap(),
                Event::Eof => break,
                _ => {}
            }
        }
        // Line ends are normalised as XML 1.0 requires; nothing else changes.
        assert_eq!(out, " x&AB\ny ");
    }

    #[test]
    fn error_document_exact() {
        let doc = ErrorDocument {
            code: "NoSuchKey",
            message: "The specified key does not exist.",
            resource: "/b/k",
            request_id: "R1",
            host_id: "h",
        };
        assert_eq!(
            to_xml("Error", &doc),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
<Message>The specified key does not exist.</Message><Resource>/b/k</Resource>\
<RequestId>R1</RequestId><HostId>h</HostId></Error>"
        );
    }

    #[test]
    fn list_v1_exact() {
        let doc = ListBucketResultV1 {
            xmlns: XMLNS,
            name: "b".into(),
            prefix: String::new(),
            marker: String::new(),
            next_marker: None,
            max_keys: 1000,
            delimiter: Some("/".into()),
            encoding_type: None,
            is_truncated: false,
            contents: vec![ListObjectEntry {
                key: "a&b".into(),
                last_modified: "2009-10-12T17:50:30.000Z".into(),
                etag: "\"x\"".into(),
                checksum_algorithm: None,
                checksum_type: None,
                size: 3,
                owner: None,
                storage_class: "STANDARD".into(),
            }],
            common_prefixes: vec![CommonPrefix {
                prefix: "d/".into(),
            }],
        };
        assert_eq!(
            to_xml("ListBucketResult", &doc),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult \
xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix/><Marker/>\
<MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>\
<Contents><Key>a&amp;b</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>\
<ETag>\"x\"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>\
<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListBucketResult>"
        );
    }

    #[test]
    fn parses_delete_and_complete() {
        let d: Delete = from_xml(
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>\
<Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>",
        )
        .unwrap();
        assert_eq!(d.quiet, Some(true));
        assert_eq!(d.objects.len(), 2);
        let c: CompleteMultipartUpload = from_xml(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part>\
</CompleteMultipartUpload>",
        )
        .unwrap();
        assert_eq!(c.parts[0].part_number, 1);
        assert_eq!(c.parts[0].etag, "\"e\"");
        assert!(from_xml::<Delete>("<Delete><Object>").is_err());
    }

    #[test]
    fn bucket_configuration_round_trip() {
        let c: CreateBucketConfiguration = from_xml(
            "<CreateBucketConfiguration><MetadataLocationConstraint><Location>ChengDu</Location>\
</MetadataLocationConstraint><DataLocationConstraint><Type>Specified</Type><LocationList>\
<Location>ChengDu</Location><Location>LaSa</Location></LocationList>\
<ScheduleStrategy>Allowed</ScheduleStrategy></DataLocationConstraint></CreateBucketConfiguration>",
        )
        .unwrap();
        let data = c.data_location.unwrap();
        assert_eq!(
            data.location_list.unwrap().location,
            vec!["ChengDu", "LaSa"]
        );
        assert_eq!(c.metadata_location.unwrap().location, "ChengDu");
    }
}

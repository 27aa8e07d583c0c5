//! Row types of the metadata store. Times are Unix milliseconds (UTC).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    /// Stable internal id (also the canonical user id shown in Owner elements).
    pub id: String,
    /// Account name, shown as DisplayName.
    pub name: String,
    pub created: i64,
    pub disabled: bool,
    /// The regions the account may use (names from the server's config); `None` = all.
    pub regions: Option<Vec<String>>,
}

/// A key of the server's key store (SSE-KMS). Keys are never deleted, only disabled: objects
/// encrypted under a deleted key could never be read again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsKey {
    pub id: String,
    /// A unique second name (`alias/...`), if given.
    pub alias: Option<String>,
    pub description: String,
    pub created: i64,
    pub enabled: bool,
    /// The key material as stored (the server seals it before it reaches the store).
    pub material: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub access_key_id: String,
    pub account_id: String,
    /// The secret as stored (the server encrypts it before it reaches the store).
    pub secret: String,
    pub primary: bool,
    pub active: bool,
    pub created: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    /// Account id of the owner.
    pub owner: String,
    pub created: i64,
    /// The ACL document as the server stores it (a canned name or a JSON grant list; opaque
    /// to the store).
    pub acl: String,
    /// Bucket configuration documents not interpreted by the store, keyed by kind
    /// (`location`, `policy`, `website`, `cors`, `lifecycle`, `logging`, `accelerate`, ...).
    pub config: Vec<(String, String)>,
    /// Whether writes keep the versions they replace. The store reads it inside every write
    /// transaction, so a write and a versioning change never interleave.
    pub versioning: Versioning,
}

/// A bucket's versioning state. A bucket that was ever versioned never returns to
/// `Unversioned` (S3); the server enforces that, the store just records the state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Versioning {
    /// Every write replaces the object; every object is the `null` version.
    #[default]
    Unversioned,
    /// Every write creates a new version with a fresh id; deletes add delete markers.
    Enabled,
    /// Writes replace the `null` version; older versions with ids are kept.
    Suspended,
}

impl Versioning {
    /// The S3 `Status` value (empty for a bucket never versioned); also the stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Versioning::Unversioned => "",
            Versioning::Enabled => "Enabled",
            Versioning::Suspended => "Suspended",
        }
    }

    /// The inverse of [`Versioning::as_str`]; anything else is `None`.
    pub fn parse(s: &str) -> Option<Versioning> {
        match s {
            "" => Some(Versioning::Unversioned),
            "Enabled" => Some(Versioning::Enabled),
            "Suspended" => Some(Versioning::Suspended),
            _ => None,
        }
    }
}

/// The version id S3 shows for the `null` version (objects written while unversioned or
/// suspended). The store keeps such versions with `version_id: None`.
pub const NULL_VERSION: &str = "null";

/// A fresh, opaque version id: 32 characters from `[0-9A-Za-z]`, never equal to `null`.
pub fn new_version_id() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 32)
}

/// Where an object's bytes live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DataRef {
    /// Small objects stored in the row itself.
    Inline(Vec<u8>),
    /// One data id holding the whole object.
    Single(String),
    /// A completed multipart upload: the parts' data in order.
    Parts(Vec<PartRef>),
}

impl DataRef {
    /// Data ids referenced (empty for inline data).
    pub fn data_ids(&self) -> Vec<&str> {
        match self {
            DataRef::Inline(_) => Vec::new(),
            DataRef::Single(id) => vec![id.as_str()],
            DataRef::Parts(parts) => parts.iter().map(|p| p.data_id.as_str()).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRef {
    pub data_id: String,
    pub size: u64,
    /// The part's checksum (base64) in the object's checksum algorithm, when it has one:
    /// GetObjectAttributes and `?partNumber=` reads return it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// HTTP attributes stored with an object and returned on GET/HEAD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectAttrs {
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub content_language: Option<String>,
    pub cache_control: Option<String>,
    pub expires: Option<String>,
    pub website_redirect: Option<String>,
    /// `x-amz-meta-*` pairs, names lower-cased without the prefix, in request order.
    pub user_meta: Vec<(String, String)>,
    /// Names of `user_meta` entries whose value arrived as bytes that are not UTF-8 (HTTP
    /// clients send Latin-1): stored one char per byte and answered as those same bytes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub user_meta_bytes: Vec<String>,
    /// Checksum (algorithm name such as `CRC32`, base64 value) the client asked for; a
    /// composite checksum of a multipart object ends in `-N`, its number of parts.
    pub checksum: Option<(String, String)>,
    /// How `checksum` covers the object; `None` is a full-object checksum (single PUTs and
    /// objects written before checksum types existed). On an upload: the type asked for at
    /// initiation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum_type: Option<ChecksumType>,
    /// On an upload: the checksum algorithm (S3 name) asked for at initiation, which every
    /// part is checked with. Cleared when the upload becomes an object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum_algorithm: Option<String>,
    /// The object's own ACL document (opaque to the store), when one was set.
    #[serde(default)]
    pub acl: Option<String>,
    /// The region holding the data (chosen at PUT or at multipart initiation); `None` for
    /// objects written before regions existed, which live in the local region's pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_region: Option<String>,
    /// Object tags (`x-amz-tagging`, PutObjectTagging), in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
    /// The multipart upload this object was completed from: a repeated
    /// CompleteMultipartUpload of that upload answers as the first one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_upload: Option<String>,
    /// Object Lock retention of this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<Retention>,
    /// Object Lock legal hold as last set (`None`: never set, which S3 reports differently
    /// from `OFF`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legal_hold: Option<bool>,
    /// How the data is encrypted at rest; `None`: stored as sent. On an upload: what every
    /// part is encrypted with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse: Option<Sse>,
}

/// Server-side encryption of an object's data (opaque to the store beyond its fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sse {
    /// `AES256` (SSE-S3), `aws:kms` (SSE-KMS) or `SSE-C` (customer key).
    pub mode: String,
    /// SSE-KMS: the key id as the client named it (answered in
    /// `x-amz-server-side-encryption-aws-kms-key-id`) and the key store's id for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key: Option<String>,
    /// SSE-KMS: the encryption context as sent (base64 JSON), bound into the sealed key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// SSE-S3 and SSE-KMS: the object key, sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_key: Option<String>,
    /// SSE-C: a salted check value of the customer key (never the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_check: Option<String>,
    /// SSE-C: the customer key's MD5 (base64), answered on writes and reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_md5: Option<String>,
    /// `x-amz-server-side-encryption-bucket-key-enabled` as asked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bucket_key: bool,
}

/// How a multipart upload's checksum is formed (S3 `x-amz-checksum-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChecksumType {
    /// A checksum of the parts' checksums, followed by `-N`.
    Composite,
    /// A CRC of the whole object, combined from the parts' CRCs.
    FullObject,
}

impl ChecksumType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumType::Composite => "COMPOSITE",
            ChecksumType::FullObject => "FULL_OBJECT",
        }
    }

    /// The inverse of [`ChecksumType::as_str`] (exact, as S3).
    pub fn parse(s: &str) -> Option<ChecksumType> {
        match s {
            "COMPOSITE" => Some(ChecksumType::Composite),
            "FULL_OBJECT" => Some(ChecksumType::FullObject),
            _ => None,
        }
    }
}

/// Object Lock retention modes (S3 spelling in [`LockMode::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LockMode {
    /// Removable before its date only by callers allowed to bypass governance retention.
    Governance,
    /// Removable by nobody before its date; the date can only move later.
    Compliance,
}

impl LockMode {
    pub fn as_str(self) -> &'static str {
        match self {
            LockMode::Governance => "GOVERNANCE",
            LockMode::Compliance => "COMPLIANCE",
        }
    }

    /// The inverse of [`LockMode::as_str`] (exact, case-sensitive, as S3).
    pub fn parse(s: &str) -> Option<LockMode> {
        match s {
            "GOVERNANCE" => Some(LockMode::Governance),
            "COMPLIANCE" => Some(LockMode::Compliance),
            _ => None,
        }
    }
}

/// A version's retention: its mode and the time (Unix ms) until which it is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    pub mode: LockMode,
    pub until: i64,
}

/// What a removal (or a retention change) may override of Object Lock. The store applies it
/// inside the transaction that removes or changes the version, so a lock set concurrently
/// is never missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockCheck {
    /// The time retention dates are compared with (the server's clock).
    pub now: i64,
    /// The caller asked to bypass GOVERNANCE retention and is allowed to.
    pub bypass_governance: bool,
}

impl LockCheck {
    /// No bypass, at `now`.
    pub fn strict(now: i64) -> LockCheck {
        LockCheck {
            now,
            bypass_governance: false,
        }
    }

    /// Whether `retention` still protects its version.
    fn active(&self, retention: Option<&Retention>) -> Option<LockMode> {
        retention.filter(|r| r.until > self.now).map(|r| r.mode)
    }

    /// Whether a version with these attributes may be removed for good.
    pub fn permits_removal(&self, attrs: &ObjectAttrs) -> bool {
        if attrs.legal_hold == Some(true) {
            return false;
        }
        match self.active(attrs.retention.as_ref()) {
            None => true,
            Some(LockMode::Governance) => self.bypass_governance,
            Some(LockMode::Compliance) => false,
        }
    }

    /// Whether a version's retention may change from `old` to `new` (`None`: removed). An
    /// active retention can only be kept or extended in its own mode (COMPLIANCE may also be
    /// reached from GOVERNANCE only with a bypass); a bypass lets GOVERNANCE change freely.
    pub fn permits_retention_change(
        &self,
        old: Option<&Retention>,
        new: Option<&Retention>,
    ) -> bool {
        let Some(mode) = self.active(old) else {
            return true;
        };
        let old_until = old.map_or(0, |r| r.until);
        let keeps = new.is_some_and(|n| n.mode == mode && n.until >= old_until);
        match mode {
            LockMode::Compliance => keeps,
            LockMode::Governance => keeps || self.bypass_governance,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub bucket: String,
    pub key: String,
    pub size: u64,
    /// ETag without quotes (`hex md5` or `hex-N` for multipart).
    pub etag: String,
    pub last_modified: i64,
    pub storage_class: String,
    pub attrs: ObjectAttrs,
    pub data: DataRef,
    /// `None`: the `null` version. The store assigns it on write (a fresh id when the bucket
    /// has versioning enabled); what a caller puts here is ignored.
    pub version_id: Option<String>,
    /// A delete marker: a version without data that hides the versions below it.
    pub delete_marker: bool,
}

impl Object {
    /// The version id as S3 shows it (`null` for the null version).
    pub fn version_label(&self) -> &str {
        self.version_id.as_deref().unwrap_or(NULL_VERSION)
    }
}

/// What a delete did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteOutcome {
    /// A version was removed or a delete marker was created.
    pub changed: bool,
    /// The version removed, or the delete marker created (`None`: the null version).
    pub version_id: Option<String>,
    /// The delete created a marker, or the version it removed was one.
    pub delete_marker: bool,
}

/// A condition on the object a write would replace (S3 conditional writes), checked in the
/// same transaction as the write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum WriteCondition {
    #[default]
    Always,
    /// `If-None-Match: *`: only if no object has the key (`PreconditionFailed` otherwise).
    Absent,
    /// `If-Match: <etag>`: only if the current object has this ETag (without quotes);
    /// `NoSuchKey` if there is none, `PreconditionFailed` if it differs.
    EtagIs(String),
}

impl WriteCondition {
    /// Whether the condition holds over the current object's ETag (`None`: no object).
    pub fn check(&self, current_etag: Option<&str>) -> crate::MetaResult<()> {
        match (self, current_etag) {
            (WriteCondition::Absent, Some(_)) => Err(crate::MetaError::PreconditionFailed),
            (WriteCondition::EtagIs(_), None) => Err(crate::MetaError::NoSuchKey),
            (WriteCondition::EtagIs(want), Some(have)) if want != have => {
                Err(crate::MetaError::PreconditionFailed)
            }
            _ => Ok(()),
        }
    }
}

/// A listing request. Keys are compared bytewise.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// Return only keys (and common prefixes) strictly greater than this.
    pub start_after: Option<String>,
    /// Maximum number of entries (objects plus common prefixes), at most 1000.
    pub max_keys: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
// Entries live in a page's Vec and are moved, not copied around; boxing the large variant
// would only add an allocation per entry (and change the contract the server uses).
#[allow(clippy::large_enum_variant)]
pub enum ListEntry {
    Object(Object),
    /// A common prefix (prefix + everything up to and including the delimiter).
    CommonPrefix(String),
}

#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub entries: Vec<ListEntry>,
    /// More entries exist after the last one returned.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub initiated: i64,
    pub storage_class: String,
    pub attrs: ObjectAttrs,
    /// Account id of the initiator.
    pub initiator: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub upload_id: String,
    pub part_number: u32,
    pub size: u64,
    /// ETag without quotes.
    pub etag: String,
    pub last_modified: i64,
    pub data: DataRef,
    pub checksum: Option<(String, String)>,
}

/// ListObjectVersions request: versions ordered by key, newest first within a key.
#[derive(Debug, Clone, Default)]
pub struct VersionQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// Start after this key (all of its versions), or with `version_id_marker`, after that
    /// version of it.
    pub key_marker: Option<String>,
    /// S3's spelling: `null` for the null version.
    pub version_id_marker: Option<String>,
    pub max_keys: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
// Entries live in a page's Vec and are moved, not copied around (as for ListEntry).
#[allow(clippy::large_enum_variant)]
pub enum VersionEntry {
    /// A version or delete marker; `latest` when it is the key's current version.
    Version {
        object: Object,
        latest: bool,
    },
    CommonPrefix(String),
}

#[derive(Debug, Clone, Default)]
pub struct VersionPage {
    pub entries: Vec<VersionEntry>,
    pub truncated: bool,
}

/// ListMultipartUploads request.
#[derive(Debug, Clone, Default)]
pub struct UploadQuery {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub key_marker: Option<String>,
    /// Only meaningful with `key_marker`: uploads of that key with a greater id are included.
    pub upload_id_marker: Option<String>,
    pub max_uploads: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
// Entries live in a page's Vec and are moved, not copied around; boxing the large variant
// would only add an allocation per entry (and change the contract the server uses).
#[allow(clippy::large_enum_variant)]
pub enum UploadEntry {
    Upload(Upload),
    CommonPrefix(String),
}

#[derive(Debug, Clone, Default)]
pub struct UploadPage {
    pub entries: Vec<UploadEntry>,
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub objects: u64,
    pub bytes: u64,
}

//! Metadata store: everything about buckets, objects, uploads and accounts except object bytes.
//!
//! The server talks to metadata only through [`MetaStore`]. The embedded default is
//! [`SqliteStore`] (WAL, `synchronous=FULL`, one writer thread that group-commits, a reader pool);
//! a PostgreSQL backend for scale-out will implement the same trait and pass the same
//! conformance suite (`tests/conformance.rs`).
//!
//! Object keys are compared bytewise everywhere (S3 listing order), so listing is an index range
//! scan that jumps over whole common prefixes instead of reading them.

mod model;
mod sqlite;

pub use model::*;
pub use sqlite::{SqliteStore, StoreSummary};

use async_trait::async_trait;

/// Errors of the metadata layer. The server maps them to S3 error codes in one place.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("no such bucket")]
    NoSuchBucket,
    #[error("bucket is owned by another account")]
    BucketOwnedByOther,
    #[error("bucket is not empty")]
    BucketNotEmpty,
    #[error("no such upload")]
    NoSuchUpload,
    #[error("no such key")]
    NoSuchKey,
    /// A conditional write's condition did not hold.
    #[error("precondition failed")]
    PreconditionFailed,
    /// Object Lock (retention or legal hold) forbids removing or changing the version.
    #[error("the object version is locked")]
    ObjectLocked,
    /// An account, access key, … that does not exist (or is not the caller's).
    #[error("not found")]
    NotFound,
    /// A name that must be unique is taken.
    #[error("already exists")]
    AlreadyExists,
    /// A per-account quota would be exceeded.
    #[error("limit exceeded")]
    LimitExceeded,
    /// The change would leave an account without an active primary access key.
    #[error("the account must keep an active primary access key")]
    LastPrimaryKey,
    #[error("metadata store failure: {0}")]
    Backend(String),
}

pub type MetaResult<T> = Result<T, MetaError>;

/// The metadata operations the server needs. Every method is one transaction: each either
/// happens completely or not at all, and is durable when it returns `Ok`.
#[async_trait]
pub trait MetaStore: Send + Sync + 'static {
    // ---- accounts ----
    /// Creates the account and its primary key if the account id does not exist yet; if it
    /// exists, returns it unchanged (idempotent first start).
    async fn ensure_account(&self, account: Account, key: AccessKey) -> MetaResult<Account>;
    async fn get_access_key(&self, access_key_id: &str) -> MetaResult<Option<AccessKey>>;
    async fn get_account(&self, account_id: &str) -> MetaResult<Option<Account>>;
    /// Creates an account with its first (primary, active) key. `AlreadyExists` if the
    /// account id or name is taken, or the key id exists.
    async fn create_account(&self, account: Account, key: AccessKey) -> MetaResult<()>;
    /// The account with this name.
    async fn get_account_by_name(&self, name: &str) -> MetaResult<Option<Account>>;
    /// All accounts, ordered by name.
    async fn list_accounts(&self) -> MetaResult<Vec<Account>>;
    /// Disables or re-enables an account. `NotFound` if it does not exist.
    async fn set_account_disabled(&self, account_id: &str, disabled: bool) -> MetaResult<()>;
    /// Limits the account to `regions` (`None`: every region). `NotFound` if it does not exist.
    async fn set_account_regions(
        &self,
        account_id: &str,
        regions: Option<Vec<String>>,
    ) -> MetaResult<()>;

    // ---- access keys (the IAM AccessKey API) ----
    /// Adds a key to `key.account_id`. `LimitExceeded` when the account already has `quota`
    /// keys; `AlreadyExists` if the key id exists; `NotFound` if the account does not.
    async fn create_access_key(&self, key: AccessKey, quota: usize) -> MetaResult<()>;
    /// The account's keys, ordered by access key id.
    async fn list_access_keys(&self, account_id: &str) -> MetaResult<Vec<AccessKey>>;
    /// Sets a key's status and, when given, whether it is primary. `NotFound` if the key does
    /// not exist or belongs to another account; `LastPrimaryKey` if afterwards the account
    /// would have no key that is both active and primary (nothing changes then).
    async fn update_access_key(
        &self,
        account_id: &str,
        access_key_id: &str,
        active: bool,
        primary: Option<bool>,
    ) -> MetaResult<()>;
    /// Deletes a key, with the same `NotFound` and `LastPrimaryKey` rules.
    async fn delete_access_key(&self, account_id: &str, access_key_id: &str) -> MetaResult<()>;

    // ---- key store (SSE-KMS) ----
    /// Adds a key; `AlreadyExists` if its id or alias is taken.
    async fn create_kms_key(&self, key: KmsKey) -> MetaResult<()>;
    /// A key by id or by alias.
    async fn get_kms_key(&self, id_or_alias: &str) -> MetaResult<Option<KmsKey>>;
    /// Every key, oldest first.
    async fn list_kms_keys(&self) -> MetaResult<Vec<KmsKey>>;
    /// Enables or disables a key (by id or alias); `NotFound` if there is none.
    async fn set_kms_key_enabled(&self, id_or_alias: &str, enabled: bool) -> MetaResult<()>;

    // ---- buckets ----
    /// Creates the bucket. If a bucket of that name exists: `Ok(false)` when the same owner owns
    /// it (S3 and OOS answer 200 for the owner), `Err(BucketOwnedByOther)` otherwise.
    async fn create_bucket(&self, bucket: Bucket) -> MetaResult<bool>;
    async fn get_bucket(&self, name: &str) -> MetaResult<Option<Bucket>>;
    /// Buckets of one owner, ordered by name.
    async fn list_buckets(&self, owner: &str) -> MetaResult<Vec<Bucket>>;
    /// Deletes an empty bucket (`BucketNotEmpty` if any version or delete marker exists). Its in-progress
    /// multipart uploads are aborted in the same transaction; their parts' data ids go to GC.
    async fn delete_bucket(&self, name: &str) -> MetaResult<()>;
    /// Replaces the bucket's ACL document (opaque to the store). `NoSuchBucket` if missing.
    async fn set_bucket_acl(&self, name: &str, acl: &str) -> MetaResult<()>;
    /// Sets (`Some`) or removes (`None`) one configuration document of the bucket, keyed by
    /// kind (`policy`, `website`, …). `NoSuchBucket` if missing.
    async fn set_bucket_config(
        &self,
        name: &str,
        kind: &str,
        value: Option<&str>,
    ) -> MetaResult<()>;
    /// Counts of objects and their bytes, over all buckets (for metrics).
    async fn usage(&self) -> MetaResult<Usage>;
    /// Every bucket (of any owner) that has a configuration document of `kind`, by name: what
    /// background workers walk (lifecycle, say) without visiting every account.
    async fn buckets_with_config(&self, kind: &str) -> MetaResult<Vec<Bucket>>;
    /// Counts of objects and their bytes in one bucket (zero for an empty or unknown bucket).
    async fn bucket_usage(&self, bucket: &str) -> MetaResult<Usage>;

    /// Records the bucket's versioning state. `NoSuchBucket` if missing.
    async fn set_bucket_versioning(&self, name: &str, state: Versioning) -> MetaResult<()>;

    // ---- objects ----
    //
    // A key has at most one current version (the row that GET without a version id sees,
    // possibly a delete marker) and any number of noncurrent ones. Writes follow the bucket's
    // versioning state as read in the same transaction: unversioned and suspended buckets
    // replace the `null` version (queueing its data for GC), enabled ones keep what they
    // replace as the newest noncurrent version.

    /// Stores `object` as the key's current version (its `version_id` is assigned here).
    /// Returns the version id given (`None`: the null version). `NoSuchBucket` if the bucket
    /// vanished.
    async fn put_object(&self, object: Object) -> MetaResult<Option<String>>;
    /// [`MetaStore::put_object`] if `condition` holds for the current version (a delete
    /// marker counts as no object).
    async fn put_object_if(
        &self,
        object: Object,
        condition: WriteCondition,
    ) -> MetaResult<Option<String>>;
    /// The current version if it is not a delete marker.
    async fn get_object(&self, bucket: &str, key: &str) -> MetaResult<Option<Object>>;
    /// One version: `None` selects the current one (which may be a delete marker), `null`
    /// the null version, anything else the version with that id.
    async fn get_object_version(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
    ) -> MetaResult<Option<Object>>;
    /// Sets (or with `None` clears) one version's own ACL document, changing nothing else.
    /// `NoSuchKey` if that version does not exist or is a delete marker.
    async fn set_object_acl(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        acl: Option<String>,
    ) -> MetaResult<()>;
    /// Replaces one version's tags, changing nothing else; `NoSuchKey` as for the ACL.
    async fn set_object_tags(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        tags: Vec<(String, String)>,
    ) -> MetaResult<()>;
    /// Sets (or with `None` removes) one version's Object Lock retention, if `lock` permits
    /// the change ([`LockCheck::permits_retention_change`], checked in the same transaction);
    /// `ObjectLocked` if not, `NoSuchKey` as for the ACL.
    async fn set_object_retention(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        retention: Option<Retention>,
        lock: LockCheck,
    ) -> MetaResult<()>;
    /// Turns one version's legal hold on or off; `NoSuchKey` as for the ACL.
    async fn set_object_legal_hold(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        on: bool,
    ) -> MetaResult<()>;
    /// S3 DeleteObject. Without a version: removes the object (unversioned), or adds a delete
    /// marker as the current version (enabled; suspended also removes the null version and
    /// the marker is the null version). With a version: removes exactly that version; when it
    /// was current, the newest noncurrent version becomes current. Removed data goes to GC.
    /// A version that Object Lock protects (see [`LockCheck::permits_removal`]) is never
    /// removed, by this or any other method: `ObjectLocked`, and nothing changes.
    async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        lock: LockCheck,
    ) -> MetaResult<DeleteOutcome>;
    /// Many [`MetaStore::delete_object`]s of one bucket in one transaction, in order; a
    /// locked entry is `Err(ObjectLocked)` in its place and the others go ahead.
    async fn delete_objects(
        &self,
        bucket: &str,
        objects: &[(String, Option<String>)],
        lock: LockCheck,
    ) -> MetaResult<Vec<MetaResult<DeleteOutcome>>>;
    /// Deletes (as [`MetaStore::delete_object`] without a version) each `(key, etag,
    /// last_modified)` only if the current version still has that etag and modification time
    /// (a background deleter never removes an object written after it looked); returns, per
    /// entry, whether it was deleted.
    async fn delete_objects_if_unchanged(
        &self,
        bucket: &str,
        objects: &[(String, String, i64)],
    ) -> MetaResult<Vec<bool>>;
    /// Lifecycle tiering: gives the version `object` names (bucket, key, version id) `data`
    /// and `storage_class` instead of its own, changing nothing else (ETag, size, modification
    /// time, attributes, its place among the versions), and only while it is still that
    /// version unchanged: not a delete marker, with `object`'s etag, modification time and
    /// data. A version that became noncurrent meanwhile is the same version and is switched.
    /// The new data ids are counted before the old ones are dropped, so an id both share
    /// stays; old ids nothing references any more go to GC. Returns whether the data was
    /// replaced: `false` changes nothing, and `data` is then the caller's to discard.
    /// `NoSuchBucket` if the bucket is gone.
    async fn replace_object_data_if_unchanged(
        &self,
        object: &Object,
        data: DataRef,
        storage_class: &str,
    ) -> MetaResult<bool>;
    /// Removes each `(key, version_id)` only while it is a noncurrent version (lifecycle
    /// expiry of old versions never touches a version that became current again); returns,
    /// per entry, whether it was removed. Versions under Object Lock at `now` stay.
    async fn delete_noncurrent_versions(
        &self,
        bucket: &str,
        versions: &[(String, String)],
        now: i64,
    ) -> MetaResult<Vec<bool>>;
    /// Removes each `(key, version_id)` only while it is a current delete marker with no
    /// noncurrent version below it (lifecycle's `ExpiredObjectDeleteMarker`).
    async fn delete_lone_markers(
        &self,
        bucket: &str,
        markers: &[(String, String)],
    ) -> MetaResult<Vec<bool>>;
    /// One page of a listing of current versions (delete markers hidden), see [`ListQuery`].
    async fn list_objects(&self, bucket: &str, query: &ListQuery) -> MetaResult<ListPage>;
    /// One page of every version and delete marker, see [`VersionQuery`].
    async fn list_object_versions(
        &self,
        bucket: &str,
        query: &VersionQuery,
    ) -> MetaResult<VersionPage>;

    // ---- multipart ----
    async fn create_upload(&self, upload: Upload) -> MetaResult<()>;
    async fn get_upload(&self, bucket: &str, upload_id: &str) -> MetaResult<Option<Upload>>;
    /// Inserts or replaces a part; a replaced part's data id is queued for GC.
    /// `NoSuchUpload` if the upload is gone (completed or aborted meanwhile).
    async fn put_part(&self, bucket: &str, part: Part) -> MetaResult<()>;
    /// Parts with number > `after`, ascending, at most `limit`.
    async fn list_parts(
        &self,
        bucket: &str,
        upload_id: &str,
        after: u32,
        limit: usize,
    ) -> MetaResult<Vec<Part>>;
    /// Atomically: removes the upload and all its parts, stores `object` (which references the
    /// chosen parts' data ids) as [`MetaStore::put_object`] does, queues the data ids of parts
    /// not referenced by `object` for GC. Returns the version id given. `NoSuchUpload` if the
    /// upload is gone.
    async fn complete_upload(&self, upload_id: &str, object: Object) -> MetaResult<Option<String>>;
    /// [`MetaStore::complete_upload`] if `condition` holds; otherwise the upload stays.
    async fn complete_upload_if(
        &self,
        upload_id: &str,
        object: Object,
        condition: WriteCondition,
    ) -> MetaResult<Option<String>>;
    /// Removes the upload and its parts, queueing their data for GC.
    async fn abort_upload(&self, bucket: &str, upload_id: &str) -> MetaResult<()>;
    /// In-progress uploads ordered by (key, upload_id) after the markers (see [`UploadQuery`]).
    async fn list_uploads(&self, bucket: &str, query: &UploadQuery) -> MetaResult<UploadPage>;

    // ---- garbage collection of object data ----
    /// Up to `limit` data ids waiting for deletion.
    async fn gc_pending(&self, limit: usize) -> MetaResult<Vec<String>>;
    /// Forgets data ids whose files have been deleted.
    async fn gc_done(&self, data_ids: &[String]) -> MetaResult<()>;
    /// Whether any object or part references this data id (restart recovery of orphans).
    async fn is_data_referenced(&self, data_id: &str) -> MetaResult<bool>;
}

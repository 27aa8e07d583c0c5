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
pub use sqlite::SqliteStore;

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

    // ---- buckets ----
    /// Creates the bucket. If a bucket of that name exists: `Ok(false)` when the same owner owns
    /// it (S3 and OOS answer 200 for the owner), `Err(BucketOwnedByOther)` otherwise.
    async fn create_bucket(&self, bucket: Bucket) -> MetaResult<bool>;
    async fn get_bucket(&self, name: &str) -> MetaResult<Option<Bucket>>;
    /// Buckets of one owner, ordered by name.
    async fn list_buckets(&self, owner: &str) -> MetaResult<Vec<Bucket>>;
    /// Deletes an empty bucket (`BucketNotEmpty` if any object exists). Its in-progress
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

    // ---- objects ----
    /// Inserts or replaces the object `(bucket, key)`. The data ids of a replaced object are
    /// queued for GC in the same transaction. `NoSuchBucket` if the bucket vanished.
    async fn put_object(&self, object: Object) -> MetaResult<()>;
    /// [`MetaStore::put_object`] if `condition` holds for the object it would replace.
    async fn put_object_if(&self, object: Object, condition: WriteCondition) -> MetaResult<()>;
    async fn get_object(&self, bucket: &str, key: &str) -> MetaResult<Option<Object>>;
    /// Sets (or with `None` clears) the object's own ACL document, changing nothing else.
    /// `NoSuchKey` if the object does not exist.
    async fn set_object_acl(&self, bucket: &str, key: &str, acl: Option<String>) -> MetaResult<()>;
    /// Replaces the object's tags, changing nothing else. `NoSuchKey` if it does not exist.
    async fn set_object_tags(
        &self,
        bucket: &str,
        key: &str,
        tags: Vec<(String, String)>,
    ) -> MetaResult<()>;
    /// Deletes the object, queueing its data ids for GC. Returns whether it existed.
    async fn delete_object(&self, bucket: &str, key: &str) -> MetaResult<bool>;
    /// Deletes many keys of one bucket in one transaction; returns, per key, whether it existed.
    async fn delete_objects(&self, bucket: &str, keys: &[String]) -> MetaResult<Vec<bool>>;
    /// Deletes each `(key, etag, last_modified)` only if the object still has that etag and
    /// modification time (a background deleter never removes an object written after it
    /// looked); returns, per entry, whether it was deleted.
    async fn delete_objects_if_unchanged(
        &self,
        bucket: &str,
        objects: &[(String, String, i64)],
    ) -> MetaResult<Vec<bool>>;
    /// One page of a listing, see [`ListQuery`].
    async fn list_objects(&self, bucket: &str, query: &ListQuery) -> MetaResult<ListPage>;

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
    /// chosen parts' data ids), queues the data ids of parts not referenced by `object` and of
    /// any object it replaces for GC. `NoSuchUpload` if the upload is gone.
    async fn complete_upload(&self, upload_id: &str, object: Object) -> MetaResult<()>;
    /// [`MetaStore::complete_upload`] if `condition` holds; otherwise the upload stays.
    async fn complete_upload_if(
        &self,
        upload_id: &str,
        object: Object,
        condition: WriteCondition,
    ) -> MetaResult<()>;
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

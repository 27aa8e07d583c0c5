//! The embedded SQLite backend of [`MetaStore`].
//!
//! Writes go through one writer thread that group-commits (see `writer`); reads use a small
//! pool of connections on tokio's blocking threads. WAL mode lets both proceed concurrently:
//! readers see the last committed snapshot and never wait for the writer.

mod codec;
mod list;
mod read_ops;
mod readers;
mod schema;
mod write_ops;
mod writer;

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::Connection;

use crate::{
    AccessKey, Account, Bucket, DataRef, DeleteOutcome, KmsKey, ListPage, ListQuery, LockCheck,
    MetaError, MetaResult, MetaStore, Object, Part, Retention, Upload, UploadPage, UploadQuery,
    Usage, VersionPage, VersionQuery, Versioning, WriteCondition,
};
use readers::ReaderPool;
pub use schema::StoreSummary;
use writer::Writer;

/// Reader connections. Metadata reads are short index lookups; a few connections saturate
/// the small machines oosd targets without holding many file descriptors and page caches.
const READERS: usize = 4;

impl From<rusqlite::Error> for MetaError {
    fn from(e: rusqlite::Error) -> Self {
        MetaError::Backend(e.to_string())
    }
}

/// Current time in Unix milliseconds (GC queue timestamps, migration records).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// SQLite-backed [`MetaStore`]: one file, WAL journal, `synchronous=FULL`.
pub struct SqliteStore {
    writer: Writer,
    readers: Arc<ReaderPool>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and schema if absent and applying any
    /// pending migrations. Blocking: call before serving, or from a blocking context.
    pub fn open(path: &Path) -> MetaResult<SqliteStore> {
        let conn = schema::open_writer(path)?;
        // Readers open after the migrations so they never see a half-created schema.
        let readers = Arc::new(ReaderPool::open(path, READERS)?);
        let writer = Writer::spawn(conn)?;
        Ok(SqliteStore { writer, readers })
    }

    /// Reads the file's schema version and newest recorded time without opening it for
    /// writing, creating it or migrating it (safe while a server has it open).
    pub fn inspect(path: &Path) -> MetaResult<StoreSummary> {
        schema::inspect(path)
    }

    async fn write<T, F>(&self, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> MetaResult<T> + Send + 'static,
    {
        self.writer.submit(f).await
    }

    /// A point lookup by key (an index probe, microseconds from the page cache): run right
    /// here on an idle connection, since a hop to a blocking thread and back costs more than
    /// the read (about a fifth of a small PUT's CPU); on a blocking thread if none is idle.
    async fn lookup<T, F>(&self, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> MetaResult<T> + Send + 'static,
    {
        match self.readers.try_with(f) {
            Ok(result) => result,
            Err(f) => self.read(f).await,
        }
    }

    async fn read<T, F>(&self, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> MetaResult<T> + Send + 'static,
    {
        let pool = self.readers.clone();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .unwrap_or_else(|e| Err(MetaError::Backend(format!("metadata read task: {e}"))))
    }
}

#[async_trait]
impl MetaStore for SqliteStore {
    async fn ensure_account(&self, account: Account, key: AccessKey) -> MetaResult<Account> {
        self.write(move |c| write_ops::ensure_account(c, &account, &key))
            .await
    }

    async fn get_access_key(&self, access_key_id: &str) -> MetaResult<Option<AccessKey>> {
        let id = access_key_id.to_owned();
        self.lookup(move |c| read_ops::get_access_key(c, &id)).await
    }

    async fn get_account(&self, account_id: &str) -> MetaResult<Option<Account>> {
        let id = account_id.to_owned();
        self.lookup(move |c| read_ops::get_account(c, &id)).await
    }

    async fn create_account(&self, account: Account, key: AccessKey) -> MetaResult<()> {
        self.write(move |c| write_ops::create_account(c, &account, &key))
            .await
    }

    async fn get_account_by_name(&self, name: &str) -> MetaResult<Option<Account>> {
        let name = name.to_owned();
        self.lookup(move |c| read_ops::get_account_by_name(c, &name))
            .await
    }

    async fn list_accounts(&self) -> MetaResult<Vec<Account>> {
        self.read(read_ops::list_accounts).await
    }

    async fn create_kms_key(&self, key: KmsKey) -> MetaResult<()> {
        self.write(move |c| write_ops::create_kms_key(c, &key))
            .await
    }

    async fn get_kms_key(&self, id_or_alias: &str) -> MetaResult<Option<KmsKey>> {
        let id = id_or_alias.to_owned();
        self.lookup(move |c| read_ops::get_kms_key(c, &id)).await
    }

    async fn list_kms_keys(&self) -> MetaResult<Vec<KmsKey>> {
        self.read(read_ops::list_kms_keys).await
    }

    async fn set_kms_key_enabled(&self, id_or_alias: &str, enabled: bool) -> MetaResult<()> {
        let id = id_or_alias.to_owned();
        self.write(move |c| write_ops::set_kms_key_enabled(c, &id, enabled))
            .await
    }

    async fn set_account_disabled(&self, account_id: &str, disabled: bool) -> MetaResult<()> {
        let id = account_id.to_owned();
        self.write(move |c| write_ops::set_account_disabled(c, &id, disabled))
            .await
    }

    async fn set_account_regions(
        &self,
        account_id: &str,
        regions: Option<Vec<String>>,
    ) -> MetaResult<()> {
        let id = account_id.to_owned();
        self.write(move |c| write_ops::set_account_regions(c, &id, regions.as_deref()))
            .await
    }

    async fn create_access_key(&self, key: AccessKey, quota: usize) -> MetaResult<()> {
        self.write(move |c| write_ops::create_access_key(c, &key, quota))
            .await
    }

    async fn list_access_keys(&self, account_id: &str) -> MetaResult<Vec<AccessKey>> {
        let id = account_id.to_owned();
        self.read(move |c| read_ops::list_access_keys(c, &id)).await
    }

    async fn update_access_key(
        &self,
        account_id: &str,
        access_key_id: &str,
        active: bool,
        primary: Option<bool>,
    ) -> MetaResult<()> {
        let (account, key) = (account_id.to_owned(), access_key_id.to_owned());
        self.write(move |c| write_ops::update_access_key(c, &account, &key, active, primary))
            .await
    }

    async fn delete_access_key(&self, account_id: &str, access_key_id: &str) -> MetaResult<()> {
        let (account, key) = (account_id.to_owned(), access_key_id.to_owned());
        self.write(move |c| write_ops::delete_access_key(c, &account, &key))
            .await
    }

    async fn create_bucket(&self, bucket: Bucket) -> MetaResult<bool> {
        self.write(move |c| write_ops::create_bucket(c, &bucket))
            .await
    }

    async fn get_bucket(&self, name: &str) -> MetaResult<Option<Bucket>> {
        let name = name.to_owned();
        self.lookup(move |c| read_ops::get_bucket(c, &name)).await
    }

    async fn list_buckets(&self, owner: &str) -> MetaResult<Vec<Bucket>> {
        let owner = owner.to_owned();
        self.read(move |c| read_ops::list_buckets(c, &owner)).await
    }

    async fn delete_bucket(&self, name: &str) -> MetaResult<()> {
        let name = name.to_owned();
        self.write(move |c| write_ops::delete_bucket(c, &name))
            .await
    }

    async fn set_bucket_acl(&self, name: &str, acl: &str) -> MetaResult<()> {
        let (name, acl) = (name.to_owned(), acl.to_owned());
        self.write(move |c| write_ops::set_bucket_acl(c, &name, &acl))
            .await
    }

    async fn set_bucket_config(
        &self,
        name: &str,
        kind: &str,
        value: Option<&str>,
    ) -> MetaResult<()> {
        let (name, kind) = (name.to_owned(), kind.to_owned());
        let value = value.map(str::to_owned);
        self.write(move |c| write_ops::set_bucket_config(c, &name, &kind, value.as_deref()))
            .await
    }

    async fn usage(&self) -> MetaResult<Usage> {
        self.read(read_ops::usage).await
    }

    async fn buckets_with_config(&self, kind: &str) -> MetaResult<Vec<Bucket>> {
        let kind = kind.to_owned();
        self.read(move |c| read_ops::buckets_with_config(c, &kind))
            .await
    }

    async fn bucket_usage(&self, bucket: &str) -> MetaResult<Usage> {
        let bucket = bucket.to_owned();
        self.read(move |c| read_ops::bucket_usage(c, &bucket)).await
    }

    async fn set_bucket_versioning(&self, name: &str, state: Versioning) -> MetaResult<()> {
        let name = name.to_owned();
        self.write(move |c| write_ops::set_bucket_versioning(c, &name, state))
            .await
    }

    async fn set_object_acl(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        acl: Option<String>,
    ) -> MetaResult<()> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let version = version.map(str::to_owned);
        self.write(move |c| {
            write_ops::update_attrs(c, &bucket, &key, version.as_deref(), |a| {
                a.acl = acl;
                Ok(())
            })
        })
        .await
    }

    async fn set_object_tags(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        tags: Vec<(String, String)>,
    ) -> MetaResult<()> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let version = version.map(str::to_owned);
        self.write(move |c| {
            write_ops::update_attrs(c, &bucket, &key, version.as_deref(), |a| {
                a.tags = tags;
                Ok(())
            })
        })
        .await
    }

    async fn set_object_retention(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        retention: Option<Retention>,
        lock: LockCheck,
    ) -> MetaResult<()> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let version = version.map(str::to_owned);
        self.write(move |c| {
            write_ops::set_retention(c, &bucket, &key, version.as_deref(), retention, &lock)
        })
        .await
    }

    async fn set_object_legal_hold(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        on: bool,
    ) -> MetaResult<()> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let version = version.map(str::to_owned);
        self.write(move |c| {
            write_ops::update_attrs(c, &bucket, &key, version.as_deref(), |a| {
                a.legal_hold = Some(on);
                Ok(())
            })
        })
        .await
    }

    async fn put_object(&self, object: Object) -> MetaResult<Option<String>> {
        self.put_object_if(object, WriteCondition::Always).await
    }

    async fn put_object_if(
        &self,
        object: Object,
        condition: WriteCondition,
    ) -> MetaResult<Option<String>> {
        self.write(move |c| write_ops::put_object(c, &object, &condition))
            .await
    }

    async fn get_object_version(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
    ) -> MetaResult<Option<Object>> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let version = version.map(str::to_owned);
        self.lookup(move |c| read_ops::get_object_version(c, &bucket, &key, version.as_deref()))
            .await
    }

    async fn get_object(&self, bucket: &str, key: &str) -> MetaResult<Option<Object>> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        self.lookup(move |c| read_ops::get_object(c, &bucket, &key))
            .await
    }

    async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&str>,
        lock: LockCheck,
    ) -> MetaResult<DeleteOutcome> {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        let version = version.map(str::to_owned);
        self.write(move |c| write_ops::delete_object(c, &bucket, &key, version.as_deref(), &lock))
            .await
    }

    async fn delete_objects(
        &self,
        bucket: &str,
        objects: &[(String, Option<String>)],
        lock: LockCheck,
    ) -> MetaResult<Vec<MetaResult<DeleteOutcome>>> {
        let (bucket, objects) = (bucket.to_owned(), objects.to_vec());
        self.write(move |c| write_ops::delete_objects(c, &bucket, &objects, &lock))
            .await
    }

    async fn delete_noncurrent_versions(
        &self,
        bucket: &str,
        versions: &[(String, String)],
        now: i64,
    ) -> MetaResult<Vec<bool>> {
        let (bucket, versions) = (bucket.to_owned(), versions.to_vec());
        self.write(move |c| write_ops::delete_noncurrent_versions(c, &bucket, &versions, now))
            .await
    }

    async fn delete_lone_markers(
        &self,
        bucket: &str,
        markers: &[(String, String)],
    ) -> MetaResult<Vec<bool>> {
        let (bucket, markers) = (bucket.to_owned(), markers.to_vec());
        self.write(move |c| write_ops::delete_lone_markers(c, &bucket, &markers))
            .await
    }

    async fn list_object_versions(
        &self,
        bucket: &str,
        query: &VersionQuery,
    ) -> MetaResult<VersionPage> {
        let (bucket, query) = (bucket.to_owned(), query.clone());
        self.read(move |c| read_ops::list_object_versions(c, &bucket, &query))
            .await
    }

    async fn delete_objects_if_unchanged(
        &self,
        bucket: &str,
        objects: &[(String, String, i64)],
    ) -> MetaResult<Vec<bool>> {
        let (bucket, objects) = (bucket.to_owned(), objects.to_vec());
        self.write(move |c| write_ops::delete_objects_if_unchanged(c, &bucket, &objects))
            .await
    }

    async fn replace_object_data_if_unchanged(
        &self,
        object: &Object,
        data: DataRef,
        storage_class: &str,
    ) -> MetaResult<bool> {
        let (object, class) = (object.clone(), storage_class.to_owned());
        self.write(move |c| write_ops::replace_object_data_if_unchanged(c, &object, &data, &class))
            .await
    }

    async fn list_objects(&self, bucket: &str, query: &ListQuery) -> MetaResult<ListPage> {
        let (bucket, query) = (bucket.to_owned(), query.clone());
        self.read(move |c| read_ops::list_objects(c, &bucket, &query))
            .await
    }

    async fn create_upload(&self, upload: Upload) -> MetaResult<()> {
        self.write(move |c| write_ops::create_upload(c, &upload))
            .await
    }

    async fn get_upload(&self, bucket: &str, upload_id: &str) -> MetaResult<Option<Upload>> {
        let (bucket, id) = (bucket.to_owned(), upload_id.to_owned());
        self.lookup(move |c| read_ops::get_upload(c, &bucket, &id))
            .await
    }

    async fn put_part(&self, bucket: &str, part: Part) -> MetaResult<()> {
        let bucket = bucket.to_owned();
        self.write(move |c| write_ops::put_part(c, &bucket, &part))
            .await
    }

    async fn list_parts(
        &self,
        bucket: &str,
        upload_id: &str,
        after: u32,
        limit: usize,
    ) -> MetaResult<Vec<Part>> {
        let (bucket, id) = (bucket.to_owned(), upload_id.to_owned());
        self.read(move |c| read_ops::list_parts(c, &bucket, &id, after, limit))
            .await
    }

    async fn complete_upload(&self, upload_id: &str, object: Object) -> MetaResult<Option<String>> {
        self.complete_upload_if(upload_id, object, WriteCondition::Always)
            .await
    }

    async fn complete_upload_if(
        &self,
        upload_id: &str,
        object: Object,
        condition: WriteCondition,
    ) -> MetaResult<Option<String>> {
        let id = upload_id.to_owned();
        self.write(move |c| write_ops::complete_upload(c, &id, &object, &condition))
            .await
    }

    async fn abort_upload(&self, bucket: &str, upload_id: &str) -> MetaResult<()> {
        let (bucket, id) = (bucket.to_owned(), upload_id.to_owned());
        self.write(move |c| write_ops::abort_upload(c, &bucket, &id))
            .await
    }

    async fn list_uploads(&self, bucket: &str, query: &UploadQuery) -> MetaResult<UploadPage> {
        let (bucket, query) = (bucket.to_owned(), query.clone());
        self.read(move |c| read_ops::list_uploads(c, &bucket, &query))
            .await
    }

    async fn gc_pending(&self, limit: usize) -> MetaResult<Vec<String>> {
        self.read(move |c| read_ops::gc_pending(c, limit)).await
    }

    async fn gc_done(&self, data_ids: &[String]) -> MetaResult<()> {
        let ids = data_ids.to_vec();
        self.write(move |c| write_ops::gc_done(c, &ids)).await
    }

    async fn is_data_referenced(&self, data_id: &str) -> MetaResult<bool> {
        let id = data_id.to_owned();
        self.lookup(move |c| read_ops::is_data_referenced(c, &id))
            .await
    }
}

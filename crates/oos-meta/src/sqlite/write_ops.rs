//! Mutations. Each function runs on the writer thread inside the batch transaction, wrapped in
//! its own savepoint: returning `Err` undoes everything it did, so the functions may check
//! preconditions after writing.

mod accounts;
mod kms;

use rusqlite::{params, Connection, OptionalExtension};

use super::codec::{data_cols, data_from_cols, data_ids_from_cols, from_json, json, size_col};
use super::now_ms;
use crate::{
    new_version_id, Bucket, DataRef, DeleteOutcome, LockCheck, MetaError, MetaResult, Object,
    ObjectAttrs, Part, Retention, Upload, Versioning, WriteCondition, NULL_VERSION,
};

pub(super) use accounts::{
    create_access_key, create_account, delete_access_key, ensure_account, set_account_disabled,
    set_account_regions, update_access_key,
};
pub(super) use kms::{create_kms_key, set_kms_key_enabled};

fn bucket_exists(c: &Connection, bucket: &str) -> MetaResult<bool> {
    Ok(c.prepare_cached("SELECT 1 FROM buckets WHERE name = ?1")?
        .exists(params![bucket])?)
}

fn require_bucket(c: &Connection, bucket: &str) -> MetaResult<()> {
    if bucket_exists(c, bucket)? {
        Ok(())
    } else {
        Err(MetaError::NoSuchBucket)
    }
}

/// The upload must exist in `bucket` (and, when given, be for `key`); an upload id presented
/// with the wrong bucket or key is treated as absent, as S3 does.
fn require_upload(
    c: &Connection,
    bucket: &str,
    upload_id: &str,
    key: Option<&str>,
) -> MetaResult<()> {
    let row: Option<(String, Vec<u8>)> = c
        .prepare_cached("SELECT bucket, key FROM uploads WHERE upload_id = ?1")?
        .query_row(params![upload_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        Some((b, k)) if b == bucket && key.is_none_or(|key| key.as_bytes() == k) => Ok(()),
        _ => Err(MetaError::NoSuchUpload),
    }
}

/// Counts one more reference to each id. An id back in use must not be deleted by GC, so it
/// leaves the queue (ids are unique in practice; this only guards against reuse).
fn add_refs(c: &Connection, ids: &[&str]) -> MetaResult<()> {
    let mut inc = c.prepare_cached(
        "INSERT INTO data_refs (data_id, refs) VALUES (?1, 1)
         ON CONFLICT (data_id) DO UPDATE SET refs = refs + 1",
    )?;
    let mut unqueue = c.prepare_cached("DELETE FROM gc_queue WHERE data_id = ?1")?;
    for id in ids {
        inc.execute(params![id])?;
        unqueue.execute(params![id])?;
    }
    Ok(())
}

/// Drops one reference to each id; ids nobody references any more are queued for GC.
fn drop_refs(c: &Connection, ids: &[String]) -> MetaResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut dec =
        c.prepare_cached("UPDATE data_refs SET refs = refs - 1 WHERE data_id = ?1 RETURNING refs")?;
    let mut forget = c.prepare_cached("DELETE FROM data_refs WHERE data_id = ?1")?;
    let mut queue =
        c.prepare_cached("INSERT OR IGNORE INTO gc_queue (data_id, queued_at) VALUES (?1, ?2)")?;
    let now = now_ms();
    for id in ids {
        let left: Option<i64> = dec.query_row(params![id], |r| r.get(0)).optional()?;
        // No counter at all means nothing references it either: queue it too.
        if left.is_none_or(|n| n <= 0) {
            forget.execute(params![id])?;
            queue.execute(params![id, now])?;
        }
    }
    Ok(())
}

/// Moves the running totals, over all buckets and for `bucket`, in the caller's transaction.
fn bump_usage(c: &Connection, bucket: &str, objects: i64, bytes: i64) -> MetaResult<()> {
    c.prepare_cached("UPDATE usage SET objects = objects + ?1, bytes = bytes + ?2 WHERE id = 0")?
        .execute(params![objects, bytes])?;
    c.prepare_cached(
        "INSERT INTO bucket_usage (bucket, objects, bytes) VALUES (?1, ?2, ?3)
         ON CONFLICT (bucket) DO UPDATE
         SET objects = objects + excluded.objects, bytes = bytes + excluded.bytes",
    )?
    .execute(params![bucket, objects, bytes])?;
    Ok(())
}

/// The bucket's versioning state, read inside the write's transaction. `NoSuchBucket` if
/// the bucket does not exist.
fn versioning_of(c: &Connection, bucket: &str) -> MetaResult<Versioning> {
    let state: String = c
        .prepare_cached("SELECT versioning FROM buckets WHERE name = ?1")?
        .query_row(params![bucket], |r| r.get(0))
        .optional()?
        .ok_or(MetaError::NoSuchBucket)?;
    Versioning::parse(&state).ok_or_else(|| MetaError::Backend("unknown versioning state".into()))
}

/// The version id and marker flag of the key's current version, if it has one.
fn current(c: &Connection, bucket: &str, key: &str) -> MetaResult<Option<(Option<String>, bool)>> {
    Ok(c.prepare_cached(
        "SELECT version_id, delete_marker FROM objects WHERE bucket = ?1 AND key = ?2",
    )?
    .query_row(params![bucket, key.as_bytes()], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()?)
}

/// Forgets a removed version's data and usage. Returns whether it was a delete marker.
fn forget_version(
    c: &Connection,
    bucket: &str,
    (size, data, marker): (i64, Option<String>, bool),
) -> MetaResult<bool> {
    drop_refs(c, &data_ids_from_cols(data)?)?;
    if !marker {
        bump_usage(c, bucket, -1, -size)?;
    }
    Ok(marker)
}

/// Refuses the removal of a version that Object Lock protects. Every removal of a version
/// passes here first, in the removal's own transaction.
fn check_unlocked(attrs: &str, lock: &LockCheck) -> MetaResult<()> {
    if lock.permits_removal(&from_json::<ObjectAttrs>(attrs)?) {
        Ok(())
    } else {
        Err(MetaError::ObjectLocked)
    }
}

/// Removes the current version for good. `Some(was a delete marker)` if there was one.
fn remove_current(
    c: &Connection,
    bucket: &str,
    key: &str,
    lock: &LockCheck,
) -> MetaResult<Option<bool>> {
    let attrs: Option<String> = c
        .prepare_cached("SELECT attrs FROM objects WHERE bucket = ?1 AND key = ?2")?
        .query_row(params![bucket, key.as_bytes()], |r| r.get(0))
        .optional()?;
    let Some(attrs) = attrs else { return Ok(None) };
    check_unlocked(&attrs, lock)?;
    let row = c
        .prepare_cached(
            "DELETE FROM objects WHERE bucket = ?1 AND key = ?2
             RETURNING size, data, delete_marker",
        )?
        .query_row(params![bucket, key.as_bytes()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    row.map(|row| forget_version(c, bucket, row)).transpose()
}

/// Removes a noncurrent version (`None`: the null version) for good. `Some(was a delete
/// marker)` if there was one.
fn remove_noncurrent(
    c: &Connection,
    bucket: &str,
    key: &str,
    version_id: Option<&str>,
    lock: &LockCheck,
) -> MetaResult<Option<bool>> {
    let attrs: Option<String> = c
        .prepare_cached(
            "SELECT attrs FROM versions WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3",
        )?
        .query_row(params![bucket, key.as_bytes(), version_id], |r| r.get(0))
        .optional()?;
    let Some(attrs) = attrs else { return Ok(None) };
    check_unlocked(&attrs, lock)?;
    let row = c
        .prepare_cached(
            "DELETE FROM versions WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3
             RETURNING size, data, delete_marker",
        )?
        .query_row(params![bucket, key.as_bytes(), version_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    row.map(|row| forget_version(c, bucket, row)).transpose()
}

/// Columns moved between `objects` and `versions` (everything but bucket, key and seq).
const VERSION_BODY: &str =
    "size, etag, last_modified, storage_class, attrs, version_id, delete_marker, data, inline";

/// Makes the current version (if any) the newest noncurrent one. Its data and usage stay.
fn demote_current(c: &Connection, bucket: &str, key: &str) -> MetaResult<()> {
    c.prepare_cached(&format!(
        "INSERT INTO versions (bucket, key, seq, {VERSION_BODY})
         SELECT bucket, key,
                (SELECT COALESCE(MIN(seq), 0) - 1 FROM versions WHERE bucket = ?1 AND key = ?2),
                {VERSION_BODY}
         FROM objects WHERE bucket = ?1 AND key = ?2"
    ))?
    .execute(params![bucket, key.as_bytes()])?;
    c.prepare_cached("DELETE FROM objects WHERE bucket = ?1 AND key = ?2")?
        .execute(params![bucket, key.as_bytes()])?;
    Ok(())
}

/// Makes the newest noncurrent version (if any) current; the key has no current row then.
fn promote_newest(c: &Connection, bucket: &str, key: &str) -> MetaResult<()> {
    let seq: Option<i64> = c
        .prepare_cached("SELECT MIN(seq) FROM versions WHERE bucket = ?1 AND key = ?2")?
        .query_row(params![bucket, key.as_bytes()], |r| r.get(0))?;
    let Some(seq) = seq else { return Ok(()) };
    c.prepare_cached(&format!(
        "INSERT INTO objects (bucket, key, {VERSION_BODY})
         SELECT bucket, key, {VERSION_BODY} FROM versions
         WHERE bucket = ?1 AND key = ?2 AND seq = ?3"
    ))?
    .execute(params![bucket, key.as_bytes(), seq])?;
    c.prepare_cached("DELETE FROM versions WHERE bucket = ?1 AND key = ?2 AND seq = ?3")?
        .execute(params![bucket, key.as_bytes(), seq])?;
    Ok(())
}

/// Clears the way for a new current version: replaced (unversioned), kept as noncurrent
/// (enabled), or, suspended, the null version replaced wherever it is and any other current
/// version kept.
fn displace_current(
    c: &Connection,
    bucket: &str,
    key: &str,
    versioning: Versioning,
) -> MetaResult<()> {
    // Buckets with Object Lock are always versioning-enabled, so only a version locked by
    // mistake could be replaced here; it is refused like any other removal.
    let lock = LockCheck::strict(now_ms());
    match versioning {
        Versioning::Unversioned => {
            remove_current(c, bucket, key, &lock)?;
        }
        Versioning::Enabled => demote_current(c, bucket, key)?,
        Versioning::Suspended => {
            match current(c, bucket, key)? {
                Some((None, _)) => {
                    remove_current(c, bucket, key, &lock)?;
                }
                Some(_) => demote_current(c, bucket, key)?,
                None => {}
            }
            remove_noncurrent(c, bucket, key, None, &lock)?;
        }
    }
    Ok(())
}

/// Inserts the key's current row; the caller has displaced any previous one.
fn insert_current(
    c: &Connection,
    o: &Object,
    version_id: Option<&str>,
    delete_marker: bool,
) -> MetaResult<()> {
    let (data, inline) = data_cols(&o.data)?;
    c.prepare_cached(
        "INSERT INTO objects (bucket, key, size, etag, last_modified, storage_class, attrs,
                              version_id, delete_marker, data, inline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        o.bucket,
        o.key.as_bytes(),
        size_col(o.size),
        o.etag,
        o.last_modified,
        o.storage_class,
        json(&o.attrs)?,
        version_id,
        delete_marker,
        data,
        inline,
    ])?;
    Ok(())
}

/// Stores a new current version per the bucket's versioning; returns its version id. New
/// references are counted before any replaced version's are dropped, so ids shared by both
/// never reach zero and never reach the GC queue.
fn store_object(c: &Connection, o: &Object, versioning: Versioning) -> MetaResult<Option<String>> {
    let version_id = (versioning == Versioning::Enabled).then(new_version_id);
    add_refs(c, &o.data.data_ids())?;
    displace_current(c, &o.bucket, &o.key, versioning)?;
    insert_current(c, o, version_id.as_deref(), false)?;
    bump_usage(c, &o.bucket, 1, size_col(o.size))?;
    Ok(version_id)
}

/// S3 DeleteObject over an existing bucket, see [`crate::MetaStore::delete_object`].
fn delete_version(
    c: &Connection,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    versioning: Versioning,
    lock: &LockCheck,
) -> MetaResult<DeleteOutcome> {
    let Some(label) = version else {
        if versioning == Versioning::Unversioned {
            return Ok(DeleteOutcome {
                changed: remove_current(c, bucket, key, lock)?.is_some(),
                ..DeleteOutcome::default()
            });
        }
        let version_id = (versioning == Versioning::Enabled).then(new_version_id);
        displace_current(c, bucket, key, versioning)?;
        let marker = Object {
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            size: 0,
            etag: String::new(),
            last_modified: now_ms(),
            storage_class: "STANDARD".into(),
            attrs: ObjectAttrs::default(),
            data: crate::DataRef::Inline(Vec::new()),
            version_id: None,
            delete_marker: true,
        };
        insert_current(c, &marker, version_id.as_deref(), true)?;
        return Ok(DeleteOutcome {
            changed: true,
            version_id,
            delete_marker: true,
        });
    };
    let version_id = (label != NULL_VERSION).then_some(label);
    let removed = match current(c, bucket, key)? {
        Some((current_id, _)) if current_id.as_deref() == version_id => {
            let removed = remove_current(c, bucket, key, lock)?;
            promote_newest(c, bucket, key)?;
            removed
        }
        _ => remove_noncurrent(c, bucket, key, version_id, lock)?,
    };
    Ok(DeleteOutcome {
        changed: removed.is_some(),
        version_id: version_id.map(str::to_owned),
        delete_marker: removed.unwrap_or(false),
    })
}

/// Deletes an upload and its parts, returning the parts' data ids (references not yet dropped).
fn take_upload(c: &Connection, upload_id: &str) -> MetaResult<Vec<String>> {
    let mut ids = Vec::new();
    let mut stmt = c.prepare_cached("DELETE FROM parts WHERE upload_id = ?1 RETURNING data")?;
    let mut rows = stmt.query(params![upload_id])?;
    while let Some(row) = rows.next()? {
        ids.extend(data_ids_from_cols(row.get(0)?)?);
    }
    drop(rows);
    c.prepare_cached("DELETE FROM uploads WHERE upload_id = ?1")?
        .execute(params![upload_id])?;
    Ok(ids)
}

pub(super) fn create_bucket(c: &Connection, b: &Bucket) -> MetaResult<bool> {
    let owner: Option<String> = c
        .prepare_cached("SELECT owner FROM buckets WHERE name = ?1")?
        .query_row(params![b.name], |r| r.get(0))
        .optional()?;
    match owner {
        Some(owner) if owner == b.owner => Ok(false),
        Some(_) => Err(MetaError::BucketOwnedByOther),
        None => {
            c.prepare_cached(
                "INSERT INTO buckets (name, owner, created, acl, config, versioning)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                b.name,
                b.owner,
                b.created,
                b.acl,
                json(&b.config)?,
                b.versioning.as_str()
            ])?;
            Ok(true)
        }
    }
}

pub(super) fn delete_bucket(c: &Connection, name: &str) -> MetaResult<()> {
    require_bucket(c, name)?;
    let non_empty = c
        .prepare_cached("SELECT 1 FROM objects WHERE bucket = ?1 LIMIT 1")?
        .exists(params![name])?;
    if non_empty {
        return Err(MetaError::BucketNotEmpty);
    }
    let upload_ids: Vec<String> = c
        .prepare_cached("SELECT upload_id FROM uploads WHERE bucket = ?1")?
        .query_map(params![name], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in upload_ids {
        let ids = take_upload(c, &id)?;
        drop_refs(c, &ids)?;
    }
    c.prepare_cached("DELETE FROM buckets WHERE name = ?1")?
        .execute(params![name])?;
    c.prepare_cached("DELETE FROM bucket_usage WHERE bucket = ?1")?
        .execute(params![name])?;
    Ok(())
}

pub(super) fn set_bucket_acl(c: &Connection, name: &str, acl: &str) -> MetaResult<()> {
    let n = c
        .prepare_cached("UPDATE buckets SET acl = ?2 WHERE name = ?1")?
        .execute(params![name, acl])?;
    if n == 0 {
        return Err(MetaError::NoSuchBucket);
    }
    Ok(())
}

/// Sets or removes the `kind` entry of the bucket's configuration. A kind present keeps its
/// position (its value is replaced in place); a new kind is appended.
pub(super) fn set_bucket_config(
    c: &Connection,
    name: &str,
    kind: &str,
    value: Option<&str>,
) -> MetaResult<()> {
    let text: String = c
        .prepare_cached("SELECT config FROM buckets WHERE name = ?1")?
        .query_row(params![name], |r| r.get(0))
        .optional()?
        .ok_or(MetaError::NoSuchBucket)?;
    let mut config: Vec<(String, String)> = from_json(&text)?;
    match value {
        None => config.retain(|(k, _)| k != kind),
        Some(value) => match config.iter().position(|(k, _)| k == kind) {
            Some(i) => {
                config[i].1 = value.to_owned();
                // Kinds are unique; drop any later duplicate so the replaced one is the only.
                let mut seen = 0;
                config.retain(|(k, _)| {
                    seen += usize::from(k == kind);
                    k != kind || seen == 1
                });
            }
            None => config.push((kind.to_owned(), value.to_owned())),
        },
    }
    c.prepare_cached("UPDATE buckets SET config = ?2 WHERE name = ?1")?
        .execute(params![name, json(&config)?])?;
    Ok(())
}

pub(super) fn set_bucket_versioning(
    c: &Connection,
    name: &str,
    state: Versioning,
) -> MetaResult<()> {
    let n = c
        .prepare_cached("UPDATE buckets SET versioning = ?2 WHERE name = ?1")?
        .execute(params![name, state.as_str()])?;
    if n == 0 {
        return Err(MetaError::NoSuchBucket);
    }
    Ok(())
}

/// Checks a conditional write against the current version it would replace (a delete
/// marker counts as no object).
fn check_condition(c: &Connection, o: &Object, condition: &WriteCondition) -> MetaResult<()> {
    if *condition == WriteCondition::Always {
        return Ok(());
    }
    let etag: Option<String> = c
        .prepare_cached(
            "SELECT etag FROM objects WHERE bucket = ?1 AND key = ?2 AND delete_marker = 0",
        )?
        .query_row(params![o.bucket, o.key.as_bytes()], |r| r.get(0))
        .optional()?;
    condition.check(etag.as_deref())
}

pub(super) fn put_object(
    c: &Connection,
    o: &Object,
    condition: &WriteCondition,
) -> MetaResult<Option<String>> {
    let versioning = versioning_of(c, &o.bucket)?;
    check_condition(c, o, condition)?;
    store_object(c, o, versioning)
}

/// Changes one version's stored attributes in place (its ACL, tags, lock), nothing else;
/// `change` may refuse. `version`: `None` the current version, `null` the null version, else
/// that id.
pub(super) fn update_attrs(
    c: &Connection,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    change: impl FnOnce(&mut ObjectAttrs) -> MetaResult<()>,
) -> MetaResult<()> {
    require_bucket(c, bucket)?;
    let key = key.as_bytes();
    let version_id = version.map(|v| (v != NULL_VERSION).then_some(v));
    // The current row matches without a version, or when its id is the one asked for.
    let current: Option<String> = c
        .prepare_cached(
            "SELECT attrs FROM objects WHERE bucket = ?1 AND key = ?2 AND delete_marker = 0
             AND (?3 = 0 OR version_id IS ?4)",
        )?
        .query_row(
            params![bucket, key, version_id.is_some(), version_id.flatten()],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(attrs) = current {
        let mut attrs: ObjectAttrs = from_json(&attrs)?;
        change(&mut attrs)?;
        c.prepare_cached("UPDATE objects SET attrs = ?3 WHERE bucket = ?1 AND key = ?2")?
            .execute(params![bucket, key, json(&attrs)?])?;
        return Ok(());
    }
    let Some(version_id) = version_id else {
        return Err(MetaError::NoSuchKey);
    };
    let (seq, attrs): (i64, String) = c
        .prepare_cached(
            "SELECT seq, attrs FROM versions
             WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3 AND delete_marker = 0",
        )?
        .query_row(params![bucket, key, version_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or(MetaError::NoSuchKey)?;
    let mut attrs: ObjectAttrs = from_json(&attrs)?;
    change(&mut attrs)?;
    c.prepare_cached("UPDATE versions SET attrs = ?4 WHERE bucket = ?1 AND key = ?2 AND seq = ?3")?
        .execute(params![bucket, key, seq, json(&attrs)?])?;
    Ok(())
}

/// Sets or removes a version's retention if `lock` permits the change.
pub(super) fn set_retention(
    c: &Connection,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    retention: Option<Retention>,
    lock: &LockCheck,
) -> MetaResult<()> {
    update_attrs(c, bucket, key, version, |a| {
        if !lock.permits_retention_change(a.retention.as_ref(), retention.as_ref()) {
            return Err(MetaError::ObjectLocked);
        }
        a.retention = retention;
        Ok(())
    })
}

pub(super) fn delete_object(
    c: &Connection,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    lock: &LockCheck,
) -> MetaResult<DeleteOutcome> {
    let versioning = versioning_of(c, bucket)?;
    delete_version(c, bucket, key, version, versioning, lock)
}

/// Each entry runs in its own savepoint: a locked one is undone alone and reported in place.
pub(super) fn delete_objects(
    c: &Connection,
    bucket: &str,
    objects: &[(String, Option<String>)],
    lock: &LockCheck,
) -> MetaResult<Vec<MetaResult<DeleteOutcome>>> {
    let versioning = versioning_of(c, bucket)?;
    let mut out = Vec::with_capacity(objects.len());
    for (key, version) in objects {
        c.execute_batch("SAVEPOINT entry")?;
        match delete_version(c, bucket, key, version.as_deref(), versioning, lock) {
            Ok(outcome) => {
                c.execute_batch("RELEASE entry")?;
                out.push(Ok(outcome));
            }
            Err(MetaError::ObjectLocked) => {
                c.execute_batch("ROLLBACK TO entry; RELEASE entry")?;
                out.push(Err(MetaError::ObjectLocked));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

pub(super) fn delete_objects_if_unchanged(
    c: &Connection,
    bucket: &str,
    objects: &[(String, String, i64)],
) -> MetaResult<Vec<bool>> {
    let versioning = versioning_of(c, bucket)?;
    let mut out = Vec::with_capacity(objects.len());
    for (key, etag, modified) in objects {
        let row: Option<(String, i64)> = c
            .prepare_cached(
                "SELECT etag, last_modified FROM objects
                 WHERE bucket = ?1 AND key = ?2 AND delete_marker = 0",
            )?
            .query_row(params![bucket, key.as_bytes()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let unchanged = row.is_some_and(|(e, m)| e == *etag && m == *modified);
        let lock = LockCheck::strict(now_ms());
        out.push(unchanged && delete_version(c, bucket, key, None, versioning, &lock)?.changed);
    }
    Ok(out)
}

/// What decides whether a version is unchanged: its row id, etag, modification time and the
/// `data` and `inline` columns.
type VersionState = (i64, String, i64, Option<String>, Option<Vec<u8>>);

/// See [`crate::MetaStore::replace_object_data_if_unchanged`]. The version is looked up by
/// id in `objects` (current) and then `versions` (noncurrent), and compared with the data
/// decoded from its row, so the check does not depend on how the JSON was written.
pub(super) fn replace_object_data_if_unchanged(
    c: &Connection,
    o: &Object,
    data: &DataRef,
    storage_class: &str,
) -> MetaResult<bool> {
    require_bucket(c, &o.bucket)?;
    let key = o.key.as_bytes();
    let (new_data, new_inline) = data_cols(data)?;
    // (table, the column that picks the row among the key's rows: `objects` has one per key)
    for (table, row_id) in [("objects", "0"), ("versions", "seq")] {
        let row: Option<VersionState> = c
            .prepare_cached(&format!(
                "SELECT {row_id}, etag, last_modified, data, inline FROM {table}
                 WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3 AND delete_marker = 0"
            ))?
            .query_row(params![o.bucket, key, o.version_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let Some((row_id_value, etag, modified, old_data, old_inline)) = row else {
            continue;
        };
        if etag != o.etag
            || modified != o.last_modified
            || data_from_cols(old_data, old_inline)? != o.data
        {
            return Ok(false);
        }
        add_refs(c, &data.data_ids())?;
        c.prepare_cached(&format!(
            "UPDATE {table} SET data = ?4, inline = ?5, storage_class = ?6
             WHERE bucket = ?1 AND key = ?2 AND {row_id} = ?3"
        ))?
        .execute(params![
            o.bucket,
            key,
            row_id_value,
            new_data,
            new_inline,
            storage_class
        ])?;
        let old_ids: Vec<String> = o.data.data_ids().into_iter().map(str::to_owned).collect();
        drop_refs(c, &old_ids)?;
        return Ok(true);
    }
    Ok(false)
}

pub(super) fn delete_noncurrent_versions(
    c: &Connection,
    bucket: &str,
    versions: &[(String, String)],
    now: i64,
) -> MetaResult<Vec<bool>> {
    require_bucket(c, bucket)?;
    let lock = LockCheck::strict(now);
    versions
        .iter()
        .map(|(key, label)| {
            let version_id = (label != NULL_VERSION).then_some(label.as_str());
            match remove_noncurrent(c, bucket, key, version_id, &lock) {
                Ok(removed) => Ok(removed.is_some()),
                // Lifecycle never removes a locked version; it stays until its lock ends.
                Err(MetaError::ObjectLocked) => Ok(false),
                Err(e) => Err(e),
            }
        })
        .collect()
}

pub(super) fn delete_lone_markers(
    c: &Connection,
    bucket: &str,
    markers: &[(String, String)],
) -> MetaResult<Vec<bool>> {
    require_bucket(c, bucket)?;
    let mut out = Vec::with_capacity(markers.len());
    for (key, label) in markers {
        let version_id = (label != NULL_VERSION).then_some(label.as_str());
        let is_marker = matches!(current(c, bucket, key)?,
            Some((id, true)) if id.as_deref() == version_id);
        let alone = is_marker
            && !c
                .prepare_cached("SELECT 1 FROM versions WHERE bucket = ?1 AND key = ?2 LIMIT 1")?
                .exists(params![bucket, key.as_bytes()])?;
        // A delete marker carries no lock of its own.
        let lock = LockCheck::strict(now_ms());
        out.push(alone && remove_current(c, bucket, key, &lock)?.is_some());
    }
    Ok(out)
}

pub(super) fn create_upload(c: &Connection, u: &Upload) -> MetaResult<()> {
    require_bucket(c, &u.bucket)?;
    c.prepare_cached(
        "INSERT INTO uploads (upload_id, bucket, key, initiated, storage_class, attrs, initiator)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        u.upload_id,
        u.bucket,
        u.key.as_bytes(),
        u.initiated,
        u.storage_class,
        json(&u.attrs)?,
        u.initiator
    ])?;
    Ok(())
}

pub(super) fn put_part(c: &Connection, bucket: &str, p: &Part) -> MetaResult<()> {
    require_upload(c, bucket, &p.upload_id, None)?;
    let old: Option<Option<String>> = c
        .prepare_cached(
            "DELETE FROM parts WHERE upload_id = ?1 AND part_number = ?2 RETURNING data",
        )?
        .query_row(params![p.upload_id, p.part_number], |r| r.get(0))
        .optional()?;
    let (data, inline) = data_cols(&p.data)?;
    let (algo, value) = match &p.checksum {
        Some((a, v)) => (Some(a.as_str()), Some(v.as_str())),
        None => (None, None),
    };
    c.prepare_cached(
        "INSERT INTO parts (upload_id, part_number, size, etag, last_modified, checksum_algo,
                            checksum_value, data, inline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p.upload_id,
        p.part_number,
        size_col(p.size),
        p.etag,
        p.last_modified,
        algo,
        value,
        data,
        inline
    ])?;
    add_refs(c, &p.data.data_ids())?;
    if let Some(old) = old {
        drop_refs(c, &data_ids_from_cols(old)?)?;
    }
    Ok(())
}

pub(super) fn complete_upload(
    c: &Connection,
    upload_id: &str,
    o: &Object,
    condition: &WriteCondition,
) -> MetaResult<Option<String>> {
    require_upload(c, &o.bucket, upload_id, Some(&o.key))?;
    let versioning = versioning_of(c, &o.bucket)?;
    check_condition(c, o, condition)?;
    let part_ids = take_upload(c, upload_id)?;
    // The object counts its references first, so the parts it uses keep a count of at least
    // one when the parts' own references are dropped; only unused parts reach the GC queue.
    let version_id = store_object(c, o, versioning)?;
    drop_refs(c, &part_ids)?;
    Ok(version_id)
}

pub(super) fn abort_upload(c: &Connection, bucket: &str, upload_id: &str) -> MetaResult<()> {
    require_upload(c, bucket, upload_id, None)?;
    let ids = take_upload(c, upload_id)?;
    drop_refs(c, &ids)
}

pub(super) fn gc_done(c: &Connection, data_ids: &[String]) -> MetaResult<()> {
    let mut stmt = c.prepare_cached("DELETE FROM gc_queue WHERE data_id = ?1")?;
    for id in data_ids {
        stmt.execute(params![id])?;
    }
    Ok(())
}

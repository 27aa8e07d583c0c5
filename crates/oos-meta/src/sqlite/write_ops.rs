//! Mutations. Each function runs on the writer thread inside the batch transaction, wrapped in
//! its own savepoint: returning `Err` undoes everything it did, so the functions may check
//! preconditions after writing.

mod accounts;

use rusqlite::{params, Connection, OptionalExtension};

use super::codec::{data_cols, data_ids_from_cols, from_json, json, size_col};
use super::now_ms;
use crate::{Bucket, MetaError, MetaResult, Object, ObjectAttrs, Part, Upload, WriteCondition};

pub(super) use accounts::{
    create_access_key, create_account, delete_access_key, ensure_account, set_account_disabled,
    set_account_regions, update_access_key,
};

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

/// Removes an object row; returns its size and data ids if it existed.
fn take_object(c: &Connection, bucket: &str, key: &str) -> MetaResult<Option<(i64, Vec<String>)>> {
    let row: Option<(i64, Option<String>)> = c
        .prepare_cached("DELETE FROM objects WHERE bucket = ?1 AND key = ?2 RETURNING size, data")?
        .query_row(params![bucket, key.as_bytes()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    row.map(|(size, data)| Ok((size, data_ids_from_cols(data)?)))
        .transpose()
}

/// Inserts or replaces an object. New references are counted before the replaced object's are
/// dropped, so ids shared by both never reach zero and never reach the GC queue.
fn store_object(c: &Connection, o: &Object) -> MetaResult<()> {
    let old = take_object(c, &o.bucket, &o.key)?;
    let (data, inline) = data_cols(&o.data)?;
    c.prepare_cached(
        "INSERT INTO objects (bucket, key, size, etag, last_modified, storage_class, attrs, data, inline)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        o.bucket,
        o.key.as_bytes(),
        size_col(o.size),
        o.etag,
        o.last_modified,
        o.storage_class,
        json(&o.attrs)?,
        data,
        inline,
    ])?;
    add_refs(c, &o.data.data_ids())?;
    match old {
        Some((old_size, old_ids)) => {
            drop_refs(c, &old_ids)?;
            bump_usage(c, &o.bucket, 0, size_col(o.size) - old_size)
        }
        None => bump_usage(c, &o.bucket, 1, size_col(o.size)),
    }
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
                "INSERT INTO buckets (name, owner, created, acl, config) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![b.name, b.owner, b.created, b.acl, json(&b.config)?])?;
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

/// Checks a conditional write against the object it would replace.
fn check_condition(c: &Connection, o: &Object, condition: &WriteCondition) -> MetaResult<()> {
    if *condition == WriteCondition::Always {
        return Ok(());
    }
    let etag: Option<String> = c
        .prepare_cached("SELECT etag FROM objects WHERE bucket = ?1 AND key = ?2")?
        .query_row(params![o.bucket, o.key.as_bytes()], |r| r.get(0))
        .optional()?;
    condition.check(etag.as_deref())
}

pub(super) fn put_object(c: &Connection, o: &Object, condition: &WriteCondition) -> MetaResult<()> {
    require_bucket(c, &o.bucket)?;
    check_condition(c, o, condition)?;
    store_object(c, o)
}

/// Changes an object's stored attributes in place (its ACL, its tags), nothing else.
pub(super) fn update_attrs(
    c: &Connection,
    bucket: &str,
    key: &str,
    change: impl FnOnce(&mut ObjectAttrs),
) -> MetaResult<()> {
    require_bucket(c, bucket)?;
    let attrs: Option<String> = c
        .prepare_cached("SELECT attrs FROM objects WHERE bucket = ?1 AND key = ?2")?
        .query_row(params![bucket, key.as_bytes()], |r| r.get(0))
        .optional()?;
    let mut attrs: ObjectAttrs = from_json(&attrs.ok_or(MetaError::NoSuchKey)?)?;
    change(&mut attrs);
    c.prepare_cached("UPDATE objects SET attrs = ?3 WHERE bucket = ?1 AND key = ?2")?
        .execute(params![bucket, key.as_bytes(), json(&attrs)?])?;
    Ok(())
}

pub(super) fn delete_object(c: &Connection, bucket: &str, key: &str) -> MetaResult<bool> {
    require_bucket(c, bucket)?;
    remove_object(c, bucket, key)
}

pub(super) fn delete_objects(
    c: &Connection,
    bucket: &str,
    keys: &[String],
) -> MetaResult<Vec<bool>> {
    require_bucket(c, bucket)?;
    keys.iter().map(|k| remove_object(c, bucket, k)).collect()
}

pub(super) fn delete_objects_if_unchanged(
    c: &Connection,
    bucket: &str,
    objects: &[(String, String, i64)],
) -> MetaResult<Vec<bool>> {
    require_bucket(c, bucket)?;
    let mut current =
        c.prepare_cached("SELECT etag, last_modified FROM objects WHERE bucket = ?1 AND key = ?2")?;
    let mut out = Vec::with_capacity(objects.len());
    for (key, etag, modified) in objects {
        let row: Option<(String, i64)> = current
            .query_row(params![bucket, key.as_bytes()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        let unchanged = row.is_some_and(|(e, m)| e == *etag && m == *modified);
        out.push(unchanged && remove_object(c, bucket, key)?);
    }
    Ok(out)
}

/// Deletes one object of an existing bucket, queueing its data; returns whether it existed.
fn remove_object(c: &Connection, bucket: &str, key: &str) -> MetaResult<bool> {
    match take_object(c, bucket, key)? {
        Some((size, ids)) => {
            drop_refs(c, &ids)?;
            bump_usage(c, bucket, -1, -size)?;
            Ok(true)
        }
        None => Ok(false),
    }
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
) -> MetaResult<()> {
    require_upload(c, &o.bucket, upload_id, Some(&o.key))?;
    check_condition(c, o, condition)?;
    let part_ids = take_upload(c, upload_id)?;
    // The object counts its references first, so the parts it uses keep a count of at least
    // one when the parts' own references are dropped; only unused parts reach the GC queue.
    store_object(c, o)?;
    drop_refs(c, &part_ids)
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

//! Queries, run on pooled reader connections. Multi-statement reads run in one read
//! transaction so they see a single snapshot (WAL gives each reader a consistent view).

use rusqlite::{params, Connection, OptionalExtension};

use super::codec::{self, OBJECT_COLS, PART_COLS, UPLOAD_COLS};
use super::list::{self, Entry, Flow, Lower, RangeScan, Request, Visit};
use crate::{
    AccessKey, Account, Bucket, KmsKey, ListEntry, ListPage, ListQuery, MetaError, MetaResult,
    Object, Part, Upload, UploadEntry, UploadPage, UploadQuery, Usage, VersionEntry, VersionPage,
    VersionQuery, NULL_VERSION,
};

pub(super) fn get_access_key(c: &Connection, id: &str) -> MetaResult<Option<AccessKey>> {
    c.prepare_cached(&format!(
        "SELECT {} FROM access_keys WHERE access_key_id = ?1",
        codec::KEY_COLS
    ))?
    .query_row(params![id], |r| Ok(codec::key_from_row(r)))
    .optional()?
    .transpose()
}

pub(super) fn get_account(c: &Connection, id: &str) -> MetaResult<Option<Account>> {
    c.prepare_cached(&format!(
        "SELECT {} FROM accounts WHERE id = ?1",
        codec::ACCOUNT_COLS
    ))?
    .query_row(params![id], |r| Ok(codec::account_from_row(r)))
    .optional()?
    .transpose()
}

pub(super) fn get_account_by_name(c: &Connection, name: &str) -> MetaResult<Option<Account>> {
    c.prepare_cached(&format!(
        "SELECT {} FROM accounts WHERE name = ?1",
        codec::ACCOUNT_COLS
    ))?
    .query_row(params![name], |r| Ok(codec::account_from_row(r)))
    .optional()?
    .transpose()
}

pub(super) fn list_accounts(c: &Connection) -> MetaResult<Vec<Account>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {} FROM accounts ORDER BY name",
        codec::ACCOUNT_COLS
    ))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(codec::account_from_row(row)?);
    }
    Ok(out)
}

pub(super) fn get_kms_key(c: &Connection, id_or_alias: &str) -> MetaResult<Option<KmsKey>> {
    c.prepare_cached(&format!(
        "SELECT {} FROM kms_keys WHERE id = ?1 OR alias = ?1",
        codec::KMS_COLS
    ))?
    .query_row(params![id_or_alias], codec::kms_key_from_row)
    .optional()
    .map_err(Into::into)
}

pub(super) fn list_kms_keys(c: &Connection) -> MetaResult<Vec<KmsKey>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {} FROM kms_keys ORDER BY created, id",
        codec::KMS_COLS
    ))?;
    let keys = stmt
        .query_map([], codec::kms_key_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(keys)
}

pub(super) fn list_access_keys(c: &Connection, account_id: &str) -> MetaResult<Vec<AccessKey>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {} FROM access_keys WHERE account_id = ?1 ORDER BY access_key_id",
        codec::KEY_COLS
    ))?;
    let mut rows = stmt.query(params![account_id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(codec::key_from_row(row)?);
    }
    Ok(out)
}

pub(super) fn get_bucket(c: &Connection, name: &str) -> MetaResult<Option<Bucket>> {
    c.prepare_cached(&format!(
        "SELECT {} FROM buckets WHERE name = ?1",
        codec::BUCKET_COLS
    ))?
    .query_row(params![name], |r| Ok(codec::bucket_from_row(r)))
    .optional()?
    .transpose()
}

pub(super) fn list_buckets(c: &Connection, owner: &str) -> MetaResult<Vec<Bucket>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {} FROM buckets WHERE owner = ?1 ORDER BY name",
        codec::BUCKET_COLS
    ))?;
    let mut rows = stmt.query(params![owner])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(codec::bucket_from_row(row)?);
    }
    Ok(out)
}

pub(super) fn buckets_with_config(c: &Connection, kind: &str) -> MetaResult<Vec<Bucket>> {
    // `config` is a JSON list of [kind, document] pairs.
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {} FROM buckets WHERE EXISTS
           (SELECT 1 FROM json_each(buckets.config) WHERE json_extract(value, '$[0]') = ?1)
         ORDER BY name",
        codec::BUCKET_COLS
    ))?;
    let mut rows = stmt.query(params![kind])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(codec::bucket_from_row(row)?);
    }
    Ok(out)
}

pub(super) fn bucket_usage(c: &Connection, bucket: &str) -> MetaResult<Usage> {
    Ok(
        c.prepare_cached("SELECT objects, bytes FROM bucket_usage WHERE bucket = ?1")?
            .query_row(params![bucket], |r| {
                Ok(Usage {
                    objects: r.get::<_, i64>(0)? as u64,
                    bytes: r.get::<_, i64>(1)? as u64,
                })
            })
            .optional()?
            .unwrap_or_default(),
    )
}

pub(super) fn usage(c: &Connection) -> MetaResult<Usage> {
    let (objects, bytes): (i64, i64) = c
        .prepare_cached("SELECT objects, bytes FROM usage WHERE id = 0")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(Usage {
        objects: objects.max(0) as u64,
        bytes: bytes.max(0) as u64,
    })
}

pub(super) fn get_object(c: &Connection, bucket: &str, key: &str) -> MetaResult<Option<Object>> {
    c.prepare_cached(&format!(
        "SELECT {OBJECT_COLS} FROM objects WHERE bucket = ?1 AND key = ?2 AND delete_marker = 0"
    ))?
    .query_row(params![bucket, key.as_bytes()], |r| {
        Ok(codec::object_from_row(bucket, r))
    })
    .optional()?
    .transpose()
}

/// One version: `None` the current one (a delete marker included), `null` the null version,
/// else the version with that id, current or not.
pub(super) fn get_object_version(
    c: &Connection,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> MetaResult<Option<Object>> {
    let tx = c.unchecked_transaction()?;
    let version_id = version.map(|v| (v != NULL_VERSION).then_some(v));
    let current = tx
        .prepare_cached(&format!(
            "SELECT {OBJECT_COLS} FROM objects WHERE bucket = ?1 AND key = ?2
             AND (?3 = 0 OR version_id IS ?4)"
        ))?
        .query_row(
            params![
                bucket,
                key.as_bytes(),
                version_id.is_some(),
                version_id.flatten()
            ],
            |r| Ok(codec::object_from_row(bucket, r)),
        )
        .optional()?
        .transpose()?;
    let Some(version_id) = version_id.filter(|_| current.is_none()) else {
        return Ok(current);
    };
    let noncurrent = tx
        .prepare_cached(&format!(
            "SELECT {OBJECT_COLS} FROM versions
             WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3"
        ))?
        .query_row(params![bucket, key.as_bytes(), version_id], |r| {
            Ok(codec::object_from_row(bucket, r))
        })
        .optional()?
        .transpose();
    noncurrent
}

pub(super) fn get_upload(
    c: &Connection,
    bucket: &str,
    upload_id: &str,
) -> MetaResult<Option<Upload>> {
    c.prepare_cached(&format!(
        "SELECT {UPLOAD_COLS} FROM uploads WHERE upload_id = ?1 AND bucket = ?2"
    ))?
    .query_row(params![upload_id, bucket], |r| {
        Ok(codec::upload_from_row(r))
    })
    .optional()?
    .transpose()
}

pub(super) fn list_parts(
    c: &Connection,
    bucket: &str,
    upload_id: &str,
    after: u32,
    limit: usize,
) -> MetaResult<Vec<Part>> {
    let tx = c.unchecked_transaction()?;
    if get_upload(&tx, bucket, upload_id)?.is_none() {
        return Err(MetaError::NoSuchUpload);
    }
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {PART_COLS} FROM parts WHERE upload_id = ?1 AND part_number > ?2
         ORDER BY part_number LIMIT ?3"
    ))?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut rows = stmt.query(params![upload_id, after, limit])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(codec::part_from_row(row)?);
    }
    Ok(out)
}

pub(super) fn gc_pending(c: &Connection, limit: usize) -> MetaResult<Vec<String>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    c.prepare_cached("SELECT data_id FROM gc_queue ORDER BY queued_at, data_id LIMIT ?1")?
        .query_map(params![limit], |r| r.get(0))?
        .collect::<Result<_, _>>()
        .map_err(Into::into)
}

pub(super) fn is_data_referenced(c: &Connection, data_id: &str) -> MetaResult<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM data_refs WHERE data_id = ?1 AND refs > 0")?
            .exists(params![data_id])?,
    )
}

fn require_bucket(c: &Connection, bucket: &str) -> MetaResult<()> {
    let exists = c
        .prepare_cached("SELECT 1 FROM buckets WHERE name = ?1")?
        .exists(params![bucket])?;
    if exists {
        Ok(())
    } else {
        Err(MetaError::NoSuchBucket)
    }
}

/// The fixed parts of a range query over one bucket's objects or uploads.
struct RangeSql {
    cols: &'static str,
    /// Table and the WHERE clause's fixed part, with `?1` bound to the bucket.
    from_where: &'static str,
    order: &'static str,
    /// Position of the key column in `cols`.
    key_col: usize,
}

/// Current versions that are objects (what ListObjects shows).
const OBJECT_RANGE: RangeSql = RangeSql {
    cols: OBJECT_COLS,
    from_where: "objects WHERE bucket = ?1 AND delete_marker = 0",
    order: "key",
    key_col: 0,
};

/// Every current version, delete markers included (ListObjectVersions walks these keys).
const CURRENT_RANGE: RangeSql = RangeSql {
    cols: OBJECT_COLS,
    from_where: "objects WHERE bucket = ?1",
    order: "key",
    key_col: 0,
};

const UPLOAD_RANGE: RangeSql = RangeSql {
    cols: UPLOAD_COLS,
    from_where: "uploads WHERE bucket = ?1",
    order: "key, upload_id",
    key_col: 2,
};

/// Runs a range query lazily: rows are stepped one at a time and the statement is reset as
/// soon as the visitor stops, so seeking past a common prefix reads nothing under it.
fn scan_range<T>(
    c: &Connection,
    q: &RangeSql,
    bucket: &str,
    (lower, upper): (&Lower, Option<&[u8]>),
    decode: &dyn Fn(&rusqlite::Row<'_>) -> MetaResult<T>,
    visit: &mut Visit<'_, T>,
) -> MetaResult<()> {
    let (lower_sql, lower_key, lower_id) = match lower {
        Lower::From(k) => ("key >= ?2", k, None),
        Lower::After(k) => ("key > ?2", k, None),
        // `key >= ?2` alone bounds the index range; the OR only filters the marker key's rows.
        Lower::AfterEntry(k, id) => ("key >= ?2 AND (key > ?2 OR upload_id > ?4)", k, Some(id)),
    };
    let upper_sql = if upper.is_some() { " AND key < ?3" } else { "" };
    let sql = format!(
        "SELECT {} FROM {} AND {lower_sql}{upper_sql} ORDER BY {}",
        q.cols, q.from_where, q.order
    );
    let mut stmt = c.prepare_cached(&sql)?;
    // Keys bind as BLOBs (`&[u8]`) so they compare bytewise with the stored BLOB keys.
    stmt.raw_bind_parameter(1, bucket)?;
    stmt.raw_bind_parameter(2, lower_key.as_slice())?;
    if let Some(u) = upper {
        stmt.raw_bind_parameter(3, u)?;
    }
    if let Some(id) = lower_id {
        stmt.raw_bind_parameter(4, id)?;
    }
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let key = row
            .get_ref(q.key_col)?
            .as_blob()
            .map_err(|e| MetaError::Backend(format!("key column: {e}")))?;
        if visit(key, &|| decode(row))? == Flow::Stop {
            break;
        }
    }
    Ok(())
}

struct ObjectScan<'c> {
    conn: &'c Connection,
    bucket: &'c str,
}

impl RangeScan for ObjectScan<'_> {
    type Item = Object;
    fn scan(
        &mut self,
        lower: &Lower,
        upper: Option<&[u8]>,
        visit: &mut Visit<'_, Object>,
    ) -> MetaResult<()> {
        // Objects have no secondary id: an entry marker means "after this key".
        let after;
        let lower = match lower {
            Lower::AfterEntry(k, _) => {
                after = Lower::After(k.clone());
                &after
            }
            other => other,
        };
        let bucket = self.bucket;
        scan_range(
            self.conn,
            &OBJECT_RANGE,
            bucket,
            (lower, upper),
            &|row| codec::object_from_row(bucket, row),
            visit,
        )
    }
}

/// Versions in ListObjectVersions order: per key the current version, then the noncurrent
/// ones newest first. Keys come from the current rows (every key with versions has one), so
/// common prefixes are skipped as for objects; each key costs one probe of `versions`.
struct VersionScan<'c> {
    conn: &'c Connection,
    bucket: &'c str,
}

impl VersionScan<'_> {
    /// Visits the noncurrent versions of `key` with `seq > after`, newest first.
    fn noncurrent(
        &self,
        key: &[u8],
        after: i64,
        visit: &mut Visit<'_, (Object, bool)>,
    ) -> MetaResult<Flow> {
        let bucket = self.bucket;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {OBJECT_COLS} FROM versions WHERE bucket = ?1 AND key = ?2 AND seq > ?3
             ORDER BY seq"
        ))?;
        let mut rows = stmt.query(params![bucket, key, after])?;
        while let Some(row) = rows.next()? {
            let load = || codec::object_from_row(bucket, row).map(|o| (o, false));
            if visit(key, &load)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// The versions of `key` after the version labelled `label` (`null` or an id). A label
    /// that names no version of the key yields nothing more of it.
    fn after_version(
        &self,
        key: &[u8],
        label: &str,
        visit: &mut Visit<'_, (Object, bool)>,
    ) -> MetaResult<Flow> {
        let version_id = (label != NULL_VERSION).then_some(label);
        let current: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT version_id FROM objects WHERE bucket = ?1 AND key = ?2")?
            .query_row(params![self.bucket, key], |r| r.get(0))
            .optional()?;
        let Some(current) = current else {
            return Ok(Flow::Continue);
        };
        if current.as_deref() == version_id {
            return self.noncurrent(key, i64::MIN, visit);
        }
        let seq: Option<i64> = self
            .conn
            .prepare_cached(
                "SELECT seq FROM versions WHERE bucket = ?1 AND key = ?2 AND version_id IS ?3",
            )?
            .query_row(params![self.bucket, key, version_id], |r| r.get(0))
            .optional()?;
        match seq {
            Some(seq) => self.noncurrent(key, seq, visit),
            None => Ok(Flow::Continue),
        }
    }
}

impl RangeScan for VersionScan<'_> {
    type Item = (Object, bool);
    fn scan(
        &mut self,
        lower: &Lower,
        upper: Option<&[u8]>,
        visit: &mut Visit<'_, (Object, bool)>,
    ) -> MetaResult<()> {
        // A version marker: first the rest of that key's versions, then the keys after it.
        let after;
        let lower = match lower {
            Lower::AfterEntry(k, label) => {
                let in_range = upper.is_none_or(|u| k.as_slice() < u);
                if in_range && self.after_version(k, label, visit)? == Flow::Stop {
                    return Ok(());
                }
                after = Lower::After(k.clone());
                &after
            }
            other => other,
        };
        let bucket = self.bucket;
        scan_range(
            self.conn,
            &CURRENT_RANGE,
            bucket,
            (lower, upper),
            &|row| codec::object_from_row(bucket, row).map(|o| (o, true)),
            &mut |key, load| {
                if visit(key, load)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
                self.noncurrent(key, i64::MIN, visit)
            },
        )
    }
}

struct UploadScan<'c> {
    conn: &'c Connection,
    bucket: &'c str,
}

impl RangeScan for UploadScan<'_> {
    type Item = Upload;
    fn scan(
        &mut self,
        lower: &Lower,
        upper: Option<&[u8]>,
        visit: &mut Visit<'_, Upload>,
    ) -> MetaResult<()> {
        scan_range(
            self.conn,
            &UPLOAD_RANGE,
            self.bucket,
            (lower, upper),
            &codec::upload_from_row,
            visit,
        )
    }
}

pub(super) fn list_objects(c: &Connection, bucket: &str, q: &ListQuery) -> MetaResult<ListPage> {
    let tx = c.unchecked_transaction()?;
    require_bucket(&tx, bucket)?;
    let req = Request {
        prefix: &q.prefix,
        delimiter: q.delimiter.as_deref(),
        marker: q
            .start_after
            .as_ref()
            .map(|s| Lower::After(s.as_bytes().to_vec())),
        max: q.max_keys,
    };
    let (entries, truncated) = list::list(&mut ObjectScan { conn: &tx, bucket }, &req)?;
    Ok(ListPage {
        entries: entries
            .into_iter()
            .map(|e| match e {
                Entry::Item(o) => ListEntry::Object(o),
                Entry::Prefix(p) => ListEntry::CommonPrefix(p),
            })
            .collect(),
        truncated,
    })
}

/// A key marker with an optional second marker within the key (a version id, an upload id).
fn entry_marker(key: &Option<String>, id: &Option<String>) -> Option<Lower> {
    let key = key.as_ref()?.as_bytes().to_vec();
    Some(match id {
        Some(id) => Lower::AfterEntry(key, id.clone()),
        None => Lower::After(key),
    })
}

pub(super) fn list_object_versions(
    c: &Connection,
    bucket: &str,
    q: &VersionQuery,
) -> MetaResult<VersionPage> {
    let tx = c.unchecked_transaction()?;
    require_bucket(&tx, bucket)?;
    let req = Request {
        prefix: &q.prefix,
        delimiter: q.delimiter.as_deref(),
        marker: entry_marker(&q.key_marker, &q.version_id_marker),
        max: q.max_keys,
    };
    let (entries, truncated) = list::list(&mut VersionScan { conn: &tx, bucket }, &req)?;
    Ok(VersionPage {
        entries: entries
            .into_iter()
            .map(|e| match e {
                Entry::Item((object, latest)) => VersionEntry::Version { object, latest },
                Entry::Prefix(p) => VersionEntry::CommonPrefix(p),
            })
            .collect(),
        truncated,
    })
}

pub(super) fn list_uploads(
    c: &Connection,
    bucket: &str,
    q: &UploadQuery,
) -> MetaResult<UploadPage> {
    let tx = c.unchecked_transaction()?;
    require_bucket(&tx, bucket)?;
    let req = Request {
        prefix: &q.prefix,
        delimiter: q.delimiter.as_deref(),
        marker: entry_marker(&q.key_marker, &q.upload_id_marker),
        max: q.max_uploads,
    };
    let (entries, truncated) = list::list(&mut UploadScan { conn: &tx, bucket }, &req)?;
    Ok(UploadPage {
        entries: entries
            .into_iter()
            .map(|e| match e {
                Entry::Item(u) => UploadEntry::Upload(u),
                Entry::Prefix(p) => UploadEntry::CommonPrefix(p),
            })
            .collect(),
        truncated,
    })
}

//! Conversions between rows and the model types.

use rusqlite::Row;

use crate::{
    AccessKey, Account, Bucket, DataRef, KmsKey, MetaError, MetaResult, Object, ObjectAttrs, Part,
    Upload, Versioning,
};

/// Column lists; the `*_from_row` functions read columns by these positions.
/// The same columns exist in `objects` and `versions`, so one decoder serves both.
pub(super) const OBJECT_COLS: &str =
    "key, size, etag, last_modified, storage_class, attrs, version_id, delete_marker, data, inline";
pub(super) const UPLOAD_COLS: &str =
    "upload_id, bucket, key, initiated, storage_class, attrs, initiator";
pub(super) const PART_COLS: &str =
    "upload_id, part_number, size, etag, last_modified, checksum_algo, checksum_value, data, inline";
pub(super) const BUCKET_COLS: &str = "name, owner, created, acl, config, versioning";
pub(super) const ACCOUNT_COLS: &str = "id, name, created, disabled, regions";
pub(super) const KEY_COLS: &str = "access_key_id, account_id, secret, is_primary, active, created";

pub(super) fn json<T: serde::Serialize + ?Sized>(value: &T) -> MetaResult<String> {
    serde_json::to_string(value).map_err(|e| MetaError::Backend(format!("encoding JSON: {e}")))
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> MetaResult<T> {
    serde_json::from_str(text).map_err(|e| MetaError::Backend(format!("decoding JSON: {e}")))
}

fn utf8(bytes: Vec<u8>) -> MetaResult<String> {
    String::from_utf8(bytes).map_err(|_| MetaError::Backend("stored key is not UTF-8".into()))
}

/// Sizes are u64 in the model and INTEGER (i64) in SQLite; no object reaches 2^63 bytes.
pub(super) fn size_col(size: u64) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

/// Splits a DataRef into the `data` (JSON) and `inline` (BLOB) columns.
pub(super) fn data_cols(data: &DataRef) -> MetaResult<(Option<String>, Option<&[u8]>)> {
    Ok(match data {
        DataRef::Inline(bytes) => (None, Some(bytes.as_slice())),
        other => (Some(json(other)?), None),
    })
}

pub(super) fn data_from_cols(data: Option<String>, inline: Option<Vec<u8>>) -> MetaResult<DataRef> {
    match data {
        Some(text) => from_json(&text),
        None => Ok(DataRef::Inline(inline.unwrap_or_default())),
    }
}

/// Data ids of a stored DataRef, read from its columns (for GC bookkeeping).
pub(super) fn data_ids_from_cols(data: Option<String>) -> MetaResult<Vec<String>> {
    match data {
        None => Ok(Vec::new()),
        Some(text) => Ok(from_json::<DataRef>(&text)?
            .data_ids()
            .into_iter()
            .map(str::to_owned)
            .collect()),
    }
}

pub(super) fn object_from_row(bucket: &str, row: &Row<'_>) -> MetaResult<Object> {
    let attrs: String = row.get(5)?;
    Ok(Object {
        bucket: bucket.to_owned(),
        key: utf8(row.get(0)?)?,
        size: row.get::<_, i64>(1)? as u64,
        etag: row.get(2)?,
        last_modified: row.get(3)?,
        storage_class: row.get(4)?,
        attrs: from_json::<ObjectAttrs>(&attrs)?,
        version_id: row.get(6)?,
        delete_marker: row.get(7)?,
        data: data_from_cols(row.get(8)?, row.get(9)?)?,
    })
}

pub(super) fn upload_from_row(row: &Row<'_>) -> MetaResult<Upload> {
    let attrs: String = row.get(5)?;
    Ok(Upload {
        upload_id: row.get(0)?,
        bucket: row.get(1)?,
        key: utf8(row.get(2)?)?,
        initiated: row.get(3)?,
        storage_class: row.get(4)?,
        attrs: from_json(&attrs)?,
        initiator: row.get(6)?,
    })
}

pub(super) fn part_from_row(row: &Row<'_>) -> MetaResult<Part> {
    let algo: Option<String> = row.get(5)?;
    let value: Option<String> = row.get(6)?;
    Ok(Part {
        upload_id: row.get(0)?,
        part_number: row.get(1)?,
        size: row.get::<_, i64>(2)? as u64,
        etag: row.get(3)?,
        last_modified: row.get(4)?,
        checksum: algo.zip(value),
        data: data_from_cols(row.get(7)?, row.get(8)?)?,
    })
}

pub(super) fn bucket_from_row(row: &Row<'_>) -> MetaResult<Bucket> {
    let config: String = row.get(4)?;
    Ok(Bucket {
        name: row.get(0)?,
        owner: row.get(1)?,
        created: row.get(2)?,
        acl: row.get(3)?,
        config: from_json(&config)?,
        versioning: Versioning::parse(&row.get::<_, String>(5)?)
            .ok_or_else(|| MetaError::Backend("unknown versioning state".into()))?,
    })
}

pub(super) const KMS_COLS: &str = "id, alias, description, created, enabled, material";

pub(super) fn kms_key_from_row(row: &Row<'_>) -> rusqlite::Result<KmsKey> {
    Ok(KmsKey {
        id: row.get(0)?,
        alias: row.get(1)?,
        description: row.get(2)?,
        created: row.get(3)?,
        enabled: row.get(4)?,
        material: row.get(5)?,
    })
}

pub(super) fn account_from_row(row: &Row<'_>) -> MetaResult<Account> {
    Ok(Account {
        id: row.get(0)?,
        name: row.get(1)?,
        created: row.get(2)?,
        disabled: row.get(3)?,
        regions: row
            .get::<_, Option<String>>(4)?
            .map(|r| from_json(&r))
            .transpose()?,
    })
}

pub(super) fn key_from_row(row: &Row<'_>) -> MetaResult<AccessKey> {
    Ok(AccessKey {
        access_key_id: row.get(0)?,
        account_id: row.get(1)?,
        secret: row.get(2)?,
        primary: row.get(3)?,
        active: row.get(4)?,
        created: row.get(5)?,
    })
}

//! Key store mutations (SSE-KMS keys).

use rusqlite::{params, Connection};

use crate::{KmsKey, MetaError, MetaResult};

pub(in crate::sqlite) fn create_kms_key(c: &Connection, key: &KmsKey) -> MetaResult<()> {
    let taken = c
        .prepare_cached("SELECT 1 FROM kms_keys WHERE id IN (?1, ?2) OR alias IN (?1, ?2)")?
        .exists(params![key.id, key.alias.as_deref().unwrap_or(&key.id)])?;
    if taken {
        return Err(MetaError::AlreadyExists);
    }
    c.prepare_cached(
        "INSERT INTO kms_keys (id, alias, description, created, enabled, material)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        key.id,
        key.alias,
        key.description,
        key.created,
        key.enabled,
        key.material
    ])?;
    Ok(())
}

pub(in crate::sqlite) fn set_kms_key_enabled(
    c: &Connection,
    id_or_alias: &str,
    enabled: bool,
) -> MetaResult<()> {
    let changed = c
        .prepare_cached("UPDATE kms_keys SET enabled = ?2 WHERE id = ?1 OR alias = ?1")?
        .execute(params![id_or_alias, enabled])?;
    if changed == 0 {
        return Err(MetaError::NotFound);
    }
    Ok(())
}

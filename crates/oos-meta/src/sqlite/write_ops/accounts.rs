//! Account and access key mutations (the IAM side of the store). Like every write function
//! they run inside their command's savepoint, so the key rules are checked after the change
//! and an `Err` undoes it.

use rusqlite::{params, Connection, OptionalExtension};

use super::super::codec;
use crate::{AccessKey, Account, MetaError, MetaResult};

fn account_exists(c: &Connection, id: &str) -> MetaResult<bool> {
    Ok(c.prepare_cached("SELECT 1 FROM accounts WHERE id = ?1")?
        .exists(params![id])?)
}

fn key_exists(c: &Connection, access_key_id: &str) -> MetaResult<bool> {
    Ok(
        c.prepare_cached("SELECT 1 FROM access_keys WHERE access_key_id = ?1")?
            .exists(params![access_key_id])?,
    )
}

fn insert_key(c: &Connection, key: &AccessKey) -> MetaResult<()> {
    c.prepare_cached(
        "INSERT INTO access_keys (access_key_id, account_id, secret, is_primary, active, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        key.access_key_id,
        key.account_id,
        key.secret,
        key.primary,
        key.active,
        key.created
    ])?;
    Ok(())
}

/// Inserts an account whose id is known to be free, with its first key. The name and the key
/// id must be free too (checked here, so the caller gets `AlreadyExists` rather than a
/// constraint failure).
fn insert_account(c: &Connection, account: &Account, key: &AccessKey) -> MetaResult<()> {
    let name_taken = c
        .prepare_cached("SELECT 1 FROM accounts WHERE name = ?1")?
        .exists(params![account.name])?;
    if name_taken || key_exists(c, &key.access_key_id)? {
        return Err(MetaError::AlreadyExists);
    }
    let regions = account.regions.as_ref().map(codec::json).transpose()?;
    c.prepare_cached(
        "INSERT INTO accounts (id, name, created, disabled, regions) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        account.id,
        account.name,
        account.created,
        account.disabled,
        regions
    ])?;
    insert_key(c, key)
}

/// `LastPrimaryKey` unless the account has a key that is both active and primary. Called after
/// a key change, so the savepoint undoes the change when it fails.
fn require_active_primary(c: &Connection, account_id: &str) -> MetaResult<()> {
    let ok = c
        .prepare_cached(
            "SELECT 1 FROM access_keys
             WHERE account_id = ?1 AND is_primary <> 0 AND active <> 0 LIMIT 1",
        )?
        .exists(params![account_id])?;
    if ok {
        Ok(())
    } else {
        Err(MetaError::LastPrimaryKey)
    }
}

pub(in crate::sqlite) fn ensure_account(
    c: &Connection,
    account: &Account,
    key: &AccessKey,
) -> MetaResult<Account> {
    let existing = c
        .prepare_cached(&format!(
            "SELECT {} FROM accounts WHERE id = ?1",
            codec::ACCOUNT_COLS
        ))?
        .query_row(params![account.id], |r| Ok(codec::account_from_row(r)))
        .optional()?
        .transpose()?;
    if let Some(existing) = existing {
        return Ok(existing);
    }
    insert_account(c, account, key)?;
    Ok(account.clone())
}

pub(in crate::sqlite) fn create_account(
    c: &Connection,
    account: &Account,
    key: &AccessKey,
) -> MetaResult<()> {
    // The first key is what keeps the account reachable; anything else is a caller bug.
    if key.account_id != account.id || !key.primary || !key.active {
        return Err(MetaError::Backend(
            "create_account: the first key must be the account's own, primary and active".into(),
        ));
    }
    if account_exists(c, &account.id)? {
        return Err(MetaError::AlreadyExists);
    }
    insert_account(c, account, key)
}

pub(in crate::sqlite) fn set_account_regions(
    c: &Connection,
    account_id: &str,
    regions: Option<&[String]>,
) -> MetaResult<()> {
    let regions = regions.map(codec::json).transpose()?;
    let n = c
        .prepare_cached("UPDATE accounts SET regions = ?2 WHERE id = ?1")?
        .execute(params![account_id, regions])?;
    if n == 0 {
        return Err(MetaError::NotFound);
    }
    Ok(())
}

pub(in crate::sqlite) fn set_account_disabled(
    c: &Connection,
    account_id: &str,
    disabled: bool,
) -> MetaResult<()> {
    let n = c
        .prepare_cached("UPDATE accounts SET disabled = ?2 WHERE id = ?1")?
        .execute(params![account_id, disabled])?;
    if n == 0 {
        return Err(MetaError::NotFound);
    }
    Ok(())
}

pub(in crate::sqlite) fn create_access_key(
    c: &Connection,
    key: &AccessKey,
    quota: usize,
) -> MetaResult<()> {
    if !account_exists(c, &key.account_id)? {
        return Err(MetaError::NotFound);
    }
    if key_exists(c, &key.access_key_id)? {
        return Err(MetaError::AlreadyExists);
    }
    let count: i64 = c
        .prepare_cached("SELECT COUNT(*) FROM access_keys WHERE account_id = ?1")?
        .query_row(params![key.account_id], |r| r.get(0))?;
    if usize::try_from(count).unwrap_or(usize::MAX) >= quota {
        return Err(MetaError::LimitExceeded);
    }
    insert_key(c, key)
}

pub(in crate::sqlite) fn update_access_key(
    c: &Connection,
    account_id: &str,
    access_key_id: &str,
    active: bool,
    primary: Option<bool>,
) -> MetaResult<()> {
    let n = c
        .prepare_cached(
            "UPDATE access_keys SET active = ?3, is_primary = COALESCE(?4, is_primary)
             WHERE access_key_id = ?2 AND account_id = ?1",
        )?
        .execute(params![account_id, access_key_id, active, primary])?;
    if n == 0 {
        return Err(MetaError::NotFound);
    }
    require_active_primary(c, account_id)
}

pub(in crate::sqlite) fn delete_access_key(
    c: &Connection,
    account_id: &str,
    access_key_id: &str,
) -> MetaResult<()> {
    let n = c
        .prepare_cached("DELETE FROM access_keys WHERE access_key_id = ?2 AND account_id = ?1")?
        .execute(params![account_id, access_key_id])?;
    if n == 0 {
        return Err(MetaError::NotFound);
    }
    require_active_primary(c, account_id)
}

//! Accounts and access keys: the logic shared by `oosd account …`, the admin API and the IAM
//! AccessKey API. Secrets are generated here, shown once, and stored sealed.

use oos_meta::{AccessKey, Account, MetaError, MetaStore};
use serde::Serialize;

use crate::config::Config;
use crate::placement::AccountRegions;
use crate::secrets::SecretBox;
use crate::state::now_millis;

/// What `account create` prints (`--json` form is a contract for scripts).
#[derive(Debug, Serialize)]
pub struct NewAccount {
    pub account: String,
    pub canonical_id: String,
    pub access_key: String,
    pub secret_key: String,
}

/// An account as `account list|show` and the admin API describe it (never a secret).
#[derive(Debug, Serialize)]
pub struct AccountInfo {
    pub account: String,
    pub canonical_id: String,
    pub disabled: bool,
    pub created: String,
    /// The regions the account may use; `null` = every region of the server.
    pub regions: Option<Vec<String>>,
    pub access_keys: Vec<KeyInfo>,
}

#[derive(Debug, Serialize)]
pub struct KeyInfo {
    pub access_key: String,
    pub primary: bool,
    pub active: bool,
}

/// Account names: 1–64 of letters, digits and `+=,.@_-` (the IAM user-name alphabet).
pub fn valid_account_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

/// A new access key id (20 hex digits, as OOS issues them) and secret (40 hex digits).
pub fn new_key_pair() -> (String, String) {
    (
        hex::encode(rand::random::<[u8; 10]>()),
        hex::encode(rand::random::<[u8; 20]>()),
    )
}

/// Checks a region limit against the configuration: known names, and at least one metadata
/// and one data region among them (OOS refuses accounts without either).
pub fn check_regions(config: &Config, regions: &Option<Vec<String>>) -> Result<(), String> {
    let Some(list) = regions else {
        return Ok(());
    };
    if let Some(unknown) = list.iter().find(|r| config.region_named(r).is_none()) {
        let known: Vec<&str> = config.regions.iter().map(|r| r.name.as_str()).collect();
        return Err(format!(
            "unknown region {unknown:?} (this server has {})",
            known.join(", ")
        ));
    }
    let account = Account {
        regions: regions.clone(),
        ..Account::default()
    };
    let usable = AccountRegions::of(config, &account);
    if usable.metadata.is_empty() || usable.data.is_empty() {
        return Err("the regions must include a metadata region and a data region".into());
    }
    Ok(())
}

pub async fn create_account(
    meta: &dyn MetaStore,
    secrets: &SecretBox,
    config: &Config,
    name: &str,
    regions: Option<Vec<String>>,
) -> Result<NewAccount, String> {
    if !valid_account_name(name) {
        return Err(format!(
            "invalid account name {name:?}: use 1-64 letters, digits or +=,.@_-"
        ));
    }
    check_regions(config, &regions)?;
    let canonical_id = hex::encode(rand::random::<[u8; 32]>());
    let (access_key, secret_key) = new_key_pair();
    let now = now_millis();
    let account = Account {
        id: canonical_id.clone(),
        name: name.to_string(),
        created: now,
        disabled: false,
        regions,
    };
    let key = AccessKey {
        access_key_id: access_key.clone(),
        account_id: canonical_id.clone(),
        secret: secrets.seal(&access_key, &secret_key),
        primary: true,
        active: true,
        created: now,
    };
    meta.create_account(account, key)
        .await
        .map_err(|e| match e {
            MetaError::AlreadyExists => format!("an account named {name:?} exists already"),
            other => other.to_string(),
        })?;
    Ok(NewAccount {
        account: name.to_string(),
        canonical_id,
        access_key,
        secret_key,
    })
}

pub async fn account_info(meta: &dyn MetaStore, name: &str) -> Result<AccountInfo, String> {
    let account = meta
        .get_account_by_name(name)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no account named {name:?}"))?;
    describe(meta, account).await
}

pub async fn list_accounts(meta: &dyn MetaStore) -> Result<Vec<AccountInfo>, String> {
    let mut out = Vec::new();
    for account in meta.list_accounts().await.map_err(|e| e.to_string())? {
        out.push(describe(meta, account).await?);
    }
    Ok(out)
}

pub async fn set_disabled(
    meta: &dyn MetaStore,
    name: &str,
    disabled: bool,
) -> Result<AccountInfo, String> {
    let info = account_info(meta, name).await?;
    meta.set_account_disabled(&info.canonical_id, disabled)
        .await
        .map_err(|e| e.to_string())?;
    account_info(meta, name).await
}

pub async fn set_regions(
    meta: &dyn MetaStore,
    config: &Config,
    name: &str,
    regions: Option<Vec<String>>,
) -> Result<AccountInfo, String> {
    check_regions(config, &regions)?;
    let info = account_info(meta, name).await?;
    meta.set_account_regions(&info.canonical_id, regions)
        .await
        .map_err(|e| e.to_string())?;
    account_info(meta, name).await
}

async fn describe(meta: &dyn MetaStore, account: Account) -> Result<AccountInfo, String> {
    let keys = meta
        .list_access_keys(&account.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(AccountInfo {
        account: account.name,
        canonical_id: account.id,
        disabled: account.disabled,
        regions: account.regions,
        created: oos_proto::time_fmt::iso8601_millis(account.created),
        access_keys: keys
            .into_iter()
            .map(|k| KeyInfo {
                access_key: k.access_key_id,
                primary: k.primary,
                active: k.active,
            })
            .collect(),
    })
}

//! The key store of SSE-KMS: keys the server manages (`oosd kms …`, the admin API), their
//! material sealed by the server key. Keys are server-wide: any account may encrypt under
//! any enabled key; reading an object still needs the right to read it.

use oos_meta::{KmsKey, MetaError, MetaStore};
use oos_sse::ObjectKey;
use serde::Serialize;

use crate::error::{S3Error, S3Result};
use crate::s3_error;
use crate::secrets::SecretBox;
use crate::state::now_millis;

/// The key `aws:kms` uses when the request names none (AWS's managed key for S3), made on
/// first use.
pub const DEFAULT_ALIAS: &str = "alias/aws/s3";

/// A key as `oosd kms` and the admin API show it (never its material).
#[derive(Debug, Serialize)]
pub struct KeyInfo {
    pub key_id: String,
    pub alias: Option<String>,
    pub description: String,
    pub enabled: bool,
    pub created: String,
}

impl From<KmsKey> for KeyInfo {
    fn from(k: KmsKey) -> KeyInfo {
        KeyInfo {
            key_id: k.id,
            alias: k.alias,
            description: k.description,
            enabled: k.enabled,
            created: oos_proto::time_fmt::iso8601_millis(k.created),
        }
    }
}

/// Aliases as AWS KMS spells them: `alias/` then 1–250 of letters, digits, `/_-`; the
/// `alias/aws/` names are reserved for the server's own keys.
fn check_alias(alias: &str) -> Result<(), String> {
    let name = alias
        .strip_prefix("alias/")
        .ok_or_else(|| format!("alias {alias:?} must start with alias/"))?;
    if name.is_empty()
        || name.len() > 250
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/_-".contains(&b))
    {
        return Err(format!(
            "alias {alias:?} must be alias/ and 1-250 of letters, digits, / _ -"
        ));
    }
    if name.starts_with("aws/") {
        return Err(format!("alias {alias:?} is reserved"));
    }
    Ok(())
}

fn new_key(secrets: &SecretBox, alias: Option<String>, description: String) -> KmsKey {
    // AWS's form of key id: a random UUID.
    let id = uuid::Uuid::new_v4().to_string();
    let material: [u8; 32] = rand::random();
    KmsKey {
        material: secrets.seal(&id, &hex::encode(material)),
        id,
        alias,
        description,
        created: now_millis(),
        enabled: true,
    }
}

pub async fn create_key(
    meta: &dyn MetaStore,
    secrets: &SecretBox,
    alias: Option<String>,
    description: Option<String>,
) -> Result<KeyInfo, String> {
    if let Some(a) = &alias {
        check_alias(a)?;
    }
    let description = description.unwrap_or_default();
    if description.len() > 8192 {
        return Err("the description is longer than 8192 bytes".into());
    }
    let key = new_key(secrets, alias, description);
    match meta.create_kms_key(key.clone()).await {
        Ok(()) => Ok(key.into()),
        Err(MetaError::AlreadyExists) => Err("that alias is taken".into()),
        Err(e) => Err(e.to_string()),
    }
}

pub async fn list_keys(meta: &dyn MetaStore) -> Result<Vec<KeyInfo>, String> {
    let keys = meta.list_kms_keys().await.map_err(|e| e.to_string())?;
    Ok(keys.into_iter().map(KeyInfo::from).collect())
}

/// Disables or enables a key: objects under a disabled key cannot be read or written until
/// it is enabled again (nothing is deleted).
pub async fn set_enabled(
    meta: &dyn MetaStore,
    id_or_alias: &str,
    enabled: bool,
) -> Result<KeyInfo, String> {
    match meta.set_kms_key_enabled(id_or_alias, enabled).await {
        Ok(()) => {}
        Err(MetaError::NotFound) => return Err(format!("no key {id_or_alias}")),
        Err(e) => return Err(e.to_string()),
    }
    let key = meta
        .get_kms_key(id_or_alias)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no key {id_or_alias}"))?;
    Ok(key.into())
}

/// The key a client named (its id, alias, or an ARN ending in `key/<id>` or `alias/<name>`),
/// if it exists and is enabled.
pub async fn resolve(meta: &dyn MetaStore, named: &str) -> S3Result<KmsKey> {
    let lookup = match named.strip_prefix("arn:") {
        Some(arn) => arn
            .rsplit_once(':')
            .map(|(_, resource)| resource.strip_prefix("key/").unwrap_or(resource))
            .unwrap_or(named),
        None => named,
    };
    let key = meta
        .get_kms_key(lookup)
        .await?
        .ok_or_else(|| s3_error!(KmsNotFound, "Invalid keyId {named}"))?;
    if !key.enabled {
        return Err(s3_error!(KmsDisabled, "{named} is disabled."));
    }
    Ok(key)
}

/// The default key of `aws:kms`, created the first time it is needed.
pub async fn default_key(meta: &dyn MetaStore, secrets: &SecretBox) -> S3Result<KmsKey> {
    if meta.get_kms_key(DEFAULT_ALIAS).await?.is_none() {
        let key = new_key(
            secrets,
            Some(DEFAULT_ALIAS.to_string()),
            "Default key for aws:kms without a key id".into(),
        );
        match meta.create_kms_key(key).await {
            // Another request made it first: use that one.
            Ok(()) | Err(MetaError::AlreadyExists) => {}
            Err(e) => return Err(e.into()),
        }
    }
    resolve(meta, DEFAULT_ALIAS).await
}

/// The key-encryption key a KMS key holds.
pub fn kek(secrets: &SecretBox, key: &KmsKey) -> S3Result<ObjectKey> {
    let hex_material = secrets
        .open_secret(&key.id, &key.material)
        .map_err(|e| S3Error::internal("KMS key material", e))?;
    let bytes: [u8; 32] = hex::decode(hex_material)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| S3Error::internal("KMS key material", "not 32 bytes"))?;
    Ok(ObjectKey::from_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_follow_aws_kms() {
        assert!(check_alias("alias/app-1/logs_2").is_ok());
        for bad in ["app", "alias/", "alias/aws/s3", "alias/sp ace", "alias/é"] {
            assert!(check_alias(bad).is_err(), "{bad}");
        }
        // AWS's form of key id: a random UUID.
        let id = uuid::Uuid::new_v4().to_string();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}

//! Secret access keys at rest: SigV4 needs the plaintext secret, so secrets are stored
//! encrypted (ChaCha20-Poly1305) under a server key, never hashed and never in the clear.
//!
//! The server key comes from `OOS_MASTER_KEY` (64 hex digits) or from `master.key` in the data
//! directory (mode 0600), generated on first start. Stored form: `enc1:` + base64(nonce ‖
//! ciphertext), the access key id bound in as associated data so a secret cannot be moved to
//! another key's row. The same server key also seals (through keys derived from it) the
//! object keys of SSE-S3 and the key material of the SSE-KMS key store: losing it loses every
//! encrypted object.

use std::path::Path;

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

pub const MASTER_KEY_FILE: &str = "master.key";
const PREFIX: &str = "enc1:";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
    /// Seals the object keys of SSE-S3 (derived from the server key, never stored).
    sse_s3: oos_sse::ObjectKey,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("OOS_MASTER_KEY must be 64 hex digits")]
    BadMasterKey,
    #[error("cannot read or create {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a stored secret does not decrypt with this server key (wrong master key?)")]
    Undecryptable,
}

impl SecretBox {
    /// The server key of `data_dir`: `OOS_MASTER_KEY`, else `master.key`, created if absent.
    pub fn open(data_dir: &Path) -> Result<SecretBox, SecretError> {
        let key = match std::env::var("OOS_MASTER_KEY") {
            Ok(hex_key) => parse_key(hex_key.trim()).ok_or(SecretError::BadMasterKey)?,
            Err(_) => key_from_file(&data_dir.join(MASTER_KEY_FILE))?,
        };
        Ok(SecretBox::from_key(key))
    }

    pub fn from_key(key: [u8; 32]) -> SecretBox {
        SecretBox {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
            sse_s3: oos_sse::derive_key(&key, "oos sse-s3 key-encryption key v1"),
        }
    }

    /// The key-encryption key of SSE-S3 object keys.
    pub fn sse_s3_kek(&self) -> &oos_sse::ObjectKey {
        &self.sse_s3
    }

    pub fn seal(&self, access_key_id: &str, secret: &str) -> String {
        let nonce: [u8; 12] = rand::random();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: access_key_id.as_bytes(),
                },
            )
            .expect("encryption of a short secret cannot fail");
        format!(
            "{PREFIX}{}",
            B64.encode([nonce.as_slice(), &sealed].concat())
        )
    }

    pub fn open_secret(&self, access_key_id: &str, stored: &str) -> Result<String, SecretError> {
        let raw = stored
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|r| r.len() > 12)
            .ok_or(SecretError::Undecryptable)?;
        let (nonce, sealed) = raw.split_at(12);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: access_key_id.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Undecryptable)
    }
}

pub(crate) fn parse_key(hex_key: &str) -> Option<[u8; 32]> {
    hex::decode(hex_key).ok()?.try_into().ok()
}

fn key_from_file(path: &Path) -> Result<[u8; 32], SecretError> {
    let err = |source| SecretError::KeyFile {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key(text.trim()).ok_or(SecretError::BadMasterKey),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            crate::start::write_private(path, &hex::encode(key)).map_err(err)?;
            Ok(key)
        }
        Err(e) => Err(err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_and_tamper_fails() {
        let b = SecretBox::from_key([7; 32]);
        let sealed = b.seal("AK1", "s3cr3t");
        assert!(sealed.starts_with("enc1:"));
        assert!(!sealed.contains("s3cr3t"));
        assert_eq!(b.open_secret("AK1", &sealed).unwrap(), "s3cr3t");
        assert!(
            b.open_secret("AK2", &sealed).is_err(),
            "bound to its key id"
        );
        assert!(SecretBox::from_key([8; 32])
            .open_secret("AK1", &sealed)
            .is_err());
        assert!(
            b.open_secret("AK1", "s3cr3t").is_err(),
            "plaintext is refused"
        );
        assert_ne!(b.seal("AK1", "s3cr3t"), sealed, "fresh nonce each time");
    }
}

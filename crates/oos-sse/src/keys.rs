//! Object keys: generation, derivation, sealing under a key-encryption key, and the salted
//! check value that lets SSE-C tell a wrong customer key without storing the key.

use base64::Engine;
use hkdf::Hkdf;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::SseError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
const SEALED_PREFIX: &str = "k1:";
const CHECK_PREFIX: &str = "c1:";

/// A 256-bit key, wiped from memory when dropped.
#[derive(Clone)]
pub struct ObjectKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ObjectKey(..)")
    }
}

impl ObjectKey {
    pub fn from_bytes(bytes: [u8; 32]) -> ObjectKey {
        ObjectKey(Zeroizing::new(bytes))
    }

    pub fn generate() -> ObjectKey {
        ObjectKey::from_bytes(rand::random())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// A key derived from `key` for one purpose (HKDF-SHA256; `purpose` is the info string).
pub fn derive_key(key: &[u8], purpose: &str) -> ObjectKey {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(None, key)
        .expand(purpose.as_bytes(), &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 length");
    ObjectKey::from_bytes(out)
}

/// The key of one segment's chunks.
pub(crate) fn chunk_key(key: &ObjectKey, salt: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(salt), key.as_bytes())
        .expand(b"oos sse chunk key v1", out.as_mut())
        .expect("32 bytes is a valid HKDF-SHA256 length");
    out
}

/// Seals `key` under `kek`, bound to `context` (for example the key id and the encryption
/// context), so a sealed key moved to another object's record does not open.
fn aead(kek: &ObjectKey) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, kek.as_bytes()).expect("a 32-byte key"))
}

pub fn seal_key(kek: &ObjectKey, key: &ObjectKey, context: &[u8]) -> String {
    // Random 96-bit nonces: a key-encryption key seals far fewer than 2^32 object keys.
    let nonce: [u8; 12] = rand::random();
    let mut sealed = Zeroizing::new(key.as_bytes().to_vec());
    aead(kek)
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(context),
            &mut *sealed,
        )
        .expect("sealing 32 bytes cannot fail");
    format!(
        "{SEALED_PREFIX}{}",
        B64.encode([nonce.as_slice(), &sealed].concat())
    )
}

pub fn open_key(kek: &ObjectKey, sealed: &str, context: &[u8]) -> Result<ObjectKey, SseError> {
    let raw = sealed
        .strip_prefix(SEALED_PREFIX)
        .and_then(|b| B64.decode(b).ok())
        .filter(|r| r.len() == 12 + 32 + 16)
        .ok_or(SseError::Unsealable)?;
    let (nonce, ct) = raw.split_at(12);
    let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SseError::Unsealable)?;
    let mut buf = Zeroizing::new(ct.to_vec());
    let plain = aead(kek)
        .open_in_place(nonce, Aad::from(context), &mut buf)
        .map_err(|_| SseError::Unsealable)?;
    let bytes: [u8; 32] = (&*plain).try_into().map_err(|_| SseError::Unsealable)?;
    Ok(ObjectKey::from_bytes(bytes))
}

/// A salted one-way check value of a customer key: stored instead of the key, it tells a
/// wrong key at read time and reveals nothing usable about the key.
pub fn key_check(key: &ObjectKey) -> String {
    let salt: [u8; 16] = rand::random();
    let check = check_value(key, &salt);
    format!(
        "{CHECK_PREFIX}{}",
        B64.encode([salt.as_slice(), check.as_slice()].concat())
    )
}

/// Whether `key` is the key `stored` (a [`key_check`] value) was made from; constant time.
pub fn verify_key_check(key: &ObjectKey, stored: &str) -> bool {
    let Some(raw) = stored
        .strip_prefix(CHECK_PREFIX)
        .and_then(|b| B64.decode(b).ok())
        .filter(|r| r.len() == 48)
    else {
        return false;
    };
    let (salt, expected) = raw.split_at(16);
    check_value(key, salt).ct_eq(expected).into()
}

fn check_value(key: &ObjectKey, salt: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    Hkdf::<Sha256>::new(Some(salt), key.as_bytes())
        .expand(b"oos sse-c key check v1", &mut out)
        .expect("32 bytes is a valid HKDF-SHA256 length");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_keys_open_only_with_their_kek_and_context() {
        let kek = ObjectKey::generate();
        let key = ObjectKey::generate();
        let sealed = seal_key(&kek, &key, b"ctx");
        assert_eq!(
            open_key(&kek, &sealed, b"ctx").unwrap().as_bytes(),
            key.as_bytes()
        );
        assert!(matches!(
            open_key(&kek, &sealed, b"other"),
            Err(SseError::Unsealable)
        ));
        assert!(open_key(&ObjectKey::generate(), &sealed, b"ctx").is_err());
        assert!(open_key(&kek, "k1:AAAA", b"ctx").is_err());
    }

    #[test]
    fn key_checks_tell_the_right_key() {
        let key = ObjectKey::generate();
        let check = key_check(&key);
        assert!(verify_key_check(&key, &check));
        assert!(!verify_key_check(&ObjectKey::generate(), &check));
        assert_ne!(key_check(&key), check, "salted");
        assert!(!verify_key_check(&key, "garbage"));
    }

    #[test]
    fn derivation_separates_purposes() {
        let a = derive_key(b"master", "one");
        let b = derive_key(b"master", "two");
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert_eq!(a.as_bytes(), derive_key(b"master", "one").as_bytes());
    }
}

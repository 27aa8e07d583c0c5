//! Server-side encryption at rest, independent of HTTP and of where the bytes are stored.
//!
//! An encrypted *segment* (one object's data, or one part of a multipart object) is stored as
//!
//! ```text
//! "OSE1" ‖ salt[16] ‖ chunk₀ ‖ chunk₁ ‖ …      chunkᵢ = AES-256-GCM(k, nonceᵢ, plainᵢ) ‖ tag[16]
//! k      = HKDF-SHA256(ikm = object key, salt = salt, info = "oos sse chunk key v1")
//! nonceᵢ = i as u64 big-endian ‖ 1 if chunkᵢ is the last chunk else 0, as u32 big-endian
//! ```
//!
//! Every plaintext chunk is 64 KiB except the last (1 byte to 64 KiB); an empty segment has
//! no chunk. Chunks are authenticated one by one, so a ranged read decrypts only the chunks it
//! returns, and a flipped bit, a swapped chunk or a cut-off tail is an error, never wrong
//! bytes. The random salt gives every segment its own key, so a nonce never repeats under one
//! key even when the object key is reused (SSE-C keys, a re-uploaded part).
//!
//! Object keys are random per object (SSE-S3, SSE-KMS), sealed by a key-encryption key, or
//! the customer's own key (SSE-C), which is never stored: only a salted check value is.

mod format;
mod keys;

pub use format::{stored_len, window, Decryptor, Encryptor, Window, CHUNK, HEADER_LEN, TAG_LEN};
pub use keys::{derive_key, key_check, open_key, seal_key, verify_key_check, ObjectKey};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SseError {
    /// Stored data that is not an encrypted segment of this format.
    #[error("not an encrypted segment (bad header)")]
    BadHeader,
    /// A chunk that does not authenticate: wrong key, or damaged or altered data.
    #[error("chunk {0} does not authenticate (wrong key or damaged data)")]
    Unauthentic(u64),
    /// The stored data ends before the chunks the read needs.
    #[error("encrypted data is shorter than its object")]
    Truncated,
    /// A sealed key that does not open with this key-encryption key.
    #[error("a sealed object key does not open (wrong key-encryption key or context)")]
    Unsealable,
}

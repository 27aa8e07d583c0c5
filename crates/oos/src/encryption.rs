//! Server-side encryption: what a write asks for ([`Encryption`], in
//! [`crate::PutObjectOptions::encryption`]), the customer key an SSE-C object is read with
//! ([`CustomerKey`], in [`crate::GetObjectOptions::customer_key`]), and a bucket's default
//! encryption (`?encryption`).

use base64::Engine;
use http::Method;
use md5::{Digest, Md5};

use crate::client::{to_xml, Client, Request};
use crate::error::{Error, Result};
use crate::model::{EncryptionByDefault, EncryptionRule, ServerSideEncryptionConfiguration};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// How the server encrypts an object at rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encryption {
    /// SSE-S3 (`AES256`): keys the server manages under its master key.
    S3,
    /// SSE-KMS (`aws:kms`): under a key of the server's key store (`oosd kms create-key`).
    Kms {
        /// The key's id, alias or ARN; `None` uses the store's default key.
        key_id: Option<String>,
        /// The encryption context (base64 of a JSON object of strings), bound to the
        /// object's key.
        context: Option<String>,
    },
    /// SSE-C: the caller's own key, which the server never stores; every read needs it.
    Customer(CustomerKey),
}

impl Encryption {
    pub(crate) fn apply(&self, req: Request) -> Result<Request> {
        match self {
            Encryption::S3 => req.header("x-amz-server-side-encryption", "AES256"),
            Encryption::Kms { key_id, context } => req
                .header("x-amz-server-side-encryption", "aws:kms")?
                .header_opt(
                    "x-amz-server-side-encryption-aws-kms-key-id",
                    key_id.as_deref(),
                )?
                .header_opt("x-amz-server-side-encryption-context", context.as_deref()),
            Encryption::Customer(key) => key.apply(req),
        }
    }

    /// The customer key, for SSE-C.
    pub fn customer_key(&self) -> Option<&CustomerKey> {
        match self {
            Encryption::Customer(k) => Some(k),
            _ => None,
        }
    }
}

/// A 256-bit SSE-C key. Its `Debug` output never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct CustomerKey([u8; 32]);

impl std::fmt::Debug for CustomerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomerKey(md5 {})", self.md5_base64())
    }
}

impl CustomerKey {
    /// A key from its 32 bytes.
    pub fn new(key: [u8; 32]) -> CustomerKey {
        CustomerKey(key)
    }

    /// A key given as base64 (44 characters), as `aws s3 cp --sse-c-key` takes it.
    pub fn from_base64(text: &str) -> Result<CustomerKey> {
        let bytes = B64
            .decode(text.trim())
            .map_err(|_| Error::InvalidArgument("an SSE-C key must be base64".into()))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            Error::InvalidArgument("an SSE-C key must be 32 bytes (256 bits)".into())
        })?;
        Ok(CustomerKey(key))
    }

    /// The key's MD5, base64: what the server answers in
    /// `x-amz-server-side-encryption-customer-key-MD5`.
    pub fn md5_base64(&self) -> String {
        B64.encode(Md5::digest(self.0))
    }

    pub(crate) fn apply(&self, req: Request) -> Result<Request> {
        self.apply_named(req, "x-amz-server-side-encryption-customer")
    }

    /// For the source of a copy.
    pub(crate) fn apply_to_source(&self, req: Request) -> Result<Request> {
        self.apply_named(req, "x-amz-copy-source-server-side-encryption-customer")
    }

    fn apply_named(&self, req: Request, prefix: &str) -> Result<Request> {
        req.header(&format!("{prefix}-algorithm"), "AES256")?
            .header(&format!("{prefix}-key"), &B64.encode(self.0))?
            .header(&format!("{prefix}-key-MD5"), &self.md5_base64())
    }
}

/// A bucket's default encryption: what objects written without encryption headers get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketEncryption {
    /// `AES256` (SSE-S3) or `aws:kms` (SSE-KMS).
    pub algorithm: String,
    /// The KMS key, for `aws:kms` (`None`: the default key).
    pub kms_key_id: Option<String>,
    /// S3 Bucket Keys (fewer KMS calls); recorded and answered.
    pub bucket_key_enabled: bool,
}

impl Client {
    /// Sets the bucket's default encryption.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::BucketEncryption;
    /// client.put_bucket_encryption("photos", &BucketEncryption {
    ///     algorithm: "AES256".into(), kms_key_id: None, bucket_key_enabled: false,
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_encryption(
        &self,
        bucket: &str,
        config: &BucketEncryption,
    ) -> Result<()> {
        let doc = ServerSideEncryptionConfiguration {
            xmlns: oos_proto::xml::XMLNS.to_string(),
            rules: vec![EncryptionRule {
                default: Some(EncryptionByDefault {
                    sse_algorithm: config.algorithm.clone(),
                    kms_master_key_id: config.kms_key_id.clone(),
                }),
                bucket_key_enabled: Some(config.bucket_key_enabled),
            }],
        };
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub("encryption")
            .xml_body(to_xml("ServerSideEncryptionConfiguration", &doc))?;
        self.send_empty(req).await.map(|_| ())
    }

    /// The bucket's default encryption; `None` when it has none.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// if let Some(e) = client.get_bucket_encryption("photos").await? {
    ///     println!("new objects get {}", e.algorithm);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_encryption(&self, bucket: &str) -> Result<Option<BucketEncryption>> {
        let req = Request::new(Method::GET).bucket(bucket).sub("encryption");
        let doc: ServerSideEncryptionConfiguration = match self.send_xml(req).await {
            Ok((doc, _)) => doc,
            Err(Error::Service(e))
                if e.code == "ServerSideEncryptionConfigurationNotFoundError" =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e),
        };
        let rule = doc.rules.into_iter().next();
        Ok(rule.and_then(|r| {
            let d = r.default?;
            Some(BucketEncryption {
                algorithm: d.sse_algorithm,
                kms_key_id: d.kms_master_key_id,
                bucket_key_enabled: r.bucket_key_enabled.unwrap_or(false),
            })
        }))
    }

    /// Removes the bucket's default encryption (objects already written stay as they are).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket_encryption("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket_encryption(&self, bucket: &str) -> Result<()> {
        self.delete_sub(bucket, "encryption").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_keys_are_32_bytes_of_base64_and_never_printed() {
        let key = CustomerKey::from_base64(&B64.encode([7u8; 32])).unwrap();
        assert_eq!(key, CustomerKey::new([7u8; 32]));
        assert!(!format!("{key:?}").contains(&B64.encode([7u8; 32])));
        assert!(CustomerKey::from_base64(&B64.encode([7u8; 16])).is_err());
        assert!(CustomerKey::from_base64("not base64!").is_err());
    }
}

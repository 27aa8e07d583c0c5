//! A bucket's Block Public Access settings (`?publicAccessBlock`), kept in its config as JSON
//! under [`CONFIG_KEY`]. Account-level settings (S3 Control) do not exist here.

use oos_meta::Bucket;
use serde::{Deserialize, Serialize};

use crate::error::{S3Error, S3Result};
use crate::s3_error;

use super::acl::Acl;

/// The bucket config kind that holds the settings.
pub const CONFIG_KEY: &str = "public_access_block";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// The bucket's settings as set; `None` when none were.
    pub fn configured(bucket: &Bucket) -> Option<PublicAccessBlock> {
        let (_, text) = bucket.config.iter().find(|(k, _)| k == CONFIG_KEY)?;
        // A stored document that no longer parses blocks everything rather than nothing.
        Some(serde_json::from_str(text).unwrap_or(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }))
    }

    /// The settings in force: none set blocks nothing.
    pub fn of(bucket: &Bucket) -> PublicAccessBlock {
        Self::configured(bucket).unwrap_or_default()
    }

    pub fn stored(&self) -> S3Result<String> {
        serde_json::to_string(self).map_err(|e| S3Error::internal("public access block", e))
    }

    /// BlockPublicAcls: a request that would set a public ACL is refused (S3 answers 403).
    pub fn check_acl(&self, acl: &Acl) -> S3Result<()> {
        if self.block_public_acls && acl.is_public() {
            return Err(s3_error!(
                AccessDenied,
                "Access Denied: the bucket's Block Public Access settings refuse public ACLs."
            ));
        }
        Ok(())
    }
}

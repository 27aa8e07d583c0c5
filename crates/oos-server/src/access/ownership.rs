//! A bucket's Object Ownership (`?ownershipControls`), kept in its config under
//! [`CONFIG_KEY`]. Without one the bucket behaves as `ObjectWriter` (ACLs on, the writer
//! owns what it writes).

use oos_meta::Bucket;

/// The bucket config kind that holds the setting (its S3 name, as text).
pub const CONFIG_KEY: &str = "ownership_controls";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectOwnership {
    /// ACLs are disabled; the bucket owner owns every object.
    BucketOwnerEnforced,
    /// Objects written with `bucket-owner-full-control` belong to the bucket owner.
    BucketOwnerPreferred,
    /// The writing account owns the object.
    ObjectWriter,
}

impl ObjectOwnership {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectOwnership::BucketOwnerEnforced => "BucketOwnerEnforced",
            ObjectOwnership::BucketOwnerPreferred => "BucketOwnerPreferred",
            ObjectOwnership::ObjectWriter => "ObjectWriter",
        }
    }

    /// The S3 value, exactly (case-sensitive, as S3).
    pub fn parse(s: &str) -> Option<ObjectOwnership> {
        Some(match s {
            "BucketOwnerEnforced" => ObjectOwnership::BucketOwnerEnforced,
            "BucketOwnerPreferred" => ObjectOwnership::BucketOwnerPreferred,
            "ObjectWriter" => ObjectOwnership::ObjectWriter,
            _ => return None,
        })
    }

    /// The bucket's setting as set; `None` when none was.
    pub fn configured(bucket: &Bucket) -> Option<ObjectOwnership> {
        let (_, text) = bucket.config.iter().find(|(k, _)| k == CONFIG_KEY)?;
        // An unreadable setting keeps ACLs off: the safer reading.
        Some(Self::parse(text).unwrap_or(ObjectOwnership::BucketOwnerEnforced))
    }

    /// The setting in force.
    pub fn of(bucket: &Bucket) -> ObjectOwnership {
        Self::configured(bucket).unwrap_or(ObjectOwnership::ObjectWriter)
    }
}

/// Whether the bucket's ACLs are disabled (`BucketOwnerEnforced`).
pub fn acls_disabled(bucket: &Bucket) -> bool {
    ObjectOwnership::of(bucket) == ObjectOwnership::BucketOwnerEnforced
}

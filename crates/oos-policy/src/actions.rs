//! The S3 action names a bucket policy may name, and the kind of resource each applies to.

/// What kind of resource an action is authorized against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// `arn:aws:s3:::bucket`
    Bucket,
    /// `arn:aws:s3:::bucket/key`
    Object,
    /// No particular resource (`*`), e.g. `s3:ListAllMyBuckets`.
    Service,
}

/// Actions authorized against objects (`arn:aws:s3:::bucket/key`).
const OBJECT_ACTIONS: &[&str] = &[
    "s3:AbortMultipartUpload",
    "s3:BypassGovernanceRetention",
    "s3:DeleteObject",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersion",
    "s3:DeleteObjectVersionTagging",
    "s3:GetObject",
    "s3:GetObjectAcl",
    "s3:GetObjectAttributes",
    "s3:GetObjectLegalHold",
    "s3:GetObjectRetention",
    "s3:GetObjectTagging",
    "s3:GetObjectTorrent",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionAttributes",
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionTagging",
    "s3:GetObjectVersionTorrent",
    "s3:ListMultipartUploadParts",
    "s3:ObjectOwnerOverrideToBucketOwner",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectVersionTagging",
    "s3:ReplicateDelete",
    "s3:ReplicateObject",
    "s3:ReplicateTags",
    "s3:RestoreObject",
];

/// Actions authorized against buckets (`arn:aws:s3:::bucket`).
const BUCKET_ACTIONS: &[&str] = &[
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:DeleteBucketWebsite",
    "s3:GetAccelerateConfiguration",
    "s3:GetAnalyticsConfiguration",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketNotification",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicy",
    "s3:GetBucketPolicyStatus",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetBucketWebsite",
    "s3:GetEncryptionConfiguration",
    "s3:GetIntelligentTieringConfiguration",
    "s3:GetInventoryConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetMetricsConfiguration",
    "s3:GetReplicationConfiguration",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:ListBucketVersions",
    "s3:PutAccelerateConfiguration",
    "s3:PutAnalyticsConfiguration",
    "s3:PutBucketAcl",
    "s3:PutBucketCORS",
    "s3:PutBucketLogging",
    "s3:PutBucketNotification",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketRequestPayment",
    "s3:PutBucketTagging",
    "s3:PutBucketVersioning",
    "s3:PutBucketWebsite",
    "s3:PutEncryptionConfiguration",
    "s3:PutIntelligentTieringConfiguration",
    "s3:PutInventoryConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutMetricsConfiguration",
    "s3:PutReplicationConfiguration",
];

/// Actions that take no resource.
const SERVICE_ACTIONS: &[&str] = &["s3:ListAllMyBuckets"];

/// Every action name accepted in `Action`/`NotAction` (matched case-insensitively); an
/// action pattern with wildcards must match at least one of them.
pub fn s3_actions() -> impl Iterator<Item = &'static str> {
    OBJECT_ACTIONS
        .iter()
        .chain(BUCKET_ACTIONS)
        .chain(SERVICE_ACTIONS)
        .copied()
}

/// The kind of resource a known action (any case) applies to; `None` if unknown.
pub fn resource_kind(action: &str) -> Option<ResourceKind> {
    let known = |list: &[&str]| list.iter().any(|a| a.eq_ignore_ascii_case(action));
    if known(OBJECT_ACTIONS) {
        Some(ResourceKind::Object)
    } else if known(BUCKET_ACTIONS) {
        Some(ResourceKind::Bucket)
    } else if known(SERVICE_ACTIONS) {
        Some(ResourceKind::Service)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_consistent() {
        let all: Vec<&str> = s3_actions().collect();
        let mut sorted = all.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            all.len(),
            "an action listed twice or under two kinds"
        );
        assert_eq!(resource_kind("s3:getobject"), Some(ResourceKind::Object));
        assert_eq!(resource_kind("s3:ListBucket"), Some(ResourceKind::Bucket));
        assert_eq!(
            resource_kind("s3:ListAllMyBuckets"),
            Some(ResourceKind::Service)
        );
        assert_eq!(resource_kind("s3:Nope"), None);
    }
}

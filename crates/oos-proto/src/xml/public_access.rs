//! Public access and object ownership documents: `?publicAccessBlock`, `?policyStatus` and
//! `?ownershipControls`. Each derives both directions, for the server and the SDK.

use serde::{Deserialize, Serialize};

use super::default_ns_string;

/// PUT / GET `?publicAccessBlock`. A flag left out of a PUT is `false`, as in S3; GET
/// answers all four.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicAccessBlockConfiguration {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    /// Refuse requests that set a public ACL.
    #[serde(rename = "BlockPublicAcls", default)]
    pub block_public_acls: bool,
    /// Public ACL grants give nothing.
    #[serde(rename = "IgnorePublicAcls", default)]
    pub ignore_public_acls: bool,
    /// Refuse a public bucket policy.
    #[serde(rename = "BlockPublicPolicy", default)]
    pub block_public_policy: bool,
    /// While the bucket policy is public, it grants only the owner's account.
    #[serde(rename = "RestrictPublicBuckets", default)]
    pub restrict_public_buckets: bool,
}

/// GET `?policyStatus`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyStatus {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    #[serde(rename = "IsPublic", default)]
    pub is_public: bool,
}

/// PUT / GET `?ownershipControls`: S3 takes exactly one rule.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnershipControls {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    #[serde(rename = "Rule", default)]
    pub rules: Vec<OwnershipControlsRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnershipControlsRule {
    /// `BucketOwnerEnforced`, `BucketOwnerPreferred` or `ObjectWriter`.
    #[serde(rename = "ObjectOwnership", default)]
    pub object_ownership: String,
}

impl OwnershipControls {
    /// One rule of this ownership.
    pub fn of(object_ownership: &str) -> OwnershipControls {
        OwnershipControls {
            xmlns: default_ns_string(),
            rules: vec![OwnershipControlsRule {
                object_ownership: object_ownership.to_string(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{from_xml, to_xml};

    #[test]
    fn public_access_block_exact_xml() {
        let doc = PublicAccessBlockConfiguration {
            xmlns: default_ns_string(),
            block_public_acls: true,
            restrict_public_buckets: true,
            ..Default::default()
        };
        assert_eq!(
            to_xml("PublicAccessBlockConfiguration", &doc),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls>\
<BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>\
</PublicAccessBlockConfiguration>"
        );
        let back: PublicAccessBlockConfiguration = from_xml(
            "<PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration>",
        )
        .unwrap();
        assert!(back.ignore_public_acls && !back.block_public_acls && !back.block_public_policy);
        assert!(from_xml::<PublicAccessBlockConfiguration>(
            "<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>"
        )
        .is_err());
    }

    #[test]
    fn policy_status_and_ownership_exact_xml() {
        let status = PolicyStatus {
            xmlns: default_ns_string(),
            is_public: true,
        };
        assert_eq!(
            to_xml("PolicyStatus", &status),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PolicyStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><IsPublic>true</IsPublic></PolicyStatus>"
        );
        assert_eq!(
            to_xml("OwnershipControls", &OwnershipControls::of("BucketOwnerEnforced")),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OwnershipControls xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
<Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule></OwnershipControls>"
        );
        let two: OwnershipControls = from_xml(
            "<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule>\
<Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>",
        )
        .unwrap();
        assert_eq!(two.rules.len(), 2);
    }
}

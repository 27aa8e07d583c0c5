//! Authorization (DESIGN §2 step 5): key scope, then the bucket policy (explicit Deny wins,
//! Allow grants), then ownership, then ACL grants; anything else is denied. Block Public
//! Access and Object Ownership settings narrow the policy and ACL steps.

pub mod acl;
pub mod ownership;
pub mod public_access;

use std::net::IpAddr;

use oos_meta::Bucket;

use crate::error::S3Result;
use crate::s3_error;
use crate::state::Principal;
use acl::{Acl, Permission};
use public_access::PublicAccessBlock;

/// What an operation needs besides a matching policy statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Read,
    Write,
    ReadAcp,
    WriteAcp,
    /// Bucket configuration and deletion: the owner's alone (policy Allow does not help).
    Owner,
    /// The owner's, or granted by a bucket policy; ACLs never grant it (Object Lock).
    OwnerOrPolicy,
}

/// One authorization question: may the caller do `action` on the bucket (and key)?
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// The IAM action name (`s3:GetObject`), matched against bucket policies.
    pub action: &'static str,
    pub need: Need,
    /// The object key, for object operations.
    pub key: Option<&'a str>,
    /// The listing prefix, for list operations (non-primary keys are confined to it).
    pub list_prefix: Option<&'a str>,
}

/// Facts about the request that policy conditions may test.
#[derive(Debug, Clone)]
pub struct RequestFacts {
    pub source_ip: IpAddr,
    pub secure_transport: bool,
    pub referer: Option<String>,
    pub user_agent: Option<String>,
    pub prefix: Option<String>,
    pub delimiter: Option<String>,
    pub max_keys: Option<i64>,
    /// The addressed object's tags (`s3:ExistingObjectTag/…`), once it was looked up.
    pub existing_object_tags: Option<Vec<(String, String)>>,
    /// The tags the request sets (`x-amz-tagging`, or a PutObjectTagging body), which
    /// `s3:RequestObjectTag/…` and `s3:RequestObjectTagKeys` test on the actions that set tags.
    pub request_object_tags: Option<Vec<(String, String)>>,
    /// The headers that are condition keys (`s3:x-amz-acl`, ...; [`oos_policy::HEADER_KEYS`]).
    pub headers: Vec<(String, String)>,
}

/// The actions whose requests carry tags for the object (`s3:RequestObjectTag/…`).
const TAGGING_ACTIONS: &[&str] = &[
    "s3:PutObject",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
];

/// Non-primary keys may touch only keys (and list only prefixes) that start with their
/// AccessKeyId (OOS, oos-api B 1.3); every other operation is denied to them.
pub fn check_key_scope(
    principal: Option<&Principal>,
    key: Option<&str>,
    list_prefix: Option<&str>,
) -> S3Result<()> {
    let Some(p) = principal.filter(|p| !p.primary) else {
        return Ok(());
    };
    let within = |s: &str| s.starts_with(p.access_key_id.as_str());
    let allowed = match (key, list_prefix) {
        (Some(k), _) => within(k),
        (None, Some(prefix)) => within(prefix),
        (None, None) => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(s3_error!(
            AccessDenied,
            "A non-primary access key may only use keys and prefixes that start with its AccessKeyId."
        ))
    }
}

/// [`authorize`] on a key whose current state is `object`: its ACL may grant what the
/// bucket's does not, and its tags are the `s3:ExistingObjectTag/…` keys.
pub fn authorize_object(
    principal: Option<&Principal>,
    bucket: &Bucket,
    check: &Check<'_>,
    facts: &RequestFacts,
    object: Option<&oos_meta::Object>,
) -> S3Result<()> {
    let mut facts = facts.clone();
    facts.existing_object_tags = object
        .filter(|o| !o.delete_marker)
        .map(|o| o.attrs.tags.clone());
    let object_acl = object.and_then(|o| o.attrs.acl.as_deref());
    authorize(principal, bucket, check, &facts, object_acl)
}

/// `object_acl` is the addressed object's own ACL, which may grant what the bucket's does not
/// (and names the object's owner when that is not the bucket owner).
pub fn authorize(
    principal: Option<&Principal>,
    bucket: &Bucket,
    check: &Check<'_>,
    facts: &RequestFacts,
    object_acl: Option<&str>,
) -> S3Result<()> {
    check_key_scope(principal, check.key, check.list_prefix)?;
    let account = principal.map(|p| p.account.id.as_str());
    let is_owner = account == Some(bucket.owner.as_str());
    // The owner can always manage the policy itself, so a bad policy cannot lock them out.
    let policy_action = check.action.ends_with("BucketPolicy");
    let policy = bucket
        .config
        .iter()
        .find(|(k, _)| k == "policy")
        .map(|(_, v)| v);
    let block = PublicAccessBlock::of(bucket);
    // Stored policies were validated on PUT; one that no longer parses grants nothing.
    let policy = policy
        .filter(|_| !policy_action)
        .and_then(|text| oos_policy::parse(text, &bucket.name).ok());
    if let Some(policy) = policy {
        match evaluate_policy(&policy, &bucket.name, account, check, facts) {
            oos_policy::Decision::Deny => return Err(s3_error!(AccessDenied)),
            // RestrictPublicBuckets: a public policy grants only the owner's account (S3
            // blocks even the non-public cross-account statements of such a policy).
            oos_policy::Decision::Allow
                if block.restrict_public_buckets && !is_owner && policy.is_public() => {}
            oos_policy::Decision::Allow if check.need != Need::Owner => return Ok(()),
            _ => {}
        }
    }
    if is_owner {
        return Ok(());
    }
    // OOS acceleration: a CDN's anonymous origin pulls from white-listed addresses.
    if principal.is_none()
        && check.action == "s3:GetObject"
        && crate::api::accelerate_admits(bucket, facts.source_ip)
    {
        return Ok(());
    }
    let permission = match check.need {
        Need::Owner | Need::OwnerOrPolicy => return Err(s3_error!(AccessDenied)),
        Need::Read => Permission::Read,
        Need::Write => Permission::Write,
        Need::ReadAcp => Permission::ReadAcp,
        Need::WriteAcp => Permission::WriteAcp,
    };
    // BucketOwnerEnforced: ACLs grant nothing, and every object is the bucket owner's.
    if ownership::acls_disabled(bucket) {
        return Err(s3_error!(AccessDenied));
    }
    let object_acl = object_acl.map(Acl::from_stored);
    // An object's owner holds FULL_CONTROL of it (its ACL's implicit grant).
    if let (Some(acl), Some(account)) = (&object_acl, account) {
        if acl.owner.as_deref() == Some(account) {
            return Ok(());
        }
    }
    let granted = |acl: Acl| {
        let acl = if block.ignore_public_acls {
            acl.without_public()
        } else {
            acl
        };
        acl.allows(account, permission)
    };
    if granted(Acl::from_stored(&bucket.acl)) || object_acl.is_some_and(granted) {
        Ok(())
    } else {
        Err(s3_error!(AccessDenied))
    }
}

fn evaluate_policy(
    policy: &oos_policy::Policy,
    bucket: &str,
    account: Option<&str>,
    check: &Check<'_>,
    facts: &RequestFacts,
) -> oos_policy::Decision {
    let resource = match check.key {
        Some(k) => format!("arn:aws:s3:::{bucket}/{k}"),
        None => format!("arn:aws:s3:::{bucket}"),
    };
    let sets_tags = TAGGING_ACTIONS.contains(&check.action);
    let context = oos_policy::Context {
        source_ip: Some(facts.source_ip),
        referer: facts.referer.clone(),
        user_agent: facts.user_agent.clone(),
        secure_transport: facts.secure_transport,
        current_time: time::OffsetDateTime::now_utc(),
        prefix: facts.prefix.clone(),
        delimiter: facts.delimiter.clone(),
        max_keys: facts.max_keys,
        existing_object_tags: facts
            .existing_object_tags
            .clone()
            .filter(|_| check.key.is_some()),
        request_object_tags: facts.request_object_tags.clone().filter(|_| sets_tags),
        headers: facts.headers.clone(),
        source_arn: None,
        source_account: None,
    };
    let principal = match account {
        Some(id) => oos_policy::Principal::Account { id },
        None => oos_policy::Principal::Anonymous,
    };
    policy.evaluate(&oos_policy::Request {
        principal,
        action: check.action,
        resource: &resource,
        context: &context,
    })
}

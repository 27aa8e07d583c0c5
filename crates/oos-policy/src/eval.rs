//! Evaluating a parsed policy against one request.

use std::net::IpAddr;

use time::OffsetDateTime;

use crate::parse::{Effect, Policy, PrincipalSpec, Statement};
use crate::wildcard;

/// Who is making the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal<'a> {
    /// An unsigned request.
    Anonymous,
    /// A signed request by this account (its account id, which is also its canonical id).
    Account { id: &'a str },
}

/// The values that policy conditions can test. Keys this server does not supply are absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// `aws:SourceIp`.
    pub source_ip: Option<IpAddr>,
    /// `aws:Referer`.
    pub referer: Option<String>,
    /// `aws:UserAgent`.
    pub user_agent: Option<String>,
    /// `aws:SecureTransport` (always present).
    pub secure_transport: bool,
    /// `aws:CurrentTime` and `aws:EpochTime` (always present).
    pub current_time: OffsetDateTime,
    /// `s3:prefix` (ListBucket).
    pub prefix: Option<String>,
    /// `s3:delimiter` (ListBucket).
    pub delimiter: Option<String>,
    /// `s3:max-keys` (ListBucket).
    pub max_keys: Option<i64>,
    /// The tags of the object the request addresses (`s3:ExistingObjectTag/<key>`); `None`
    /// when it addresses no existing object.
    pub existing_object_tags: Option<Vec<(String, String)>>,
    /// The tags the request sets (`s3:RequestObjectTag/<key>`, `s3:RequestObjectTagKeys`):
    /// `x-amz-tagging` of a write, or the body of PutObjectTagging; `None` when it sets none.
    pub request_object_tags: Option<Vec<(String, String)>>,
    /// The request headers that are condition keys of their own (`s3:x-amz-acl`, ...; see
    /// [`HEADER_KEYS`]), by lower-cased name.
    pub headers: Vec<(String, String)>,
    /// `aws:SourceArn`: the resource on whose behalf a service acts (no request of this
    /// server carries one).
    pub source_arn: Option<String>,
    /// `aws:SourceAccount`, likewise.
    pub source_account: Option<String>,
}

/// The request headers that S3 exposes as condition keys `s3:<header name>`.
pub const HEADER_KEYS: &[&str] = &[
    "x-amz-acl",
    "x-amz-grant-read",
    "x-amz-grant-write",
    "x-amz-grant-read-acp",
    "x-amz-grant-write-acp",
    "x-amz-grant-full-control",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-copy-source",
    "x-amz-metadata-directive",
    "x-amz-storage-class",
    "x-amz-content-sha256",
    "x-amz-object-lock-mode",
    "x-amz-object-lock-retain-until-date",
    "x-amz-object-lock-legal-hold",
];

impl Context {
    /// A context at `current_time` with every optional key absent and plain HTTP.
    pub fn new(current_time: OffsetDateTime) -> Context {
        Context {
            source_ip: None,
            referer: None,
            user_agent: None,
            secure_transport: false,
            current_time,
            prefix: None,
            delimiter: None,
            max_keys: None,
            existing_object_tags: None,
            request_object_tags: None,
            headers: Vec::new(),
            source_arn: None,
            source_account: None,
        }
    }
}

impl Default for Context {
    /// [`Context::new`] at the current time.
    fn default() -> Context {
        Context::new(OffsetDateTime::now_utc())
    }
}

/// One authorization question.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub principal: Principal<'a>,
    /// The action name, e.g. `s3:GetObject` (compared case-insensitively).
    pub action: &'a str,
    /// `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key` (see [`crate::resource_arn`]).
    pub resource: &'a str,
    pub context: &'a Context,
}

/// The outcome of evaluating a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// A statement that applies denies the request; nothing else can allow it.
    Deny,
    /// A statement that applies allows the request and none denies it.
    Allow,
    /// No statement applies.
    NotApplicable,
}

impl Policy {
    /// Evaluates the policy: any applicable Deny wins, else any applicable Allow, else
    /// [`Decision::NotApplicable`].
    pub fn evaluate(&self, req: &Request<'_>) -> Decision {
        let path = resource_path(req.resource);
        let mut allowed = false;
        for st in &self.statements {
            if st.effect == Effect::Allow && allowed {
                continue; // only a Deny can change the outcome now
            }
            if st.applies(req, path) {
                match st.effect {
                    Effect::Deny => return Decision::Deny,
                    Effect::Allow => allowed = true,
                }
            }
        }
        if allowed {
            Decision::Allow
        } else {
            Decision::NotApplicable
        }
    }
}

impl Statement {
    /// Whether this statement applies to the request (its effect aside).
    pub(crate) fn applies(&self, req: &Request<'_>, path: &str) -> bool {
        let principal = self.principals.iter().any(|p| p.matches(req.principal));
        let action = self
            .actions
            .iter()
            .any(|a| a == "*" || wildcard::matches(a, req.action, true));
        let resource = self
            .resources
            .iter()
            .any(|r| wildcard::matches(r, path, false));
        principal != self.not_principal
            && action != self.not_action
            && resource != self.not_resource
            && self.conditions.iter().all(|c| c.holds(req.context))
    }
}

impl PrincipalSpec {
    fn matches(&self, who: Principal<'_>) -> bool {
        match (self, who) {
            (PrincipalSpec::Any, _) => true,
            (
                PrincipalSpec::Account(id) | PrincipalSpec::Canonical(id),
                Principal::Account { id: have },
            ) => id == have,
            _ => false,
        }
    }
}

/// The part of an S3 ARN after `arn:PARTITION:s3:::` (`bucket` or `bucket/key`); any other
/// string is taken as that part already.
pub(crate) fn resource_path(resource: &str) -> &str {
    if resource.starts_with("arn:") {
        let mut parts = resource.splitn(6, ':');
        let (_, _, service, region, account, rest) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        );
        if let (Some("s3"), Some(""), Some(""), Some(rest)) = (service, region, account, rest) {
            return rest;
        }
    }
    resource
}

/// The ARN of a bucket (`key` `None`) or of an object, as [`Request::resource`] expects.
pub fn resource_arn(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(k) => format!("arn:aws:s3:::{bucket}/{k}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(resource_path("arn:aws:s3:::b"), "b");
        assert_eq!(
            resource_path("arn:aws:s3:::b/k:with:colons"),
            "b/k:with:colons"
        );
        assert_eq!(resource_path("arn:aws-cn:s3:::b/k"), "b/k");
        assert_eq!(resource_path("b/k"), "b/k");
        assert_eq!(resource_arn("b", None), "arn:aws:s3:::b");
        assert_eq!(resource_arn("b", Some("a/b")), "arn:aws:s3:::b/a/b");
    }
}

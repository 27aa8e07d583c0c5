//! Whether a policy is public, after "The meaning of public" in the S3 user guide (Blocking
//! public access): some Allow statement grants a "bad action" to everyone, unless one of its
//! conditions pins the caller to fixed values.
//!
//! Conditions that make a statement non-public (without `IfExists`, not negated, and with
//! values free of wildcards):
//! - `IpAddress` on `aws:SourceIp` whose every network is no wider than a /8 (IPv4) or a
//!   /32 (IPv6);
//! - `StringEquals` / `StringEqualsIgnoreCase` (or `StringLike` without `*` or `?`) on
//!   `aws:SourceArn`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:SourceOwner`,
//!   `aws:SourceAccount`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:PrincipalOrgID`,
//!   `aws:userid` or `s3:x-amz-server-side-encryption-aws-kms-key-id`.
//!
//! Everything else (`aws:Referer`, `aws:UserAgent`, `aws:SecureTransport`, times, ...) can be
//! met by anyone, so it leaves a statement public.

use crate::actions::s3_actions;
use crate::parse::{Effect, Policy, PrincipalSpec, Statement};
use crate::wildcard;

/// Condition keys whose fixed values name a caller or a network path.
pub(crate) const FIXING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceowner",
    "aws:sourceaccount",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:userid",
    "s3:x-amz-server-side-encryption-aws-kms-key-id",
];

/// Action prefixes that expose a bucket's data to the public (S3's "bad actions").
const BAD_ACTION_PREFIXES: &[&str] = &[
    "s3:get",
    "s3:list",
    "s3:put",
    "s3:delete",
    "s3:abortmultipartupload",
    "s3:restoreobject",
];

impl Policy {
    /// Whether the policy grants public access (see the module documentation).
    pub fn is_public(&self) -> bool {
        self.statements.iter().any(Statement::is_public)
    }
}

impl Statement {
    fn is_public(&self) -> bool {
        self.effect == Effect::Allow
            && self.grants_everyone()
            && self.grants_bad_action()
            && !self.conditions.iter().any(|c| c.fixes_caller())
    }

    /// `NotPrincipal` in an Allow grants everyone but a few; `*` (or a wildcard account)
    /// grants everyone.
    fn grants_everyone(&self) -> bool {
        self.not_principal
            || self.principals.iter().any(|p| match p {
                PrincipalSpec::Any => true,
                PrincipalSpec::Account(id) => id.contains(['*', '?']),
                _ => false,
            })
    }

    fn grants_bad_action(&self) -> bool {
        let bad = |action: &str| {
            let lower = action.to_ascii_lowercase();
            BAD_ACTION_PREFIXES.iter().any(|p| lower.starts_with(p))
        };
        let granted = |action: &str| {
            self.actions
                .iter()
                .any(|a| a == "*" || wildcard::matches(a, action, true))
        };
        s3_actions().any(|action| bad(action) && granted(action) != self.not_action)
    }
}

#[cfg(test)]
mod tests {
    use crate::parse;

    fn public(statement: &str) -> bool {
        let doc = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        parse(&doc, "b").unwrap().is_public()
    }

    const READ_ALL: &str =
        r#""Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*""#;

    #[test]
    fn everyone_without_fixed_condition_is_public() {
        assert!(public(&format!(r#"{{"Principal":"*",{READ_ALL}}}"#)));
        assert!(public(&format!(
            r#"{{"Principal":{{"AWS":"*"}},{READ_ALL}}}"#
        )));
        assert!(public(&format!(
            r#"{{"Principal":"*",{READ_ALL},"Condition":{{"StringLike":{{"aws:Referer":"https://example.com/*"}}}}}}"#
        )));
        assert!(public(&format!(
            r#"{{"NotPrincipal":{{"AWS":"123456789012"}},{READ_ALL}}}"#
        )));
        assert!(public(
            r#"{"Principal":"*","Effect":"Allow","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#
        ));
    }

    #[test]
    fn fixed_principal_deny_or_fixed_condition_is_not_public() {
        assert!(!public(&format!(
            r#"{{"Principal":{{"AWS":"123456789012"}},{READ_ALL}}}"#
        )));
        assert!(!public(
            r#"{"Principal":"*","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#
        ));
        let with = |cond: &str| {
            public(&format!(
                r#"{{"Principal":"*",{READ_ALL},"Condition":{cond}}}"#
            ))
        };
        assert!(!with(r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#));
        assert!(!with(
            r#"{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]}}"#
        ));
        assert!(with(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/1"}}"#));
        assert!(with(r#"{"NotIpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#));
        assert!(!with(r#"{"StringEquals":{"aws:SourceVpc":"vpc-1"}}"#));
        assert!(!with(
            r#"{"StringEquals":{"aws:PrincipalAccount":"123456789012"}}"#
        ));
        assert!(with(r#"{"StringLike":{"aws:SourceArn":"arn:aws:s3:::*"}}"#));
        assert!(with(
            r#"{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}"#
        ));
        assert!(with(r#"{"StringNotEquals":{"aws:SourceVpc":"vpc-1"}}"#));
    }
}

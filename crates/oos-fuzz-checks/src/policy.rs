//! Bucket policies: the JSON parser with its validation, condition blocks, evaluation against
//! arbitrary request facts, whether a policy is public, and the wildcard matcher.
//!
//! Input: the policy JSON, then optionally a `---` line and facts as `key=value` lines:
//! `bucket`, `principal` (an account id, else anonymous), `action`, `resource` (a key, or
//! a whole ARN), `ip`, `referer`, `ua`, `secure`, `time` (Unix seconds), `prefix`,
//! `delimiter`, `max-keys`, `tag:K`, `reqtag:K`, `header:NAME`, `cidr`.

use oos_policy::{resource_arn, wildcard, Cidr, Context, Decision, Effect, Principal, Request};
use std::net::IpAddr;

use time::OffsetDateTime;

use crate::input;

const ACTIONS: [&str; 6] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:GetBucketPolicy",
    "s3:PutObjectAcl",
];

pub fn check(data: &[u8]) {
    let (doc, facts) = input::split_facts(data);
    let facts = input::facts(facts);
    let fact = |k: &str| facts.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let bucket = fact("bucket").unwrap_or("photos").to_string();
    let ctx = context(&facts);

    for (_, text) in &facts {
        wildcards(text);
    }
    if let Some(c) = fact("cidr") {
        cidr(c);
    }
    if let Some(ip) = fact("ip") {
        cidr(ip);
    }

    let Ok(json) = std::str::from_utf8(doc) else {
        return;
    };
    let Ok(policy) = oos_policy::parse(json, &bucket) else {
        return;
    };
    assert!(!policy.statements().is_empty());
    assert_eq!(policy.bucket(), bucket);
    let has = |e: Effect| policy.statements().iter().any(|s| s.effect() == e);
    if policy.is_public() {
        assert!(has(Effect::Allow), "public without an Allow");
    }
    let account = fact("principal").filter(|p| !p.is_empty() && *p != "*");
    let principals = [
        Principal::Anonymous,
        Principal::Account {
            id: account.unwrap_or("111122223333"),
        },
    ];
    let key = fact("resource").unwrap_or("photos/cat.jpg");
    let resources = [
        if key.starts_with("arn:") {
            key.to_string()
        } else {
            resource_arn(&bucket, Some(key))
        },
        resource_arn(&bucket, None),
    ];
    let actions = fact("action").into_iter().chain(ACTIONS);
    for action in actions {
        for resource in &resources {
            for principal in principals {
                let req = Request {
                    principal,
                    action,
                    resource,
                    context: &ctx,
                };
                let decision = policy.evaluate(&req);
                assert_eq!(
                    policy.evaluate(&req),
                    decision,
                    "evaluation is deterministic"
                );
                match decision {
                    Decision::Deny => assert!(has(Effect::Deny)),
                    Decision::Allow => assert!(has(Effect::Allow)),
                    Decision::NotApplicable => {}
                }
            }
        }
    }
}

fn context(facts: &[(String, String)]) -> Context {
    let fact = |k: &str| facts.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let time = fact("time")
        .and_then(|t| t.trim().parse::<i64>().ok())
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .unwrap_or_else(|| OffsetDateTime::from_unix_timestamp(1_700_000_000).expect("in range"));
    let mut ctx = Context::new(time);
    ctx.source_ip = fact("ip").and_then(|ip| ip.trim().parse().ok());
    ctx.referer = fact("referer");
    ctx.user_agent = fact("ua");
    ctx.secure_transport = fact("secure").is_some_and(|s| s == "true");
    ctx.prefix = fact("prefix");
    ctx.delimiter = fact("delimiter");
    ctx.max_keys = fact("max-keys").and_then(|m| m.trim().parse().ok());
    let tagged = |p: &str| -> Option<Vec<(String, String)>> {
        let tags: Vec<(String, String)> = facts
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(p).map(|k| (k.to_string(), v.clone())))
            .collect();
        (!tags.is_empty()).then_some(tags)
    };
    ctx.existing_object_tags = tagged("tag:");
    ctx.request_object_tags = tagged("reqtag:");
    ctx.headers = facts
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("header:")
                .map(|k| (k.to_ascii_lowercase(), v.clone()))
        })
        .collect();
    ctx
}

/// Patterns made from a text by putting wildcards in it match that text.
fn wildcards(text: &str) {
    assert!(wildcard::matches("*", text, false));
    if wildcard::has_wildcard(text) {
        return;
    }
    assert!(wildcard::matches(text, text, false));
    assert!(wildcard::matches(&text.to_ascii_uppercase(), text, true));
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len().min(8) {
        let mut q: Vec<char> = chars.clone();
        q[i] = '?';
        let q: String = q.into_iter().collect();
        assert!(wildcard::matches(&q, text, false), "{q:?} ~ {text:?}");
        let star: String = chars[..i]
            .iter()
            .chain(['*'].iter())
            .chain(chars[i + 1..].iter())
            .collect();
        assert!(wildcard::matches(&star, text, false), "{star:?} ~ {text:?}");
        let cut: String = chars[..i].iter().chain(['*'].iter()).collect();
        assert!(wildcard::matches(&cut, text, false), "{cut:?} ~ {text:?}");
        assert!(wildcard::matches_prefix(&cut, text));
        assert!(wildcard::matches_prefix(
            text,
            &chars[..i].iter().collect::<String>()
        ));
    }
    // One character more is no match without a wildcard.
    assert!(!wildcard::matches(text, &format!("{text}x"), false));
}

/// A network contains the address it was written with, in either of its forms (IPv4 and
/// IPv4-mapped IPv6); the server's own network lists (accelerate white lists, trusted proxies,
/// `metrics_allow`) agree with policies.
fn cidr(s: &str) {
    let policy = Cidr::parse(s);
    let server = oos_server::fuzzing::IpNet::parse(s.trim());
    let Ok(ip) = s.trim().split('/').next().unwrap_or("").parse::<IpAddr>() else {
        return;
    };
    let forms = match ip {
        IpAddr::V4(v4) => vec![ip, IpAddr::V6(v4.to_ipv6_mapped())],
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => vec![ip, IpAddr::V4(v4)],
            None => vec![ip],
        },
    };
    for form in forms {
        if let Some(c) = &policy {
            assert!(c.contains(form), "{s:?} contains {form}");
        }
        if let Some(n) = &server {
            assert!(n.contains(form), "{s:?} contains {form} (server)");
        }
    }
}

//! Condition operators, their combination, and missing-key semantics.

mod common;

use common::{ctx, eval, policy};
use oos_policy::{Context, Decision, Policy};
use time::macros::datetime;

use Decision::{Allow, Deny, NotApplicable};

/// An anonymous `s3:GetObject`-on-`b/*` Allow statement with this condition block.
fn allow_if(condition: &str) -> Policy {
    policy(&format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],
             "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{condition}}}"#
    ))
}

/// Whether the condition block holds for `c` (an Allow on it applies).
fn holds(condition: &str, c: &Context) -> bool {
    eval(&allow_if(condition), "s3:GetObject", "b/k", c) == Allow
}

fn with_referer(r: Option<&str>) -> Context {
    let mut c = ctx();
    c.referer = r.map(str::to_string);
    c
}

fn with_ip(ip: &str) -> Context {
    let mut c = ctx();
    c.source_ip = Some(ip.parse().unwrap());
    c
}

#[test]
fn hotlink_protection() {
    let p = policy(
        r#"{"Sid":"Allow","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"StringLike":{"aws:Referer":["http://www.example.com/*","http://example.com/*"]}}},
           {"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"StringNotLike":{"aws:Referer":["http://www.example.com/*","http://example.com/*"]}}}"#,
    );
    let cases = [
        (Some("http://www.example.com/page.html"), Allow),
        (Some("http://example.com/"), Allow),
        (Some("http://www.example.com"), Deny),
        (Some("http://evil.example.org/page.html"), Deny),
        (Some("HTTP://WWW.EXAMPLE.COM/page.html"), Deny), // StringLike is case-sensitive
        (Some("https://www.example.com/page.html"), Deny),
        (None, Deny), // negated operator, key absent: true
    ];
    for (referer, want) in cases {
        assert_eq!(
            eval(&p, "s3:GetObject", "b/img.png", &with_referer(referer)),
            want,
            "{referer:?}"
        );
    }
}

#[test]
fn ip_address_v4_and_v6() {
    let cond = r#"{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32","203.0.113.9"]}}"#;
    let cases = [
        ("192.0.2.1", true),
        ("192.0.2.255", true),
        ("192.0.3.1", false),
        ("203.0.113.9", true),
        ("203.0.113.10", false),
        ("2001:db8::1", true),
        ("2001:db8:ffff::1", true),
        ("2001:db9::1", false),
        ("::ffff:192.0.2.9", true),
        ("::1", false),
    ];
    for (ip, want) in cases {
        assert_eq!(holds(cond, &with_ip(ip)), want, "{ip}");
    }
    let not = r#"{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}"#;
    assert!(!holds(not, &with_ip("192.0.2.7")));
    assert!(!holds(not, &with_ip("2001:db8::7")));
    assert!(holds(not, &with_ip("198.51.100.1")));
    assert!(holds(not, &with_ip("2001:db9::7")));
    let mut no_ip = ctx();
    no_ip.source_ip = None;
    assert!(!holds(cond, &no_ip));
    assert!(holds(not, &no_ip));
}

#[test]
fn ip_allow_with_deny_exception() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
            "Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}},
           {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
            "Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.188/32"}}}"#,
    );
    assert_eq!(
        eval(&p, "s3:GetObject", "b/k", &with_ip("192.0.2.1")),
        Allow
    );
    assert_eq!(
        eval(&p, "s3:GetObject", "b/k", &with_ip("192.0.2.188")),
        Deny
    );
    assert_eq!(
        eval(&p, "s3:GetObject", "b/k", &with_ip("10.0.0.1")),
        NotApplicable
    );
}

#[test]
fn secure_transport() {
    let p = policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
            "Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    let mut c = ctx();
    c.secure_transport = false;
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &c), Deny);
    c.secure_transport = true;
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &c), NotApplicable);
    assert!(holds(r#"{"Bool":{"aws:SecureTransport":true}}"#, &c));
    assert!(holds(r#"{"Bool":{"AWS:SECURETRANSPORT":"TRUE"}}"#, &c));
}

#[test]
fn date_window() {
    let cond = r#"{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"},
                   "DateLessThan":{"aws:CurrentTime":"2024-12-31T23:59:59Z"}}"#;
    let at = |t| {
        let mut c = ctx();
        c.current_time = t;
        c
    };
    assert!(holds(cond, &at(datetime!(2024-06-01 12:00:00 UTC))));
    assert!(holds(cond, &at(datetime!(2024-01-01 00:00:01 UTC))));
    assert!(!holds(cond, &at(datetime!(2024-01-01 00:00:00 UTC))));
    assert!(!holds(cond, &at(datetime!(2023-12-31 23:59:59 UTC))));
    assert!(!holds(cond, &at(datetime!(2025-01-01 00:00:00 UTC))));
    assert!(holds(cond, &at(datetime!(2024-06-01 12:00:00 +08:00))));
    let c = at(datetime!(2024-01-01 00:00:00 UTC));
    let cases = [
        (
            r#"{"DateEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}"#,
            true,
        ),
        (
            r#"{"DateEquals":{"aws:CurrentTime":"2024-01-01T08:00:00+08:00"}}"#,
            true,
        ),
        (
            r#"{"DateNotEquals":{"aws:CurrentTime":"2024-01-01"}}"#,
            false,
        ),
        (
            r#"{"DateLessThanEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}"#,
            true,
        ),
        (
            r#"{"DateGreaterThanEquals":{"aws:CurrentTime":"1704067200"}}"#,
            true,
        ),
        (
            r#"{"DateGreaterThan":{"aws:CurrentTime":1704067199}}"#,
            true,
        ),
        (
            r#"{"DateLessThan":{"aws:EpochTime":"2024-01-01T00:00:01Z"}}"#,
            true,
        ),
        (r#"{"NumericEquals":{"aws:EpochTime":1704067200}}"#, true),
        (r#"{"StringEquals":{"aws:EpochTime":"1704067200"}}"#, true),
        (r#"{"StringLike":{"aws:CurrentTime":"2024-01-01T*"}}"#, true),
    ];
    for (cond, want) in cases {
        assert_eq!(holds(cond, &c), want, "{cond}");
    }
}

#[test]
fn list_bucket_keys() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b",
            "Condition":{"NumericLessThanEquals":{"s3:max-keys":"100"},"StringEquals":{"s3:prefix":["home/","public/"]}}}"#,
    );
    let list = |prefix: Option<&str>, max_keys: Option<i64>| {
        let mut c = ctx();
        c.prefix = prefix.map(str::to_string);
        c.max_keys = max_keys;
        eval(&p, "s3:ListBucket", "b", &c)
    };
    assert_eq!(list(Some("home/"), Some(100)), Allow);
    assert_eq!(list(Some("public/"), Some(1)), Allow);
    assert_eq!(list(Some("home/"), Some(101)), NotApplicable);
    assert_eq!(list(Some("private/"), Some(10)), NotApplicable);
    assert_eq!(list(Some("Home/"), Some(10)), NotApplicable);
    assert_eq!(list(None, Some(10)), NotApplicable);
    assert_eq!(list(Some("home/"), None), NotApplicable);
    let mut c = ctx();
    c.delimiter = Some("/".into());
    assert!(holds(r#"{"StringEquals":{"s3:delimiter":"/"}}"#, &c));
    assert!(!holds(r#"{"StringEquals":{"s3:delimiter":"|"}}"#, &c));
}

#[test]
fn numeric_operators() {
    let mut c = ctx();
    c.max_keys = Some(50);
    let cases = [
        ("NumericEquals", "50", true),
        ("NumericEquals", "50.0", true),
        ("NumericEquals", "51", false),
        ("NumericNotEquals", "51", true),
        ("NumericNotEquals", "50", false),
        ("NumericLessThan", "50", false),
        ("NumericLessThan", "50.5", true),
        ("NumericLessThanEquals", "50", true),
        ("NumericGreaterThan", "49", true),
        ("NumericGreaterThan", "50", false),
        ("NumericGreaterThanEquals", "50", true),
        ("NumericGreaterThanEquals", "51", false),
    ];
    for (op, value, want) in cases {
        let cond = format!(r#"{{"{op}":{{"s3:max-keys":"{value}"}}}}"#);
        assert_eq!(holds(&cond, &c), want, "{cond}");
    }
}

#[test]
fn string_operators() {
    let mut c = ctx();
    c.user_agent = Some("Mozilla/5.0 (X11)".into());
    let cases = [
        (
            r#"{"StringEquals":{"aws:UserAgent":"Mozilla/5.0 (X11)"}}"#,
            true,
        ),
        (
            r#"{"StringEquals":{"aws:UserAgent":"mozilla/5.0 (x11)"}}"#,
            false,
        ),
        (r#"{"StringNotEquals":{"aws:UserAgent":"curl/8"}}"#, true),
        (
            r#"{"StringNotEquals":{"aws:UserAgent":["curl/8","Mozilla/5.0 (X11)"]}}"#,
            false,
        ),
        (
            r#"{"StringEqualsIgnoreCase":{"aws:UserAgent":"MOZILLA/5.0 (x11)"}}"#,
            true,
        ),
        (
            r#"{"StringNotEqualsIgnoreCase":{"aws:UserAgent":"MOZILLA/5.0 (x11)"}}"#,
            false,
        ),
        (r#"{"StringLike":{"aws:UserAgent":"Mozilla/?.0*"}}"#, true),
        (r#"{"StringLike":{"aws:UserAgent":"mozilla*"}}"#, false),
        (r#"{"StringNotLike":{"aws:UserAgent":"curl*"}}"#, true),
        (r#"{"StringEquals":{"aws:SourceIp":"198.51.100.7"}}"#, true),
    ];
    for (cond, want) in cases {
        assert_eq!(holds(cond, &c), want, "{cond}");
    }
}

#[test]
fn values_or_keys_and_operators_and() {
    let mut c = ctx();
    c.referer = Some("http://a.example/".into());
    c.user_agent = Some("curl/8".into());
    // Values of one key: OR.
    assert!(holds(
        r#"{"StringLike":{"aws:Referer":["http://x/*","http://a.example/*"]}}"#,
        &c
    ));
    // Keys within one operator: AND.
    assert!(holds(
        r#"{"StringLike":{"aws:Referer":"http://a.example/*","aws:UserAgent":"curl*"}}"#,
        &c
    ));
    assert!(!holds(
        r#"{"StringLike":{"aws:Referer":"http://a.example/*","aws:UserAgent":"wget*"}}"#,
        &c
    ));
    // Operators: AND.
    assert!(holds(
        r#"{"StringLike":{"aws:Referer":"http://a.example/*"},"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}"#,
        &c
    ));
    assert!(!holds(
        r#"{"StringLike":{"aws:Referer":"http://a.example/*"},"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}"#,
        &c
    ));
    // An empty block holds.
    assert!(holds("{}", &c));
}

#[test]
fn missing_keys_and_if_exists() {
    let c = with_referer(None);
    let present = with_referer(Some("http://other/"));
    // (condition, key absent, key present with a non-matching value)
    let cases = [
        (
            r#"{"StringLike":{"aws:Referer":"http://a/*"}}"#,
            false,
            false,
        ),
        (
            r#"{"StringNotLike":{"aws:Referer":"http://a/*"}}"#,
            true,
            true,
        ),
        (
            r#"{"StringEquals":{"aws:Referer":"http://a/"}}"#,
            false,
            false,
        ),
        (
            r#"{"StringNotEquals":{"aws:Referer":"http://a/"}}"#,
            true,
            true,
        ),
        (
            r#"{"StringLikeIfExists":{"aws:Referer":"http://a/*"}}"#,
            true,
            false,
        ),
        (
            r#"{"StringNotLikeIfExists":{"aws:Referer":"http://other/*"}}"#,
            true,
            false,
        ),
        (
            r#"{"StringEqualsIfExists":{"aws:Referer":"http://other/"}}"#,
            true,
            true,
        ),
        (
            r#"{"ForAnyValue:StringLike":{"aws:Referer":"http://other/*"}}"#,
            false,
            true,
        ),
        (
            r#"{"ForAnyValue:StringLikeIfExists":{"aws:Referer":"http://a/*"}}"#,
            true,
            false,
        ),
        (
            r#"{"ForAllValues:StringLike":{"aws:Referer":"http://a/*"}}"#,
            true,
            false,
        ),
        (
            r#"{"ForAllValues:StringLike":{"aws:Referer":"http://other/*"}}"#,
            true,
            true,
        ),
        (r#"{"Null":{"aws:Referer":"true"}}"#, true, false),
        (r#"{"Null":{"aws:Referer":"false"}}"#, false, true),
        (r#"{"Null":{"aws:Referer":true}}"#, true, false),
    ];
    for (cond, absent, with_value) in cases {
        assert_eq!(holds(cond, &c), absent, "{cond} with the key absent");
        assert_eq!(
            holds(cond, &present),
            with_value,
            "{cond} with the key present"
        );
    }
}

#[test]
fn unknown_keys_are_absent() {
    let c = ctx();
    assert!(!holds(r#"{"StringEquals":{"aws:username":"alice"}}"#, &c));
    assert!(holds(r#"{"StringNotEquals":{"aws:username":"alice"}}"#, &c));
    assert!(holds(
        r#"{"StringEqualsIfExists":{"s3:x-amz-acl":"private"}}"#,
        &c
    ));
    assert!(holds(
        r#"{"Null":{"s3:x-amz-server-side-encryption":"true"}}"#,
        &c
    ));
    // Always-present keys are never null.
    assert!(!holds(r#"{"Null":{"aws:SecureTransport":"true"}}"#, &c));
    assert!(!holds(r#"{"Null":{"aws:CurrentTime":"true"}}"#, &c));
}

#[test]
fn type_mismatches_do_not_match() {
    let mut c = ctx();
    c.referer = Some("not-a-number".into());
    assert!(!holds(r#"{"NumericLessThan":{"aws:Referer":"5"}}"#, &c));
    assert!(holds(r#"{"NumericNotEquals":{"aws:Referer":"5"}}"#, &c));
    assert!(!holds(
        r#"{"DateLessThan":{"aws:Referer":"2030-01-01"}}"#,
        &c
    ));
    assert!(!holds(r#"{"Bool":{"aws:Referer":"true"}}"#, &c));
    assert!(!holds(r#"{"NumericLessThan":{"aws:CurrentTime":"5"}}"#, &c));
}

#[test]
fn condition_keys_are_case_insensitive() {
    let c = with_referer(Some("http://a/x"));
    assert!(holds(r#"{"StringLike":{"AWS:REFERER":"http://a/*"}}"#, &c));
    assert!(holds(r#"{"stringlike":{"aws:referer":"http://a/*"}}"#, &c));
}

#[test]
fn deny_with_negated_condition_spares_matching_requests() {
    // Deny everything not from the office network, over HTTPS or not.
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
           {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
            "Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","fd00::/8"]}}}"#,
    );
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &with_ip("10.1.2.3")), Allow);
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &with_ip("fd12::1")), Allow);
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &with_ip("8.8.8.8")), Deny);
    assert_eq!(
        eval(&p, "s3:PutObject", "b/k", &with_ip("10.1.2.3")),
        NotApplicable
    );
}

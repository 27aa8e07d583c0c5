//! Parsing valid documents and rejecting invalid ones with their reasons.

mod common;

use common::{reject, reject_statement, BUCKET};
use oos_policy::{parse, Effect, PolicyError, MAX_POLICY_SIZE};

const PUBLIC_READ: &str = r#"{
  "Version": "2012-10-17",
  "Id": "PublicReadPolicy",
  "Statement": [{
    "Sid": "PublicReadGetObject",
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["s3:GetObject"],
    "Resource": ["arn:aws:s3:::b/*"]
  }]
}"#;

const HOTLINK: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "AllowFromSite", "Effect": "Allow", "Principal": {"AWS": "*"},
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
     "Condition": {"StringLike": {"aws:Referer": ["http://www.example.com/*", "http://example.com/*"]}}},
    {"Sid": "DenyOthers", "Effect": "Deny", "Principal": "*",
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
     "Condition": {"StringNotLike": {"aws:Referer": ["http://www.example.com/*", "http://example.com/*"]}}}
  ]
}"#;

#[test]
fn parses_public_read_policy() {
    let p = parse(PUBLIC_READ, BUCKET).unwrap();
    assert_eq!(p.bucket(), "b");
    assert_eq!(p.version(), Some("2012-10-17"));
    assert_eq!(p.id(), Some("PublicReadPolicy"));
    assert_eq!(p.statements().len(), 1);
    assert_eq!(p.statements()[0].sid(), Some("PublicReadGetObject"));
    assert_eq!(p.statements()[0].effect(), Effect::Allow);
}

#[test]
fn parses_hotlink_protection_policy() {
    let p = parse(HOTLINK, BUCKET).unwrap();
    let st = p.statements();
    assert_eq!(st.len(), 2);
    assert_eq!(st[1].effect(), Effect::Deny);
    assert_eq!(st[0].conditions()[0].operator(), "StringLike");
    assert_eq!(st[0].conditions()[0].key(), "aws:referer");
}

#[test]
fn parses_valid_documents() {
    let statements = [
        // IP restriction, IPv4 and IPv6.
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],
            "Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32","203.0.113.9"]},
                         "NotIpAddress":{"aws:SourceIp":"192.0.2.188/32"}}}"#,
        // HTTPS only.
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
            "Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*",
            "Condition":{"Bool":{"aws:SecureTransport":false}}}"#,
        // Time window.
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"},
                         "DateLessThan":{"aws:CurrentTime":"2024-12-31T23:59:59Z"}}}"#,
        // Listing limits.
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b",
            "Condition":{"NumericLessThanEquals":{"s3:max-keys":"100"},
                         "StringEquals":{"s3:prefix":["home/","public/"], "s3:delimiter":"/"}}}"#,
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b",
            "Condition":{"NumericLessThanEquals":{"s3:max-keys":100}}}"#,
        // Principal forms.
        r#"{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
        r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::123456789012:root","arn:aws:iam::111122223333:user/alice"]},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
        r#"{"Effect":"Allow","Principal":{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
            "Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
        r#"{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/logs/*"}"#,
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#,
        // Not-forms, wildcards, IfExists, set qualifiers, Null.
        r#"{"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","NotResource":"arn:aws:s3:::b/public/*"}"#,
        r#"{"Effect":"Allow","Principal":"*","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#,
        r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:s3:::b/photos/20??/*"}"#,
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::*",
            "Condition":{"StringLikeIfExists":{"aws:UserAgent":"*Mozilla*"}}}"#,
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*",
            "Condition":{"ForAnyValue:StringEquals":{"aws:Referer":"x"},"Null":{"aws:Referer":"false"}}}"#,
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"DateGreaterThan":{"aws:EpochTime":1704067200},"NumericGreaterThan":{"aws:EpochTime":"1704067200"},
                         "StringEqualsIgnoreCase":{"aws:UserAgent":"curl"},"StringNotEqualsIgnoreCase":{"aws:UserAgent":"wget"},
                         "StringNotEquals":{"s3:prefix":"secret/"}, "NumericNotEquals":{"s3:max-keys":"0"},
                         "DateEquals":{"aws:CurrentTime":"2024-01-01"}, "DateNotEquals":{"aws:CurrentTime":"2024-01-02"},
                         "DateLessThanEquals":{"aws:CurrentTime":"2030-01-01"}, "DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01"},
                         "NumericEquals":{"s3:max-keys":"1"}, "NumericLessThan":{"s3:max-keys":"1.5"},
                         "NumericGreaterThanEquals":{"s3:max-keys":"1"}, "StringLike":{}}}"#,
    ];
    for (i, st) in statements.iter().enumerate() {
        let doc = format!(r#"{{"Version":"2012-10-17","Statement":[{st}]}}"#);
        if let Err(e) = parse(&doc, BUCKET) {
            panic!("statement {i} should parse: {e}\n{st}");
        }
    }
}

#[test]
fn statement_may_be_a_single_object_and_version_is_optional() {
    let doc = r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    let p = parse(doc, BUCKET).unwrap();
    assert_eq!(p.version(), None);
    assert_eq!(p.statements().len(), 1);
    let old = r#"{"Version":"2008-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;
    assert_eq!(parse(old, BUCKET).unwrap().version(), Some("2008-10-17"));
}

#[test]
fn actions_are_case_insensitive_and_partitions_accepted() {
    let p = common::policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"S3:getobject","Resource":"arn:aws-cn:s3:::b/*"}"#,
    );
    assert_eq!(p.statements().len(), 1);
}

const S: &str = r#""Effect":"Allow","Principal":"*""#;

#[test]
fn rejects_documents_with_reasons() {
    let json_reason = "Policies must be valid JSON and the first byte must be '{'";
    let cases: Vec<(String, &str)> = vec![
        ("".into(), json_reason),
        ("not json".into(), json_reason),
        ("[]".into(), json_reason),
        (r#"{"Statement":"#.into(), json_reason),
        (
            r#"{"Version":"2012-10-17"}"#.into(),
            "Missing required field Statement",
        ),
        (
            r#"{"Statement":[]}"#.into(),
            "Could not parse the policy: Statement is empty!",
        ),
        (
            r#"{"Statement":"x"}"#.into(),
            "Statement must be an object or an array of objects",
        ),
        (
            r#"{"Statement":["x"]}"#.into(),
            "Statement must be an object or an array of objects",
        ),
        (
            r#"{"Version":"2013-01-01","Statement":[]}"#.into(),
            "The policy must contain a valid version string",
        ),
        (r#"{"Id":1,"Statement":[]}"#.into(), "Id must be a string"),
        (r#"{"Statment":[]}"#.into(), "Unknown field Statment"),
        (
            format!(
                r#"{{"Statement":[{{"Sid":"a",{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}},
                                  {{"Sid":"a",{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}]}}"#
            ),
            "Statement IDs (SID) in a single policy must be unique.",
        ),
    ];
    for (doc, want) in cases {
        assert_eq!(reject(&doc), want, "document {doc}");
    }
}

#[test]
fn rejects_statements_with_reasons() {
    let res = r#""Resource":"arn:aws:s3:::b/*""#;
    let cases: Vec<(String, &str)> = vec![
        // Effect.
        (
            format!(r#"{{"Principal":"*","Action":"s3:GetObject",{res}}}"#),
            "Missing required field Effect",
        ),
        (
            format!(r#"{{"Effect":"Permit","Principal":"*","Action":"s3:GetObject",{res}}}"#),
            "Invalid effect: Permit",
        ),
        (
            format!(r#"{{"Effect":"allow","Principal":"*","Action":"s3:GetObject",{res}}}"#),
            "Invalid effect: allow",
        ),
        (
            format!(r#"{{"Effect":true,"Principal":"*","Action":"s3:GetObject",{res}}}"#),
            "Invalid effect: Effect must be \"Allow\" or \"Deny\"",
        ),
        // Principal.
        (
            format!(r#"{{"Effect":"Allow","Action":"s3:GetObject",{res}}}"#),
            "Missing required field Principal",
        ),
        (
            format!(
                r#"{{"Effect":"Allow","Principal":"*","NotPrincipal":"*","Action":"s3:GetObject",{res}}}"#
            ),
            "Statement cannot contain both Principal and NotPrincipal",
        ),
        (
            format!(r#"{{"Effect":"Allow","Principal":"someone","Action":"s3:GetObject",{res}}}"#),
            "Invalid principal in policy",
        ),
        (
            format!(r#"{{"Effect":"Allow","Principal":{{}},"Action":"s3:GetObject",{res}}}"#),
            "Invalid principal in policy",
        ),
        (
            format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":[]}},"Action":"s3:GetObject",{res}}}"#
            ),
            "Invalid principal in policy",
        ),
        (
            format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"not an id"}},"Action":"s3:GetObject",{res}}}"#
            ),
            "Invalid principal in policy",
        ),
        (
            format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:s3:::b"}},"Action":"s3:GetObject",{res}}}"#
            ),
            "Invalid principal in policy",
        ),
        (
            format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::12 3:root"}},"Action":"s3:GetObject",{res}}}"#
            ),
            "Invalid principal in policy",
        ),
        (
            format!(
                r#"{{"Effect":"Allow","Principal":{{"Federated":"x"}},"Action":"s3:GetObject",{res}}}"#
            ),
            "Invalid principal in policy",
        ),
        (
            format!(
                r#"{{"Effect":"Allow","Principal":{{"AWS":5}},"Action":"s3:GetObject",{res}}}"#
            ),
            "Invalid principal in policy",
        ),
        // Action.
        (format!(r#"{{{S},{res}}}"#), "Missing required field Action"),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","NotAction":"s3:PutObject",{res}}}"#),
            "Statement cannot contain both Action and NotAction",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObjekt",{res}}}"#),
            "Policy has invalid action",
        ),
        (
            format!(r#"{{{S},"Action":"iam:GetUser",{res}}}"#),
            "Policy has invalid action",
        ),
        (
            format!(r#"{{{S},"Action":"GetObject",{res}}}"#),
            "Policy has invalid action",
        ),
        (
            format!(r#"{{{S},"Action":"s3:",{res}}}"#),
            "Policy has invalid action",
        ),
        (
            format!(r#"{{{S},"Action":"s3:Frob*",{res}}}"#),
            "Policy has invalid action",
        ),
        (
            format!(r#"{{{S},"Action":"s3:Get Object",{res}}}"#),
            "Policy has invalid action",
        ),
        (
            format!(r#"{{{S},"Action":[],{res}}}"#),
            "Policy has invalid action",
        ),
        (
            format!(r#"{{{S},"Action":["s3:GetObject",7],{res}}}"#),
            "Policy has invalid action",
        ),
        // Resource.
        (
            format!(r#"{{{S},"Action":"s3:GetObject"}}"#),
            "Missing required field Resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject",{res},"NotResource":"arn:aws:s3:::b/x"}}"#),
            "Statement cannot contain both Resource and NotResource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}}"#),
            "Policy has invalid resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bb/*"}}"#),
            "Policy has invalid resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","NotResource":"arn:aws:s3:::other/*"}}"#),
            "Policy has invalid resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":"b/*"}}"#),
            "Policy has invalid resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":"arn:aws:iam:::b/*"}}"#),
            "Policy has invalid resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1::b/*"}}"#),
            "Policy has invalid resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:::"}}"#),
            "Policy has invalid resource",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":[]}}"#),
            "Policy has invalid resource",
        ),
        // Action/resource kinds.
        (
            format!(r#"{{{S},"Action":"s3:ListBucket",{res}}}"#),
            "Action does not apply to any resource(s) in statement",
        ),
        (
            format!(r#"{{{S},"Action":["s3:GetObject","s3:ListBucket"],{res}}}"#),
            "Action does not apply to any resource(s) in statement",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b"}}"#),
            "Action does not apply to any resource(s) in statement",
        ),
        (
            format!(r#"{{{S},"Action":"s3:ListAllMyBuckets","Resource":"arn:aws:s3:::b"}}"#),
            "Action does not apply to any resource(s) in statement",
        ),
        // Other fields.
        (
            format!(r#"{{{S},"Action":"s3:GetObject",{res},"Sid":3}}"#),
            "Sid must be a string",
        ),
        (
            format!(r#"{{{S},"Action":"s3:GetObject",{res},"Extra":1}}"#),
            "Unknown field Extra",
        ),
    ];
    for (st, want) in cases {
        assert_eq!(reject_statement(&st), want, "statement {st}");
    }
}

#[test]
fn rejects_conditions_with_reasons() {
    let cases: &[(&str, &str)] = &[
        (r#""x""#, "Condition must be a JSON object"),
        (
            r#"{"StringFoo":{"aws:Referer":"x"}}"#,
            "Unknown condition operator: StringFoo",
        ),
        (
            r#"{"NullIfExists":{"aws:Referer":"true"}}"#,
            "Unknown condition operator: NullIfExists",
        ),
        (
            r#"{"ForSomeValues:StringLike":{"aws:Referer":"x"}}"#,
            "Unknown condition operator: ForSomeValues:StringLike",
        ),
        (
            r#"{"BinaryEquals":{"aws:SourceArn":"x"}}"#,
            "Unsupported condition operator: BinaryEquals",
        ),
        (
            r#"{"StringLike":"x"}"#,
            "Condition operator StringLike must map condition keys to values",
        ),
        (
            r#"{"StringLike":{"Referer":"x"}}"#,
            "Policy has an invalid condition key",
        ),
        (
            r#"{"StringLike":{"aws:Referer":[]}}"#,
            "Invalid value in condition operator StringLike",
        ),
        (
            r#"{"StringLike":{"aws:Referer":null}}"#,
            "Invalid value in condition operator StringLike",
        ),
        (
            r#"{"StringLike":{"aws:Referer":{"a":"b"}}}"#,
            "Invalid value in condition operator StringLike",
        ),
        (
            r#"{"IpAddress":{"aws:Referer":"192.0.2.0/24"}}"#,
            "Condition operator IpAddress may only be used with the aws:SourceIp key",
        ),
        (
            r#"{"IpAddress":{"aws:SourceIp":"192.0.2.0/33"}}"#,
            "Invalid IP address in condition: 192.0.2.0/33",
        ),
        (
            r#"{"NotIpAddress":{"aws:SourceIp":"example.com"}}"#,
            "Invalid IP address in condition: example.com",
        ),
        (
            r#"{"NumericLessThan":{"s3:max-keys":"ten"}}"#,
            "Invalid numeric value in condition: ten",
        ),
        (
            r#"{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}"#,
            "Invalid date value in condition: tomorrow",
        ),
        (
            r#"{"Bool":{"aws:SecureTransport":"yes"}}"#,
            "Invalid boolean value in condition: yes",
        ),
        (
            r#"{"Null":{"aws:Referer":"maybe"}}"#,
            "Invalid boolean value in condition: maybe",
        ),
    ];
    for (cond, want) in cases {
        let st = format!(
            r#"{{{S},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{cond}}}"#
        );
        assert_eq!(reject_statement(&st), *want, "condition {cond}");
    }
}

#[test]
fn enforces_size_limit() {
    let st = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#;
    let head = r#"{"Statement":["#;
    // Pad with whitespace: exactly at the limit is fine, one byte more is not.
    let body = format!("{head}{st}]}}");
    let at_limit = format!("{head}{st}{}]}}", " ".repeat(MAX_POLICY_SIZE - body.len()));
    assert_eq!(at_limit.len(), MAX_POLICY_SIZE);
    assert!(parse(&at_limit, BUCKET).is_ok());
    let over = format!(
        "{head}{st}{}]}}",
        " ".repeat(MAX_POLICY_SIZE - body.len() + 1)
    );
    let err = parse(&over, BUCKET).unwrap_err();
    assert_eq!(
        err,
        PolicyError::TooLarge {
            size: MAX_POLICY_SIZE + 1
        }
    );
    assert!(err.to_string().starts_with("Policies cannot exceed 20 KB"));
    assert_eq!(err.code(), "MalformedPolicy");
    // A policy with many statements goes over as well.
    let many = vec![st; 300].join(",");
    let doc = format!("{head}{many}]}}");
    assert!(matches!(
        parse(&doc, BUCKET),
        Err(PolicyError::TooLarge { .. })
    ));
}

#[test]
fn error_codes_and_reasons() {
    let e = parse("{", BUCKET).unwrap_err();
    assert_eq!(e, PolicyError::InvalidJson);
    assert_eq!(e.code(), "MalformedPolicy");
    assert_eq!(e.reason(), e.to_string());
}

//! The S3 condition keys of objects and headers (`s3:ExistingObjectTag/…`,
//! `s3:RequestObjectTag/…`, `s3:RequestObjectTagKeys`, `s3:x-amz-*`), the `Arn*` operators,
//! set qualifiers over multi-valued keys, `NotPrincipal`, and the action–resource check of the
//! multipart actions.

mod common;

use common::{ctx, eval, eval_as, policy, reject_statement};
use oos_policy::{Context, Decision, Principal};

use Decision::{Allow, Deny, NotApplicable};

fn tags(pairs: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
    Some(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// An anonymous Allow of `action` on `b/*` under `condition`, evaluated for `c`.
fn allowed(action: &str, condition: &str, c: &Context) -> Decision {
    let p = policy(&format!(
        r#"{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"arn:aws:s3:::b/*",
             "Condition":{condition}}}"#
    ));
    eval(&p, action, "b/k", c)
}

#[test]
fn existing_object_tag() {
    let cond = r#"{"StringEquals":{"s3:ExistingObjectTag/classification":"public"}}"#;
    let mut c = ctx();
    assert_eq!(
        allowed("s3:GetObject", cond, &c),
        NotApplicable,
        "no object"
    );
    c.existing_object_tags = tags(&[("classification", "public"), ("x", "y")]);
    assert_eq!(allowed("s3:GetObject", cond, &c), Allow);
    // The tag key is matched like the rest of the condition key: case-insensitively.
    c.existing_object_tags = tags(&[("Classification", "public")]);
    assert_eq!(allowed("s3:GetObject", cond, &c), Allow);
    // Its value is not.
    c.existing_object_tags = tags(&[("classification", "Public")]);
    assert_eq!(allowed("s3:GetObject", cond, &c), NotApplicable);
    c.existing_object_tags = tags(&[]);
    assert_eq!(allowed("s3:GetObject", cond, &c), NotApplicable);
    let if_exists = r#"{"StringEqualsIfExists":{"s3:ExistingObjectTag/classification":"public"}}"#;
    assert_eq!(allowed("s3:GetObject", if_exists, &c), Allow, "absent");
    c.existing_object_tags = tags(&[("classification", "secret")]);
    assert_eq!(
        allowed("s3:GetObject", if_exists, &c),
        NotApplicable,
        "present, other value"
    );
}

#[test]
fn request_object_tags_and_their_keys() {
    let mut c = ctx();
    let one = r#"{"StringEquals":{"s3:RequestObjectTag/Project":"x"}}"#;
    assert_eq!(allowed("s3:PutObject", one, &c), NotApplicable);
    c.request_object_tags = tags(&[("Project", "x"), ("Dept", "d")]);
    assert_eq!(allowed("s3:PutObject", one, &c), Allow);

    // Only these keys may be set: every request key is one of the values.
    let only = r#"{"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["Project","Dept"]}}"#;
    assert_eq!(allowed("s3:PutObject", only, &c), Allow);
    c.request_object_tags = tags(&[("Project", "x"), ("Other", "o")]);
    assert_eq!(allowed("s3:PutObject", only, &c), NotApplicable);
    // ForAllValues holds for a request without tags (no value fails it).
    c.request_object_tags = None;
    assert_eq!(allowed("s3:PutObject", only, &c), Allow);

    // At least one of these keys.
    let any = r#"{"ForAnyValue:StringEquals":{"s3:RequestObjectTagKeys":["Project"]}}"#;
    assert_eq!(allowed("s3:PutObject", any, &c), NotApplicable, "no tags");
    c.request_object_tags = tags(&[("Dept", "d")]);
    assert_eq!(allowed("s3:PutObject", any, &c), NotApplicable);
    c.request_object_tags = tags(&[("Dept", "d"), ("Project", "p")]);
    assert_eq!(allowed("s3:PutObject", any, &c), Allow);
    // Values of a multi-valued key are compared case-sensitively (StringEquals).
    c.request_object_tags = tags(&[("project", "p")]);
    assert_eq!(allowed("s3:PutObject", any, &c), NotApplicable);
    let any_if_exists =
        r#"{"ForAnyValue:StringEqualsIfExists":{"s3:RequestObjectTagKeys":["Project"]}}"#;
    c.request_object_tags = None;
    assert_eq!(allowed("s3:PutObject", any_if_exists, &c), Allow);
    c.request_object_tags = tags(&[("Dept", "d")]);
    assert_eq!(allowed("s3:PutObject", any_if_exists, &c), NotApplicable);

    // A tag is required: Null false on the key list.
    let required = r#"{"Null":{"s3:RequestObjectTagKeys":"false"}}"#;
    assert_eq!(allowed("s3:PutObject", required, &c), Allow);
    c.request_object_tags = None;
    assert_eq!(allowed("s3:PutObject", required, &c), NotApplicable);
}

#[test]
fn header_keys() {
    let mut c = ctx();
    let acl = r#"{"StringEquals":{"s3:x-amz-acl":"public-read"}}"#;
    assert_eq!(allowed("s3:PutObject", acl, &c), NotApplicable);
    c.headers = vec![("x-amz-acl".into(), "public-read".into())];
    assert_eq!(allowed("s3:PutObject", acl, &c), Allow);
    c.headers = vec![("x-amz-acl".into(), "private".into())];
    assert_eq!(allowed("s3:PutObject", acl, &c), NotApplicable);

    for (header, key) in [
        ("x-amz-grant-read", "s3:x-amz-grant-read"),
        ("x-amz-grant-write", "s3:x-amz-grant-write"),
        ("x-amz-grant-read-acp", "s3:x-amz-grant-read-acp"),
        ("x-amz-grant-write-acp", "s3:x-amz-grant-write-acp"),
        ("x-amz-grant-full-control", "s3:x-amz-grant-full-control"),
        (
            "x-amz-server-side-encryption",
            "s3:x-amz-server-side-encryption",
        ),
        (
            "x-amz-server-side-encryption-customer-algorithm",
            "s3:x-amz-server-side-encryption-customer-algorithm",
        ),
        ("x-amz-copy-source", "s3:x-amz-copy-source"),
    ] {
        let cond = format!(r#"{{"StringLike":{{"{key}":"v*"}}}}"#);
        let mut c = ctx();
        assert_eq!(allowed("s3:PutObject", &cond, &c), NotApplicable, "{key}");
        c.headers = vec![(header.into(), "value".into())];
        assert_eq!(allowed("s3:PutObject", &cond, &c), Allow, "{key}");
        // Another header does not answer for it.
        c.headers = vec![("x-amz-acl".into(), "value".into())];
        if header != "x-amz-acl" {
            assert_eq!(allowed("s3:PutObject", &cond, &c), NotApplicable, "{key}");
        }
    }
    // Copies only from a prefix: a Deny with a negated operator, and Null false so that
    // plain PUTs are spared (a negated operator, IfExists or not, holds for an absent key).
    let deny = |extra: &str| {
        policy(&format!(
            r#"{{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*",
                "Condition":{{"StringNotLikeIfExists":{{"s3:x-amz-copy-source":"b/public/*"}}{extra}}}}},
               {{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"}}"#
        ))
    };
    assert_eq!(eval(&deny(""), "s3:PutObject", "b/k", &ctx()), Deny);
    let p = deny(r#","Null":{"s3:x-amz-copy-source":"false"}"#);
    let mut c = ctx();
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), Allow);
    c.headers = vec![("x-amz-copy-source".into(), "b/public/x".into())];
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), Allow);
    c.headers = vec![("x-amz-copy-source".into(), "b/private/x".into())];
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), Deny);
}

#[test]
fn require_encryption_policy() {
    // The AWS user guide's "deny uploads without SSE" pair of statements.
    let p = policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
           {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*",
            "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}"#,
    );
    let mut c = ctx();
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), Deny);
    c.headers = vec![("x-amz-server-side-encryption".into(), "aws:kms".into())];
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), Deny);
    c.headers = vec![("x-amz-server-side-encryption".into(), "AES256".into())];
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), NotApplicable);
}

#[test]
fn arn_operators_on_source_arn() {
    // A logging target bucket's policy, as the S3 user guide writes it.
    let p = policy(
        r#"{"Sid":"S3ServerAccessLogsPolicy","Effect":"Allow",
            "Principal":{"Service":"logging.s3.amazonaws.com"},"Action":["s3:PutObject"],
            "Resource":"arn:aws:s3:::b/logs/*",
            "Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::source-bucket"},
                         "StringEquals":{"aws:SourceAccount":"111122223333"}}}"#,
    );
    let mut c = ctx();
    c.source_arn = Some("arn:aws:s3:::source-bucket".into());
    c.source_account = Some("111122223333".into());
    // No request of this server comes from the logging service.
    assert_eq!(eval(&p, "s3:PutObject", "b/logs/x", &c), NotApplicable);
    assert!(!p.is_public(), "a fixed SourceArn names the caller");

    let cases = [
        (
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::src*"}}"#,
            [true, true, false, false],
        ),
        (
            r#"{"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::src"}}"#,
            [true, false, false, false],
        ),
        (
            r#"{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::src*"}}"#,
            [false, false, true, true],
        ),
        (
            r#"{"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::src"}}"#,
            [false, true, true, true],
        ),
        (
            r#"{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::src"}}"#,
            [true, false, false, true],
        ),
    ];
    // (src, src-2, other, absent)
    let arns = [
        Some("arn:aws:s3:::src"),
        Some("arn:aws:s3:::src-2"),
        Some("arn:aws:s3:::other"),
        None,
    ];
    for (cond, want) in cases {
        for (arn, want) in arns.iter().zip(want) {
            let mut c = ctx();
            c.source_arn = arn.map(str::to_string);
            let got = allowed("s3:GetObject", cond, &c) == Allow;
            assert_eq!(got, want, "{cond} with {arn:?}");
        }
    }
}

#[test]
fn if_exists_on_header_keys() {
    // Absent: holds; present and matching: holds; present and not matching: fails.
    let cond = r#"{"StringEqualsIfExists":{"s3:x-amz-acl":"bucket-owner-full-control"}}"#;
    let mut c = ctx();
    assert_eq!(allowed("s3:PutObject", cond, &c), Allow);
    c.headers = vec![("x-amz-acl".into(), "bucket-owner-full-control".into())];
    assert_eq!(allowed("s3:PutObject", cond, &c), Allow);
    c.headers = vec![("x-amz-acl".into(), "public-read".into())];
    assert_eq!(allowed("s3:PutObject", cond, &c), NotApplicable);
}

#[test]
fn not_principal_and_deny_wins() {
    let p = policy(
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*",
            "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]},
           {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let c = ctx();
    let alice = Principal::Account { id: "111122223333" };
    let bob = Principal::Account { id: "444455556666" };
    assert_eq!(eval_as(&p, alice, "s3:GetObject", "b/k", &c), Allow);
    assert_eq!(eval_as(&p, bob, "s3:GetObject", "b/k", &c), Deny);
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &c), Deny);
    // An Allow whose condition does not hold grants nothing.
    let p = policy(
        r#"{"Effect":"Allow","NotPrincipal":{"AWS":"444455556666"},"Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}"#,
    );
    assert_eq!(eval_as(&p, alice, "s3:GetObject", "b/k", &c), NotApplicable);
    let mut tls = ctx();
    tls.secure_transport = true;
    assert_eq!(eval_as(&p, alice, "s3:GetObject", "b/k", &tls), Allow);
    assert_eq!(eval_as(&p, bob, "s3:GetObject", "b/k", &tls), NotApplicable);
}

#[test]
fn multipart_actions_apply_to_their_resources() {
    let stmt = |action: &str, resource: &str| {
        format!(
            r#"{{"Effect":"Allow","Principal":"*","Action":"{action}","Resource":"{resource}"}}"#
        )
    };
    for action in [
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
        "s3:PutObject",
    ] {
        policy(&stmt(action, "arn:aws:s3:::b/*"));
        policy(&stmt(action, "arn:aws:s3:::b/uploads/key"));
        assert_eq!(
            reject_statement(&stmt(action, "arn:aws:s3:::b")),
            "Action does not apply to any resource(s) in statement",
            "{action}"
        );
    }
    policy(&stmt("s3:ListBucketMultipartUploads", "arn:aws:s3:::b"));
    assert_eq!(
        reject_statement(&stmt("s3:ListBucketMultipartUploads", "arn:aws:s3:::b/*")),
        "Action does not apply to any resource(s) in statement"
    );
    // Every action the server authorizes is accepted on its resource.
    for action in oos_policy::s3_actions() {
        let resource = match oos_policy::resource_kind(action) {
            Some(oos_policy::ResourceKind::Object) => "arn:aws:s3:::b/*",
            Some(oos_policy::ResourceKind::Bucket) => "arn:aws:s3:::b",
            _ => "*",
        };
        policy(&stmt(action, resource));
    }
}

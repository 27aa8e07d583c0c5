//! Evaluation: precedence, principals, actions, resources and their `Not` forms.

mod common;

use common::{ctx, eval, eval_as, policy};
use oos_policy::{parse, Decision, Principal, Request};

use Decision::{Allow, Deny, NotApplicable};

const OWNER: Principal<'static> = Principal::Account { id: "123456789012" };
const OTHER: Principal<'static> = Principal::Account { id: "999999999999" };

#[test]
fn public_read_allows_objects_only() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let c = ctx();
    assert_eq!(eval(&p, "s3:GetObject", "b/a.txt", &c), Allow);
    assert_eq!(eval(&p, "s3:GetObject", "b/dir/a.txt", &c), Allow);
    assert_eq!(eval_as(&p, OTHER, "s3:GetObject", "b/a.txt", &c), Allow);
    assert_eq!(eval(&p, "s3:PutObject", "b/a.txt", &c), NotApplicable);
    assert_eq!(eval(&p, "s3:ListBucket", "b", &c), NotApplicable);
    assert_eq!(eval(&p, "s3:GetObject", "bb/a.txt", &c), NotApplicable);
}

#[test]
fn deny_beats_allow_regardless_of_order() {
    let allow =
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#;
    let deny = r#"{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}"#;
    let c = ctx();
    for p in [
        policy(&format!("{allow},{deny}")),
        policy(&format!("{deny},{allow}")),
    ] {
        assert_eq!(eval(&p, "s3:DeleteObject", "b/k", &c), Deny);
        assert_eq!(eval(&p, "s3:GetObject", "b/k", &c), Allow);
        assert_eq!(eval(&p, "s3:ListBucket", "b", &c), NotApplicable);
    }
}

#[test]
fn nothing_applies_by_default() {
    let p = policy(
        r#"{"Effect":"Deny","Principal":{"AWS":"123456789012"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/locked/*"}"#,
    );
    let c = ctx();
    assert_eq!(
        eval_as(&p, OWNER, "s3:GetObject", "b/locked/x", &c),
        NotApplicable
    );
    assert_eq!(
        eval_as(&p, OWNER, "s3:PutObject", "b/open/x", &c),
        NotApplicable
    );
    assert_eq!(
        eval_as(&p, OTHER, "s3:PutObject", "b/locked/x", &c),
        NotApplicable
    );
    assert_eq!(eval_as(&p, OWNER, "s3:PutObject", "b/locked/x", &c), Deny);
}

#[test]
fn action_wildcards() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":["s3:Get*","s3:List?ucket"],
            "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#,
    );
    let c = ctx();
    let cases = [
        ("s3:GetObject", "b/k", Allow),
        ("s3:getobject", "b/k", Allow),
        ("s3:GetObjectAcl", "b/k", Allow),
        ("s3:GetBucketAcl", "b", Allow),
        ("s3:ListBucket", "b", Allow),
        ("s3:ListBucketVersions", "b", NotApplicable),
        ("s3:PutObject", "b/k", NotApplicable),
        ("s3:DeleteObject", "b/k", NotApplicable),
    ];
    for (action, path, want) in cases {
        assert_eq!(eval(&p, action, path, &c), want, "{action} {path}");
    }
    let all =
        policy(r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"arn:aws:s3:::b/*"}"#);
    assert_eq!(eval(&all, "s3:PutObject", "b/k", &c), Allow);
    let s3_all = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#,
    );
    assert_eq!(eval(&s3_all, "s3:RestoreObject", "b/k", &c), Allow);
}

#[test]
fn resource_wildcards() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
            "Resource":["arn:aws:s3:::b/photos/*","arn:aws:s3:::b/img-?.png","arn:aws:s3:::b/exact.txt"]}"#,
    );
    let c = ctx();
    let cases = [
        ("b/photos/cat.jpg", Allow),
        ("b/photos/2024/06/cat.jpg", Allow),
        ("b/photos/", Allow),
        ("b/photos", NotApplicable),
        ("b/Photos/cat.jpg", NotApplicable),
        ("b/img-1.png", Allow),
        ("b/img-é.png", Allow),
        ("b/img-12.png", NotApplicable),
        ("b/img-.png", NotApplicable),
        ("b/exact.txt", Allow),
        ("b/exact.txt.bak", NotApplicable),
        ("b/other", NotApplicable),
    ];
    for (path, want) in cases {
        assert_eq!(eval(&p, "s3:GetObject", path, &c), want, "{path}");
    }
}

#[test]
fn bucket_and_object_resources_are_distinct() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":["s3:ListBucket","s3:GetObject"],
            "Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#,
    );
    let c = ctx();
    assert_eq!(eval(&p, "s3:ListBucket", "b", &c), Allow);
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &c), Allow);
    let objects_only = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#,
    );
    assert_eq!(eval(&objects_only, "s3:ListBucket", "b", &c), NotApplicable);
    let star = policy(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(eval(&star, "s3:ListBucket", "b", &c), Allow);
    assert_eq!(eval(&star, "s3:GetObject", "b/k", &c), Allow);
}

#[test]
fn not_action() {
    let p = policy(
        r#"{"Effect":"Deny","Principal":"*","NotAction":["s3:GetObject","s3:List*"],"Resource":"arn:aws:s3:::b/*"}"#,
    );
    let c = ctx();
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), Deny);
    assert_eq!(eval(&p, "s3:DeleteObject", "b/k", &c), Deny);
    assert_eq!(eval(&p, "s3:GetObject", "b/k", &c), NotApplicable);
    assert_eq!(
        eval(&p, "s3:ListMultipartUploadParts", "b/k", &c),
        NotApplicable
    );
}

#[test]
fn not_resource() {
    let p = policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/public/*"}"#,
    );
    let c = ctx();
    assert_eq!(eval(&p, "s3:GetObject", "b/private/k", &c), Deny);
    assert_eq!(eval(&p, "s3:GetObject", "b/public/k", &c), NotApplicable);
}

#[test]
fn not_principal() {
    let p = policy(
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let c = ctx();
    assert_eq!(eval_as(&p, OWNER, "s3:PutObject", "b/k", &c), NotApplicable);
    assert_eq!(eval_as(&p, OTHER, "s3:PutObject", "b/k", &c), Deny);
    assert_eq!(eval(&p, "s3:PutObject", "b/k", &c), Deny);
}

#[test]
fn principal_forms() {
    let c = ctx();
    let with = |principal: &str| {
        policy(&format!(
            r#"{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#
        ))
    };
    // (principal element, anonymous, owner, other)
    let cases = [
        (r#""*""#, Allow, Allow, Allow),
        (r#"{"AWS":"*"}"#, Allow, Allow, Allow),
        (r#"{"AWS":["*"]}"#, Allow, Allow, Allow),
        (
            r#"{"AWS":"123456789012"}"#,
            NotApplicable,
            Allow,
            NotApplicable,
        ),
        (
            r#"{"AWS":"arn:aws:iam::123456789012:root"}"#,
            NotApplicable,
            Allow,
            NotApplicable,
        ),
        (
            r#"{"AWS":"arn:aws:iam::123456789012:*"}"#,
            NotApplicable,
            Allow,
            NotApplicable,
        ),
        (
            r#"{"AWS":["111111111111","arn:aws:iam::999999999999:root"]}"#,
            NotApplicable,
            NotApplicable,
            Allow,
        ),
        (
            r#"{"CanonicalUser":"123456789012"}"#,
            NotApplicable,
            Allow,
            NotApplicable,
        ),
        (
            r#"{"AWS":"arn:aws:iam::123456789012:user/alice"}"#,
            NotApplicable,
            NotApplicable,
            NotApplicable,
        ),
        (
            r#"{"Service":"logging.s3.amazonaws.com"}"#,
            NotApplicable,
            NotApplicable,
            NotApplicable,
        ),
    ];
    for (principal, anon, owner, other) in cases {
        let p = with(principal);
        assert_eq!(
            eval(&p, "s3:GetObject", "b/k", &c),
            anon,
            "{principal} anonymous"
        );
        assert_eq!(
            eval_as(&p, OWNER, "s3:GetObject", "b/k", &c),
            owner,
            "{principal} owner"
        );
        assert_eq!(
            eval_as(&p, OTHER, "s3:GetObject", "b/k", &c),
            other,
            "{principal} other"
        );
    }
}

#[test]
fn keys_with_special_characters() {
    let p = policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/a:b/*"}"#,
    );
    let c = ctx();
    assert_eq!(eval(&p, "s3:GetObject", "b/a:b/c d?.txt", &c), Allow);
    assert_eq!(eval(&p, "s3:GetObject", "b/a:c/x", &c), NotApplicable);
}

#[test]
fn resource_may_be_given_without_arn_and_with_other_partition() {
    let p = parse(
        r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws-cn:s3:::b/*"}}"#,
        "b",
    )
    .unwrap();
    let c = ctx();
    for resource in ["arn:aws:s3:::b/k", "arn:aws-cn:s3:::b/k", "b/k"] {
        let req = Request {
            principal: Principal::Anonymous,
            action: "s3:GetObject",
            resource,
            context: &c,
        };
        assert_eq!(p.evaluate(&req), Allow, "{resource}");
    }
}

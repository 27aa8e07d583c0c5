//! Helpers shared by the integration tests.
#![allow(dead_code)]

use oos_policy::{parse, Context, Decision, Policy, Principal, Request};
use time::macros::datetime;

pub const BUCKET: &str = "b";

/// A policy for bucket `b` from its statements (a JSON array body).
pub fn policy(statements: &str) -> Policy {
    let doc = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    parse(&doc, BUCKET).unwrap_or_else(|e| panic!("policy should parse: {e}\n{doc}"))
}

/// The reason a document is rejected for bucket `b`.
pub fn reject(doc: &str) -> String {
    match parse(doc, BUCKET) {
        Ok(_) => panic!("policy should be rejected: {doc}"),
        Err(e) => e.to_string(),
    }
}

/// The reason a single statement is rejected.
pub fn reject_statement(statement: &str) -> String {
    reject(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#
    ))
}

/// A context fixed at 2024-06-01T12:00:00Z, from 198.51.100.7 over HTTP.
pub fn ctx() -> Context {
    let mut c = Context::new(datetime!(2024-06-01 12:00:00 UTC));
    c.source_ip = Some("198.51.100.7".parse().unwrap());
    c
}

/// Evaluates `action` on `resource` (a path like `b/key`, made into an ARN) by `who`.
pub fn eval_as(p: &Policy, who: Principal<'_>, action: &str, path: &str, c: &Context) -> Decision {
    let resource = format!("arn:aws:s3:::{path}");
    p.evaluate(&Request {
        principal: who,
        action,
        resource: &resource,
        context: c,
    })
}

/// Evaluates anonymously.
pub fn eval(p: &Policy, action: &str, path: &str, c: &Context) -> Decision {
    eval_as(p, Principal::Anonymous, action, path, c)
}

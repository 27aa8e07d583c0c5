//! POST Object (browser form) policies: the base64 JSON document, its conditions checked
//! against form fields, and the `x-amz-credential` field.
//!
//! Input: the policy JSON, then optionally a `---` line and the form's fields as `name=value`
//! lines. The JSON is parsed base64-encoded (as a form sends it), and the whole input is also
//! tried as the base64 text itself.

use base64::Engine;
use oos_proto::ErrorCode;
use oos_server::fuzzing::{PostCondition, PostPolicy};
use oos_sign::PostCredential;

use crate::input;

pub fn check(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = PostPolicy::parse(text);
        credential(text);
    }
    let (doc, fields) = input::split_facts(data);
    let fields = input::facts(fields);
    for (name, value) in &fields {
        if name.eq_ignore_ascii_case("x-amz-credential") {
            credential(value);
        }
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(doc);
    let policy = match PostPolicy::parse(&b64) {
        Ok(p) => p,
        Err(e) => {
            assert_eq!(e.code, ErrorCode::InvalidPolicyDocument);
            return;
        }
    };
    // Valid until the instant of its expiration.
    let exp = policy.expiration;
    if let Some(before) = exp.checked_sub(time::Duration::nanoseconds(1)) {
        assert!(policy.check_expiration(before).is_ok());
    }
    assert!(policy.check_expiration(exp).is_err());

    match policy.check_fields(&fields) {
        Ok(()) => {}
        Err(e) => assert_eq!(e.code, ErrorCode::AccessDenied),
    }
    // A field no condition names is refused.
    let mut extra = fields.clone();
    extra.push(("x-fuzz-uncovered-field".into(), "v".into()));
    if !policy
        .conditions
        .iter()
        .any(|c| names(c, "x-fuzz-uncovered-field"))
    {
        assert!(policy.check_fields(&extra).is_err());
    }
    // Fields made to satisfy every condition pass.
    if let Some(fields) = satisfying(&policy) {
        policy
            .check_fields(&fields)
            .unwrap_or_else(|e| panic!("{fields:?} satisfy the policy: {}", e.message));
    }
    // Every content-length-range admits what the combined range admits.
    if let Some(Some((lo, hi))) = policy.length_range() {
        for c in &policy.conditions {
            if let PostCondition::ContentLengthRange {
                range: Some((a, b)),
                ..
            } = c
            {
                if lo <= hi {
                    assert!(*a <= lo && hi <= *b);
                }
            }
        }
    }
}

fn names(c: &PostCondition, name: &str) -> bool {
    match c {
        PostCondition::Eq { field, .. } | PostCondition::StartsWith { field, .. } => field
            .name
            .as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(name)),
        PostCondition::ContentLengthRange { .. } => false,
    }
}

/// One field per name the conditions test, when there is a value that meets all of that
/// name's conditions: the `eq` value, or else the longest `starts-with` prefix.
fn satisfying(policy: &PostPolicy) -> Option<Vec<(String, String)>> {
    let mut names: Vec<&str> = Vec::new();
    for c in &policy.conditions {
        match c {
            PostCondition::Eq { field, .. } | PostCondition::StartsWith { field, .. } => {
                let name = field.name.as_deref()?;
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            PostCondition::ContentLengthRange { .. } => {}
        }
    }
    let mut fields = Vec::new();
    for name in names {
        let of_name = |c: &&PostCondition| self::names(c, name);
        let eqs: Vec<&str> = policy
            .conditions
            .iter()
            .filter(of_name)
            .filter_map(|c| match c {
                PostCondition::Eq { value, .. } => Some(value.as_str()),
                _ => None,
            })
            .collect();
        let prefixes: Vec<&str> = policy
            .conditions
            .iter()
            .filter(of_name)
            .filter_map(|c| match c {
                PostCondition::StartsWith { prefix, .. } => Some(prefix.as_str()),
                _ => None,
            })
            .collect();
        let value = match eqs.first() {
            Some(v) => *v,
            None => prefixes
                .iter()
                .max_by_key(|p| p.len())
                .copied()
                .unwrap_or(""),
        };
        if eqs.iter().any(|e| *e != value) || prefixes.iter().any(|p| !value.starts_with(p)) {
            return None;
        }
        // A Content-Type is read as a list of entries, each without its leading blanks: keep
        // to one entry that has none.
        if name == "content-type" && (value.contains(',') || value.trim_start() != value) {
            return None;
        }
        fields.push((name.to_string(), value.to_string()));
    }
    Some(fields)
}

/// What parses as a credential is written back as the same field.
fn credential(text: &str) {
    if let Ok(c) = PostCredential::parse(text) {
        assert_eq!(PostCredential::parse(&c.to_field()).ok(), Some(c));
    }
}

//! Parsing and validating a bucket policy document.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::actions::{resource_kind, s3_actions, ResourceKind};
use crate::condition::{self, Condition};
use crate::error::{msg, PolicyError};
use crate::wildcard;

/// The largest policy document accepted, in bytes (20 KiB).
pub const MAX_POLICY_SIZE: usize = 20 * 1024;

/// The policy language versions accepted in `Version`.
pub const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

/// A parsed and validated bucket policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub(crate) bucket: String,
    pub(crate) version: Option<String>,
    pub(crate) id: Option<String>,
    pub(crate) statements: Vec<Statement>,
}

impl Policy {
    /// The bucket the policy was validated for.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// `Version`, if given.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// `Id`, if given.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements, in document order (never empty).
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    Allow,
    Deny,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principals: Vec<PrincipalSpec>,
    /// `NotPrincipal` rather than `Principal`.
    pub(crate) not_principal: bool,
    /// Action patterns as written (`*`, `s3:Get*`, ...).
    pub(crate) actions: Vec<String>,
    pub(crate) not_action: bool,
    /// Resource patterns without the `arn:aws:s3:::` prefix (`bucket/photos/*`); `*` for `*`.
    pub(crate) resources: Vec<String>,
    pub(crate) not_resource: bool,
    pub(crate) conditions: Vec<Condition>,
}

impl Statement {
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The statement's conditions, one per operator and key.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }
}

/// One entry of `Principal`/`NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PrincipalSpec {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous included.
    Any,
    /// A bare account id, or `arn:aws:iam::ID:root` (or `:*`).
    Account(String),
    /// `{"CanonicalUser": "..."}`.
    Canonical(String),
    /// Any other IAM ARN (a user or role); no request of this server carries one.
    Arn(String),
    /// `{"Service": "..."}`; no request of this server comes from a service.
    Service(String),
}

/// Parses and validates `json` as the policy of `bucket`.
pub fn parse(json: &str, bucket: &str) -> Result<Policy, PolicyError> {
    if json.len() > MAX_POLICY_SIZE {
        return Err(PolicyError::TooLarge { size: json.len() });
    }
    if !json.trim_start().starts_with('{') {
        return Err(PolicyError::InvalidJson);
    }
    let doc: Value = serde_json::from_str(json).map_err(|_| PolicyError::InvalidJson)?;
    let Value::Object(doc) = doc else {
        return Err(PolicyError::InvalidJson);
    };
    check_fields(&doc, &["Version", "Id", "Statement"])?;
    let version = match doc.get("Version") {
        None => None,
        Some(Value::String(v)) if VERSIONS.contains(&v.as_str()) => Some(v.clone()),
        Some(_) => return Err(PolicyError::malformed(msg::INVALID_VERSION)),
    };
    let id = match doc.get("Id") {
        None => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(_) => return Err(PolicyError::malformed("Id must be a string")),
    };
    let statements = match doc.get("Statement") {
        None => return Err(missing("Statement")),
        Some(Value::Array(list)) if list.is_empty() => {
            return Err(PolicyError::malformed(msg::EMPTY_STATEMENT))
        }
        Some(Value::Array(list)) => list
            .iter()
            .map(|s| parse_statement(s, bucket))
            .collect::<Result<Vec<_>, _>>()?,
        Some(s @ Value::Object(_)) => vec![parse_statement(s, bucket)?],
        Some(_) => {
            return Err(PolicyError::malformed(
                "Statement must be an object or an array of objects",
            ))
        }
    };
    let mut sids = HashSet::new();
    for sid in statements.iter().filter_map(|s| s.sid.as_deref()) {
        if !sid.is_empty() && !sids.insert(sid) {
            return Err(PolicyError::malformed(msg::DUPLICATE_SID));
        }
    }
    Ok(Policy {
        bucket: bucket.to_string(),
        version,
        id,
        statements,
    })
}

fn missing(field: &str) -> PolicyError {
    PolicyError::malformed(format!("Missing required field {field}"))
}

fn check_fields(obj: &Map<String, Value>, known: &[&str]) -> Result<(), PolicyError> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(PolicyError::malformed(format!("Unknown field {k}"))),
        None => Ok(()),
    }
}

/// Exactly one of `name` and `not_name`: its value and whether it was the `Not` form.
fn one_of<'a>(st: &'a Map<String, Value>, name: &str) -> Result<(&'a Value, bool), PolicyError> {
    let not_name = format!("Not{name}");
    match (st.get(name), st.get(&not_name)) {
        (Some(_), Some(_)) => Err(PolicyError::malformed(format!(
            "Statement cannot contain both {name} and {not_name}"
        ))),
        (Some(v), None) => Ok((v, false)),
        (None, Some(v)) => Ok((v, true)),
        (None, None) => Err(missing(name)),
    }
}

fn parse_statement(raw: &Value, bucket: &str) -> Result<Statement, PolicyError> {
    let Value::Object(st) = raw else {
        return Err(PolicyError::malformed(
            "Statement must be an object or an array of objects",
        ));
    };
    check_fields(
        st,
        &[
            "Sid",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
        ],
    )?;
    let sid = match st.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(PolicyError::malformed("Sid must be a string")),
    };
    let effect = match st.get("Effect") {
        None => return Err(missing("Effect")),
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(Value::String(e)) => {
            return Err(PolicyError::malformed(format!("Invalid effect: {e}")))
        }
        Some(_) => {
            return Err(PolicyError::malformed(
                "Invalid effect: Effect must be \"Allow\" or \"Deny\"",
            ))
        }
    };
    let (principal, not_principal) = one_of(st, "Principal")?;
    let principals = parse_principal(principal)?;
    let (action, not_action) = one_of(st, "Action")?;
    let actions = strings(action, msg::INVALID_ACTION)?;
    for a in &actions {
        check_action(a)?;
    }
    let (resource, not_resource) = one_of(st, "Resource")?;
    let resources = strings(resource, msg::INVALID_RESOURCE)?
        .iter()
        .map(|r| parse_resource(r, bucket))
        .collect::<Result<Vec<_>, _>>()?;
    if !not_action && !not_resource {
        check_actions_apply(&actions, &resources, bucket)?;
    }
    let conditions = match st.get("Condition") {
        None => Vec::new(),
        Some(block) => condition::parse_block(block)?,
    };
    Ok(Statement {
        sid,
        effect,
        principals,
        not_principal,
        actions,
        not_action,
        resources,
        not_resource,
        conditions,
    })
}

/// A string or a non-empty array of strings; anything else fails with `reason`.
fn strings(v: &Value, reason: &str) -> Result<Vec<String>, PolicyError> {
    let bad = || PolicyError::malformed(reason);
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|i| i.as_str().map(str::to_string).ok_or_else(bad))
            .collect(),
        _ => Err(bad()),
    }
}

fn parse_principal(v: &Value) -> Result<Vec<PrincipalSpec>, PolicyError> {
    let bad = || PolicyError::malformed(msg::INVALID_PRINCIPAL);
    let map = match v {
        Value::String(s) if s == "*" => return Ok(vec![PrincipalSpec::Any]),
        Value::Object(map) if !map.is_empty() => map,
        _ => return Err(bad()),
    };
    let mut out = Vec::new();
    for (kind, ids) in map {
        for id in strings(ids, msg::INVALID_PRINCIPAL)? {
            out.push(match kind.as_str() {
                "AWS" => aws_principal(&id).ok_or_else(bad)?,
                "CanonicalUser" if valid_id(&id) => PrincipalSpec::Canonical(id),
                "Service" if !id.is_empty() && !id.contains(char::is_whitespace) => {
                    PrincipalSpec::Service(id)
                }
                _ => return Err(bad()),
            });
        }
    }
    Ok(out)
}

/// `*`, an account id, or `arn:PARTITION:iam::ACCOUNT:root|*|user/...|role/...` (also `sts`).
fn aws_principal(id: &str) -> Option<PrincipalSpec> {
    if id == "*" {
        return Some(PrincipalSpec::Any);
    }
    if valid_id(id) {
        return Some(PrincipalSpec::Account(id.to_string()));
    }
    let mut parts = id.splitn(6, ':');
    let arn = parts.next()?;
    let partition = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let account = parts.next()?;
    let rest = parts.next()?;
    let ok = arn == "arn"
        && valid_partition(partition)
        && (service == "iam" || service == "sts")
        && region.is_empty()
        && valid_id(account)
        && !rest.is_empty()
        && !rest.contains(char::is_whitespace);
    if !ok {
        return None;
    }
    Some(if rest == "root" || rest == "*" {
        PrincipalSpec::Account(account.to_string())
    } else {
        PrincipalSpec::Arn(id.to_string())
    })
}

/// An account or canonical user id: letters, digits, `-` and `_`.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn valid_partition(p: &str) -> bool {
    !p.is_empty()
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `*`, or `s3:NAME` where NAME (with `*`/`?` wildcards) names at least one known action.
fn check_action(action: &str) -> Result<(), PolicyError> {
    if action == "*" {
        return Ok(());
    }
    let bad = || PolicyError::malformed(msg::INVALID_ACTION);
    let name = match action.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("s3:") => &action[3..],
        _ => return Err(bad()),
    };
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
    {
        return Err(bad());
    }
    if s3_actions().any(|known| wildcard::matches(action, known, true)) {
        Ok(())
    } else {
        Err(bad())
    }
}

/// `*` or `arn:PARTITION:s3:::PATTERN`, where PATTERN can name the bucket or something
/// in it. Returns the pattern (`*` for `*`).
fn parse_resource(resource: &str, bucket: &str) -> Result<String, PolicyError> {
    if resource == "*" {
        return Ok("*".to_string());
    }
    let bad = || PolicyError::malformed(msg::INVALID_RESOURCE);
    let fields: Vec<&str> = resource.splitn(6, ':').collect();
    let [arn, partition, service, region, account, path] = fields[..] else {
        return Err(bad());
    };
    if arn != "arn"
        || !valid_partition(partition)
        || service != "s3"
        || !region.is_empty()
        || !account.is_empty()
    {
        return Err(bad());
    }
    if path.is_empty() || path.chars().any(char::is_control) {
        return Err(bad());
    }
    let in_bucket = wildcard::matches(path, bucket, false)
        || wildcard::matches_prefix(path, &format!("{bucket}/"));
    if !in_bucket {
        return Err(bad());
    }
    Ok(path.to_string())
}

/// Every action (pattern) must apply to at least one of the resources, as AWS requires.
fn check_actions_apply(
    actions: &[String],
    resources: &[String],
    bucket: &str,
) -> Result<(), PolicyError> {
    let object_prefix = format!("{bucket}/");
    let covers = |kind: ResourceKind| {
        resources.iter().any(|r| match kind {
            ResourceKind::Bucket => wildcard::matches(r, bucket, false),
            ResourceKind::Object => wildcard::matches_prefix(r, &object_prefix),
            ResourceKind::Service => r == "*",
        })
    };
    let kinds = [
        ResourceKind::Bucket,
        ResourceKind::Object,
        ResourceKind::Service,
    ];
    let covered: Vec<ResourceKind> = kinds.into_iter().filter(|&k| covers(k)).collect();
    for action in actions {
        let applies = s3_actions()
            .filter(|known| action == "*" || wildcard::matches(action, known, true))
            .any(|known| resource_kind(known).is_some_and(|k| covered.contains(&k)));
        if !applies {
            return Err(PolicyError::malformed(msg::ACTION_NO_RESOURCE));
        }
    }
    Ok(())
}

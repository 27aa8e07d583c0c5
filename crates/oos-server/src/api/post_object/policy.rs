//! POST policies (browser uploads): the base64 JSON document a POST Object form carries, its
//! parsing (malformed → `400 InvalidPolicyDocument`) and its evaluation against the form
//! (failed → `403 AccessDenied` "Invalid according to Policy: …"), with S3's messages.

use base64::Engine;
use serde_json::Value;
use time::OffsetDateTime;

use crate::error::{S3Error, S3Result};
use crate::s3_error;

/// A parsed POST policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    pub expiration: OffsetDateTime,
    pub conditions: Vec<Condition>,
}

/// One entry of `conditions`. Field names are lower-cased (S3 matches them without case);
/// `spelled` keeps the policy's own spelling for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `{"field": "value"}` or `["eq", "$field", "value"]`.
    Eq { field: Field, value: String },
    /// `["starts-with", "$field", "prefix"]`; an empty prefix admits any value.
    StartsWith { field: Field, prefix: String },
    /// `["content-length-range", min, max]`, inclusive; bounds that are not numbers never hold.
    ContentLengthRange {
        range: Option<(u64, u64)>,
        spelled: String,
    },
}

/// The field a condition tests: `$name` in array form (without `$` it matches nothing, as in
/// S3, where the condition then fails).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: Option<String>,
    pub spelled: String,
}

fn invalid(message: impl Into<String>) -> S3Error {
    S3Error::with_message(
        oos_proto::ErrorCode::InvalidPolicyDocument,
        format!("Invalid Policy: {}", message.into()),
    )
}

/// A failed evaluation: S3's 403.
fn denied(message: impl std::fmt::Display) -> S3Error {
    s3_error!(AccessDenied, "Invalid according to Policy: {message}")
}

impl PostPolicy {
    /// Decodes and parses the `policy` field as sent.
    pub fn parse(policy_b64: &str) -> S3Result<PostPolicy> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(policy_b64.trim())
            .map_err(|_| invalid("invalid Base64 encoding."))?;
        let doc: Value = serde_json::from_slice(&bytes).map_err(|_| invalid("Invalid JSON."))?;
        let Value::Object(members) = doc else {
            return Err(invalid("Invalid JSON."));
        };
        // The member names are case-sensitive: `EXPIRATION` is not `expiration` (s3-tests).
        if let Some(other) = members
            .keys()
            .find(|k| *k != "expiration" && *k != "conditions")
        {
            return Err(invalid(format!(
                "Unexpected: '{}'",
                other.to_ascii_lowercase()
            )));
        }
        let expiration = match members.get("expiration") {
            None => return Err(invalid("Policy missing expiration.")),
            Some(Value::String(s)) => parse_expiration(s)
                .ok_or_else(|| invalid(format!("Invalid 'expiration' value: '{s}'")))?,
            Some(other) => return Err(invalid(format!("Invalid 'expiration' value: '{other}'"))),
        };
        let conditions = match members.get("conditions") {
            None => return Err(invalid("Policy missing conditions.")),
            Some(Value::Array(list)) => list
                .iter()
                .map(Condition::parse)
                .collect::<S3Result<Vec<_>>>()?,
            Some(_) => return Err(invalid("Invalid 'conditions' value: must be a List.")),
        };
        Ok(PostPolicy {
            expiration,
            conditions,
        })
    }

    /// `403 AccessDenied` "Policy expired." once `now` reaches the expiration.
    pub fn check_expiration(&self, now: OffsetDateTime) -> S3Result<()> {
        if now >= self.expiration {
            return Err(denied("Policy expired."));
        }
        Ok(())
    }

    /// Checks every condition against the form's fields (`(name as sent, value)`, variables
    /// already expanded, `bucket` included), then that each field is covered by a condition.
    pub fn check_fields(&self, fields: &[(String, String)]) -> S3Result<()> {
        let value_of = |name: &str| -> Option<String> {
            let values: Vec<&str> = fields
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
                .collect();
            // S3: several fields of one name are matched as their values joined by commas.
            (!values.is_empty()).then(|| values.join(","))
        };
        for condition in &self.conditions {
            let holds = match condition {
                Condition::Eq { field, value } => field
                    .name
                    .as_deref()
                    .and_then(value_of)
                    .is_some_and(|v| v == *value),
                Condition::StartsWith { field, prefix } => {
                    field
                        .name
                        .as_deref()
                        .and_then(|n| value_of(n).map(|v| (n, v)))
                        .is_some_and(|(name, v)| {
                            if name == "content-type" {
                                // S3 reads a Content-Type as a list: each entry must match.
                                v.split(',')
                                    .all(|t| t.trim_start().starts_with(prefix.as_str()))
                            } else {
                                v.starts_with(prefix.as_str())
                            }
                        })
                }
                // Checked against the file's size as it arrives.
                Condition::ContentLengthRange { .. } => true,
            };
            if !holds {
                return Err(denied(format!(
                    "Policy Condition failed: {}",
                    condition.spelled()
                )));
            }
        }
        if let Some((name, _)) = fields
            .iter()
            .find(|(name, _)| !exempt(name) && !self.covers(name))
        {
            return Err(denied(format!("Extra input fields: {name}")));
        }
        Ok(())
    }

    fn covers(&self, name: &str) -> bool {
        self.conditions.iter().any(|c| match c {
            Condition::Eq { field, .. } | Condition::StartsWith { field, .. } => field
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name)),
            Condition::ContentLengthRange { .. } => false,
        })
    }

    /// The file sizes every `content-length-range` admits: `None` when there is none;
    /// `Some(None)` when one of them has bounds that are not numbers (it never holds).
    pub fn length_range(&self) -> Option<Option<(u64, u64)>> {
        let mut out: Option<Option<(u64, u64)>> = None;
        for c in &self.conditions {
            if let Condition::ContentLengthRange { range, .. } = c {
                out = Some(match (out, range) {
                    (None, r) => *r,
                    (Some(Some((a, b))), Some((c, d))) => Some((a.max(*c), b.min(*d))),
                    _ => None,
                });
            }
        }
        out
    }

    /// The first `content-length-range` condition as written (for its failure message).
    pub fn spelled_length_range(&self) -> String {
        self.conditions
            .iter()
            .find_map(|c| match c {
                Condition::ContentLengthRange { spelled, .. } => Some(spelled.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }
}

/// Fields no condition needs to cover (SigV4 and SigV2 lists of the S3 docs).
fn exempt(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "x-amz-signature" | "signature" | "awsaccesskeyid" | "file" | "policy"
    ) || n.starts_with("x-ignore-")
}

/// ISO 8601 in UTC as the S3 docs and SDKs write it: `2015-12-30T12:00:00.000Z` or without
/// fractional seconds. An offset or a space for the `T` is refused, as S3 does.
fn parse_expiration(s: &str) -> Option<OffsetDateTime> {
    let fmt = time::format_description::well_known::Iso8601::DEFAULT;
    if !s.ends_with('Z') || s.len() < 20 || s.as_bytes().get(10) != Some(&b'T') {
        return None;
    }
    OffsetDateTime::parse(s, &fmt).ok()
}

impl Condition {
    fn parse(v: &Value) -> S3Result<Condition> {
        match v {
            Value::Object(m) => {
                if m.len() != 1 {
                    return Err(invalid(
                        "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
                    ));
                }
                let (name, value) = m.iter().next().expect("one member");
                let value = match value {
                    Value::String(s) => s.clone(),
                    Value::Null => return Err(invalid("Invalid JSON.")),
                    _ => return Err(invalid("Invalid Simple-Condition: value must be a string.")),
                };
                // A simple condition names the field without `$`.
                let field = Field {
                    name: Some(name.to_ascii_lowercase()),
                    spelled: format!("${name}"),
                };
                Ok(Condition::Eq { field, value })
            }
            Value::Array(items) => {
                let Some(Value::String(op)) = items.first() else {
                    return Err(invalid("Invalid Condition: missing operation identifier."));
                };
                let op_lower = op.to_ascii_lowercase();
                match op_lower.as_str() {
                    "eq" | "starts-with" => {
                        if items.len() != 3 {
                            return Err(invalid(format!(
                                "Invalid {op_lower}: wrong number of arguments."
                            )));
                        }
                        let (Value::String(name), Value::String(value)) = (&items[1], &items[2])
                        else {
                            return Err(invalid("Invalid JSON."));
                        };
                        let field = Field {
                            name: name.strip_prefix('$').map(str::to_ascii_lowercase),
                            spelled: name.clone(),
                        };
                        Ok(if op_lower == "eq" {
                            Condition::Eq {
                                field,
                                value: value.clone(),
                            }
                        } else {
                            Condition::StartsWith {
                                field,
                                prefix: value.clone(),
                            }
                        })
                    }
                    "content-length-range" => {
                        if items.len() != 3 {
                            return Err(invalid(
                                "Invalid content-length-range: wrong number of arguments.",
                            ));
                        }
                        let min = length_bound(&items[1])?;
                        let max = length_bound(&items[2])?;
                        let spelled =
                            format!("[\"content-length-range\", {}, {}]", items[1], items[2]);
                        Ok(Condition::ContentLengthRange {
                            range: min.zip(max),
                            spelled,
                        })
                    }
                    _ => Err(invalid(format!(
                        "Invalid Condition: unknown operation '{op}'."
                    ))),
                }
            }
            _ => Err(invalid("Invalid condition test: must be a List or Object.")),
        }
    }

    /// The condition as S3 prints it in a failure: simple conditions as `eq` arrays.
    fn spelled(&self) -> String {
        let q = |s: &str| Value::String(s.to_string()).to_string();
        match self {
            Condition::Eq { field, value } => {
                format!("[\"eq\", {}, {}]", q(&field.spelled), q(value))
            }
            Condition::StartsWith { field, prefix } => {
                format!("[\"starts-with\", {}, {}]", q(&field.spelled), q(prefix))
            }
            Condition::ContentLengthRange { spelled, .. } => spelled.clone(),
        }
    }
}

/// A `content-length-range` bound: a non-negative integer or a string of one (S3 takes
/// `"5"`); other strings are kept as "never holds" (S3 then fails the condition, 403), while
/// negative or fractional numbers make the document invalid.
fn length_bound(v: &Value) -> S3Result<Option<u64>> {
    match v {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Ok(Some(u)),
            (None, Some(_)) => Err(invalid(
                "Invalid content-length-range: the bounds must not be negative.",
            )),
            _ => Err(invalid("Invalid JSON.")),
        },
        Value::String(s) => Ok(s.trim().parse::<u64>().ok()),
        _ => Err(invalid("Invalid JSON.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oos_proto::ErrorCode;

    fn policy(json: &str) -> S3Result<PostPolicy> {
        PostPolicy::parse(&base64::engine::general_purpose::STANDARD.encode(json))
    }

    fn fields(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    fn message(r: S3Result<impl std::fmt::Debug>) -> (ErrorCode, String) {
        let e = r.unwrap_err();
        (e.code, e.message)
    }

    const EXP: &str = "\"expiration\": \"2030-01-01T00:00:00Z\"";

    #[test]
    fn malformed_documents_are_invalid_policy_document() {
        let cases = [
            ("{\"conditions\": []}", "Invalid Policy: Policy missing expiration."),
            (&format!("{{{EXP}}}"), "Invalid Policy: Policy missing conditions."),
            (
                &format!("{{{EXP}, \"CONDITIONS\": []}}"),
                "Invalid Policy: Unexpected: 'conditions'",
            ),
            (
                "{\"expiration\": \"2030-01-01 00:00:00+00:00\", \"conditions\": []}",
                "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00+00:00'",
            ),
            (
                &format!("{{{EXP}, \"conditions\": [{{}}]}}"),
                "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.",
            ),
            (
                &format!("{{{EXP}, \"conditions\": [[\"content-length-range\", 0]]}}"),
                "Invalid Policy: Invalid content-length-range: wrong number of arguments.",
            ),
            (
                &format!("{{{EXP}, \"conditions\": [[\"content-length-range\", -1, 0]]}}"),
                "Invalid Policy: Invalid content-length-range: the bounds must not be negative.",
            ),
            (
                &format!("{{{EXP}, \"conditions\": [{{\"a\": 5}}]}}"),
                "Invalid Policy: Invalid Simple-Condition: value must be a string.",
            ),
            (
                &format!("{{{EXP}, \"conditions\": [[\"matches\", \"$a\", \"b\"]]}}"),
                "Invalid Policy: Invalid Condition: unknown operation 'matches'.",
            ),
            ("not json", "Invalid Policy: Invalid JSON."),
        ];
        for (doc, want) in cases {
            assert_eq!(
                message(policy(doc)),
                (ErrorCode::InvalidPolicyDocument, want.to_string()),
                "{doc}"
            );
        }
        assert_eq!(
            message(PostPolicy::parse("@@@")).1,
            "Invalid Policy: invalid Base64 encoding."
        );
    }

    #[test]
    fn expiration_with_or_without_milliseconds() {
        let p =
            policy("{\"expiration\": \"2015-12-30T12:00:00.000Z\", \"conditions\": []}").unwrap();
        let at = time::macros::datetime!(2015-12-30 12:00 UTC);
        assert!(p.check_expiration(at - time::Duration::seconds(1)).is_ok());
        assert_eq!(
            message(p.check_expiration(at)),
            (
                ErrorCode::AccessDenied,
                "Invalid according to Policy: Policy expired.".to_string()
            )
        );
    }

    #[test]
    fn conditions_match_names_without_case_and_values_exactly() {
        let p = policy(&format!(
            "{{{EXP}, \"conditions\": [{{\"bUcKeT\": \"b\"}}, [\"StArTs-WiTh\", \"$KeY\", \"foo\"], [\"eq\", \"$x-amz-meta-a\", \"v\"], [\"starts-with\", \"$Content-Type\", \"image/\"], [\"content-length-range\", 0, 10]]}}"
        ))
        .unwrap();
        let ok = fields(&[
            ("bucket", "b"),
            ("kEy", "foo.txt"),
            ("X-Amz-Meta-A", "v"),
            ("Content-Type", "image/png, image/gif"),
            ("x-ignore-x", "1"),
            ("Policy", "..."),
        ]);
        assert!(p.check_fields(&ok).is_ok());
        let mut bad = ok.clone();
        bad[2].1 = "V".into();
        assert_eq!(
            message(p.check_fields(&bad)).1,
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$x-amz-meta-a\", \"v\"]"
        );
        let mut bad = ok.clone();
        bad[3].1 = "image/png,text/plain".into();
        assert!(p.check_fields(&bad).is_err());
        let mut extra = ok.clone();
        extra.push(("Cache-Control".into(), "no".into()));
        assert_eq!(
            message(p.check_fields(&extra)),
            (
                ErrorCode::AccessDenied,
                "Invalid according to Policy: Extra input fields: Cache-Control".to_string()
            )
        );
        // A condition on an absent field fails, even `starts-with ""` (as S3 answers).
        let absent = ok[..2].to_vec();
        assert!(p.check_fields(&absent).is_err());
        assert_eq!(p.length_range(), Some(Some((0, 10))));
    }

    #[test]
    fn simple_conditions_are_printed_as_eq_and_dollar_less_names_never_match() {
        let p = policy(&format!(
            "{{{EXP}, \"conditions\": [{{\"key\": \"a\\\"b\"}}, [\"eq\", \"key\", \"x\"]]}}"
        ))
        .unwrap();
        assert_eq!(
            message(p.check_fields(&fields(&[("key", "c")]))).1,
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"a\\\"b\"]"
        );
        assert_eq!(
            message(p.check_fields(&fields(&[("key", "a\"b")]))).1,
            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"key\", \"x\"]"
        );
    }

    #[test]
    fn length_ranges_intersect_and_strings_are_numbers() {
        let p = policy(&format!(
            "{{{EXP}, \"conditions\": [[\"content-length-range\", \"5\", \"10\"], [\"content-length-range\", 7, 100]]}}"
        ))
        .unwrap();
        assert_eq!(p.length_range(), Some(Some((7, 10))));
        let p = policy(&format!(
            "{{{EXP}, \"conditions\": [[\"content-length-range\", \"test\", \"10\"]]}}"
        ))
        .unwrap();
        assert_eq!(p.length_range(), Some(None));
        assert_eq!(
            p.spelled_length_range(),
            "[\"content-length-range\", \"test\", \"10\"]"
        );
    }
}

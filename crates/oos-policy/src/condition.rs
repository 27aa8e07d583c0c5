//! The `Condition` element: operators, their typed values, and their evaluation against
//! the request context.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

use crate::error::{msg, PolicyError};
use crate::eval::Context;
use crate::wildcard;

/// The comparison an operator makes, before negation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    NumericEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    IpAddress,
    /// `ArnEquals` and `ArnLike`, which AWS defines alike: each of the six colon-separated
    /// parts matched on its own, case-sensitively, with `*` and `?`.
    Arn,
    Null,
}

/// `(operator name, test, negated)`, for every supported operator without `IfExists`.
const OPERATORS: &[(&str, Test, bool)] = &[
    ("StringEquals", Test::StringEquals, false),
    ("StringNotEquals", Test::StringEquals, true),
    (
        "StringEqualsIgnoreCase",
        Test::StringEqualsIgnoreCase,
        false,
    ),
    (
        "StringNotEqualsIgnoreCase",
        Test::StringEqualsIgnoreCase,
        true,
    ),
    ("StringLike", Test::StringLike, false),
    ("StringNotLike", Test::StringLike, true),
    ("NumericEquals", Test::NumericEquals, false),
    ("NumericNotEquals", Test::NumericEquals, true),
    ("NumericLessThan", Test::NumericLessThan, false),
    ("NumericLessThanEquals", Test::NumericLessThanEquals, false),
    ("NumericGreaterThan", Test::NumericGreaterThan, false),
    (
        "NumericGreaterThanEquals",
        Test::NumericGreaterThanEquals,
        false,
    ),
    ("DateEquals", Test::DateEquals, false),
    ("DateNotEquals", Test::DateEquals, true),
    ("DateLessThan", Test::DateLessThan, false),
    ("DateLessThanEquals", Test::DateLessThanEquals, false),
    ("DateGreaterThan", Test::DateGreaterThan, false),
    ("DateGreaterThanEquals", Test::DateGreaterThanEquals, false),
    ("Bool", Test::Bool, false),
    ("IpAddress", Test::IpAddress, false),
    ("NotIpAddress", Test::IpAddress, true),
    ("ArnEquals", Test::Arn, false),
    ("ArnNotEquals", Test::Arn, true),
    ("ArnLike", Test::Arn, false),
    ("ArnNotLike", Test::Arn, true),
    ("Null", Test::Null, false),
];

/// AWS operators this crate knows of but does not implement.
const UNSUPPORTED: &[&str] = &["BinaryEquals"];

/// How a condition treats a key with several values in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

/// A condition's values, parsed to the operator's type.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    Strings(Vec<String>),
    Numbers(Vec<f64>),
    Dates(Vec<OffsetDateTime>),
    Bools(Vec<bool>),
    Nets(Vec<Cidr>),
}

/// One operator applied to one key: `"StringLike": {"aws:Referer": [...]}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    operator: String,
    test: Test,
    negated: bool,
    if_exists: bool,
    qualifier: SetQualifier,
    /// Lower-cased (condition keys are case-insensitive).
    key: String,
    values: Values,
}

impl Condition {
    /// The operator as written in the policy.
    pub fn operator(&self) -> &str {
        &self.operator
    }

    /// The condition key, lower-cased.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Whether this condition confines a statement to callers named by fixed values, which
    /// makes it non-public (see [`crate::Policy::is_public`]).
    pub(crate) fn fixes_caller(&self) -> bool {
        if self.negated || self.if_exists || self.qualifier == SetQualifier::ForAllValues {
            return false;
        }
        match (&self.values, self.test) {
            (Values::Nets(nets), Test::IpAddress) => {
                self.key == "aws:sourceip"
                    && !nets.is_empty()
                    && nets
                        .iter()
                        .all(|n| n.prefix >= if n.addr.is_ipv4() { 8 } else { 32 })
            }
            (
                Values::Strings(values),
                Test::StringEquals | Test::StringEqualsIgnoreCase | Test::StringLike | Test::Arn,
            ) => {
                crate::public::FIXING_KEYS.contains(&self.key.as_str())
                    && !values.is_empty()
                    && (!matches!(self.test, Test::StringLike | Test::Arn)
                        || values.iter().all(|v| !v.contains(['*', '?'])))
            }
            _ => false,
        }
    }

    /// Whether this condition holds for the request described by `ctx`.
    pub fn holds(&self, ctx: &Context) -> bool {
        let found = lookup(ctx, &self.key);
        if self.test == Test::Null {
            // `"Null": {"k": "true"}` holds when k is absent.
            let Values::Bools(want) = &self.values else {
                return false;
            };
            return want.contains(&found.is_empty());
        }
        let test = |v: &CtxValue| self.test_one(v) != self.negated;
        match self.qualifier {
            SetQualifier::None if found.is_empty() => self.if_exists || self.negated,
            // A negated operator holds when no value matches any of its values.
            SetQualifier::None => found.iter().any(|v| self.test_one(v)) != self.negated,
            SetQualifier::ForAnyValue => {
                if found.is_empty() {
                    self.if_exists
                } else {
                    found.iter().any(test)
                }
            }
            SetQualifier::ForAllValues => found.iter().all(test),
        }
    }

    /// Whether one request value matches any of the policy's values (before negation).
    fn test_one(&self, v: &CtxValue) -> bool {
        match (&self.values, self.test) {
            (Values::Strings(want), t) => {
                let have = v.as_str();
                want.iter().any(|w| match t {
                    Test::StringEquals => *w == have,
                    Test::StringEqualsIgnoreCase => eq_ignore_case(w, &have),
                    Test::Arn => arn_matches(w, &have),
                    _ => wildcard::matches(w, &have, false),
                })
            }
            (Values::Numbers(want), t) => v.as_number().is_some_and(|have| {
                want.iter().any(|&w| match t {
                    Test::NumericEquals => have == w,
                    Test::NumericLessThan => have < w,
                    Test::NumericLessThanEquals => have <= w,
                    Test::NumericGreaterThan => have > w,
                    _ => have >= w,
                })
            }),
            (Values::Dates(want), t) => v.as_time().is_some_and(|have| {
                want.iter().any(|&w| match t {
                    Test::DateEquals => have == w,
                    Test::DateLessThan => have < w,
                    Test::DateLessThanEquals => have <= w,
                    Test::DateGreaterThan => have > w,
                    _ => have >= w,
                })
            }),
            (Values::Bools(want), _) => v.as_bool().is_some_and(|have| want.contains(&have)),
            (Values::Nets(want), _) => v
                .as_ip()
                .is_some_and(|have| want.iter().any(|n| n.contains(have))),
        }
    }
}

/// Parses a statement's `Condition` element.
pub fn parse_block(block: &Value) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = block else {
        return Err(PolicyError::malformed("Condition must be a JSON object"));
    };
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let (test, negated, if_exists, qualifier) = parse_operator(op_name)?;
        let Value::Object(keys) = keys else {
            return Err(PolicyError::malformed(format!(
                "Condition operator {op_name} must map condition keys to values"
            )));
        };
        for (key, raw) in keys {
            if !valid_key(key) {
                return Err(PolicyError::malformed(msg::INVALID_CONDITION_KEY));
            }
            let key = key.to_ascii_lowercase();
            if test == Test::IpAddress && key != "aws:sourceip" {
                return Err(PolicyError::malformed(format!(
                    "Condition operator {op_name} may only be used with the aws:SourceIp key"
                )));
            }
            let texts = value_texts(raw, op_name)?;
            let values = parse_values(test, &texts)?;
            out.push(Condition {
                operator: op_name.clone(),
                test,
                negated,
                if_exists,
                qualifier,
                key,
                values,
            });
        }
    }
    Ok(out)
}

/// Splits `ForAnyValue:StringLikeIfExists` into its parts.
fn parse_operator(name: &str) -> Result<(Test, bool, bool, SetQualifier), PolicyError> {
    let unknown = || PolicyError::malformed(format!("Unknown condition operator: {name}"));
    let (qualifier, rest) = match name.split_once(':') {
        None => (SetQualifier::None, name),
        Some((q, rest)) if q.eq_ignore_ascii_case("ForAnyValue") => {
            (SetQualifier::ForAnyValue, rest)
        }
        Some((q, rest)) if q.eq_ignore_ascii_case("ForAllValues") => {
            (SetQualifier::ForAllValues, rest)
        }
        Some(_) => return Err(unknown()),
    };
    let (base, if_exists) = match rest.len().checked_sub("IfExists".len()) {
        Some(cut) if rest.is_char_boundary(cut) && rest[cut..].eq_ignore_ascii_case("IfExists") => {
            (&rest[..cut], true)
        }
        _ => (rest, false),
    };
    if UNSUPPORTED.iter().any(|u| u.eq_ignore_ascii_case(base)) {
        return Err(PolicyError::malformed(format!(
            "Unsupported condition operator: {name}"
        )));
    }
    let &(_, test, negated) = OPERATORS
        .iter()
        .find(|(n, _, _)| n.eq_ignore_ascii_case(base))
        .ok_or_else(unknown)?;
    if test == Test::Null && (if_exists || qualifier != SetQualifier::None) {
        return Err(unknown());
    }
    Ok((test, negated, if_exists, qualifier))
}

/// A condition key is `namespace:name`, both parts non-empty and free of spaces.
fn valid_key(key: &str) -> bool {
    match key.split_once(':') {
        Some((ns, name)) => {
            !ns.is_empty()
                && !name.is_empty()
                && key
                    .chars()
                    .all(|c| !c.is_whitespace() && !c.is_control() && c != '*' && c != '?')
        }
        None => false,
    }
}

/// A condition value as texts: a string, number or boolean, or a non-empty array of them.
fn value_texts(raw: &Value, op: &str) -> Result<Vec<String>, PolicyError> {
    let bad = || PolicyError::malformed(format!("Invalid value in condition operator {op}"));
    let one = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(bad()),
    };
    match raw {
        Value::Array(items) if items.is_empty() => Err(bad()),
        Value::Array(items) => items.iter().map(one).collect(),
        v => Ok(vec![one(v)?]),
    }
}

fn parse_values(test: Test, texts: &[String]) -> Result<Values, PolicyError> {
    fn all<T>(
        texts: &[String],
        what: &str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>, PolicyError> {
        texts
            .iter()
            .map(|t| {
                f(t).ok_or_else(|| {
                    PolicyError::malformed(format!("Invalid {what} in condition: {t}"))
                })
            })
            .collect()
    }
    Ok(match test {
        Test::StringEquals | Test::StringEqualsIgnoreCase | Test::StringLike | Test::Arn => {
            Values::Strings(texts.to_vec())
        }
        Test::NumericEquals
        | Test::NumericLessThan
        | Test::NumericLessThanEquals
        | Test::NumericGreaterThan
        | Test::NumericGreaterThanEquals => {
            Values::Numbers(all(texts, "numeric value", parse_number)?)
        }
        Test::DateEquals
        | Test::DateLessThan
        | Test::DateLessThanEquals
        | Test::DateGreaterThan
        | Test::DateGreaterThanEquals => Values::Dates(all(texts, "date value", parse_date)?),
        Test::Bool | Test::Null => Values::Bools(all(texts, "boolean value", parse_bool)?),
        Test::IpAddress => Values::Nets(all(texts, "IP address", Cidr::parse)?),
    })
}

fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    // Rust also parses "inf" and "NaN"; policies may not.
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// ISO 8601 (`2024-01-31T12:00:00Z`, with an offset or fraction, without a zone meaning
/// UTC, or a bare date meaning its midnight UTC) or seconds since the epoch.
pub fn parse_date(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return OffsetDateTime::from_unix_timestamp(s.parse().ok()?).ok();
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    let local = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    if let Ok(t) = PrimitiveDateTime::parse(s, local) {
        return Some(t.assume_utc());
    }
    let short = format_description!("[year]-[month]-[day]T[hour]:[minute]Z");
    if let Ok(t) = PrimitiveDateTime::parse(s, short) {
        return Some(t.assume_utc());
    }
    Date::parse(s, format_description!("[year]-[month]-[day]"))
        .ok()
        .map(|d| d.midnight().assume_utc())
}

/// `ArnLike`/`ArnEquals`: both have six colon-separated parts (the last may hold colons), and
/// each part of `pattern` matches the same part of `arn`.
fn arn_matches(pattern: &str, arn: &str) -> bool {
    let want: Vec<&str> = pattern.splitn(6, ':').collect();
    let have: Vec<&str> = arn.splitn(6, ':').collect();
    want.len() == 6
        && have.len() == 6
        && want
            .iter()
            .zip(&have)
            .all(|(w, h)| wildcard::matches(w, h, false))
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// An IPv4 or IPv6 network: `192.0.2.0/24`, `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    pub fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok()?
            }
            Some(_) => return None,
        };
        Cidr::new(addr, prefix)
    }

    /// The network of `addr` with `prefix` bits, if the prefix fits the address family.
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Cidr> {
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    /// Whether `ip` lies in this network. An IPv4 address and its IPv4-mapped IPv6 form
    /// (`::ffff:a.b.c.d`) are the same address, in an IPv4 network or an IPv6 one.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match self.addr {
            IpAddr::V4(net) => {
                let ip = match ip {
                    IpAddr::V4(v4) => v4,
                    IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                        Some(v4) => v4,
                        None => return false,
                    },
                };
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            IpAddr::V6(net) => {
                let ip = match ip {
                    IpAddr::V4(v4) => v4.to_ipv6_mapped(),
                    IpAddr::V6(v6) => v6,
                };
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
        }
    }
}

/// One value of a condition key in the request.
#[derive(Debug, Clone)]
enum CtxValue<'a> {
    Str(&'a str),
    Ip(IpAddr),
    Time(OffsetDateTime),
    Epoch(i64),
    Bool(bool),
    Int(i64),
}

impl CtxValue<'_> {
    fn as_str(&self) -> Cow<'_, str> {
        match self {
            CtxValue::Str(s) => Cow::Borrowed(s),
            CtxValue::Ip(ip) => Cow::Owned(ip.to_string()),
            CtxValue::Time(t) => Cow::Owned(t.format(&Rfc3339).unwrap_or_default()),
            CtxValue::Epoch(n) | CtxValue::Int(n) => Cow::Owned(n.to_string()),
            CtxValue::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        }
    }

    fn as_number(&self) -> Option<f64> {
        match self {
            CtxValue::Epoch(n) | CtxValue::Int(n) => Some(*n as f64),
            CtxValue::Str(s) => parse_number(s),
            _ => None,
        }
    }

    fn as_time(&self) -> Option<OffsetDateTime> {
        match self {
            CtxValue::Time(t) => Some(*t),
            CtxValue::Epoch(n) => OffsetDateTime::from_unix_timestamp(*n).ok(),
            CtxValue::Str(s) => parse_date(s),
            _ => None,
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            CtxValue::Bool(b) => Some(*b),
            CtxValue::Str(s) => parse_bool(s),
            _ => None,
        }
    }

    fn as_ip(&self) -> Option<IpAddr> {
        match self {
            CtxValue::Ip(ip) => Some(*ip),
            CtxValue::Str(s) => s.parse().ok(),
            _ => None,
        }
    }
}

/// The request's values for a (lower-cased) condition key; empty when the key is absent,
/// as every key this server does not supply is.
fn lookup<'a>(ctx: &'a Context, key: &str) -> Vec<CtxValue<'a>> {
    // The tag key in `s3:ExistingObjectTag/<key>` is compared case-insensitively, as the
    // rest of a condition key is.
    let tag = |tags: &'a Option<Vec<(String, String)>>, name: &str| -> Vec<CtxValue<'a>> {
        tags.iter()
            .flatten()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| CtxValue::Str(v))
            .collect()
    };
    if let Some(name) = key.strip_prefix("s3:existingobjecttag/") {
        return tag(&ctx.existing_object_tags, name);
    }
    if let Some(name) = key.strip_prefix("s3:requestobjecttag/") {
        return tag(&ctx.request_object_tags, name);
    }
    if key == "s3:requestobjecttagkeys" {
        return ctx
            .request_object_tags
            .iter()
            .flatten()
            .map(|(k, _)| CtxValue::Str(k))
            .collect();
    }
    if let Some(header) = key
        .strip_prefix("s3:")
        .filter(|h| crate::eval::HEADER_KEYS.contains(h))
    {
        return ctx
            .headers
            .iter()
            .filter(|(name, _)| name == header)
            .map(|(_, v)| CtxValue::Str(v))
            .collect();
    }
    let v = match key {
        "aws:sourceip" => ctx.source_ip.map(CtxValue::Ip),
        "aws:referer" => ctx.referer.as_deref().map(CtxValue::Str),
        "aws:useragent" => ctx.user_agent.as_deref().map(CtxValue::Str),
        "aws:securetransport" => Some(CtxValue::Bool(ctx.secure_transport)),
        "aws:currenttime" => Some(CtxValue::Time(ctx.current_time)),
        "aws:epochtime" => Some(CtxValue::Epoch(ctx.current_time.unix_timestamp())),
        "s3:prefix" => ctx.prefix.as_deref().map(CtxValue::Str),
        "s3:delimiter" => ctx.delimiter.as_deref().map(CtxValue::Str),
        "s3:max-keys" => ctx.max_keys.map(CtxValue::Int),
        "aws:sourcearn" => ctx.source_arn.as_deref().map(CtxValue::Str),
        "aws:sourceaccount" => ctx.source_account.as_deref().map(CtxValue::Str),
        _ => None,
    };
    v.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operator_names() {
        let ok = |n: &str| parse_operator(n).is_ok();
        assert!(ok("StringEquals"));
        assert!(ok("stringequals"));
        assert!(ok("StringNotLikeIfExists"));
        assert!(ok("ForAnyValue:StringLike"));
        assert!(ok("ForAllValues:StringEqualsIfExists"));
        assert!(ok("Null"));
        assert!(!ok("NullIfExists"));
        assert!(!ok("ForAnyValue:Null"));
        assert!(!ok("StringFoo"));
        assert!(!ok("Sometimes:StringEquals"));
        assert!(!ok("IfExists"));
        assert!(ok("ArnLike"));
        assert!(ok("ArnNotEqualsIfExists"));
        assert!(ok("ForAnyValue:ArnLike"));
        assert_eq!(
            parse_operator("BinaryEquals").unwrap_err().to_string(),
            "Unsupported condition operator: BinaryEquals"
        );
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("192.0.2.0/24").unwrap();
        assert!(c.contains("192.0.2.77".parse().unwrap()));
        assert!(!c.contains("192.0.3.1".parse().unwrap()));
        assert!(c.contains("::ffff:192.0.2.5".parse().unwrap()));
        assert!(!c.contains("2001:db8::1".parse().unwrap()));
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        let one = Cidr::parse("203.0.113.9").unwrap();
        assert!(one.contains("203.0.113.9".parse().unwrap()));
        assert!(!one.contains("203.0.113.8".parse().unwrap()));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
        // An IPv4-mapped network holds the IPv4 addresses it maps (was: none of them).
        let mapped = Cidr::parse("::ffff:10.1.2.0/120").unwrap();
        assert!(mapped.contains("10.1.2.3".parse().unwrap()));
        assert!(mapped.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!mapped.contains("10.1.3.3".parse().unwrap()));
        assert!(Cidr::parse("::/0")
            .unwrap()
            .contains("10.0.0.1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::5".parse().unwrap()));
        assert!(Cidr::parse("::/0")
            .unwrap()
            .contains("::1".parse().unwrap()));
        for bad in [
            "",
            "1.2.3.4/33",
            "1.2.3/24",
            "::/129",
            "1.2.3.4/",
            "1.2.3.4/x",
            "host",
        ] {
            assert!(Cidr::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn dates() {
        let t = |s: &str| parse_date(s).map(|d| d.unix_timestamp());
        assert_eq!(t("2024-01-01T00:00:00Z"), Some(1_704_067_200));
        assert_eq!(t("2024-01-01T08:00:00+08:00"), Some(1_704_067_200));
        assert_eq!(t("2024-01-01T00:00:00.500Z"), Some(1_704_067_200));
        assert_eq!(t("2024-01-01T00:00:00"), Some(1_704_067_200));
        assert_eq!(t("2024-01-01T00:00Z"), Some(1_704_067_200));
        assert_eq!(t("2024-01-01"), Some(1_704_067_200));
        assert_eq!(t("1704067200"), Some(1_704_067_200));
        assert_eq!(t("yesterday"), None);
        assert_eq!(t("2024-13-01"), None);
    }

    #[test]
    fn numbers_and_bools() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-2.5"), Some(-2.5));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("NaN"), None);
        assert_eq!(parse_number("ten"), None);
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn arns() {
        assert!(arn_matches("arn:aws:s3:::src", "arn:aws:s3:::src"));
        assert!(arn_matches("arn:aws:s3:::src*", "arn:aws:s3:::src-logs"));
        assert!(arn_matches(
            "arn:*:s3:*:*:b/k:with:colons",
            "arn:aws:s3:::b/k:with:colons"
        ));
        assert!(arn_matches("arn:aws:s3:::b?", "arn:aws:s3:::b1"));
        assert!(!arn_matches("arn:aws:s3:::src", "arn:aws:s3:::SRC"));
        assert!(!arn_matches("arn:aws:s3:::src", "arn:aws:s3:::src2"));
        // A wildcard stays within its part.
        assert!(!arn_matches("arn:aws:*", "arn:aws:s3:::src"));
        assert!(!arn_matches("arn:aws:s3:::src", "src"));
        assert!(!arn_matches("*", "arn:aws:s3:::src"));
    }

    #[test]
    fn keys() {
        assert!(valid_key("aws:SourceIp"));
        assert!(valid_key("s3:max-keys"));
        assert!(!valid_key("SourceIp"));
        assert!(!valid_key("aws:"));
        assert!(!valid_key(":x"));
        assert!(!valid_key("aws:Source Ip"));
    }
}

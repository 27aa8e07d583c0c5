//! The `LifecycleConfiguration` document: parsing with the validation of S3 (oos-api B 3.9),
//! the canonical form stored and returned by GET, and the date arithmetic of expiry.
//!
//! Both rule forms are accepted and kept as sent: the old one with `Prefix` directly in the
//! rule (boto3 `put_bucket_lifecycle`, the OOS guide) and the new one with `Filter`
//! (`put_bucket_lifecycle_configuration`), whose `Filter` holds a `Prefix`, a `Tag`, object
//! size bounds, or an `And` of them. Expiration acts on current versions (on a versioned
//! bucket it adds a delete marker), `NoncurrentVersionExpiration` on old versions and
//! `ExpiredObjectDeleteMarker` on markers left alone. `Transition` and
//! `NoncurrentVersionTransition` (their own module) move data into another storage class.

use std::collections::HashSet;

use quick_xml::escape::escape;
use quick_xml::events::Event;
use rand::Rng;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

use super::transition::{self, NoncurrentTransition, Transition};
use crate::error::{S3Error, S3Result};
use crate::s3_error;

pub const MAX_RULES: usize = 1000;
pub const MAX_ID_LEN: usize = 255;
pub const MAX_PREFIX_LEN: usize = 1024;
/// Length of the IDs generated for rules that have none.
const GENERATED_ID_LEN: usize = 32;
pub const DAY_MS: i64 = 86_400_000;

/// When a rule expires objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Days after the last modification, rounded up to the next midnight UTC.
    Days(i64),
    /// From this instant (a midnight UTC, Unix ms) on.
    Date(i64),
}

/// How the rule selected its objects on the wire, so GET answers in the same form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `<Prefix>` directly in the rule.
    Legacy,
    /// `<Filter>` with at most one predicate.
    Filter,
    /// `<Filter><And>…</And></Filter>`.
    And,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: String,
    pub shape: Shape,
    /// `None` only for a `Filter` without a `Prefix` (all keys).
    pub prefix: Option<String>,
    pub size_greater_than: Option<u64>,
    pub size_less_than: Option<u64>,
    /// Tags an object must all carry (key and value) to be selected.
    pub tags: Vec<(String, String)>,
    pub enabled: bool,
    pub expiration: Option<Expiry>,
    /// `ExpiredObjectDeleteMarker`: remove a current delete marker with no version below it.
    pub expired_object_delete_marker: bool,
    pub noncurrent: Option<NoncurrentExpiry>,
    pub abort_after_days: Option<i64>,
    /// `Transition`s of current versions, in the order given.
    pub transitions: Vec<Transition>,
    /// `NoncurrentVersionTransition`s, in the order given.
    pub noncurrent_transitions: Vec<NoncurrentTransition>,
}

/// `NoncurrentVersionExpiration`: old versions go `days` after they became noncurrent,
/// except the `keep` newest noncurrent ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoncurrentExpiry {
    pub days: i64,
    pub keep: Option<u32>,
}

impl Rule {
    pub fn prefix(&self) -> &str {
        self.prefix.as_deref().unwrap_or("")
    }

    /// Whether the rule's filter selects this object.
    pub fn matches(&self, key: &str, size: u64, tags: &[(String, String)]) -> bool {
        key.starts_with(self.prefix())
            && self.size_greater_than.is_none_or(|n| size > n)
            && self.size_less_than.is_none_or(|n| size < n)
            && self.tags.iter().all(|t| tags.contains(t))
    }

    /// When an object last modified at `last_modified` expires under this rule, if it does.
    pub fn expires_at(&self, last_modified: i64) -> Option<i64> {
        match self.expiration? {
            Expiry::Days(days) => Some(ceil_midnight(last_modified + days * DAY_MS)),
            Expiry::Date(date) => Some(date),
        }
    }

    /// When a version that became noncurrent at `since`, with `newer` noncurrent versions
    /// above it, expires under this rule: `None` if it never does (it is among the kept).
    pub fn noncurrent_expires_at(&self, since: i64, newer: u32) -> Option<i64> {
        let n = self.noncurrent?;
        if n.keep.is_some_and(|keep| newer < keep) {
            return None;
        }
        Some(ceil_midnight(since + n.days * DAY_MS))
    }

    /// When an upload initiated at `initiated` is aborted under this rule, if it is.
    pub fn aborts_at(&self, initiated: i64) -> Option<i64> {
        self.abort_after_days
            .map(|days| ceil_midnight(initiated + days * DAY_MS))
    }
}

/// Rounds up to the next midnight UTC (an instant already at midnight stays), as S3 does for
/// every Days-based lifecycle action.
pub fn ceil_midnight(ms: i64) -> i64 {
    (ms + DAY_MS - 1).div_euclid(DAY_MS) * DAY_MS
}

/// A tiny element tree: lifecycle documents are small, and a tree makes the many "exactly
/// one of", "unknown element" and "empty element" checks plain code.
#[derive(Debug, Default)]
pub(super) struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The one child of that name (`MalformedXML` if repeated).
    pub fn one<'a>(&'a self, name: &'a str) -> S3Result<Option<&'a Node>> {
        let mut it = self.all(name);
        let first = it.next();
        if it.next().is_some() {
            return Err(malformed());
        }
        Ok(first)
    }

    pub fn only(&self, allowed: &[&str]) -> S3Result<()> {
        if self
            .children
            .iter()
            .all(|c| allowed.contains(&c.name.as_str()))
        {
            Ok(())
        } else {
            Err(malformed())
        }
    }
}

pub(super) fn malformed() -> S3Error {
    s3_error!(MalformedXML)
}

fn parse_tree(text: &str) -> S3Result<Node> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let local = |name: &[u8]| String::from_utf8_lossy(name).into_owned();
    loop {
        match reader.read_event().map_err(|_| malformed())? {
            Event::Start(e) => stack.push(Node {
                name: local(e.local_name().as_ref()),
                ..Node::default()
            }),
            Event::Empty(e) => {
                let node = Node {
                    name: local(e.local_name().as_ref()),
                    ..Node::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None if root.is_none() => root = Some(node),
                    None => return Err(malformed()),
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or_else(malformed)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None if root.is_none() => root = Some(node),
                    None => return Err(malformed()),
                }
            }
            Event::Text(t) => match stack.last_mut() {
                Some(node) => {
                    oos_proto::xml::push_text(&mut node.text, &t).map_err(|_| malformed())?
                }
                None if t.iter().all(u8::is_ascii_whitespace) => {}
                None => return Err(malformed()),
            },
            Event::GeneralRef(r) => {
                let node = stack.last_mut().ok_or_else(malformed)?;
                oos_proto::xml::push_ref(&mut node.text, &r).map_err(|_| malformed())?;
            }
            Event::CData(c) => {
                let node = stack.last_mut().ok_or_else(malformed)?;
                node.text
                    .push_str(std::str::from_utf8(&c.into_inner()).map_err(|_| malformed())?);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed());
    }
    root.ok_or_else(malformed)
}

/// Parses and validates a configuration; rules without an ID get a generated one.
pub fn parse(text: &str) -> S3Result<Vec<Rule>> {
    let root = parse_tree(text)?;
    if root.name != "LifecycleConfiguration" {
        return Err(malformed());
    }
    root.only(&["Rule"])?;
    let count = root.children.len();
    if count == 0 {
        return Err(malformed());
    }
    if count > MAX_RULES {
        return Err(s3_error!(
            MalformedXML,
            "A lifecycle configuration holds at most {MAX_RULES} rules; this one has {count}."
        ));
    }
    let rules = root
        .children
        .iter()
        .map(parse_rule)
        .collect::<S3Result<Vec<Rule>>>()?;
    let mut ids = HashSet::new();
    for rule in &rules {
        if !ids.insert(rule.id.as_str()) {
            return Err(s3_error!(
                InvalidArgument,
                "Rule ID must be unique. Found same ID for more than one rule"
            ));
        }
    }
    Ok(rules)
}

fn parse_rule(node: &Node) -> S3Result<Rule> {
    node.only(&[
        "ID",
        "Prefix",
        "Filter",
        "Status",
        "Expiration",
        "AbortIncompleteMultipartUpload",
        "Transition",
        "NoncurrentVersionTransition",
        "NoncurrentVersionExpiration",
    ])?;
    let id = match node.one("ID")?.map(|n| n.text.trim()) {
        Some(id) if id.chars().count() > MAX_ID_LEN => {
            return Err(s3_error!(
                InvalidArgument,
                "ID length should not exceed allowed limit of {MAX_ID_LEN}"
            ))
        }
        Some(id) if !id.is_empty() => id.to_string(),
        _ => generated_id(),
    };
    let enabled = match node.one("Status")?.map(|n| n.text.trim()) {
        Some("Enabled") => true,
        Some("Disabled") => false,
        _ => return Err(malformed()),
    };
    let mut rule = Rule {
        id,
        shape: Shape::Legacy,
        prefix: None,
        size_greater_than: None,
        size_less_than: None,
        tags: Vec::new(),
        enabled,
        expiration: None,
        expired_object_delete_marker: false,
        noncurrent: None,
        abort_after_days: None,
        transitions: Vec::new(),
        noncurrent_transitions: Vec::new(),
    };
    match (node.one("Prefix")?, node.one("Filter")?) {
        (Some(prefix), None) => rule.prefix = Some(checked_prefix(prefix)?),
        (None, Some(filter)) => parse_filter(filter, &mut rule)?,
        _ => return Err(malformed()),
    }
    if let Some(exp) = node.one("Expiration")? {
        match parse_expiration(exp)? {
            Some(expiry) => rule.expiration = Some(expiry),
            None => {
                if !rule.tags.is_empty() {
                    return Err(s3_error!(
                        InvalidArgument,
                        "ExpiredObjectDeleteMarker cannot be specified with object tags."
                    ));
                }
                rule.expired_object_delete_marker = true;
            }
        }
    }
    if let Some(n) = node.one("NoncurrentVersionExpiration")? {
        rule.noncurrent = Some(parse_noncurrent(n)?);
    }
    rule.transitions = node
        .all("Transition")
        .map(transition::parse_transition)
        .collect::<S3Result<_>>()?;
    rule.noncurrent_transitions = node
        .all("NoncurrentVersionTransition")
        .map(transition::parse_noncurrent_transition)
        .collect::<S3Result<_>>()?;
    if let Some(abort) = node.one("AbortIncompleteMultipartUpload")? {
        abort.only(&["DaysAfterInitiation"])?;
        let days = abort.one("DaysAfterInitiation")?.ok_or_else(malformed)?;
        rule.abort_after_days = Some(positive_days(
            &days.text,
            "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
        )?);
        if rule.size_greater_than.is_some() || rule.size_less_than.is_some() {
            return Err(s3_error!(
                InvalidRequest,
                "AbortIncompleteMultipartUpload cannot be specified with an object size filter."
            ));
        }
        if !rule.tags.is_empty() {
            return Err(s3_error!(
                InvalidRequest,
                "AbortIncompleteMultipartUpload cannot be specified with Tags."
            ));
        }
    }
    if rule.expiration.is_none()
        && !rule.expired_object_delete_marker
        && rule.noncurrent.is_none()
        && rule.abort_after_days.is_none()
        && rule.transitions.is_empty()
        && rule.noncurrent_transitions.is_empty()
    {
        return Err(s3_error!(
            InvalidRequest,
            "At least one action needs to be specified in a rule."
        ));
    }
    transition::check_rule(&rule)?;
    Ok(rule)
}

fn generated_id() -> String {
    rand::thread_rng()
        .sample_iter(&rand::distributions::Alphanumeric)
        .take(GENERATED_ID_LEN)
        .map(char::from)
        .collect()
}

fn checked_prefix(node: &Node) -> S3Result<String> {
    if !node.children.is_empty() {
        return Err(malformed());
    }
    if node.text.len() > MAX_PREFIX_LEN {
        return Err(s3_error!(
            InvalidArgument,
            "The maximum size of a prefix is {MAX_PREFIX_LEN}."
        ));
    }
    Ok(node.text.clone())
}

/// A `<Tag><Key>…</Key><Value>…</Value></Tag>` predicate.
fn parse_tag(node: &Node) -> S3Result<(String, String)> {
    node.only(&["Key", "Value"])?;
    let key = node.one("Key")?.ok_or_else(malformed)?.text.clone();
    let value = node
        .one("Value")?
        .map(|v| v.text.clone())
        .unwrap_or_default();
    let pair = vec![(key, value)];
    crate::api::tagging::validate(&pair, 1)?;
    Ok(pair.into_iter().next().expect("one tag"))
}

fn parse_filter(filter: &Node, rule: &mut Rule) -> S3Result<()> {
    const PREDICATES: &[&str] = &[
        "Prefix",
        "Tag",
        "And",
        "ObjectSizeGreaterThan",
        "ObjectSizeLessThan",
    ];
    filter.only(PREDICATES)?;
    if filter.children.len() > 1 {
        return Err(malformed());
    }
    rule.shape = Shape::Filter;
    let Some(predicate) = filter.children.first() else {
        return Ok(());
    };
    match predicate.name.as_str() {
        "Tag" => rule.tags.push(parse_tag(predicate)?),
        "And" => {
            rule.shape = Shape::And;
            predicate.only(&[
                "Prefix",
                "Tag",
                "ObjectSizeGreaterThan",
                "ObjectSizeLessThan",
            ])?;
            if predicate.children.is_empty() {
                return Err(malformed());
            }
            for child in &predicate.children {
                if child.name == "Tag" {
                    let tag = parse_tag(child)?;
                    if rule.tags.iter().any(|(k, _)| *k == tag.0) {
                        return Err(s3_error!(
                            InvalidRequest,
                            "Duplicate Tag Keys are not allowed."
                        ));
                    }
                    rule.tags.push(tag);
                } else if predicate.one(&child.name)?.is_some() {
                    set_predicate(child, rule)?;
                }
            }
        }
        _ => set_predicate(predicate, rule)?,
    }
    if let (Some(gt), Some(lt)) = (rule.size_greater_than, rule.size_less_than) {
        if gt >= lt {
            return Err(s3_error!(
                InvalidArgument,
                "ObjectSizeGreaterThan must be less than ObjectSizeLessThan"
            ));
        }
    }
    Ok(())
}

fn set_predicate(node: &Node, rule: &mut Rule) -> S3Result<()> {
    let size = || {
        node.text.trim().parse::<u64>().map_err(|_| {
            s3_error!(
                InvalidArgument,
                "{} must be a non-negative integer.",
                node.name
            )
        })
    };
    match node.name.as_str() {
        "Prefix" => rule.prefix = Some(checked_prefix(node)?),
        "ObjectSizeGreaterThan" => rule.size_greater_than = Some(size()?),
        "ObjectSizeLessThan" => rule.size_less_than = Some(size()?),
        _ => return Err(malformed()),
    }
    Ok(())
}

/// An `Expiration`: `Some` for Days or Date, `None` for `ExpiredObjectDeleteMarker` true.
fn parse_expiration(exp: &Node) -> S3Result<Option<Expiry>> {
    exp.only(&["Days", "Date", "ExpiredObjectDeleteMarker"])?;
    let days = exp.one("Days")?;
    let date = exp.one("Date")?;
    if let Some(marker) = exp.one("ExpiredObjectDeleteMarker")? {
        if days.is_some() || date.is_some() {
            return Err(s3_error!(
                InvalidArgument,
                "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy."
            ));
        }
        return match marker.text.trim() {
            "true" => Ok(None),
            // `false` asks for nothing, which S3 refuses as a rule without an action.
            "false" => Err(s3_error!(
                InvalidRequest,
                "At least one action needs to be specified in a rule."
            )),
            _ => Err(malformed()),
        };
    }
    match (days, date) {
        (Some(days), None) => Ok(Some(Expiry::Days(positive_days(
            &days.text,
            "'Days' for Expiration action must be a positive integer",
        )?))),
        (None, Some(date)) => Ok(Some(Expiry::Date(parse_midnight(date.text.trim())?))),
        _ => Err(malformed()),
    }
}

/// Upper bound of `NewerNoncurrentVersions` (S3).
const MAX_NEWER_NONCURRENT: u32 = 100;

/// `NewerNoncurrentVersions` of an expiration or a transition (1 to 100), refused with the
/// message of the action it belongs to.
pub(super) fn newer_noncurrent(n: &Node, refusal: &str) -> S3Result<Option<u32>> {
    match n.one("NewerNoncurrentVersions")? {
        None => Ok(None),
        Some(k) => match k.text.trim().parse::<u32>() {
            Ok(k) if (1..=MAX_NEWER_NONCURRENT).contains(&k) => Ok(Some(k)),
            _ => Err(s3_error!(InvalidArgument, "{refusal}")),
        },
    }
}

fn parse_noncurrent(n: &Node) -> S3Result<NoncurrentExpiry> {
    n.only(&["NoncurrentDays", "NewerNoncurrentVersions"])?;
    let days = n.one("NoncurrentDays")?.ok_or_else(malformed)?;
    let days = positive_days(
        &days.text,
        "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
    )?;
    let keep = newer_noncurrent(
        n,
        &format!("'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to {MAX_NEWER_NONCURRENT}"),
    )?;
    Ok(NoncurrentExpiry { days, keep })
}

fn positive_days(text: &str, message: &str) -> S3Result<i64> {
    let days: i64 = text.trim().parse().map_err(|_| malformed())?;
    // Beyond ~2.7 million years the arithmetic would overflow; S3 takes an int32.
    if days <= 0 || days > i32::MAX as i64 {
        return Err(s3_error!(InvalidArgument, "{message}"));
    }
    Ok(days)
}

/// An ISO 8601 date or date-time that must fall on midnight UTC; Unix ms.
pub fn parse_midnight(text: &str) -> S3Result<i64> {
    let plain = format_description!("[year]-[month]-[day]");
    let naive = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    let nanos = if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        t.unix_timestamp_nanos()
    } else if let Ok(d) = time::Date::parse(text, &plain) {
        d.midnight().assume_utc().unix_timestamp_nanos()
    } else if let Ok(t) = time::PrimitiveDateTime::parse(text, &naive) {
        t.assume_utc().unix_timestamp_nanos()
    } else {
        return Err(s3_error!(
            InvalidArgument,
            "'Date' must be in ISO 8601 format"
        ));
    };
    let ms = (nanos / 1_000_000) as i64;
    if nanos % 1_000_000 != 0 || ms.rem_euclid(DAY_MS) != 0 {
        return Err(s3_error!(InvalidArgument, "'Date' must be at midnight GMT"));
    }
    Ok(ms)
}

/// The canonical document: what is stored and what GET answers.
pub fn to_xml(rules: &[Rule]) -> String {
    let mut out = String::from(oos_proto::headers::XML_DECL);
    out.push_str(&format!(
        "<LifecycleConfiguration xmlns=\"{}\">",
        oos_proto::headers::S3_XMLNS
    ));
    for rule in rules {
        out.push_str("<Rule>");
        out.push_str(&format!("<ID>{}</ID>", escape(rule.id.as_str())));
        let prefix = |p: &Option<String>| match p {
            Some(p) => format!("<Prefix>{}</Prefix>", escape(p.as_str())),
            None => String::new(),
        };
        let tags: String = rule
            .tags
            .iter()
            .map(|(k, v)| {
                format!(
                    "<Tag><Key>{}</Key><Value>{}</Value></Tag>",
                    escape(k.as_str()),
                    escape(v.as_str())
                )
            })
            .collect();
        let sizes = format!(
            "{tags}{}{}",
            rule.size_greater_than
                .map(|n| format!("<ObjectSizeGreaterThan>{n}</ObjectSizeGreaterThan>"))
                .unwrap_or_default(),
            rule.size_less_than
                .map(|n| format!("<ObjectSizeLessThan>{n}</ObjectSizeLessThan>"))
                .unwrap_or_default()
        );
        match rule.shape {
            Shape::Legacy => out.push_str(&prefix(&rule.prefix)),
            Shape::Filter => {
                out.push_str(&format!("<Filter>{}{sizes}</Filter>", prefix(&rule.prefix)))
            }
            Shape::And => out.push_str(&format!(
                "<Filter><And>{}{sizes}</And></Filter>",
                prefix(&rule.prefix)
            )),
        }
        out.push_str(if rule.enabled {
            "<Status>Enabled</Status>"
        } else {
            "<Status>Disabled</Status>"
        });
        out.push_str(&transition::transitions_xml(rule));
        match rule.expiration {
            Some(Expiry::Days(d)) => {
                out.push_str(&format!("<Expiration><Days>{d}</Days></Expiration>"))
            }
            Some(Expiry::Date(ms)) => out.push_str(&format!(
                "<Expiration><Date>{}</Date></Expiration>",
                oos_proto::time_fmt::iso8601_millis(ms)
            )),
            None if rule.expired_object_delete_marker => out.push_str(
                "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>",
            ),
            None => {}
        }
        out.push_str(&transition::noncurrent_transitions_xml(rule));
        if let Some(n) = rule.noncurrent {
            out.push_str(&format!(
                "<NoncurrentVersionExpiration><NoncurrentDays>{}</NoncurrentDays>{}</NoncurrentVersionExpiration>",
                n.days,
                n.keep
                    .map(|k| format!("<NewerNoncurrentVersions>{k}</NewerNoncurrentVersions>"))
                    .unwrap_or_default()
            ));
        }
        if let Some(d) = rule.abort_after_days {
            out.push_str(&format!(
                "<AbortIncompleteMultipartUpload><DaysAfterInitiation>{d}</DaysAfterInitiation></AbortIncompleteMultipartUpload>"
            ));
        }
        out.push_str("</Rule>");
    }
    out.push_str("</LifecycleConfiguration>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(rules: &str) -> String {
        format!("<LifecycleConfiguration>{rules}</LifecycleConfiguration>")
    }

    fn code(text: &str) -> &'static str {
        parse(text).unwrap_err().code.as_str()
    }

    #[test]
    fn both_forms_round_trip() {
        let text = doc(concat!(
            "<Rule><ID>old</ID><Prefix>logs/</Prefix><Status>Enabled</Status>",
            "<Expiration><Days>30</Days></Expiration></Rule>",
            "<Rule><ID>new</ID><Filter><Prefix>a&amp;b</Prefix></Filter><Status>Disabled</Status>",
            "<Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration>",
            "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>",
            "</AbortIncompleteMultipartUpload></Rule>",
            "<Rule><ID>and</ID><Filter><And><Prefix>x/</Prefix><ObjectSizeGreaterThan>10",
            "</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>",
            "<Expiration><Days>1</Days></Expiration></Rule>",
            "<Rule><Filter/><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>",
            "<Rule><ID>tag</ID><Filter><Tag><Key>tmp</Key><Value>yes</Value></Tag></Filter>",
            "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
            "<Rule><ID>tags</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag>",
            "<Tag><Key>b</Key><Value></Value></Tag></And></Filter>",
            "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>",
        ));
        let rules = parse(&text).unwrap();
        assert_eq!(rules.len(), 6);
        let t = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert!(rules[4].matches("any", 1, &t(&[("x", "1"), ("tmp", "yes")])));
        assert!(!rules[4].matches("any", 1, &t(&[("tmp", "no")])));
        assert!(rules[5].matches("p/1", 1, &t(&[("b", ""), ("a", "1")])));
        assert!(!rules[5].matches("p/1", 1, &t(&[("a", "1")])));
        assert!(!rules[5].matches("q/1", 1, &t(&[("b", ""), ("a", "1")])));
        assert_eq!(rules[0].shape, Shape::Legacy);
        assert_eq!(rules[1].prefix.as_deref(), Some("a&b"));
        assert_eq!(rules[1].expiration, Some(Expiry::Date(1_893_456_000_000)));
        assert_eq!(rules[2].shape, Shape::And);
        assert!(rules[2].matches("x/1", 11, &[]) && !rules[2].matches("x/1", 10, &[]));
        assert_eq!(rules[3].id.len(), GENERATED_ID_LEN);
        assert!(rules[3].matches("anything", 0, &[]));
        assert_eq!(parse(&to_xml(&rules)).unwrap(), rules);
    }

    #[test]
    fn validation() {
        let rule = |body: &str| doc(&format!("<Rule>{body}</Rule>"));
        let exp = "<Expiration><Days>1</Days></Expiration>";
        assert_eq!(code("<LifecycleConfiguration/>"), "MalformedXML");
        assert_eq!(code("<Rule/>"), "MalformedXML");
        assert_eq!(
            code(&rule(&format!("<Status>Enabled</Status>{exp}"))),
            "MalformedXML"
        );
        assert_eq!(
            code(&rule(&format!("<Prefix/><Status>On</Status>{exp}"))),
            "MalformedXML"
        );
        assert_eq!(
            code(&rule("<Prefix/><Status>Enabled</Status>")),
            "InvalidRequest"
        );
        assert_eq!(
            code(&rule(
                "<Prefix/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration>"
            )),
            "InvalidArgument"
        );
        assert_eq!(
            code(&rule("<Prefix/><Status>Enabled</Status><Expiration><Date>2030-01-01T01:00:00Z</Date></Expiration>")),
            "InvalidArgument"
        );
        assert_eq!(
            code(&rule("<Prefix/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2030-01-01</Date></Expiration>")),
            "MalformedXML"
        );
        assert_eq!(
            code(&rule(&format!("<Filter><Tag><Key>aws:k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status>{exp}"))),
            "InvalidTag"
        );
        assert_eq!(
            code(&rule(&format!("<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>{exp}"))),
            "InvalidRequest"
        );
        assert_eq!(
            code(&rule("<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>")),
            "InvalidRequest"
        );
        assert_eq!(
            code(&rule(&format!(
                "<ID>{}</ID><Prefix/><Status>Enabled</Status>{exp}",
                "i".repeat(256)
            ))),
            "InvalidArgument"
        );
        let one = format!("<Rule><ID>same</ID><Prefix/><Status>Enabled</Status>{exp}</Rule>");
        assert_eq!(code(&doc(&one.repeat(2))), "InvalidArgument");
        let anon = format!("<Rule><Prefix/><Status>Enabled</Status>{exp}</Rule>");
        assert_eq!(
            parse(&doc(&anon.repeat(MAX_RULES))).unwrap().len(),
            MAX_RULES
        );
        assert_eq!(code(&doc(&anon.repeat(MAX_RULES + 1))), "MalformedXML");
        assert_eq!(code("<LifecycleConfiguration><Rule>"), "MalformedXML");
    }

    #[test]
    fn dates_and_rounding() {
        assert_eq!(
            parse_midnight("2012-12-23T00:00:00.000Z").unwrap(),
            1_356_220_800_000
        );
        assert_eq!(parse_midnight("2012-12-23").unwrap(), 1_356_220_800_000);
        assert_eq!(
            parse_midnight("2012-12-23T08:00:00+08:00").unwrap(),
            1_356_220_800_000
        );
        assert!(parse_midnight("2012-12-23T00:00:01Z").is_err());
        assert!(parse_midnight("soon").is_err());
        assert_eq!(ceil_midnight(DAY_MS), DAY_MS);
        assert_eq!(ceil_midnight(DAY_MS + 1), 2 * DAY_MS);
        let rule = parse(&doc(
            "<Rule><ID>r</ID><Prefix/><Status>Enabled</Status><Expiration><Days>3</Days></Expiration></Rule>",
        ))
        .unwrap()
        .remove(0);
        // 2014-01-15 10:30 UTC + 3 days → 2014-01-19 00:00 UTC (the S3 documentation example).
        assert_eq!(rule.expires_at(1_389_781_800_000), Some(1_390_089_600_000));
    }
}

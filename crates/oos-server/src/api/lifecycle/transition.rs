//! `Transition` and `NoncurrentVersionTransition`: parsing with S3's validation and messages,
//! their canonical XML, and which storage class a version is due to be in.
//!
//! A transition's target is `STANDARD_IA` or one of OOS's `EC_N_M` classes: the worker
//! re-encodes the data into that class's layout in the same pool (`tiering.rs`). S3's other
//! transition classes (`GLACIER`, `DEEP_ARCHIVE`, …) name tiers this server does not have and
//! are `400 InvalidStorageClass`; names S3 does not accept at all (`STANDARD` among them) are
//! `MalformedXML`, as S3's schema makes them. `STANDARD_IA` keeps S3's rule of at least 30
//! days; the `EC_N_M` classes take any day count from 0, like S3's archive classes.

use oos_proto::StorageClass;

use super::rules::{malformed, newer_noncurrent, parse_midnight, Expiry, Node, Rule, Shape};
use crate::error::S3Result;
use crate::s3_error;

/// The fewest days before a move into `STANDARD_IA` (S3's minimum, kept so that a
/// configuration OOS accepts is one S3 accepts too).
pub const MIN_IA_DAYS: i64 = 30;

/// S3's transition classes that name tiers this server does not have.
const OTHER_S3_TIERS: &[&str] = &[
    "GLACIER",
    "DEEP_ARCHIVE",
    "GLACIER_IR",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
];

/// `Transition`: current versions move to `storage_class` at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Days after creation (0 allowed), or a midnight UTC.
    pub at: Expiry,
    pub storage_class: String,
}

/// `NoncurrentVersionTransition`: versions move `days` after they became noncurrent,
/// except the `keep` newest noncurrent ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoncurrentTransition {
    pub days: i64,
    pub keep: Option<u32>,
    pub storage_class: String,
}

/// A transition target: `STANDARD_IA` or an `EC_N_M` layout.
fn target_class(node: Option<&Node>) -> S3Result<String> {
    let node = node.ok_or_else(malformed)?;
    let name = node.text.trim();
    match StorageClass::parse(name) {
        Some(StorageClass::StandardIa | StorageClass::Ec { .. }) => Ok(name.to_string()),
        _ if OTHER_S3_TIERS.contains(&name) => Err(s3_error!(
            InvalidStorageClass,
            "This server has no {name} tier: transitions go to STANDARD_IA or an EC_N_M class."
        )),
        _ => Err(malformed()),
    }
}

/// A day count of a transition: an integer (else `MalformedXML`), not negative, and at
/// least 30 for `STANDARD_IA`.
fn transition_days(node: &Node, field: &str, action: &str, class: &str) -> S3Result<i64> {
    let days: i64 = node.text.trim().parse().map_err(|_| malformed())?;
    if days < 0 {
        return Err(s3_error!(
            InvalidArgument,
            "'{field}' in {action} action must be nonnegative"
        ));
    }
    if days > i64::from(i32::MAX) {
        return Err(malformed());
    }
    if class == "STANDARD_IA" && days < MIN_IA_DAYS {
        return Err(s3_error!(
            InvalidArgument,
            "'{field}' in {action} action must be greater than or equal to {MIN_IA_DAYS} for storageClass '{class}'"
        ));
    }
    Ok(days)
}

pub fn parse_transition(node: &Node) -> S3Result<Transition> {
    node.only(&["Days", "Date", "StorageClass"])?;
    let storage_class = target_class(node.one("StorageClass")?)?;
    let at = match (node.one("Days")?, node.one("Date")?) {
        (Some(days), None) => {
            Expiry::Days(transition_days(days, "Days", "Transition", &storage_class)?)
        }
        (None, Some(date)) => Expiry::Date(parse_midnight(date.text.trim())?),
        (None, None) => {
            return Err(s3_error!(
                InvalidArgument,
                "'Transition' action must specify either 'Days' or 'Date'"
            ))
        }
        (Some(_), Some(_)) => return Err(malformed()),
    };
    Ok(Transition { at, storage_class })
}

pub fn parse_noncurrent_transition(node: &Node) -> S3Result<NoncurrentTransition> {
    node.only(&["NoncurrentDays", "NewerNoncurrentVersions", "StorageClass"])?;
    let storage_class = target_class(node.one("StorageClass")?)?;
    let days = node.one("NoncurrentDays")?.ok_or_else(malformed)?;
    let days = transition_days(
        days,
        "NoncurrentDays",
        "NoncurrentVersionTransition",
        &storage_class,
    )?;
    let keep = newer_noncurrent(node, "NewerNoncurrentVersions must be a positive integer")?;
    Ok(NoncurrentTransition {
        days,
        keep,
        storage_class,
    })
}

/// How S3 names a rule's filter in its messages: `(prefix=logs/ and tag={key=k, value=v}
/// and objectsizegreaterthan=10)`.
fn filter_text(rule: &Rule) -> String {
    let mut parts = Vec::new();
    if rule.prefix.is_some() || rule.shape == Shape::Legacy {
        parts.push(format!("prefix={}", rule.prefix()));
    }
    for (k, v) in &rule.tags {
        parts.push(format!("tag={{key={k}, value={v}}}"));
    }
    if let Some(n) = rule.size_greater_than {
        parts.push(format!("objectsizegreaterthan={n}"));
    }
    if let Some(n) = rule.size_less_than {
        parts.push(format!("objectsizelessthan={n}"));
    }
    if parts.is_empty() {
        parts.push("prefix=".into());
    }
    format!("({})", parts.join(" and "))
}

/// The checks across a rule's actions, with S3's messages: distinct classes, no mix of
/// Days and Date, distinct times, and expiry after the last transition.
pub fn check_rule(rule: &Rule) -> S3Result<()> {
    let filter = filter_text(rule);
    for (i, t) in rule.transitions.iter().enumerate() {
        if rule.transitions[..i]
            .iter()
            .any(|u| u.storage_class == t.storage_class)
        {
            return Err(s3_error!(
                InvalidRequest,
                "'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '{filter}'"
            ));
        }
    }
    for (i, t) in rule.noncurrent_transitions.iter().enumerate() {
        if rule.noncurrent_transitions[..i]
            .iter()
            .any(|u| u.storage_class == t.storage_class)
        {
            return Err(s3_error!(
                InvalidRequest,
                "'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '{filter}'"
            ));
        }
    }
    let is_days = |e: &Expiry| matches!(e, Expiry::Days(_));
    if let Some(first) = rule.transitions.first() {
        if rule
            .transitions
            .iter()
            .any(|t| is_days(&t.at) != is_days(&first.at))
        {
            return Err(s3_error!(
                InvalidRequest,
                "Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '{filter}'"
            ));
        }
        if rule
            .expiration
            .is_some_and(|e| is_days(&e) != is_days(&first.at))
        {
            return Err(s3_error!(
                InvalidRequest,
                "Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '{filter}'"
            ));
        }
    }
    // Two moves at the same time would leave the target ambiguous.
    for (i, t) in rule.transitions.iter().enumerate() {
        if let Some(u) = rule.transitions[..i].iter().find(|u| u.at == t.at) {
            let field = if is_days(&t.at) { "Days" } else { "Date" };
            return Err(s3_error!(
                InvalidArgument,
                "'{field}' in the Transition action for StorageClass '{}' for filter '{filter}' must be greater than '{field}' in the Transition action for StorageClass '{}' for filter '{filter}'",
                t.storage_class,
                u.storage_class
            ));
        }
    }
    for (i, t) in rule.noncurrent_transitions.iter().enumerate() {
        if let Some(u) = rule.noncurrent_transitions[..i]
            .iter()
            .find(|u| u.days == t.days)
        {
            return Err(s3_error!(
                InvalidArgument,
                "'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass '{}' for filter '{filter}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action for StorageClass '{}' for filter '{filter}'",
                t.storage_class,
                u.storage_class
            ));
        }
    }
    let last =
        |of: fn(&Expiry) -> Option<i64>| rule.transitions.iter().filter_map(|t| of(&t.at)).max();
    match rule.expiration {
        Some(Expiry::Days(d)) if last(days_of).is_some_and(|t| d <= t) => {
            return Err(s3_error!(
                InvalidArgument,
                "'Days' in the Expiration action for filter '{filter}' must be greater than 'Days' in the Transition action"
            ))
        }
        Some(Expiry::Date(d)) if last(date_of).is_some_and(|t| d <= t) => {
            return Err(s3_error!(
                InvalidArgument,
                "'Date' in the Expiration action for filter '{filter}' must be greater than 'Date' in the Transition action"
            ))
        }
        _ => {}
    }
    let last_noncurrent = rule.noncurrent_transitions.iter().map(|t| t.days).max();
    if let (Some(n), Some(t)) = (rule.noncurrent, last_noncurrent) {
        if n.days <= t {
            return Err(s3_error!(
                InvalidArgument,
                "'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '{filter}' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action"
            ));
        }
    }
    Ok(())
}

fn days_of(e: &Expiry) -> Option<i64> {
    match e {
        Expiry::Days(d) => Some(*d),
        Expiry::Date(_) => None,
    }
}

fn date_of(e: &Expiry) -> Option<i64> {
    match e {
        Expiry::Date(d) => Some(*d),
        Expiry::Days(_) => None,
    }
}

/// The canonical `<Transition>` elements of a rule, in the order given.
pub fn transitions_xml(rule: &Rule) -> String {
    rule.transitions
        .iter()
        .map(|t| {
            let at = match t.at {
                Expiry::Days(d) => format!("<Days>{d}</Days>"),
                Expiry::Date(ms) => {
                    format!("<Date>{}</Date>", oos_proto::time_fmt::iso8601_millis(ms))
                }
            };
            format!(
                "<Transition>{at}<StorageClass>{}</StorageClass></Transition>",
                t.storage_class
            )
        })
        .collect()
}

/// The canonical `<NoncurrentVersionTransition>` elements of a rule, in the order given.
pub fn noncurrent_transitions_xml(rule: &Rule) -> String {
    rule.noncurrent_transitions
        .iter()
        .map(|t| {
            format!(
                "<NoncurrentVersionTransition><NoncurrentDays>{}</NoncurrentDays>{}<StorageClass>{}</StorageClass></NoncurrentVersionTransition>",
                t.days,
                t.keep
                    .map(|k| format!("<NewerNoncurrentVersions>{k}</NewerNoncurrentVersions>"))
                    .unwrap_or_default(),
                t.storage_class
            )
        })
        .collect()
}

impl Transition {
    /// When a version last modified at `last_modified` is due to move (days count to the next
    /// midnight UTC, as for expiry).
    pub fn due_at(&self, last_modified: i64) -> i64 {
        match self.at {
            Expiry::Days(days) => {
                super::rules::ceil_midnight(last_modified + days * super::rules::DAY_MS)
            }
            Expiry::Date(date) => date,
        }
    }
}

impl NoncurrentTransition {
    /// When a version noncurrent since `since`, with `newer` noncurrent versions above it, is
    /// due to move; `None` while it is among the `keep` newest.
    pub fn due_at(&self, since: i64, newer: u32) -> Option<i64> {
        if self.keep.is_some_and(|keep| newer < keep) {
            return None;
        }
        Some(super::rules::ceil_midnight(
            since + self.days * super::rules::DAY_MS,
        ))
    }
}

/// The class the enabled rules that match a current version want it in at `now`: the target
/// of the latest transition already due (ties to the first rule), and when the next one
/// falls due, if any.
pub fn current_target<'a>(
    rules: &'a [Rule],
    o: &oos_meta::Object,
    now: i64,
) -> (Option<&'a str>, Option<i64>) {
    let mut due: Option<(i64, &str)> = None;
    let mut next: Option<i64> = None;
    for rule in rules
        .iter()
        .filter(|r| r.enabled && r.matches(&o.key, o.size, &o.attrs.tags))
    {
        for t in &rule.transitions {
            let at = t.due_at(o.last_modified);
            if at <= now {
                if due.is_none_or(|(d, _)| at > d) {
                    due = Some((at, &t.storage_class));
                }
            } else if next.is_none_or(|n| at < n) {
                next = Some(at);
            }
        }
    }
    (due.map(|(_, c)| c), next)
}

/// [`current_target`] for a noncurrent version (`since` and `newer` as in
/// [`NoncurrentTransition::due_at`]).
pub fn noncurrent_target<'a>(
    rules: &[&'a Rule],
    o: &oos_meta::Object,
    since: i64,
    newer: u32,
    now: i64,
) -> (Option<&'a str>, Option<i64>) {
    let mut due: Option<(i64, &str)> = None;
    let mut next: Option<i64> = None;
    for rule in rules
        .iter()
        .filter(|r| r.enabled && r.matches(&o.key, o.size, &o.attrs.tags))
    {
        for t in &rule.noncurrent_transitions {
            let Some(at) = t.due_at(since, newer) else {
                continue;
            };
            if at <= now {
                if due.is_none_or(|(d, _)| at > d) {
                    due = Some((at, &t.storage_class));
                }
            } else if next.is_none_or(|n| at < n) {
                next = Some(at);
            }
        }
    }
    (due.map(|(_, c)| c), next)
}

#[cfg(test)]
mod tests {
    use super::super::rules::{parse, to_xml, DAY_MS};
    use super::*;

    fn doc(rules: &str) -> String {
        format!("<LifecycleConfiguration>{rules}</LifecycleConfiguration>")
    }

    #[test]
    fn transitions_round_trip_in_the_order_given() {
        let text = doc(concat!(
            "<Rule><ID>t</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status>",
            "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>",
            "<Transition><StorageClass>EC_2_1</StorageClass><Days>0</Days></Transition>",
            "<Expiration><Days>365</Days></Expiration>",
            "<NoncurrentVersionTransition><NoncurrentDays>40</NoncurrentDays>",
            "<StorageClass>STANDARD_IA</StorageClass><NewerNoncurrentVersions>2</NewerNoncurrentVersions>",
            "</NoncurrentVersionTransition>",
            "<NoncurrentVersionTransition><StorageClass>EC_4_2</StorageClass><NoncurrentDays>5</NoncurrentDays>",
            "</NoncurrentVersionTransition>",
            "<NoncurrentVersionExpiration><NoncurrentDays>90</NoncurrentDays></NoncurrentVersionExpiration></Rule>",
            "<Rule><ID>d</ID><Prefix>old/</Prefix><Status>Enabled</Status>",
            "<Transition><Date>2031-01-01</Date><StorageClass>EC_1_0</StorageClass></Transition></Rule>",
        ));
        let rules = parse(&text).unwrap();
        let t = &rules[0].transitions;
        assert_eq!(
            (t[0].at, t[0].storage_class.as_str()),
            (Expiry::Days(30), "STANDARD_IA")
        );
        assert_eq!(
            (t[1].at, t[1].storage_class.as_str()),
            (Expiry::Days(0), "EC_2_1")
        );
        let n = &rules[0].noncurrent_transitions;
        assert_eq!((n[0].days, n[0].keep), (40, Some(2)));
        assert_eq!((n[1].days, n[1].storage_class.as_str()), (5, "EC_4_2"));
        assert_eq!(rules[1].transitions[0].at, Expiry::Date(1_924_992_000_000));
        let xml = to_xml(&rules);
        assert!(xml.contains(concat!(
            "<Status>Enabled</Status>",
            "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>",
            "<Transition><Days>0</Days><StorageClass>EC_2_1</StorageClass></Transition>",
            "<Expiration><Days>365</Days></Expiration>",
            "<NoncurrentVersionTransition><NoncurrentDays>40</NoncurrentDays>",
            "<NewerNoncurrentVersions>2</NewerNoncurrentVersions><StorageClass>STANDARD_IA</StorageClass>",
            "</NoncurrentVersionTransition>",
            "<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>EC_4_2</StorageClass>",
            "</NoncurrentVersionTransition>",
            "<NoncurrentVersionExpiration>"
        )), "{xml}");
        assert!(xml.contains(
            "<Transition><Date>2031-01-01T00:00:00.000Z</Date><StorageClass>EC_1_0</StorageClass></Transition>"
        ));
        assert_eq!(parse(&xml).unwrap(), rules);
    }

    #[test]
    fn transition_validation_answers_as_s3() {
        let rule = |actions: &str| {
            doc(&format!(
                "<Rule><ID>v</ID><Filter><Prefix>test/</Prefix></Filter><Status>Enabled</Status>{actions}</Rule>"
            ))
        };
        let tr = |inner: &str| format!("<Transition>{inner}</Transition>");
        let nvt = |inner: &str| {
            format!("<NoncurrentVersionTransition>{inner}</NoncurrentVersionTransition>")
        };
        let err = |text: &str| {
            let e = parse(text).unwrap_err();
            (e.code.as_str(), e.message)
        };
        for (actions, code, message) in [
            (tr("<Days>1</Days>"), "MalformedXML", None),
            (tr(""), "MalformedXML", None),
            (tr("<Days>1</Days><StorageClass>STANDARD</StorageClass>"), "MalformedXML", None),
            (tr("<Days>1</Days><StorageClass>EC_0_1</StorageClass>"), "MalformedXML", None),
            (tr("<Days>1</Days><StorageClass>REDUCED_REDUNDANCY</StorageClass>"), "MalformedXML", None),
            (tr("<Days>x</Days><StorageClass>EC_2_1</StorageClass>"), "MalformedXML", None),
            (
                tr("<Days>1</Days><Date>2030-01-01</Date><StorageClass>EC_2_1</StorageClass>"),
                "MalformedXML",
                None,
            ),
            (
                tr("<Days>1</Days><StorageClass>GLACIER</StorageClass>"),
                "InvalidStorageClass",
                Some("This server has no GLACIER tier: transitions go to STANDARD_IA or an EC_N_M class."),
            ),
            (
                tr("<StorageClass>EC_2_1</StorageClass>"),
                "InvalidArgument",
                Some("'Transition' action must specify either 'Days' or 'Date'"),
            ),
            (
                tr("<Days>-1</Days><StorageClass>EC_2_1</StorageClass>"),
                "InvalidArgument",
                Some("'Days' in Transition action must be nonnegative"),
            ),
            (
                tr("<Days>29</Days><StorageClass>STANDARD_IA</StorageClass>"),
                "InvalidArgument",
                Some("'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"),
            ),
            (
                tr("<Date>2030-01-01T15:00:00Z</Date><StorageClass>EC_2_1</StorageClass>"),
                "InvalidArgument",
                Some("'Date' must be at midnight GMT"),
            ),
            (
                tr("<Date>soon</Date><StorageClass>EC_2_1</StorageClass>"),
                "InvalidArgument",
                Some("'Date' must be in ISO 8601 format"),
            ),
            (
                format!(
                    "{}{}",
                    tr("<Days>30</Days><StorageClass>EC_2_1</StorageClass>"),
                    tr("<Date>2030-01-01</Date><StorageClass>EC_4_2</StorageClass>")
                ),
                "InvalidRequest",
                Some("Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule for filter '(prefix=test/)'"),
            ),
            (
                format!(
                    "{}<Expiration><Date>2031-01-01</Date></Expiration>",
                    tr("<Days>30</Days><StorageClass>EC_2_1</StorageClass>")
                ),
                "InvalidRequest",
                Some("Found mixed 'Date' and 'Days' based Expiration and Transition actions in lifecycle rule for filter '(prefix=test/)'"),
            ),
            (
                format!(
                    "{}{}",
                    tr("<Days>30</Days><StorageClass>EC_2_1</StorageClass>"),
                    tr("<Days>90</Days><StorageClass>EC_2_1</StorageClass>")
                ),
                "InvalidRequest",
                Some("'StorageClass' must be different for 'Transition' actions in same 'Rule' with filter '(prefix=test/)'"),
            ),
            (
                format!(
                    "{}{}",
                    tr("<Days>30</Days><StorageClass>EC_2_1</StorageClass>"),
                    tr("<Days>30</Days><StorageClass>STANDARD_IA</StorageClass>")
                ),
                "InvalidArgument",
                Some("'Days' in the Transition action for StorageClass 'STANDARD_IA' for filter '(prefix=test/)' must be greater than 'Days' in the Transition action for StorageClass 'EC_2_1' for filter '(prefix=test/)'"),
            ),
            (
                format!(
                    "{}<Expiration><Days>30</Days></Expiration>",
                    tr("<Days>30</Days><StorageClass>STANDARD_IA</StorageClass>")
                ),
                "InvalidArgument",
                Some("'Days' in the Expiration action for filter '(prefix=test/)' must be greater than 'Days' in the Transition action"),
            ),
            (
                format!(
                    "{}<Expiration><Date>2030-01-01</Date></Expiration>",
                    tr("<Date>2030-01-01</Date><StorageClass>EC_2_1</StorageClass>")
                ),
                "InvalidArgument",
                Some("'Date' in the Expiration action for filter '(prefix=test/)' must be greater than 'Date' in the Transition action"),
            ),
            (nvt("<NoncurrentDays>1</NoncurrentDays>"), "MalformedXML", None),
            (nvt("<StorageClass>EC_2_1</StorageClass>"), "MalformedXML", None),
            (nvt(""), "MalformedXML", None),
            (
                nvt("<NoncurrentDays>-1</NoncurrentDays><StorageClass>EC_2_1</StorageClass>"),
                "InvalidArgument",
                Some("'NoncurrentDays' in NoncurrentVersionTransition action must be nonnegative"),
            ),
            (
                nvt("<NoncurrentDays>29</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass>"),
                "InvalidArgument",
                Some("'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'"),
            ),
            (
                nvt("<NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions><StorageClass>EC_2_1</StorageClass>"),
                "InvalidArgument",
                Some("NewerNoncurrentVersions must be a positive integer"),
            ),
            (
                format!(
                    "{}{}",
                    nvt("<NoncurrentDays>1</NoncurrentDays><StorageClass>EC_2_1</StorageClass>"),
                    nvt("<NoncurrentDays>9</NoncurrentDays><StorageClass>EC_2_1</StorageClass>")
                ),
                "InvalidRequest",
                Some("'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same 'Rule' with filter '(prefix=test/)'"),
            ),
            (
                format!(
                    "{}<NoncurrentVersionExpiration><NoncurrentDays>180</NoncurrentDays></NoncurrentVersionExpiration>",
                    nvt("<NoncurrentDays>180</NoncurrentDays><StorageClass>EC_2_1</StorageClass>")
                ),
                "InvalidArgument",
                Some("'NoncurrentDays' in the NoncurrentVersionExpiration action for filter '(prefix=test/)' must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition action"),
            ),
        ] {
            let (got_code, got_message) = err(&rule(&actions));
            assert_eq!(got_code, code, "{actions}: {got_message}");
            if let Some(m) = message {
                assert_eq!(got_message, m, "{actions}");
            }
        }
        // S3's filter text names every predicate.
        let e = parse(&doc(concat!(
            "<Rule><Filter><And><Prefix>p/</Prefix><Tag><Key>a</Key><Value>1</Value></Tag>",
            "<ObjectSizeGreaterThan>5</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status>",
            "<Transition><Days>1</Days><StorageClass>EC_2_1</StorageClass></Transition>",
            "<Transition><Days>2</Days><StorageClass>EC_2_1</StorageClass></Transition></Rule>"
        )))
        .unwrap_err();
        assert!(
            e.message.ends_with(
                "with filter '(prefix=p/ and tag={key=a, value=1} and objectsizegreaterthan=5)'"
            ),
            "{}",
            e.message
        );
        // A transition alone is an action.
        assert!(parse(&rule(&tr(
            "<Days>0</Days><StorageClass>EC_2_1</StorageClass>"
        )))
        .is_ok());
    }

    fn object(key: &str, last_modified: i64) -> oos_meta::Object {
        oos_meta::Object {
            bucket: "b".into(),
            key: key.into(),
            size: 10,
            etag: "e".into(),
            last_modified,
            storage_class: "STANDARD".into(),
            attrs: Default::default(),
            data: oos_meta::DataRef::Inline(vec![0; 10]),
            version_id: None,
            delete_marker: false,
        }
    }

    #[test]
    fn the_latest_due_transition_wins() {
        let rules = parse(concat!(
            "<LifecycleConfiguration><Rule><ID>r</ID><Filter><Prefix>a/</Prefix></Filter>",
            "<Status>Enabled</Status>",
            "<Transition><Days>40</Days><StorageClass>EC_4_2</StorageClass></Transition>",
            "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>",
            "<NoncurrentVersionTransition><NoncurrentDays>2</NoncurrentDays>",
            "<NewerNoncurrentVersions>1</NewerNoncurrentVersions>",
            "<StorageClass>EC_2_1</StorageClass></NoncurrentVersionTransition></Rule>",
            "<Rule><ID>off</ID><Filter/><Status>Disabled</Status>",
            "<Transition><Days>0</Days><StorageClass>EC_1_0</StorageClass></Transition></Rule>",
            "</LifecycleConfiguration>"
        ))
        .unwrap();
        // Written 10:00 on day 0: 30 days counts to midnight starting day 31.
        let o = object("a/k", 10 * 3_600_000);
        let day = |n: i64| n * DAY_MS;
        assert_eq!(
            current_target(&rules, &o, day(31) - 1),
            (None, Some(day(31)))
        );
        assert_eq!(
            current_target(&rules, &o, day(31)),
            (Some("STANDARD_IA"), Some(day(41)))
        );
        assert_eq!(current_target(&rules, &o, day(41)), (Some("EC_4_2"), None));
        // Other prefixes and disabled rules do nothing.
        assert_eq!(
            current_target(&rules, &object("b/k", 0), day(99)),
            (None, None)
        );
        // Noncurrent: the newest noncurrent version is kept, older ones move 2 days on.
        let refs: Vec<&Rule> = rules.iter().collect();
        assert_eq!(
            noncurrent_target(&refs, &o, day(5), 0, day(99)),
            (None, None)
        );
        assert_eq!(
            noncurrent_target(&refs, &o, day(5), 1, day(7) - 1),
            (None, Some(day(7)))
        );
        assert_eq!(
            noncurrent_target(&refs, &o, day(5), 1, day(7)),
            (Some("EC_2_1"), None)
        );
    }
}

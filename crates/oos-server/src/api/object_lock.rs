//! Object Lock (WORM): the bucket's configuration (`?object-lock`), each version's retention
//! (`?retention`) and legal hold (`?legal-hold`), the lock headers on writes and reads, and the
//! [`LockCheck`] every delete hands to the store, which enforces it in the delete's own
//! transaction.
//!
//! A bucket has Object Lock when its config holds [`CONFIG_KEY`]; that happens at creation
//! (`x-amz-bucket-object-lock-enabled: true`) or later on a versioning-enabled bucket, and it
//! can never be turned off. Such a bucket's versioning can no longer be suspended.

use http::{HeaderMap, Response, StatusCode};
use oos_meta::{Bucket, LockCheck, LockMode, ObjectAttrs, Retention};
use oos_proto::time_fmt::{iso8601_millis, parse_iso8601};
use oos_proto::xml::{
    self, DefaultRetention, ObjectLegalHold, ObjectLockConfiguration, ObjectRetention,
};
use serde::{Deserialize, Serialize};

use super::Ctx;
use crate::access::{self, Check, Need};
use crate::error::{S3Error, S3Result};
use crate::response::{self, set_header, Body};
use crate::s3_error;

/// The bucket config kind that holds the Object Lock configuration.
pub const CONFIG_KEY: &str = "object_lock";
const MAX_BODY: u64 = 16 * 1024;
const DAY_MS: i64 = 86_400_000;
/// S3's bounds on a default retention.
const MAX_DAYS: i64 = 36_500;
const MAX_YEARS: i64 = 100;

/// A bucket's Object Lock configuration as stored (JSON).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketLock {
    /// The retention new versions get when a write names none.
    pub default: Option<DefaultRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRule {
    pub mode: LockMode,
    pub days: Option<i64>,
    pub years: Option<i64>,
}

impl DefaultRule {
    /// The retention of a version created at `now` (a year is 365 days).
    fn retention_from(&self, now: i64) -> Retention {
        let days = self.days.unwrap_or(0) + self.years.unwrap_or(0) * 365;
        Retention {
            mode: self.mode,
            until: now.saturating_add(days.saturating_mul(DAY_MS)),
        }
    }
}

impl BucketLock {
    /// The bucket's configuration; `None` when Object Lock is not enabled on it.
    pub fn of(bucket: &Bucket) -> Option<BucketLock> {
        let (_, text) = bucket.config.iter().find(|(k, _)| k == CONFIG_KEY)?;
        // A stored document that no longer parses still means "enabled" (it cannot be
        // turned off), just without a default.
        Some(serde_json::from_str(text).unwrap_or_default())
    }

    pub fn stored(&self) -> S3Result<String> {
        serde_json::to_string(self).map_err(|e| S3Error::internal("object lock config", e))
    }
}

/// `Bucket is missing Object Lock Configuration` (400), S3's answer to lock requests on a
/// bucket without Object Lock.
fn not_enabled() -> S3Error {
    s3_error!(
        InvalidRequest,
        "Bucket is missing Object Lock Configuration"
    )
}

fn malformed() -> S3Error {
    s3_error!(MalformedXML)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or(""))
}

/// Whether the request sets a lock header (`x-amz-object-lock-*`).
fn has_lock_headers(headers: &HeaderMap) -> bool {
    headers
        .keys()
        .any(|k| k.as_str().starts_with("x-amz-object-lock-"))
}

/// The lock a new version gets: the `x-amz-object-lock-*` headers, else the bucket's default
/// retention. Clears whatever `attrs` carried (a copy never inherits its source's lock).
pub fn apply_to_new_version(
    ctx: &Ctx<'_>,
    bucket: &Bucket,
    attrs: &mut ObjectAttrs,
) -> S3Result<()> {
    apply_headers(ctx, bucket, attrs)?;
    apply_default(bucket, attrs, ctx.server.clock.now_millis());
    Ok(())
}

/// The lock the `x-amz-object-lock-*` headers ask for, alone (a multipart upload takes them
/// at initiation and the bucket's default at completion). Setting a retention or a legal hold
/// this way needs the same permission as PutObjectRetention / PutObjectLegalHold (S3).
pub fn apply_headers(ctx: &Ctx<'_>, bucket: &Bucket, attrs: &mut ObjectAttrs) -> S3Result<()> {
    attrs.retention = None;
    attrs.legal_hold = None;
    let headers = &ctx.parts.headers;
    if !has_lock_headers(headers) {
        return Ok(());
    }
    if BucketLock::of(bucket).is_none() {
        return Err(not_enabled());
    }
    (attrs.retention, attrs.legal_hold) = from_headers(headers, ctx.server.clock.now_millis())?;
    if attrs.retention.is_some() {
        authorize(ctx, bucket, "s3:PutObjectRetention", ctx.key())?;
    }
    if attrs.legal_hold.is_some() {
        authorize(ctx, bucket, "s3:PutObjectLegalHold", ctx.key())?;
    }
    Ok(())
}

/// May the caller do the lock `action` on `key`? The owner may, and a bucket policy may grant
/// it; ACLs never do.
fn authorize(ctx: &Ctx<'_>, bucket: &Bucket, action: &'static str, key: &str) -> S3Result<()> {
    access::authorize(
        ctx.principal.as_ref(),
        bucket,
        &Check {
            action,
            need: Need::OwnerOrPolicy,
            key: Some(key),
            list_prefix: None,
        },
        &ctx.facts(),
        None,
    )
}

/// Gives a version without retention the bucket's default retention, counted from `now`.
pub fn apply_default(bucket: &Bucket, attrs: &mut ObjectAttrs, now: i64) {
    if attrs.retention.is_none() {
        if let Some(rule) = BucketLock::of(bucket).and_then(|l| l.default) {
            attrs.retention = Some(rule.retention_from(now));
        }
    }
}

/// Whether writing into this bucket (with these headers, or into an upload with these
/// attributes) creates a locked version, for which S3 requires an integrity header.
fn write_needs_integrity(bucket: &Bucket, headers: &HeaderMap, attrs: &ObjectAttrs) -> bool {
    let default = BucketLock::of(bucket).is_some_and(|l| l.default.is_some());
    default || has_lock_headers(headers) || attrs.retention.is_some() || attrs.legal_hold.is_some()
}

/// Refuses a write that creates a locked version without Content-MD5 or a checksum.
pub fn require_integrity(
    bucket: &Bucket,
    headers: &HeaderMap,
    attrs: &ObjectAttrs,
) -> S3Result<()> {
    if write_needs_integrity(bucket, headers, attrs) && !crate::body::has_integrity_header(headers)
    {
        return Err(s3_error!(
            InvalidRequest,
            "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters"
        ));
    }
    Ok(())
}

/// The three write headers: mode and date go together; legal hold is `ON` or `OFF`.
fn from_headers(headers: &HeaderMap, now: i64) -> S3Result<(Option<Retention>, Option<bool>)> {
    let mode = header(headers, "x-amz-object-lock-mode");
    let until = header(headers, "x-amz-object-lock-retain-until-date");
    let retention = match (mode, until) {
        (None, None) => None,
        (Some(mode), Some(until)) => {
            let mode = LockMode::parse(mode)
                .ok_or_else(|| s3_error!(InvalidArgument, "Unknown wormMode directive."))?;
            let until = parse_iso8601(until).ok_or_else(|| {
                s3_error!(
                    InvalidArgument,
                    "The retain until date must be provided in ISO 8601 format"
                )
            })?;
            Some(future_retention(mode, until, now)?)
        }
        _ => {
            return Err(s3_error!(
            InvalidArgument,
            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied"
        ))
        }
    };
    let hold = match header(headers, "x-amz-object-lock-legal-hold") {
        None => None,
        Some("ON") => Some(true),
        Some("OFF") => Some(false),
        Some(_) => {
            return Err(s3_error!(
                InvalidArgument,
                "Legal Hold must be either of 'ON' or 'OFF'"
            ))
        }
    };
    Ok((retention, hold))
}

/// A retention whose date must lie ahead (`InvalidArgument` otherwise, as S3).
fn future_retention(mode: LockMode, until: i64, now: i64) -> S3Result<Retention> {
    if until <= now {
        return Err(s3_error!(
            InvalidArgument,
            "The retain until date must be in the future!"
        ));
    }
    Ok(Retention { mode, until })
}

/// The lock headers of GET and HEAD.
pub fn write_headers(resp: &mut Response<Body>, attrs: &ObjectAttrs) {
    if let Some(r) = &attrs.retention {
        set_header(resp, "x-amz-object-lock-mode", r.mode.as_str());
        set_header(
            resp,
            "x-amz-object-lock-retain-until-date",
            &iso8601_millis(r.until),
        );
    }
    if let Some(on) = attrs.legal_hold {
        set_header(resp, "x-amz-object-lock-legal-hold", on_off(on));
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "ON"
    } else {
        "OFF"
    }
}

/// When a version that is due for removal may next be removable: `None` if it is not locked
/// now; a legal hold has no end, so it is looked at again a day later.
pub fn held_until(attrs: &ObjectAttrs, now: i64) -> Option<i64> {
    if attrs.legal_hold == Some(true) {
        return Some(now.saturating_add(DAY_MS));
    }
    attrs.retention.filter(|r| r.until > now).map(|r| r.until)
}

/// The [`LockCheck`] of removals or retention changes of `keys` by this request: the server
/// clock, and a GOVERNANCE bypass when `x-amz-bypass-governance-retention: true` is sent by a
/// caller allowed `s3:BypassGovernanceRetention` on every one of the keys (one check serves a
/// whole DeleteObjects batch).
pub fn lock_check<'k>(
    ctx: &Ctx<'_>,
    bucket: &Bucket,
    keys: impl IntoIterator<Item = &'k str>,
) -> LockCheck {
    let asked = ctx
        .header("x-amz-bypass-governance-retention")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let bypass_governance = asked
        && keys
            .into_iter()
            .all(|key| authorize(ctx, bucket, "s3:BypassGovernanceRetention", key).is_ok());
    LockCheck {
        now: ctx.server.clock.now_millis(),
        bypass_governance,
    }
}

// ---------------------------------------------------------------- bucket configuration

/// The document of a stored configuration.
fn document(lock: &BucketLock) -> ObjectLockConfiguration {
    ObjectLockConfiguration::enabled(lock.default.map(|d| DefaultRetention {
        mode: Some(d.mode.as_str().into()),
        days: d.days,
        years: d.years,
    }))
}

/// Checks a PutObjectLockConfiguration document as S3 does: `ObjectLockEnabled` must be
/// `Enabled`; a rule has a default retention with a mode and exactly one of `Days` or
/// `Years` (else MalformedXML), a positive one within bounds (else InvalidArgument).
fn parse_config(doc: &ObjectLockConfiguration) -> S3Result<BucketLock> {
    if doc.object_lock_enabled.as_deref() != Some("Enabled") {
        return Err(malformed());
    }
    let Some(rule) = &doc.rule else {
        return Ok(BucketLock::default());
    };
    let d = rule.default_retention.as_ref().ok_or_else(malformed)?;
    let mode = d
        .mode
        .as_deref()
        .and_then(LockMode::parse)
        .ok_or_else(malformed)?;
    let (n, max) = match (d.days, d.years) {
        (Some(days), None) => (days, MAX_DAYS),
        (None, Some(years)) => (years, MAX_YEARS),
        _ => return Err(malformed()),
    };
    if n <= 0 {
        return Err(s3_error!(
            InvalidArgument,
            "Default retention period must be a positive integer value."
        ));
    }
    if n > max {
        return Err(s3_error!(
            InvalidArgument,
            "Default retention period is too large."
        ));
    }
    Ok(BucketLock {
        default: Some(DefaultRule {
            mode,
            days: d.days,
            years: d.years,
        }),
    })
}

pub async fn put_config(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketObjectLockConfiguration", Need::Owner, None)
        .await?;
    let lock = parse_config(&read_doc(ctx).await?)?;
    // Object Lock can be turned on for an existing bucket only once versioning is enabled.
    if BucketLock::of(&bucket).is_none() && bucket.versioning != oos_meta::Versioning::Enabled {
        return Err(s3_error!(
            InvalidBucketState,
            "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
        ));
    }
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KEY, Some(&lock.stored()?))
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get_config(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketObjectLockConfiguration", Need::Owner, None)
        .await?;
    let lock =
        BucketLock::of(&bucket).ok_or_else(|| s3_error!(ObjectLockConfigurationNotFoundError))?;
    Ok(response::xml("ObjectLockConfiguration", &document(&lock)))
}

// ---------------------------------------------------------------- retention and legal hold

/// The addressed version of a bucket with Object Lock, after authorizing `action` (the
/// owner's, or a policy's; ACLs do not grant lock operations).
async fn locked_object(
    ctx: &Ctx<'_>,
    action: &'static str,
) -> S3Result<(Bucket, oos_meta::Object)> {
    let bucket = ctx
        .bucket_for(action, Need::OwnerOrPolicy, Some(ctx.key()))
        .await?;
    if BucketLock::of(&bucket).is_none() {
        return Err(not_enabled());
    }
    ctx.object_for(action, Need::OwnerOrPolicy).await
}

/// A small lock document (configuration, retention, legal hold), which S3 wants with an
/// integrity header.
async fn read_doc<T: serde::de::DeserializeOwned>(ctx: &mut Ctx<'_>) -> S3Result<T> {
    ctx.require_integrity_header()?;
    let body = ctx.small_body(MAX_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| malformed())?;
    xml::from_xml(text).map_err(|_| malformed())
}

pub async fn put_retention(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (bucket, object) = locked_object(ctx, "s3:PutObjectRetention").await?;
    let doc: ObjectRetention = read_doc(ctx).await?;
    let lock = lock_check(ctx, &bucket, [ctx.key()]);
    // Both parts, or neither (which removes the retention, where that is allowed).
    let retention = match (doc.mode.as_deref(), doc.retain_until_date.as_deref()) {
        (None, None) => None,
        (Some(mode), Some(until)) => {
            let mode = LockMode::parse(mode).ok_or_else(malformed)?;
            let until = parse_iso8601(until).ok_or_else(malformed)?;
            Some(future_retention(mode, until, lock.now)?)
        }
        _ => return Err(malformed()),
    };
    ctx.server
        .meta
        .set_object_retention(
            &bucket.name,
            ctx.key(),
            Some(object.version_label()),
            retention,
            lock,
        )
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get_retention(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (_, object) = locked_object(ctx, "s3:GetObjectRetention").await?;
    let r = object
        .attrs
        .retention
        .ok_or_else(|| s3_error!(NoSuchObjectLockConfiguration))?;
    let doc = ObjectRetention {
        xmlns: xml::XMLNS.to_string(),
        mode: Some(r.mode.as_str().into()),
        retain_until_date: Some(iso8601_millis(r.until)),
    };
    Ok(response::xml("Retention", &doc))
}

pub async fn put_legal_hold(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (bucket, object) = locked_object(ctx, "s3:PutObjectLegalHold").await?;
    let doc: ObjectLegalHold = read_doc(ctx).await?;
    let on = match doc.status.as_deref() {
        Some("ON") => true,
        Some("OFF") => false,
        _ => return Err(malformed()),
    };
    ctx.server
        .meta
        .set_object_legal_hold(&bucket.name, ctx.key(), Some(object.version_label()), on)
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get_legal_hold(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (_, object) = locked_object(ctx, "s3:GetObjectLegalHold").await?;
    let on = object
        .attrs
        .legal_hold
        .ok_or_else(|| s3_error!(NoSuchObjectLockConfiguration))?;
    let doc = ObjectLegalHold {
        xmlns: xml::XMLNS.to_string(),
        status: Some(on_off(on).into()),
    };
    Ok(response::xml("LegalHold", &doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(mode: &str, days: Option<i64>, years: Option<i64>) -> ObjectLockConfiguration {
        ObjectLockConfiguration {
            xmlns: String::new(),
            object_lock_enabled: Some("Enabled".into()),
            rule: Some(xml::ObjectLockRule {
                default_retention: Some(DefaultRetention {
                    mode: Some(mode.into()),
                    days,
                    years,
                }),
            }),
        }
    }

    #[test]
    fn configurations_are_checked_as_s3_does() {
        let code = |c: &ObjectLockConfiguration| parse_config(c).err().map(|e| e.code.as_str());
        assert_eq!(code(&config("GOVERNANCE", Some(1), None)), None);
        assert_eq!(code(&config("COMPLIANCE", None, Some(1))), None);
        assert_eq!(
            code(&config("GOVERNANCE", Some(1), Some(1))),
            Some("MalformedXML")
        );
        assert_eq!(
            code(&config("GOVERNANCE", None, None)),
            Some("MalformedXML")
        );
        assert_eq!(
            code(&config("governance", Some(1), None)),
            Some("MalformedXML")
        );
        assert_eq!(
            code(&config("GOVERNANCE", Some(0), None)),
            Some("InvalidArgument")
        );
        assert_eq!(
            code(&config("GOVERNANCE", None, Some(-1))),
            Some("InvalidArgument")
        );
        assert_eq!(
            code(&config("GOVERNANCE", None, Some(101))),
            Some("InvalidArgument")
        );
        let mut off = config("GOVERNANCE", Some(1), None);
        off.object_lock_enabled = Some("Disabled".into());
        assert_eq!(code(&off), Some("MalformedXML"));
        let bare = ObjectLockConfiguration {
            object_lock_enabled: Some("Enabled".into()),
            ..Default::default()
        };
        assert_eq!(parse_config(&bare).unwrap(), BucketLock::default());
    }

    #[test]
    fn default_retention_counts_from_the_write() {
        let rule = DefaultRule {
            mode: LockMode::Compliance,
            days: None,
            years: Some(2),
        };
        assert_eq!(rule.retention_from(1000).until, 1000 + 730 * DAY_MS);
    }
}

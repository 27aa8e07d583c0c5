//! Bucket lifecycle: PUT / GET / DELETE `?lifecycle`, `x-amz-expiration`, and the worker that
//! expires and tiers objects.
//!
//! The configuration is stored in its canonical XML form (generated IDs filled in) as the
//! bucket's `lifecycle` document; GET answers it as stored. Readers parse it through a small
//! cache keyed by bucket name and document text, so a GET of an object in a bucket with a
//! thousand rules does not parse them every time.

pub(crate) mod rules;
mod tiering;
mod transition;
mod worker;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use http::{Response, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::Ctx;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;

pub use rules::Rule;
pub use worker::spawn_worker;

/// S3's limit on a lifecycle configuration body.
pub const MAX_LIFECYCLE_BYTES: u64 = 512 * 1024;
/// The bucket configuration kind the document is stored under.
pub(crate) const KIND: &str = "lifecycle";

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutLifecycleConfiguration", Need::Owner, None)
        .await?;
    ctx.require_integrity_header()?;
    let body = ctx.small_body(MAX_LIFECYCLE_BYTES).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    if text.trim().is_empty() {
        return Err(s3_error!(MissingRequestBodyError));
    }
    let parsed = rules::parse(text)?;
    check_placeable(ctx.server, &parsed)?;
    let canonical = rules::to_xml(&parsed);
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, KIND, Some(&canonical))
        .await?;
    tracing::info!(bucket = %bucket.name, rules = parsed.len(), "lifecycle configuration set");
    Ok(response::status(StatusCode::OK))
}

/// Every transition's class must have a layout every pool can place: refused now with the
/// `400 InvalidStorageClass` a PutObject in that class would get, rather than failing at
/// every move.
fn check_placeable(server: &crate::state::Server, rules: &[Rule]) -> S3Result<()> {
    let classes = rules.iter().flat_map(|r| {
        let current = r.transitions.iter().map(|t| t.storage_class.as_str());
        current.chain(
            r.noncurrent_transitions
                .iter()
                .map(|t| t.storage_class.as_str()),
        )
    });
    for class in classes {
        for (pool, _) in server.pools.iter() {
            crate::storage::layout_of(server, pool, class)?;
        }
    }
    Ok(())
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetLifecycleConfiguration", Need::Owner, None)
        .await?;
    let text = stored(&bucket).ok_or_else(|| s3_error!(NoSuchLifecycleConfiguration))?;
    Ok(response::xml_text(StatusCode::OK, text.to_string()))
}

/// 204 whether or not a configuration was set (S3). S3 authorizes it as
/// `s3:PutLifecycleConfiguration`.
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:PutLifecycleConfiguration", KIND)
        .await
}

fn stored(bucket: &oos_meta::Bucket) -> Option<&str> {
    bucket
        .config
        .iter()
        .find(|(k, _)| k == KIND)
        .map(|(_, v)| v.as_str())
}

/// The bucket's rules, parsed once per stored document. A document that no longer parses
/// (written by a future version, say) counts as no rules, with a warning.
pub fn rules_of(bucket: &oos_meta::Bucket) -> Option<Arc<Vec<Rule>>> {
    type Cache = Mutex<HashMap<String, (String, Arc<Vec<Rule>>)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    /// Enough for every bucket of a typical server; past it the cache starts over.
    const MAX_CACHED: usize = 4096;

    let text = stored(bucket)?;
    let cache = CACHE.get_or_init(Default::default);
    if let Some((cached_text, rules)) = cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&bucket.name)
    {
        if cached_text == text {
            return Some(rules.clone());
        }
    }
    let rules = match rules::parse(text) {
        Ok(rules) => Arc::new(rules),
        Err(e) => {
            tracing::warn!(bucket = %bucket.name, error = %e.message, "unreadable lifecycle configuration");
            return None;
        }
    };
    let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= MAX_CACHED {
        cache.clear();
    }
    cache.insert(bucket.name.clone(), (text.to_string(), rules.clone()));
    Some(rules)
}

/// Characters kept as they are in the `rule-id` of `x-amz-expiration` (OOS URL-encodes it).
const RULE_ID_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The `x-amz-expiration` header value for an object a lifecycle rule will expire: the
/// earliest expiry among the enabled rules that match it (the one the worker will act on;
/// with non-overlapping rules that is simply the matching rule), ties going to the first.
pub async fn expiration(
    _server: &crate::state::Server,
    bucket: &oos_meta::Bucket,
    object: &oos_meta::Object,
) -> Option<String> {
    let rules = rules_of(bucket)?;
    let (at, rule) = earliest_expiry(&rules, object)?;
    Some(format!(
        "expiry-date=\"{}\", rule-id=\"{}\"",
        oos_proto::time_fmt::http_date(at),
        utf8_percent_encode(&rule.id, RULE_ID_KEEP)
    ))
}

/// When an object expires, and under which rule: the earliest among enabled matching rules.
pub fn earliest_expiry<'a>(rules: &'a [Rule], o: &oos_meta::Object) -> Option<(i64, &'a Rule)> {
    let mut best: Option<(i64, &Rule)> = None;
    for rule in rules
        .iter()
        .filter(|r| r.enabled && r.matches(&o.key, o.size, &o.attrs.tags))
    {
        if let Some(at) = rule.expires_at(o.last_modified) {
            if best.is_none_or(|(b, _)| at < b) {
                best = Some((at, rule));
            }
        }
    }
    best
}

//! The lifecycle worker: expires objects and old versions, removes delete markers left alone,
//! aborts stale multipart uploads, and moves versions whose transition is due into their new
//! storage class (`tiering.rs`).
//!
//! Every few seconds a pass walks the buckets that have a lifecycle configuration. "Now" is
//! the server clock (`Server::clock`), which tests advance. For each bucket it lists the
//! objects under the enabled rules' prefixes a page (1000 keys) at a time and deletes the
//! expired ones in batches of at most 1000 keys, each batch one metadata transaction; then it
//! lists in-progress uploads the same way and aborts those initiated longer ago than a rule's
//! `DaysAfterInitiation`. Transitions list the objects (and, for noncurrent ones, the
//! versions) the same way and move the due ones one at a time, each switched in its own
//! transaction only if the version is still unchanged. No lock is held across awaits and
//! each metadata call is its own short transaction, so requests never wait on a pass.
//!
//! Nothing is recorded beyond the metadata itself: a restart (or a crash mid-pass) simply
//! rescans. In memory, the worker remembers per bucket when the next object or upload can
//! become due (a lower bound computed during the scan, also covering objects written later),
//! so a bucket whose rules say "30 days" is not rescanned every pass; a changed configuration
//! or an advanced clock makes it due again.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use oos_meta::{
    ListEntry, ListQuery, MetaError, UploadEntry, UploadQuery, VersionEntry, VersionQuery,
};

use super::rules::{ceil_midnight, Expiry, Rule, DAY_MS};
use super::tiering::{self, Moved};
use super::transition;
use crate::state::{now_millis, Server};

/// Time between passes (real time; what is due is decided by the server clock).
const PASS_INTERVAL: Duration = Duration::from_secs(2);
/// Keys per listing page and per delete transaction.
const BATCH: usize = 1000;
/// How long (server clock) a move that failed waits before it is tried again.
const MOVE_RETRY_MS: i64 = 3_600_000;

/// What one pass did.
#[derive(Debug, Default)]
struct Tally {
    buckets: usize,
    expired: usize,
    aborted: usize,
    transitioned: usize,
}

/// Per bucket: the hash of the configuration scanned and when anything can next be due.
type Schedule = HashMap<String, (u64, i64)>;

/// The background worker that expires objects and aborts stale uploads.
pub fn spawn_worker(server: Arc<Server>) {
    tokio::spawn(async move {
        let mut schedule = Schedule::new();
        loop {
            tokio::time::sleep(PASS_INTERVAL).await;
            match pass(&server, &mut schedule).await {
                Ok(t) if t.expired + t.aborted + t.transitioned > 0 => tracing::info!(
                    buckets = t.buckets,
                    expired = t.expired,
                    aborted = t.aborted,
                    transitioned = t.transitioned,
                    "lifecycle pass"
                ),
                Ok(t) => tracing::debug!(buckets = t.buckets, "lifecycle pass, nothing due"),
                Err(e) => tracing::warn!(error = %e, "lifecycle pass failed"),
            }
        }
    });
}

async fn pass(server: &Server, schedule: &mut Schedule) -> Result<Tally, MetaError> {
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    for bucket in server.meta.buckets_with_config(super::KIND).await? {
        let Some(rules) = super::rules_of(&bucket) else {
            continue;
        };
        seen.insert(bucket.name.clone());
        let version = config_hash(&bucket);
        let now = server.clock.now_millis();
        if let Some(&(v, due)) = schedule.get(&bucket.name) {
            if v == version && now < due {
                continue;
            }
        }
        tally.buckets += 1;
        // One bucket failing (deleted mid-pass, say) does not stop the others; it is
        // retried on the next pass since its schedule is not updated.
        match sweep(server, &bucket.name, &rules, now, &mut tally).await {
            Ok(due) => {
                schedule.insert(bucket.name.clone(), (version, due));
            }
            Err(MetaError::NoSuchBucket) => {}
            Err(e) => {
                tracing::warn!(bucket = %bucket.name, error = %e, "lifecycle sweep failed")
            }
        }
    }
    schedule.retain(|name, _| seen.contains(name));
    Ok(tally)
}

fn config_hash(bucket: &oos_meta::Bucket) -> u64 {
    let mut h = DefaultHasher::new();
    super::stored(bucket).hash(&mut h);
    h.finish()
}

/// The shortest list of prefixes that covers every given prefix (so overlapping rules do
/// not list the same keys twice).
fn covering(mut prefixes: Vec<&str>) -> Vec<&str> {
    prefixes.sort_unstable();
    let mut out: Vec<&str> = Vec::new();
    for p in prefixes {
        if out.last().is_none_or(|last| !p.starts_with(last)) {
            out.push(p);
        }
    }
    out
}

/// Expires and aborts what is due in one bucket; returns when anything can next be due.
async fn sweep(
    server: &Server,
    bucket: &str,
    rules: &[Rule],
    now: i64,
    tally: &mut Tally,
) -> Result<i64, MetaError> {
    // Objects and uploads created after the scan started have at least this time stamp
    // (they are stamped with real time, which the test clock never trails).
    let floor = now_millis().min(now);
    let mut due = i64::MAX;
    let expiring: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.enabled && r.expiration.is_some())
        .collect();
    for rule in &expiring {
        due = due.min(match rule.expiration {
            Some(Expiry::Date(date)) if date > now => date,
            // A past date expires new objects at once: look again next pass.
            Some(Expiry::Date(_)) => now,
            _ => rule.expires_at(floor).unwrap_or(i64::MAX),
        });
    }
    let prefixes = covering(expiring.iter().map(|r| r.prefix()).collect());
    for prefix in prefixes {
        due = due.min(expire_under(server, bucket, rules, prefix, now, tally).await?);
    }

    // Transitions of current versions (after expiry: what just expired does not move).
    let moving: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.enabled && !r.transitions.is_empty())
        .collect();
    for t in moving.iter().flat_map(|r| &r.transitions) {
        due = due.min(match t.at {
            Expiry::Date(date) if date > now => date,
            Expiry::Date(_) => now,
            Expiry::Days(_) => t.due_at(floor),
        });
    }
    let prefixes = covering(moving.iter().map(|r| r.prefix()).collect());
    for prefix in prefixes {
        due = due.min(transition_under(server, bucket, rules, prefix, now, tally).await?);
    }

    // Old versions and delete markers left alone (versioned buckets).
    let versioned: Vec<&Rule> = rules
        .iter()
        .filter(|r| {
            r.enabled
                && (r.noncurrent.is_some()
                    || r.expired_object_delete_marker
                    || !r.noncurrent_transitions.is_empty())
        })
        .collect();
    for rule in &versioned {
        // A version written from now on becomes noncurrent no earlier than the floor.
        if let Some(n) = rule.noncurrent {
            due = due.min(ceil_midnight(floor + n.days * DAY_MS));
        }
        for t in &rule.noncurrent_transitions {
            due = due.min(ceil_midnight(floor + t.days * DAY_MS));
        }
        if rule.expired_object_delete_marker {
            due = due.min(ceil_midnight(floor + DAY_MS));
        }
    }
    let prefixes = covering(versioned.iter().map(|r| r.prefix()).collect());
    for prefix in prefixes {
        due = due.min(expire_versions_under(server, bucket, &versioned, prefix, now, tally).await?);
    }

    let aborting: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.enabled && r.abort_after_days.is_some())
        .collect();
    for rule in &aborting {
        let days = rule.abort_after_days.unwrap_or_default();
        due = due.min(ceil_midnight(floor + days * DAY_MS));
    }
    let prefixes = covering(aborting.iter().map(|r| r.prefix()).collect());
    for prefix in prefixes {
        due = due.min(abort_under(server, bucket, &aborting, prefix, now, tally).await?);
    }
    Ok(due)
}

/// Deletes the expired objects under `prefix`; returns the earliest expiry of those kept.
async fn expire_under(
    server: &Server,
    bucket: &str,
    rules: &[Rule],
    prefix: &str,
    now: i64,
    tally: &mut Tally,
) -> Result<i64, MetaError> {
    let mut due = i64::MAX;
    // (key, etag, last_modified): deleted only if still that object, so a key overwritten
    // after it was listed is never removed.
    let mut expired: Vec<(String, String, i64)> = Vec::new();
    let mut query = ListQuery {
        prefix: prefix.to_string(),
        delimiter: None,
        start_after: None,
        max_keys: BATCH,
    };
    loop {
        let page = server.meta.list_objects(bucket, &query).await?;
        for entry in &page.entries {
            let ListEntry::Object(o) = entry else {
                continue;
            };
            query.start_after = Some(o.key.clone());
            match super::earliest_expiry(rules, o) {
                Some((at, _)) if at <= now => {
                    expired.push((o.key.clone(), o.etag.clone(), o.last_modified))
                }
                Some((at, _)) => due = due.min(at),
                None => {}
            }
        }
        // Each page's expired keys (at most 1000) go in one transaction right away.
        if !expired.is_empty() {
            tally.expired += delete(server, bucket, &expired).await?;
            expired.clear();
        }
        if !page.truncated || page.entries.is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    Ok(due)
}

/// Removes the noncurrent versions due under `prefix` and the current delete markers left
/// with no version below them; returns the earliest time a kept version becomes due.
///
/// A noncurrent version's age counts from when it stopped being current: the time the
/// version listed just above it was written (S3). Versions arrive per key newest first, so
/// one pass over the listing carries that time and the count of newer noncurrent versions
/// (for `NewerNoncurrentVersions`) from entry to entry, across pages too.
async fn expire_versions_under(
    server: &Server,
    bucket: &str,
    rules: &[&Rule],
    prefix: &str,
    now: i64,
    tally: &mut Tally,
) -> Result<i64, MetaError> {
    let mut due = i64::MAX;
    let mut query = VersionQuery {
        prefix: prefix.to_string(),
        max_keys: BATCH,
        ..VersionQuery::default()
    };
    let (mut since, mut newer) = (0i64, 0u32);
    let mut removed_old = false;
    loop {
        let page = server.meta.list_object_versions(bucket, &query).await?;
        let (mut old, mut markers, mut moves) = (Vec::new(), Vec::new(), Vec::new());
        for entry in &page.entries {
            let VersionEntry::Version { object: o, latest } = entry else {
                continue;
            };
            let label = o.version_label().to_string();
            query.key_marker = Some(o.key.clone());
            query.version_id_marker = Some(label.clone());
            if *latest {
                (since, newer) = (o.last_modified, 0);
                let lone_marker_rule = rules
                    .iter()
                    .any(|r| r.expired_object_delete_marker && o.key.starts_with(r.prefix()));
                if o.delete_marker && lone_marker_rule {
                    markers.push((o.key.clone(), label));
                }
                continue;
            }
            let at = rules
                .iter()
                .filter(|r| r.matches(&o.key, o.size, &o.attrs.tags))
                .filter_map(|r| r.noncurrent_expires_at(since, newer))
                .min();
            let expiring = match at {
                // A locked version stays (the store refuses it anyway) until its lock ends.
                Some(at) if at <= now => match crate::api::object_lock::held_until(&o.attrs, now) {
                    None => {
                        old.push((o.key.clone(), label));
                        true
                    }
                    Some(end) => {
                        due = due.min(end);
                        false
                    }
                },
                Some(at) => {
                    due = due.min(at);
                    false
                }
                None => false,
            };
            if !expiring && !o.delete_marker {
                let (target, next) = transition::noncurrent_target(rules, o, since, newer, now);
                if let Some(next) = next {
                    due = due.min(next);
                }
                if let Some(class) = target.filter(|c| *c != o.storage_class) {
                    moves.push((o.clone(), class));
                }
            }
            (since, newer) = (o.last_modified, newer.saturating_add(1));
        }
        if !old.is_empty() {
            let n = count(
                server
                    .meta
                    .delete_noncurrent_versions(bucket, &old, now)
                    .await?,
            );
            removed_old |= n > 0;
            tally.expired += n;
        }
        // The store removes a marker only if no version is below it, checked atomically.
        if !markers.is_empty() {
            tally.expired += count(server.meta.delete_lone_markers(bucket, &markers).await?);
        }
        for (version, class) in moves {
            due = due.min(move_one(server, &version, class, now, tally).await);
        }
        if !page.truncated || page.entries.is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    // Markers whose last versions just went are alone now: the next pass removes them.
    if removed_old && rules.iter().any(|r| r.expired_object_delete_marker) {
        due = now;
    }
    Ok(due)
}

/// Moves the current versions under `prefix` whose transition is due into their class;
/// returns when the next transition of those listed falls due.
async fn transition_under(
    server: &Server,
    bucket: &str,
    rules: &[Rule],
    prefix: &str,
    now: i64,
    tally: &mut Tally,
) -> Result<i64, MetaError> {
    let mut due = i64::MAX;
    let mut query = ListQuery {
        prefix: prefix.to_string(),
        delimiter: None,
        start_after: None,
        max_keys: BATCH,
    };
    loop {
        let page = server.meta.list_objects(bucket, &query).await?;
        for entry in &page.entries {
            let ListEntry::Object(o) = entry else {
                continue;
            };
            query.start_after = Some(o.key.clone());
            let (target, next) = transition::current_target(rules, o, now);
            if let Some(next) = next {
                due = due.min(next);
            }
            if let Some(class) = target.filter(|c| *c != o.storage_class) {
                due = due.min(move_one(server, o, class, now, tally).await);
            }
        }
        if !page.truncated || page.entries.is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    Ok(due)
}

/// Moves one version; returns when to look at it again (`i64::MAX`: not for this move). A
/// version that changed meanwhile is looked at afresh on the next scan.
async fn move_one(
    server: &Server,
    o: &oos_meta::Object,
    class: &str,
    now: i64,
    tally: &mut Tally,
) -> i64 {
    match tiering::move_version(server, o, class).await {
        Ok(Moved::Switched) => {
            tally.transitioned += 1;
            tracing::debug!(
                bucket = o.bucket,
                key = o.key,
                class,
                "lifecycle transition"
            );
            i64::MAX
        }
        Ok(Moved::Changed) => now,
        Err(e) => {
            tracing::warn!(bucket = o.bucket, key = o.key, class, error = %e.message, "lifecycle transition failed; will retry");
            now + MOVE_RETRY_MS
        }
    }
}

fn count(done: Vec<bool>) -> usize {
    done.into_iter().filter(|d| *d).count()
}

async fn delete(
    server: &Server,
    bucket: &str,
    objects: &[(String, String, i64)],
) -> Result<usize, MetaError> {
    let n = count(
        server
            .meta
            .delete_objects_if_unchanged(bucket, objects)
            .await?,
    );
    tracing::debug!(bucket, deleted = n, "lifecycle expired objects");
    Ok(n)
}

/// Aborts the stale uploads under `prefix`; returns the earliest abort time of those kept.
async fn abort_under(
    server: &Server,
    bucket: &str,
    rules: &[&Rule],
    prefix: &str,
    now: i64,
    tally: &mut Tally,
) -> Result<i64, MetaError> {
    let mut due = i64::MAX;
    let mut query = UploadQuery {
        prefix: prefix.to_string(),
        delimiter: None,
        key_marker: None,
        upload_id_marker: None,
        max_uploads: BATCH,
    };
    loop {
        let page = server.meta.list_uploads(bucket, &query).await?;
        for entry in &page.entries {
            let UploadEntry::Upload(u) = entry else {
                continue;
            };
            query.key_marker = Some(u.key.clone());
            query.upload_id_marker = Some(u.upload_id.clone());
            let at = rules
                .iter()
                .filter(|r| u.key.starts_with(r.prefix()))
                .filter_map(|r| r.aborts_at(u.initiated))
                .min();
            match at {
                Some(at) if at <= now => match server.meta.abort_upload(bucket, &u.upload_id).await
                {
                    Ok(()) => tally.aborted += 1,
                    // Completed or aborted by a client meanwhile: nothing to do.
                    Err(MetaError::NoSuchUpload) => {}
                    Err(e) => return Err(e),
                },
                Some(at) => due = due.min(at),
                None => {}
            }
        }
        if !page.truncated || page.entries.is_empty() {
            break;
        }
        tokio::task::yield_now().await;
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covering_prefixes() {
        assert_eq!(
            covering(vec!["b/", "a/", "a/x", "ab"]),
            vec!["a/", "ab", "b/"]
        );
        assert_eq!(covering(vec!["logs/", ""]), vec![""]);
    }
}

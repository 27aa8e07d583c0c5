//! Garbage collection of object data.
//!
//! Overwrites and deletes queue the old data ids in the same transaction that unlinks them.
//! The collector deletes a queued id only after a grace period (`gc_grace_seconds`, 30 s), so
//! a GET that looked the object up just before the overwrite can still open its file (once
//! open, a file stays readable). Data that a read in flight has leased (the parts of a
//! multipart object it has not reached yet) waits until that read ends. At start, data files
//! older than the process that no metadata references (a crash between data fsync and
//! metadata commit) are collected too.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::state::Server;

const POLL: Duration = Duration::from_secs(1);
const BATCH: usize = 1000;

pub fn spawn(server: Arc<Server>, started: SystemTime) {
    let orphan_server = server.clone();
    tokio::spawn(async move {
        if let Err(e) = collect_orphans(&orphan_server, started).await {
            tracing::warn!(error = %e, "orphan collection failed");
        }
    });
    tokio::spawn(async move {
        let mut first_seen: HashMap<String, Instant> = HashMap::new();
        loop {
            tokio::time::sleep(POLL).await;
            if let Err(e) = collect_queue(&server, &mut first_seen).await {
                tracing::warn!(error = %e, "garbage collection failed");
            }
        }
    });
}

async fn collect_queue(
    server: &Server,
    first_seen: &mut HashMap<String, Instant>,
) -> Result<(), String> {
    let pending = server
        .meta
        .gc_pending(BATCH)
        .await
        .map_err(|e| e.to_string())?;
    let now = Instant::now();
    let queued: HashSet<&String> = pending.iter().collect();
    first_seen.retain(|id, _| queued.contains(id));
    let mut done = Vec::new();
    for id in pending {
        let seen = *first_seen.entry(id.clone()).or_insert(now);
        // A read in flight that still needs the data holds it past the grace period.
        if now.duration_since(seen) >= server.config.gc_grace && !server.pools.is_leased(&id) {
            server.pools.delete(&id).await.map_err(|e| e.to_string())?;
            done.push(id);
        }
    }
    if !done.is_empty() {
        for id in &done {
            first_seen.remove(id);
        }
        tracing::debug!(count = done.len(), "collected data");
        server
            .meta
            .gc_done(&done)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

async fn collect_orphans(server: &Server, started: SystemTime) -> Result<(), String> {
    let mut collected = 0;
    for (_, store) in server.pools.iter() {
        let listing = store.clone();
        let candidates = tokio::task::spawn_blocking(move || listing.data_ids_older_than(started))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        for id in candidates {
            if !server
                .meta
                .is_data_referenced(&id)
                .await
                .map_err(|e| e.to_string())?
            {
                store.delete(&id).await.map_err(|e| e.to_string())?;
                collected += 1;
            }
        }
    }
    if collected > 0 {
        tracing::info!(
            collected,
            "collected unreferenced data left by an earlier run"
        );
    }
    Ok(())
}

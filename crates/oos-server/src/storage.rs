//! The server's side of the data plane: which layout a storage class gets in the pool, write
//! outcomes that leave shards to heal, and the heal worker.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oos_proto::StorageClass;
use oos_store::{DataWriter, Layout};

use crate::error::S3Result;
use crate::s3_error;
use crate::state::Server;

/// The layout of a stored class name (`STANDARD`, `EC_2_1`, …) in this server's pool.
pub fn layout_of(server: &Server, class: &str) -> S3Result<Layout> {
    let parsed = StorageClass::parse(class).ok_or_else(|| s3_error!(InvalidStorageClass))?;
    match server.config.pool.layout_of(&parsed) {
        StorageClass::Ec { data, parity } => {
            let disks = server.config.pool.disks.len();
            if usize::from(data) + usize::from(parity) > disks {
                return Err(s3_error!(
                    InvalidStorageClass,
                    "The storage class {class} needs {} disks; pool {} has {disks}.",
                    data + parity,
                    server.config.pool.name
                ));
            }
            Ok(Layout::new(data, parity))
        }
        _ => unreachable!("layout_of always answers EC_N_M"),
    }
}

/// Makes the data durable at write quorum; shards that could not be written are queued for
/// the heal worker.
pub async fn finish(server: &Server, writer: DataWriter) -> S3Result<String> {
    let report = writer.finish_with_report().await?;
    if !report.missing_shards.is_empty() {
        tracing::warn!(
            data_id = report.data_id,
            missing = ?report.missing_shards,
            "written below full redundancy; queued for heal"
        );
        server.heal.push(report.data_id.clone());
    }
    Ok(report.data_id)
}

/// What a scrub found.
#[derive(Debug, Default, serde::Serialize)]
pub struct ScrubSummary {
    pub scrubbed: u64,
    /// Data ids with missing or corrupt shards (queued for healing).
    pub damaged: Vec<String>,
    /// Data ids with too few intact shards to read: lost.
    pub lost: Vec<String>,
}

/// Verifies every data id in the pool at the configured pace; the scheduled scrubber runs it
/// every `scrub_interval_seconds`.
pub fn spawn_scrubber(server: Arc<Server>) {
    let Some(interval) = server.config.scrub_interval else {
        return;
    };
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(interval).await;
            match scrub_all(&server).await {
                Ok(s) => tracing::info!(
                    scrubbed = s.scrubbed,
                    damaged = s.damaged.len(),
                    lost = s.lost.len(),
                    "scrub done"
                ),
                Err(e) => tracing::error!(error = %e.message, "scrub failed"),
            }
        }
    });
}

/// Verifies every data id in the pool now; damage is queued for the heal worker.
pub async fn scrub_all(server: &Server) -> S3Result<ScrubSummary> {
    let store = server.store.clone();
    let later = std::time::SystemTime::now() + Duration::from_secs(3600);
    let ids = tokio::task::spawn_blocking(move || store.data_ids_older_than(later))
        .await
        .map_err(|e| crate::error::S3Error::internal("scrub", e))??;
    let mut summary = ScrubSummary::default();
    for id in ids {
        summary.scrubbed += 1;
        tokio::time::sleep(server.config.scrub_pause).await;
        match server.store.scrub(&id).await {
            Ok(r) if r.lost_stripes > 0 => {
                tracing::error!(data_id = id, "scrub: data lost");
                summary.lost.push(id);
            }
            Ok(r) if !r.missing_shards.is_empty() || !r.corrupt_shards.is_empty() => {
                server.heal.push(id.clone());
                summary.damaged.push(id);
            }
            Ok(_) | Err(oos_store::StoreError::NotFound(_)) => {}
            Err(e) => {
                tracing::error!(data_id = id, error = %e, "scrub failed");
                summary.lost.push(id);
            }
        }
    }
    Ok(summary)
}

/// Data ids waiting for a heal (writes below full redundancy, damage found by reads and
/// scrubs), and those parked until a missing disk returns.
#[derive(Debug, Default, Clone)]
pub struct HealQueue(Arc<Mutex<HealState>>);

#[derive(Debug, Default)]
struct HealState {
    queue: VecDeque<String>,
    parked: Vec<(String, std::time::Instant)>,
}

impl HealQueue {
    pub fn push(&self, id: String) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !s.queue.contains(&id) {
            s.queue.push_back(id);
        }
    }

    /// Data ids that need a heal, queued or parked.
    pub fn len(&self) -> usize {
        let s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        s.queue.len() + s.parked.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn pop(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .queue
            .pop_front()
    }

    fn park(&self, id: String) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        s.parked.push((id, std::time::Instant::now()));
    }

    /// Moves parked ids whose wait is over back into the queue.
    fn unpark_due(&self, wait: Duration) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let (due, waiting): (Vec<_>, Vec<_>) = s
            .parked
            .drain(..)
            .partition(|(_, since)| since.elapsed() >= wait);
        s.parked = waiting;
        for (id, _) in due {
            if !s.queue.contains(&id) {
                s.queue.push_back(id);
            }
        }
    }
}

/// How long a heal that could not complete (a disk is away) waits before it is tried again.
const HEAL_RETRY: Duration = Duration::from_secs(60);

/// Rebuilds queued damage in the background. A shard whose disk is still away is parked and
/// retried every `HEAL_RETRY` until it can be placed.
pub fn spawn_healer(server: Arc<Server>) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            for id in server.store.take_damaged() {
                server.heal.push(id);
            }
            server.heal.unpark_due(HEAL_RETRY);
            while let Some(id) = server.heal.pop() {
                match server.store.heal(&id).await {
                    Ok(r) if r.unplaced.is_empty() => {
                        if !r.rebuilt.is_empty() {
                            tracing::info!(data_id = id, rebuilt = ?r.rebuilt, "healed");
                        }
                    }
                    Ok(r) => {
                        tracing::debug!(data_id = id, unplaced = ?r.unplaced, "heal waits for a disk");
                        server.heal.park(id);
                    }
                    Err(oos_store::StoreError::NotFound(_)) => {}
                    Err(e) => {
                        tracing::warn!(data_id = id, error = %e, "heal failed; will retry");
                        server.heal.park(id);
                    }
                }
            }
        }
    });
}

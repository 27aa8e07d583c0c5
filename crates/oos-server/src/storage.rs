//! The server's side of the data plane: the pools it runs, which layout a storage class gets
//! in a pool, write outcomes that leave shards to heal, and the heal worker.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use oos_proto::StorageClass;
use oos_store::{DataStore, DataWriter, Layout, StoreResult};

use crate::config::Config;
use crate::error::S3Result;
use crate::s3_error;
use crate::state::Server;

/// The open data pools, in the order of `Config::pools` (a region's `pool` indexes them).
pub struct Pools(Vec<DataStore>);

impl Pools {
    /// Opens every configured pool. A pool with some disks unusable serves degraded (each is
    /// reported on stderr); one with no usable disk at all stops the start.
    pub fn open(config: &Config) -> Result<Pools, String> {
        let mut stores = Vec::new();
        for pool in &config.pools {
            if pool.embedded {
                // The embedded default pool lives in the data directory, so it may be
                // created. A configured disk that is absent is a missing device, never
                // created here.
                for disk in &pool.disks {
                    std::fs::create_dir_all(disk)
                        .map_err(|e| format!("cannot create {}: {e}", disk.display()))?;
                }
            }
            let (store, disks) = DataStore::open_pool(&pool.name, &pool.disks)
                .map_err(|e| format!("cannot open pool {}: {e}", pool.name))?;
            for disk in disks
                .iter()
                .filter(|d| d.state != oos_store::DiskState::Online)
            {
                tracing::warn!(pool = pool.name, disk = %disk.path.display(), state = ?disk.state, "disk not in service");
                eprintln!(
                    "oosd: warning: pool {} disk {} is {:?}; serving degraded",
                    pool.name,
                    disk.path.display(),
                    disk.state
                );
            }
            stores.push(store);
        }
        Ok(Pools(stores))
    }

    pub fn get(&self, index: usize) -> &DataStore {
        &self.0[index]
    }

    pub fn iter(&self) -> impl Iterator<Item = (usize, &DataStore)> {
        self.0.iter().enumerate()
    }

    /// Whether a read in flight, in any pool, still needs this data id.
    pub fn is_leased(&self, data_id: &str) -> bool {
        self.0.iter().any(|s| s.is_leased(data_id))
    }

    /// Deletes a data id wherever it is (ids are unique over all pools, and deleting an
    /// absent id is a no-op, so the collector need not know the pool).
    pub async fn delete(&self, data_id: &str) -> StoreResult<()> {
        for store in &self.0 {
            store.delete(data_id).await?;
        }
        Ok(())
    }
}

/// The layout of a stored class name (`STANDARD`, `EC_2_1`, …) in pool `pool`.
pub fn layout_of(server: &Server, pool: usize, class: &str) -> S3Result<Layout> {
    let parsed = StorageClass::parse(class).ok_or_else(|| s3_error!(InvalidStorageClass))?;
    let pool = &server.config.pools[pool];
    match pool.layout_of(&parsed) {
        StorageClass::Ec { data, parity } => {
            let disks = pool.disks.len();
            if usize::from(data) + usize::from(parity) > disks {
                return Err(s3_error!(
                    InvalidStorageClass,
                    "The storage class {class} needs {} disks; pool {} has {disks}.",
                    data + parity,
                    pool.name
                ));
            }
            Ok(Layout::new(data, parity))
        }
        _ => unreachable!("layout_of always answers EC_N_M"),
    }
}

/// Makes the data durable at write quorum; shards that could not be written are queued for
/// the heal worker.
pub async fn finish(server: &Server, pool: usize, writer: DataWriter) -> S3Result<String> {
    let report = writer.finish_with_report().await?;
    if !report.missing_shards.is_empty() {
        tracing::warn!(
            data_id = report.data_id,
            missing = ?report.missing_shards,
            "written below full redundancy; queued for heal"
        );
        server.heal.push(pool, report.data_id.clone());
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

/// Verifies every data id in every pool now; damage is queued for the heal worker.
pub async fn scrub_all(server: &Server) -> S3Result<ScrubSummary> {
    let mut summary = ScrubSummary::default();
    for (pool, store) in server.pools.iter() {
        let listing = store.clone();
        let later = std::time::SystemTime::now() + Duration::from_secs(3600);
        let ids = tokio::task::spawn_blocking(move || listing.data_ids_older_than(later))
            .await
            .map_err(|e| crate::error::S3Error::internal("scrub", e))??;
        for id in ids {
            summary.scrubbed += 1;
            tokio::time::sleep(server.config.scrub_pause).await;
            match store.scrub(&id).await {
                Ok(r) if r.lost_stripes > 0 => {
                    tracing::error!(data_id = id, "scrub: data lost");
                    summary.lost.push(id);
                }
                Ok(r) if !r.missing_shards.is_empty() || !r.corrupt_shards.is_empty() => {
                    server.heal.push(pool, id.clone());
                    summary.damaged.push(id);
                }
                Ok(_) | Err(oos_store::StoreError::NotFound(_)) => {}
                Err(e) => {
                    tracing::error!(data_id = id, error = %e, "scrub failed");
                    summary.lost.push(id);
                }
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
    /// (pool index, data id)
    queue: VecDeque<(usize, String)>,
    parked: Vec<((usize, String), std::time::Instant)>,
}

impl HealQueue {
    pub fn push(&self, pool: usize, id: String) {
        let mut s = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let entry = (pool, id);
        if !s.queue.contains(&entry) {
            s.queue.push_back(entry);
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

    fn pop(&self) -> Option<(usize, String)> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .queue
            .pop_front()
    }

    fn park(&self, id: (usize, String)) {
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
            for (pool, store) in server.pools.iter() {
                for id in store.take_damaged() {
                    server.heal.push(pool, id);
                }
            }
            server.heal.unpark_due(HEAL_RETRY);
            while let Some((pool, id)) = server.heal.pop() {
                match server.pools.get(pool).heal(&id).await {
                    Ok(r) if r.unplaced.is_empty() => {
                        if !r.rebuilt.is_empty() {
                            tracing::info!(data_id = id, rebuilt = ?r.rebuilt, "healed");
                        }
                    }
                    Ok(r) => {
                        tracing::debug!(data_id = id, unplaced = ?r.unplaced, "heal waits for a disk");
                        server.heal.park((pool, id));
                    }
                    Err(oos_store::StoreError::NotFound(_)) => {}
                    Err(e) => {
                        tracing::warn!(data_id = id, error = %e, "heal failed; will retry");
                        server.heal.park((pool, id));
                    }
                }
            }
        }
    });
}

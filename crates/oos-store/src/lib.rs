//! The data plane: object bytes under immutable data ids, on a pool of disks.
//!
//! A data id is written with a [`Layout`] `EC_N_M`: each stripe of the payload is split into N
//! data chunks plus M Reed-Solomon parity chunks (M = 0: N full replicas), shard i going to
//! the disk ranked i-th by rendezvous hashing. A single-disk store ([`DataStore::open`]) is a
//! pool of one disk writing EC_1_0.
//!
//! Invariants (DESIGN §3): a shard file becomes visible only after its bytes and its directory
//! entry are durable, and a write is acknowledged only once a quorum of shards is; files are
//! never modified after that; every chunk carries an xxh3 checksum verified on every read; a
//! bad or missing shard is rebuilt from the others (and the id queued for heal) or the read
//! fails; a file that fails a checksum is moved to `quarantine/`, never deleted.

mod codec;
mod format;
mod heal;
mod layout;
mod placement;
mod pool;
mod reader;
mod shard;
mod writer;

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

pub use heal::{HealReport, ScrubReport};
pub use layout::Layout;
pub use pool::{
    inspect_disk, DiskIdentity, DiskInfo, DiskReport, DiskState, Refusal, IDENTITY_FILE,
};
pub use reader::DataReader;
pub use writer::{DataWriter, WriteReport};

use pool::Disk;

/// Errors of the data plane.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("data {0} not found")]
    NotFound(String),
    #[error("data {data_id} is corrupt: {reason}")]
    Corrupt { data_id: String, reason: String },
    #[error("disk full")]
    DiskFull,
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    /// The layout needs more disks than the pool has (S3: 400 InvalidStorageClass).
    #[error("cannot place data: {0}")]
    CannotPlace(String),
    /// Too few shards became durable; nothing of the write is left (S3: 503 SlowDown).
    #[error("write quorum lost: {0}")]
    QuorumLost(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Default stripe payload size: big enough for sequential throughput, small enough that a
/// ranged read verifies little more than it returns and a writer buffers one stripe.
pub const DEFAULT_CHUNK_SIZE: usize = 1 << 20;

/// A pool of disks holding shard files. Cheap to clone (shared state).
#[derive(Debug, Clone)]
pub struct DataStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: String,
    disks: Vec<Disk>,
    /// Every slot's uuid, online or not: the rendezvous ranking is over all of them so that a
    /// missing disk does not move the other shards.
    uuids: Vec<String>,
    /// Payload bytes per stripe (per chunk for replicas).
    chunk_size: usize,
    default_layout: Layout,
    leases: Arc<Mutex<HashMap<String, usize>>>,
    damaged: Mutex<Vec<String>>,
}

/// Data ids a read in flight still needs: the collector leaves them alone until the lease is
/// dropped, so a long download of a many-part object survives an overwrite of that object.
#[derive(Debug)]
pub struct ReadLease {
    leases: Arc<Mutex<HashMap<String, usize>>>,
    ids: Vec<String>,
}

impl Drop for ReadLease {
    fn drop(&mut self) {
        let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        for id in &self.ids {
            if let Some(n) = leases.get_mut(id) {
                *n -= 1;
                if *n == 0 {
                    leases.remove(id);
                }
            }
        }
    }
}

impl DataStore {
    /// Opens (and formats, if new) the single disk at `root`, creating it if needed.
    pub fn open(root: &Path) -> StoreResult<DataStore> {
        Self::open_with_chunk_size(root, DEFAULT_CHUNK_SIZE)
    }

    pub fn open_with_chunk_size(root: &Path, chunk_size: usize) -> StoreResult<DataStore> {
        std::fs::create_dir_all(root)?;
        let name = pool::pool_name_of(root).unwrap_or_else(|| "local".to_string());
        let (store, reports) =
            Self::open_pool_with(&name, &[root.to_path_buf()], chunk_size, Layout::SINGLE)?;
        match &reports[0].state {
            DiskState::Online => Ok(store),
            state => Err(StoreError::Io(io::Error::other(format!(
                "disk {} is {state:?}",
                root.display()
            )))),
        }
    }

    /// Opens the pool `name` over `disks` (directories; a missing one is not created, since
    /// it is normally an unmounted disk). Unusable disks are reported and skipped: the pool
    /// runs degraded. Fails only if no disk is usable at all.
    pub fn open_pool(name: &str, disks: &[PathBuf]) -> StoreResult<(DataStore, Vec<DiskReport>)> {
        Self::open_pool_with(name, disks, DEFAULT_CHUNK_SIZE, Layout::SINGLE)
    }

    /// [`DataStore::open_pool`] with a stripe size and the layout [`DataStore::writer`] uses.
    pub fn open_pool_with(
        name: &str,
        disks: &[PathBuf],
        chunk_size: usize,
        default_layout: Layout,
    ) -> StoreResult<(DataStore, Vec<DiskReport>)> {
        assert!(chunk_size > 0 && chunk_size <= u32::MAX as usize / 2);
        let opened = pool::open_disks(name, disks);
        let reports: Vec<DiskReport> = opened
            .iter()
            .map(|d| DiskReport {
                path: d.path.clone(),
                state: d.state.clone(),
            })
            .collect();
        if !opened.iter().any(|d| d.state.readable()) {
            let states: Vec<String> = reports
                .iter()
                .map(|r| format!("{}: {:?}", r.path.display(), r.state))
                .collect();
            return Err(StoreError::Io(io::Error::other(format!(
                "pool {name} has no usable disk ({})",
                states.join(", ")
            ))));
        }
        let store = DataStore {
            inner: Arc::new(Inner {
                name: name.to_string(),
                uuids: opened.iter().map(|d| d.uuid.clone()).collect(),
                disks: opened,
                chunk_size,
                default_layout,
                leases: Arc::default(),
                damaged: Mutex::default(),
            }),
        };
        store.check_placeable(default_layout)?;
        Ok((store, reports))
    }

    /// Starts writing a new data id with the default layout (checked placeable at open).
    pub fn writer(&self) -> DataWriter {
        DataWriter::new(self.clone(), self.inner.default_layout)
    }

    /// Starts writing a new data id with `layout`; `CannotPlace` if the pool has fewer disks
    /// than the layout has shards.
    pub fn writer_with(&self, layout: Layout) -> StoreResult<DataWriter> {
        self.check_placeable(layout)?;
        Ok(DataWriter::new(self.clone(), layout))
    }

    fn check_placeable(&self, layout: Layout) -> StoreResult<()> {
        let disks = self.inner.disks.len();
        if layout.data == 0 {
            return Err(StoreError::CannotPlace(format!(
                "{layout} has no data shard"
            )));
        }
        if layout.shards() > disks {
            return Err(StoreError::CannotPlace(format!(
                "{layout} needs {} disks, pool {} has {disks}",
                layout.shards(),
                self.inner.name
            )));
        }
        Ok(())
    }

    /// Whether a write of `layout` whose body is about `size` bytes would reach write quorum
    /// now: enough disks are in service, mounted writable and have room for a shard. Placement
    /// asks this before it commits a request body to a pool, so it can pick another.
    pub fn can_take(&self, layout: Layout, size: u64) -> bool {
        if self.check_placeable(layout).is_err() {
            return false;
        }
        let shard = if layout.is_replicated() {
            size
        } else {
            size.div_ceil(u64::from(layout.data))
        };
        let ready = self
            .inner
            .disks
            .iter()
            .filter(|d| d.can_take(shard))
            .count();
        ready >= layout.write_quorum()
    }

    /// Opens `data_id` for reading `offset..offset+len`; fails with `NotFound` at once if no
    /// shard exists. Open shard files keep their bytes readable if the id is deleted later.
    pub async fn reader(&self, data_id: &str, offset: u64, len: u64) -> StoreResult<DataReader> {
        DataReader::open(self.clone(), data_id.to_string(), offset, Some(len)).await
    }

    /// Opens every byte `data_id` holds, whatever the object above it makes of them: what
    /// moving data into another layout copies verbatim.
    pub async fn reader_whole(&self, data_id: &str) -> StoreResult<DataReader> {
        DataReader::open(self.clone(), data_id.to_string(), 0, None).await
    }

    /// Leases `ids` for a read: [`DataStore::is_leased`] answers true until the lease drops.
    pub fn lease<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> ReadLease {
        let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
        let mut leases = self.inner.leases.lock().unwrap_or_else(|e| e.into_inner());
        for id in &ids {
            *leases.entry(id.clone()).or_insert(0) += 1;
        }
        ReadLease {
            leases: self.inner.leases.clone(),
            ids,
        }
    }

    /// Whether a read in flight still needs this data id.
    pub fn is_leased(&self, data_id: &str) -> bool {
        self.inner
            .leases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(data_id)
    }

    /// Deletes every shard of a data id on every disk (missing is fine: deletion is
    /// idempotent). Shard indexes are below the pool's disk count, since shards sit on
    /// distinct disks.
    pub async fn delete(&self, data_id: &str) -> StoreResult<()> {
        if !is_data_id(data_id) {
            return Ok(());
        }
        let store = self.clone();
        let id = data_id.to_string();
        tokio::task::spawn_blocking(move || {
            let n = store.inner.disks.len();
            for disk in store.inner.disks.iter().filter(|d| d.writable()) {
                let paths = std::iter::once(disk.legacy_path(&id))
                    .chain((0..n).map(|i| disk.shard_path(&id, i)));
                for path in paths {
                    match std::fs::remove_file(path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => return Err(StoreError::Io(e)),
                    }
                }
            }
            Ok(())
        })
        .await
        .map_err(join_error)?
    }

    /// Every data id with a shard file last modified before `before`, over all disks (restart
    /// recovery checks each against the metadata and deletes the unreferenced ones).
    pub fn data_ids_older_than(&self, before: SystemTime) -> StoreResult<Vec<String>> {
        let mut seen = HashSet::new();
        let mut ids = Vec::new();
        for disk in self.inner.disks.iter().filter(|d| d.state.readable()) {
            for sub in std::fs::read_dir(disk.path.join("data"))? {
                let sub = sub?;
                if !sub.file_type()?.is_dir() {
                    continue;
                }
                for entry in std::fs::read_dir(sub.path())? {
                    let entry = entry?;
                    let Some(name) = entry.file_name().to_str().map(str::to_string) else {
                        continue;
                    };
                    let id = match name.split_once('.') {
                        Some((id, shard)) if shard.parse::<u8>().is_ok() => id,
                        Some(_) => continue,
                        None => name.as_str(),
                    };
                    if is_data_id(id)
                        && !seen.contains(id)
                        && entry.metadata()?.modified()? < before
                    {
                        seen.insert(id.to_string());
                        ids.push(id.to_string());
                    }
                }
            }
        }
        Ok(ids)
    }

    /// Stripe payload size (chunk size for replicas).
    pub fn chunk_size(&self) -> usize {
        self.inner.chunk_size
    }

    pub fn default_layout(&self) -> Layout {
        self.inner.default_layout
    }

    pub fn pool_name(&self) -> &str {
        &self.inner.name
    }

    /// Every configured disk with its state at open and its space now.
    pub fn disks(&self) -> Vec<DiskInfo> {
        self.inner
            .disks
            .iter()
            .enumerate()
            .map(|(i, d)| d.info(i))
            .collect()
    }

    /// Data ids found damaged (a missing or corrupt shard met by a read, write or scrub) since
    /// the last call: the server queues them for [`DataStore::heal`].
    pub fn take_damaged(&self) -> Vec<String> {
        std::mem::take(&mut *self.inner.damaged.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Rebuilds missing or corrupt shards of `data_id` onto their disks.
    pub async fn heal(&self, data_id: &str) -> StoreResult<HealReport> {
        let store = self.clone();
        let id = data_id.to_string();
        tokio::task::spawn_blocking(move || heal::heal(&store, &id))
            .await
            .map_err(join_error)?
    }

    /// Verifies every chunk of every shard of `data_id`, rebuilding nothing.
    pub async fn scrub(&self, data_id: &str) -> StoreResult<ScrubReport> {
        let store = self.clone();
        let id = data_id.to_string();
        tokio::task::spawn_blocking(move || heal::scrub(&store, &id))
            .await
            .map_err(join_error)?
    }

    pub(crate) fn record_damage(&self, data_id: &str) {
        let mut d = self.inner.damaged.lock().unwrap_or_else(|e| e.into_inner());
        if !d.iter().any(|x| x == data_id) {
            d.push(data_id.to_string());
        }
    }

    /// Disk indexes for `data_id`, best first: shard i belongs on `rank(id)[i]`.
    pub(crate) fn rank(&self, data_id: &str) -> Vec<usize> {
        placement::rank(data_id, &self.inner.uuids)
    }

    pub(crate) fn disk(&self, i: usize) -> &Disk {
        &self.inner.disks[i]
    }
}

/// Data ids are 32 lowercase hex digits (128 random bits).
pub(crate) fn is_data_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn new_data_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Makes a directory's entries durable. Counted, like every sync and rename of the data
/// plane, in `oos_store_syncs_total` / `oos_store_renames_total`: the cost a write pays for
/// durability, per object, is what the benchmark report and the tests read off them.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    metrics::counter!("oos_store_syncs_total", "kind" => "dir").increment(1);
    std::fs::File::open(dir)?.sync_all()
}

/// Makes a file's bytes durable (see [`sync_dir`]).
pub(crate) fn sync_file(file: &std::fs::File) -> io::Result<()> {
    metrics::counter!("oos_store_syncs_total", "kind" => "file").increment(1);
    file.sync_all()
}

/// Renames a file (see [`sync_dir`]).
pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
    metrics::counter!("oos_store_renames_total").increment(1);
    std::fs::rename(from, to)
}

pub(crate) fn join_error(e: tokio::task::JoinError) -> StoreError {
    StoreError::Io(io::Error::other(e))
}

pub(crate) fn io_error(e: io::Error) -> StoreError {
    // ENOSPC (28) and EDQUOT (122): the client gets 507, nothing is half-written.
    match e.raw_os_error() {
        Some(28) | Some(122) => StoreError::DiskFull,
        _ => StoreError::Io(e),
    }
}

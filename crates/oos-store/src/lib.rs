//! The data plane: object bytes under immutable data ids.
//!
//! This first implementation is one disk holding one copy. The erasure-coded pools of a later
//! issue implement the same surface ([`DataStore::writer`], [`DataStore::reader`],
//! [`DataStore::delete`]) over many disks.
//!
//! Invariants (DESIGN §3): a data id's file becomes visible only after its bytes and its
//! directory entry are durable; files are never modified after that; every chunk carries an
//! xxh3 checksum verified on every read, and a file that fails it is moved to `quarantine/`,
//! never deleted.

mod format;
mod reader;
mod writer;

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

pub use reader::DataReader;
pub use writer::DataWriter;

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
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Default chunk size: big enough for sequential throughput, small enough that a ranged read
/// verifies little more than it returns.
pub const DEFAULT_CHUNK_SIZE: usize = 1 << 20;

/// One disk (a directory) holding data files.
#[derive(Debug, Clone)]
pub struct DataStore {
    root: PathBuf,
    chunk_size: usize,
    leases: Arc<Mutex<HashMap<String, usize>>>,
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
    /// Opens (and formats, if new) the disk at `root`: creates `data/00..ff`, `tmp/` and
    /// `quarantine/`, and removes temporary files left by a crash.
    pub fn open(root: &Path) -> StoreResult<DataStore> {
        Self::open_with_chunk_size(root, DEFAULT_CHUNK_SIZE)
    }

    pub fn open_with_chunk_size(root: &Path, chunk_size: usize) -> StoreResult<DataStore> {
        assert!(chunk_size > 0 && chunk_size <= u32::MAX as usize);
        let store = DataStore {
            root: root.to_path_buf(),
            chunk_size,
            leases: Arc::default(),
        };
        for dir in [store.tmp_dir(), store.quarantine_dir()] {
            std::fs::create_dir_all(&dir)?;
        }
        for i in 0..=255u8 {
            let dir = store.root.join("data").join(format!("{i:02x}"));
            if !dir.exists() {
                std::fs::create_dir_all(&dir)?;
            }
        }
        sync_dir(&store.root.join("data"))?;
        sync_dir(&store.root)?;
        // A temp file is a write that never reached its rename: nobody references it.
        for entry in std::fs::read_dir(store.tmp_dir())? {
            let entry = entry?;
            let _ = std::fs::remove_file(entry.path());
        }
        Ok(store)
    }

    /// Starts writing a new data id.
    pub fn writer(&self) -> DataWriter {
        DataWriter::new(self.clone())
    }

    /// Opens `data_id` for reading `offset..offset+len`; fails with `NotFound` at once if the
    /// file is missing. The open file keeps its bytes readable even if the id is deleted later.
    pub async fn reader(&self, data_id: &str, offset: u64, len: u64) -> StoreResult<DataReader> {
        DataReader::open(self.clone(), data_id.to_string(), offset, len).await
    }

    /// Leases `ids` for a read: [`DataStore::is_leased`] answers true until the lease drops.
    pub fn lease<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> ReadLease {
        let ids: Vec<String> = ids.into_iter().map(str::to_string).collect();
        let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        for id in &ids {
            *leases.entry(id.clone()).or_insert(0) += 1;
        }
        ReadLease {
            leases: self.leases.clone(),
            ids,
        }
    }

    /// Whether a read in flight still needs this data id.
    pub fn is_leased(&self, data_id: &str) -> bool {
        self.leases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(data_id)
    }

    /// Deletes a data id (missing is fine: deletion is idempotent).
    pub async fn delete(&self, data_id: &str) -> StoreResult<()> {
        let path = self.data_path(data_id)?;
        tokio::task::spawn_blocking(move || match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(StoreError::Io(e)),
        })
        .await
        .map_err(join_error)?
    }

    /// Every data id whose file was last modified before `before` (restart recovery checks
    /// each against the metadata and deletes the unreferenced ones).
    pub fn data_ids_older_than(&self, before: SystemTime) -> StoreResult<Vec<String>> {
        let mut ids = Vec::new();
        for sub in std::fs::read_dir(self.root.join("data"))? {
            let sub = sub?;
            if !sub.file_type()?.is_dir() {
                continue;
            }
            for entry in std::fs::read_dir(sub.path())? {
                let entry = entry?;
                let modified = entry.metadata()?.modified()?;
                if modified < before {
                    if let Some(name) = entry.file_name().to_str() {
                        if is_data_id(name) {
                            ids.push(name.to_string());
                        }
                    }
                }
            }
        }
        Ok(ids)
    }

    pub fn chunk_size(&self) -> usize {
        self.chunk_size
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    fn quarantine_dir(&self) -> PathBuf {
        self.root.join("quarantine")
    }

    fn data_path(&self, data_id: &str) -> StoreResult<PathBuf> {
        if !is_data_id(data_id) {
            return Err(StoreError::NotFound(data_id.to_string()));
        }
        Ok(self.root.join("data").join(&data_id[..2]).join(data_id))
    }

    /// Moves a corrupt file aside so that an operator (or heal) can inspect it.
    fn quarantine(&self, data_id: &str) {
        if let Ok(path) = self.data_path(data_id) {
            let target = self.quarantine_dir().join(format!("{data_id}.corrupted"));
            match std::fs::rename(&path, &target) {
                Ok(()) => tracing::error!(data_id, "corrupt data file quarantined"),
                Err(e) => {
                    tracing::error!(data_id, error = %e, "could not quarantine corrupt data file")
                }
            }
        }
    }
}

/// Data ids are 32 lowercase hex digits (128 random bits).
fn is_data_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn new_data_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
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

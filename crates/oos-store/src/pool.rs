//! A pool: the disks (directories) of one data region, each with an identity file so that a
//! disk mounted in the wrong place, or the wrong disk, is noticed instead of written to.
//!
//! `<disk>/oos-disk.json` = `{pool, uuid, index, members}`. `members` lists the uuid of every
//! slot of the pool as last seen: a disk missing at open keeps its place in the rendezvous
//! ranking (its uuid comes from the others' lists), and a blank disk put in a dead one's slot
//! inherits that uuid, so heal rebuilds exactly the shards the dead disk held.

use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::sync_dir;

pub const IDENTITY_FILE: &str = "oos-disk.json";

/// A disk's state as found at open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskState {
    Online,
    /// The directory is absent or unreadable (an unmounted disk): skipped.
    Missing,
    /// The directory belongs to another pool or slot, or its identity is unreadable: skipped,
    /// never written to.
    Foreign(String),
    /// Readable but not writable: serves reads, gets no new shards.
    ReadOnly,
}

impl DiskState {
    pub fn readable(&self) -> bool {
        matches!(self, DiskState::Online | DiskState::ReadOnly)
    }
}

/// One configured disk and what open found there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskReport {
    pub path: PathBuf,
    pub state: DiskState,
}

/// State and space of one disk, for operators and placement decisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiskInfo {
    pub path: PathBuf,
    pub index: usize,
    pub uuid: String,
    pub state: DiskState,
    /// From statvfs; `None` when the disk cannot be queried.
    pub total_bytes: Option<u64>,
    pub free_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Identity {
    pool: String,
    uuid: String,
    index: usize,
    #[serde(default)]
    members: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Disk {
    pub path: PathBuf,
    pub uuid: String,
    pub state: DiskState,
}

impl Disk {
    pub fn writable(&self) -> bool {
        self.state == DiskState::Online
    }
    pub fn data_dir(&self, data_id: &str) -> PathBuf {
        self.path.join("data").join(&data_id[..2])
    }
    pub fn shard_path(&self, data_id: &str, shard: usize) -> PathBuf {
        self.data_dir(data_id).join(format!("{data_id}.{shard}"))
    }
    /// The format v1 single-copy file.
    pub fn legacy_path(&self, data_id: &str) -> PathBuf {
        self.data_dir(data_id).join(data_id)
    }
    pub fn tmp_path(&self, data_id: &str, shard: usize) -> PathBuf {
        self.path.join("tmp").join(format!("{data_id}.{shard}"))
    }

    /// Moves a corrupt file into `quarantine/` (never deletes it; a name already there gets a
    /// numeric suffix so older evidence is kept too).
    pub fn quarantine(&self, path: &Path) -> bool {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        let dir = self.path.join("quarantine");
        let mut target = dir.join(format!("{name}.corrupted"));
        let mut n = 1;
        while target.exists() {
            target = dir.join(format!("{name}.corrupted.{n}"));
            n += 1;
        }
        match std::fs::rename(path, &target) {
            Ok(()) => {
                tracing::error!(path = %path.display(), "corrupt shard quarantined");
                true
            }
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "could not quarantine corrupt shard");
                false
            }
        }
    }

    /// Whether this disk can take a shard of `bytes` now: in service since open, still
    /// carrying its identity (not unmounted or replaced), mounted writable and with the space.
    /// A few syscalls: cheap enough to ask before each placement decision.
    pub fn can_take(&self, bytes: u64) -> bool {
        if !self.writable() || !self.path.join(IDENTITY_FILE).is_file() {
            return false;
        }
        match statvfs_full(&self.path) {
            Some(v) => !v.read_only && v.free >= bytes.saturating_add(SPACE_MARGIN),
            None => false,
        }
    }

    pub fn info(&self, index: usize) -> DiskInfo {
        let (total_bytes, free_bytes) = match statvfs(&self.path) {
            Some((t, f)) if self.state.readable() => (Some(t), Some(f)),
            _ => (None, None),
        };
        DiskInfo {
            path: self.path.clone(),
            index,
            uuid: self.uuid.clone(),
            state: self.state.clone(),
            total_bytes,
            free_bytes,
        }
    }
}

/// Free space a disk keeps beyond a shard before it counts as full for placement.
const SPACE_MARGIN: u64 = 1 << 20;

struct FsStats {
    total: u64,
    free: u64,
    read_only: bool,
}

fn statvfs_full(path: &Path) -> Option<FsStats> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    let frsize = st.f_frsize as u64;
    Some(FsStats {
        total: st.f_blocks as u64 * frsize,
        free: st.f_bavail as u64 * frsize,
        read_only: st.f_flag & libc::ST_RDONLY != 0,
    })
}

fn statvfs(path: &Path) -> Option<(u64, u64)> {
    statvfs_full(path).map(|s| (s.total, s.free))
}

enum Found {
    Identity(Identity),
    Blank,
    Bad(Refusal),
}

/// Why open keeps a disk out of service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Absent, unreadable, or not a directory (an unmounted disk).
    #[error("not a readable directory")]
    NotADirectory,
    /// The identity file exists but cannot be read.
    #[error("identity cannot be read: {0}")]
    Unreadable(String),
    #[error("unreadable identity: {0}")]
    Damaged(String),
    #[error("belongs to pool {0:?}")]
    OtherPool(String),
    #[error("is disk {found} of pool {pool:?}, configured as disk {configured}")]
    OtherSlot {
        pool: String,
        found: usize,
        configured: usize,
    },
}

impl Refusal {
    fn state(&self) -> DiskState {
        match self {
            Refusal::NotADirectory | Refusal::Unreadable(_) => DiskState::Missing,
            other => DiskState::Foreign(other.to_string()),
        }
    }
}

fn probe(name: &str, index: usize, path: &Path) -> Found {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => {}
        _ => return Found::Bad(Refusal::NotADirectory),
    }
    match std::fs::read(path.join(IDENTITY_FILE)) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Found::Blank,
        Err(e) => Found::Bad(Refusal::Unreadable(e.to_string())),
        Ok(bytes) => match serde_json::from_slice::<Identity>(&bytes) {
            Err(e) => Found::Bad(Refusal::Damaged(e.to_string())),
            Ok(id) if id.pool != name => Found::Bad(Refusal::OtherPool(id.pool)),
            Ok(id) if id.index != index => Found::Bad(Refusal::OtherSlot {
                pool: name.to_string(),
                found: id.index,
                configured: index,
            }),
            Ok(id) => Found::Identity(id),
        },
    }
}

/// What a disk's identity file says about its place in pool `pool` at slot `index`, judged
/// as [`crate::DataStore::open_pool`] judges it but without creating or rewriting anything
/// (`oosd doctor` asks this while the server runs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiskIdentity {
    /// Names this pool and slot; `members` is how many slots the pool had when last written.
    Member { uuid: String, members: usize },
    /// No identity file: open formats the disk (or gives it a dead disk's uuid).
    Blank,
    /// Open would put the disk out of service.
    Refused(Refusal),
}

pub fn inspect_disk(pool: &str, index: usize, path: &Path) -> DiskIdentity {
    match probe(pool, index, path) {
        Found::Identity(id) => DiskIdentity::Member {
            uuid: id.uuid,
            members: id.members.len(),
        },
        Found::Blank => DiskIdentity::Blank,
        Found::Bad(why) => DiskIdentity::Refused(why),
    }
}

/// The pool name recorded on a disk, if any (single-disk stores keep whatever they have).
pub(crate) fn pool_name_of(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path.join(IDENTITY_FILE)).ok()?;
    serde_json::from_slice::<Identity>(&bytes)
        .ok()
        .map(|i| i.pool)
}

/// Opens every disk: formats blank ones, checks identities, cleans temp files. Never fails
/// for one disk; the caller decides whether enough are usable.
pub(crate) fn open_disks(name: &str, paths: &[PathBuf]) -> Vec<Disk> {
    let found: Vec<Found> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| probe(name, i, p))
        .collect();
    let members: Vec<String> = (0..paths.len())
        .map(|i| {
            if let Found::Identity(id) = &found[i] {
                return id.uuid.clone();
            }
            found
                .iter()
                .find_map(|f| match f {
                    Found::Identity(id) => id.members.get(i).filter(|u| !u.is_empty()).cloned(),
                    _ => None,
                })
                .unwrap_or_else(new_uuid)
        })
        .collect();
    let mut disks = Vec::with_capacity(paths.len());
    for (i, (path, f)) in paths.iter().zip(found).enumerate() {
        let state = match f {
            Found::Bad(why) => why.state(),
            Found::Blank | Found::Identity(_) => {
                let want = Identity {
                    pool: name.to_string(),
                    uuid: members[i].clone(),
                    index: i,
                    members: members.clone(),
                };
                let current = match f {
                    Found::Identity(id) => Some(id),
                    _ => None,
                };
                match prepare(path, current.as_ref(), &want) {
                    Ok(()) => DiskState::Online,
                    Err(e) => {
                        tracing::warn!(disk = %path.display(), error = %e, "disk is not writable");
                        if current.is_some() {
                            DiskState::ReadOnly
                        } else {
                            // A blank disk we cannot format holds nothing: treat as missing.
                            DiskState::Missing
                        }
                    }
                }
            }
        };
        if state != DiskState::Online {
            tracing::warn!(disk = %path.display(), ?state, "pool {name} runs degraded");
        }
        disks.push(Disk {
            path: path.clone(),
            uuid: members[i].clone(),
            state,
        });
    }
    disks
}

/// Creates the directory tree, (re)writes the identity if it changed, removes temp files left
/// by a crash (nobody references them) and proves the disk writable.
fn prepare(root: &Path, current: Option<&Identity>, want: &Identity) -> io::Result<()> {
    for dir in ["tmp", "quarantine"] {
        std::fs::create_dir_all(root.join(dir))?;
    }
    for i in 0..=255u8 {
        let dir = root.join("data").join(format!("{i:02x}"));
        if !dir.exists() {
            std::fs::create_dir_all(&dir)?;
        }
    }
    sync_dir(&root.join("data"))?;
    for entry in std::fs::read_dir(root.join("tmp"))? {
        let _ = std::fs::remove_file(entry?.path());
    }
    if current != Some(want) {
        let tmp = root.join("tmp").join(IDENTITY_FILE);
        let json = serde_json::to_vec_pretty(want).map_err(io::Error::other)?;
        std::fs::write(&tmp, json)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, root.join(IDENTITY_FILE))?;
    } else {
        // Same proof of writability as the identity write above.
        let probe = root.join("tmp").join(".write-probe");
        std::fs::write(&probe, b"")?;
        std::fs::remove_file(&probe)?;
    }
    sync_dir(root)
}

fn new_uuid() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

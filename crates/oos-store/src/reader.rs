//! Reading a byte range of a data id, stripe by stripe. For each stripe the N data chunks are
//! read and verified; a missing or bad one brings in parity chunks and a reconstruction, so
//! the caller gets the right bytes or an error, never wrong ones. The next stripe is read
//! ahead while the caller sends this one.

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::task::JoinHandle;

use crate::codec;
use crate::shard::{self, Fault, ShardHeader};
use crate::{is_data_id, join_error, DataStore, Layout, StoreError, StoreResult};

pub(crate) enum Slot {
    /// Not looked for yet (parity is opened only when needed).
    Unknown,
    Open {
        file: File,
        path: PathBuf,
        disk: usize,
    },
    /// Found nowhere.
    Missing,
    /// Failed a check (and was quarantined) or could not be read: not used again by this read.
    Bad,
}

/// The shard files of one data id, opened lazily.
pub(crate) struct ShardSet {
    pub store: DataStore,
    pub data_id: String,
    /// The geometry every shard must share (its `index` is meaningless).
    pub hdr: ShardHeader,
    pub slots: Vec<Slot>,
    pub rank: Vec<usize>,
}

impl ShardSet {
    /// Finds the layout from the first readable shard header: the rendezvous-chosen disks
    /// first, then the format v1 name, then a listing of every disk. Blocking.
    pub fn discover(store: &DataStore, data_id: &str) -> StoreResult<ShardSet> {
        if !is_data_id(data_id) {
            return Err(StoreError::NotFound(data_id.to_string()));
        }
        let rank = store.rank(data_id);
        let readable: Vec<usize> = rank
            .iter()
            .copied()
            .filter(|&d| store.disk(d).state.readable())
            .collect();
        let mut candidates: Vec<(usize, PathBuf, usize)> = Vec::new();
        for (r, &d) in rank.iter().enumerate() {
            if store.disk(d).state.readable() {
                candidates.push((d, store.disk(d).shard_path(data_id, r), r));
            }
        }
        for &d in &readable {
            candidates.push((d, store.disk(d).legacy_path(data_id), 0));
        }
        let mut tried: HashSet<PathBuf> = HashSet::new();
        let mut corrupt = None;
        let mut listed = false;
        let mut next = 0;
        loop {
            if next == candidates.len() {
                if listed {
                    break;
                }
                // Not where rendezvous puts it (e.g. the pool's disks changed): look everywhere.
                listed = true;
                let prefix = format!("{data_id}.");
                for &d in &readable {
                    let Ok(entries) = std::fs::read_dir(store.disk(d).data_dir(data_id)) else {
                        continue;
                    };
                    for e in entries.flatten() {
                        let name = e.file_name().to_string_lossy().to_string();
                        if let Some(Ok(i)) = name.strip_prefix(&prefix).map(str::parse::<usize>) {
                            candidates.push((d, e.path(), i));
                        }
                    }
                }
                continue;
            }
            let (d, path, index) = candidates[next].clone();
            next += 1;
            if !tried.insert(path.clone()) {
                continue;
            }
            match open_shard(&path) {
                Ok((file, hdr)) if hdr.index as usize == index => {
                    let mut slots: Vec<Slot> =
                        (0..hdr.layout.shards()).map(|_| Slot::Unknown).collect();
                    slots[index] = Slot::Open {
                        file,
                        path,
                        disk: d,
                    };
                    return Ok(ShardSet {
                        store: store.clone(),
                        data_id: data_id.to_string(),
                        hdr,
                        slots,
                        rank,
                    });
                }
                Ok(_) => {
                    let fault = Fault::Corrupt("shard index mismatch".into());
                    corrupt = Some(bad(store, data_id, d, &path, &fault));
                }
                Err(Fault::Missing) => {}
                Err(fault) => corrupt = Some(bad(store, data_id, d, &path, &fault)),
            }
        }
        Err(corrupt.unwrap_or_else(|| StoreError::NotFound(data_id.to_string())))
    }

    /// Opens shard `i` if not yet looked for: its rendezvous disk first, then every disk.
    pub fn locate(&mut self, i: usize) {
        if !matches!(self.slots[i], Slot::Unknown) {
            return;
        }
        let store = self.store.clone();
        let mut order = vec![self.rank[i]];
        order.extend(self.rank.iter().copied().filter(|&d| d != self.rank[i]));
        self.slots[i] = Slot::Missing;
        for d in order {
            let disk = store.disk(d);
            if !disk.state.readable() {
                continue;
            }
            let path = disk.shard_path(&self.data_id, i);
            match open_shard(&path) {
                Ok((file, h)) if h.same_data(&self.hdr) && h.index as usize == i => {
                    self.slots[i] = Slot::Open {
                        file,
                        path,
                        disk: d,
                    };
                    return;
                }
                Ok(_) => {
                    let fault = Fault::Corrupt("header disagrees with other shards".into());
                    bad(&store, &self.data_id, d, &path, &fault);
                    self.slots[i] = Slot::Bad;
                }
                Err(Fault::Missing) => {}
                Err(fault) => {
                    bad(&store, &self.data_id, d, &path, &fault);
                    self.slots[i] = Slot::Bad;
                }
            }
        }
        if matches!(self.slots[i], Slot::Missing) {
            self.store.record_damage(&self.data_id);
        }
    }

    /// Chunk `s` of shard `i`, verified; a bad shard is quarantined and not read again.
    pub fn read(&mut self, i: usize, s: u64) -> Option<Vec<u8>> {
        self.locate(i);
        let Slot::Open { file, path, disk } = &self.slots[i] else {
            return None;
        };
        match shard::read_chunk(file, &self.hdr, s) {
            Ok(chunk) => Some(chunk),
            Err(Fault::Missing) => None,
            Err(fault) => {
                let (path, disk) = (path.clone(), *disk);
                bad(&self.store, &self.data_id, disk, &path, &fault);
                self.slots[i] = Slot::Bad;
                None
            }
        }
    }

    /// The payload bytes of stripe `s`.
    pub fn read_stripe(&mut self, s: u64) -> StoreResult<Vec<u8>> {
        let layout = self.hdr.layout;
        let want = self.hdr.stripe_len(s) as usize;
        if layout.is_replicated() {
            for i in 0..layout.shards() {
                if let Some(chunk) = self.read(i, s) {
                    return Ok(chunk);
                }
            }
            return Err(self.lost(s));
        }
        let n = layout.data as usize;
        let mut chunks: Vec<Option<Vec<u8>>> = (0..n).map(|i| self.read(i, s)).collect();
        let mut have = chunks.iter().filter(|c| c.is_some()).count();
        if have < n {
            for p in n..layout.shards() {
                let c = if have < n { self.read(p, s) } else { None };
                have += c.is_some() as usize;
                chunks.push(c);
            }
            codec::reconstruct(layout, &mut chunks, false).map_err(|why| StoreError::Corrupt {
                data_id: self.data_id.clone(),
                reason: format!("stripe {s}: {why}"),
            })?;
        }
        let mut out = Vec::with_capacity(want);
        for c in chunks.into_iter().take(n) {
            out.extend_from_slice(&c.expect("reconstructed"));
        }
        out.truncate(want);
        Ok(out)
    }

    fn lost(&self, s: u64) -> StoreError {
        StoreError::Corrupt {
            data_id: self.data_id.clone(),
            reason: format!("stripe {s}: too few intact shards of {}", self.hdr.layout),
        }
    }
}

fn open_shard(path: &Path) -> Result<(File, ShardHeader), Fault> {
    let file = File::open(path)?;
    let hdr = ShardHeader::read(&file)?;
    Ok((file, hdr))
}

/// A shard cannot be used: queue the id for heal, and move the file aside when it is wrong
/// (not when reading it failed: see [`Fault::Unreadable`]).
fn bad(store: &DataStore, data_id: &str, disk: usize, path: &Path, fault: &Fault) -> StoreError {
    let why = match fault {
        Fault::Corrupt(why) => {
            tracing::error!(data_id, path = %path.display(), why, "bad shard");
            store.disk(disk).quarantine(path);
            why
        }
        Fault::Unreadable(why) => {
            tracing::error!(data_id, path = %path.display(), why, "shard read failed");
            why
        }
        Fault::Missing => "missing",
    };
    store.record_damage(data_id);
    StoreError::Corrupt {
        data_id: data_id.to_string(),
        reason: why.to_string(),
    }
}

type StripeRead = (ShardSet, StoreResult<Vec<u8>>);

pub struct DataReader {
    data_id: String,
    /// How the data id is stored, and its whole payload in bytes (from its shard header).
    layout: Layout,
    payload: u64,
    stripe: u64,
    /// Next byte to return and the end of the range (exclusive).
    pos: u64,
    end: u64,
    set: Option<ShardSet>,
    read_ahead: Option<(u64, JoinHandle<StripeRead>)>,
}

impl DataReader {
    /// Opens `offset..offset+len`, or with `len` `None` everything from `offset` on.
    pub(crate) async fn open(
        store: DataStore,
        data_id: String,
        offset: u64,
        len: Option<u64>,
    ) -> StoreResult<DataReader> {
        let id = data_id.clone();
        let set = tokio::task::spawn_blocking(move || {
            let mut set = ShardSet::discover(&store, &id)?;
            // Open the data shards now, so the read survives a delete of the id.
            let first = if set.hdr.layout.is_replicated() {
                0
            } else {
                set.hdr.layout.data
            };
            for i in 0..first as usize {
                set.locate(i);
            }
            Ok::<_, StoreError>(set)
        })
        .await
        .map_err(join_error)??;
        let end = match len {
            Some(len) => offset.saturating_add(len),
            None => set.hdr.payload.max(offset),
        };
        if end > set.hdr.payload {
            let reason = format!(
                "range ends at {end} but the data holds {} bytes",
                set.hdr.payload
            );
            return Err(StoreError::Corrupt { data_id, reason });
        }
        Ok(DataReader {
            data_id,
            layout: set.hdr.layout,
            payload: set.hdr.payload,
            stripe: set.hdr.stripe_payload(),
            pos: offset,
            end,
            set: Some(set),
            read_ahead: None,
        })
    }

    /// The layout the data id is stored in.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Every byte the data id holds (not just the range read).
    pub fn payload_len(&self) -> u64 {
        self.payload
    }

    /// The next verified piece of the range, or `None` at its end.
    pub async fn next(&mut self) -> StoreResult<Option<Bytes>> {
        if self.pos >= self.end {
            return Ok(None);
        }
        let index = self.pos / self.stripe;
        let (set, result) = match self.read_ahead.take() {
            Some((i, task)) if i == index => task.await.map_err(join_error)?,
            other => {
                if let Some((_, task)) = other {
                    let (set, _) = task.await.map_err(join_error)?;
                    self.set = Some(set);
                }
                let set = self.set.take().expect("shard set is back after every read");
                spawn_read(set, index).await.map_err(join_error)?
            }
        };
        let stripe = match result {
            Ok(s) => Bytes::from(s),
            Err(e) => {
                self.set = Some(set);
                return Err(e);
            }
        };
        let start = (self.pos - index * self.stripe) as usize;
        let stop = ((self.end - index * self.stripe) as usize).min(stripe.len());
        if start >= stop {
            self.set = Some(set);
            return Err(StoreError::Corrupt {
                data_id: self.data_id.clone(),
                reason: format!("stripe {index} is shorter than its header says"),
            });
        }
        let piece = stripe.slice(start..stop);
        self.pos += piece.len() as u64;
        if self.pos < self.end {
            self.read_ahead = Some((index + 1, spawn_read(set, index + 1)));
        } else {
            self.set = Some(set);
        }
        Ok(Some(piece))
    }
}

fn spawn_read(mut set: ShardSet, s: u64) -> JoinHandle<StripeRead> {
    tokio::task::spawn_blocking(move || {
        let r = set.read_stripe(s);
        (set, r)
    })
}

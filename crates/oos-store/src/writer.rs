//! Writing a new data id: the payload is cut into stripes; each stripe is encoded and every
//! shard's chunk written by one blocking task while the next stripe arrives from the network
//! (one stripe in flight). At the end every live shard gets its final header and is fsynced,
//! and only if a quorum of them is durable are they renamed into place (directory fsynced).
//! A shard whose disk fails (or is offline) is dropped and reported; the write goes on while
//! a quorum is still possible.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;

use tokio::task::JoinHandle;

use crate::codec;
use crate::layout::Layout;
use crate::shard::{checksum, ShardHeader, HEADER_LEN};
use crate::{io_error, join_error, new_data_id, sync_dir, DataStore, StoreError, StoreResult};

/// What [`DataWriter::finish_with_report`] returns: the id, and the shards that did not become
/// durable (the server queues the id for heal when this is not empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub data_id: String,
    pub missing_shards: Vec<u8>,
}

/// One shard being written.
struct ShardOut {
    index: usize,
    /// Disk index; `None` if its rendezvous disk is not writable.
    disk: Option<usize>,
    file: Option<File>,
    created: bool,
    error: Option<StoreError>,
}

impl ShardOut {
    fn alive(&self) -> bool {
        self.disk.is_some() && self.error.is_none()
    }

    fn fail(&mut self, store: &DataStore, id: &str, e: StoreError) {
        tracing::warn!(data_id = id, shard = self.index, error = %e, "shard write failed");
        self.file = None;
        if let Some(d) = self.disk {
            let _ = std::fs::remove_file(store.disk(d).tmp_path(id, self.index));
        }
        self.error = Some(e);
    }
}

/// A data id being written. Dropping it before [`DataWriter::finish`] removes the temp files,
/// so a cancelled or failed upload leaves nothing behind.
pub struct DataWriter {
    store: DataStore,
    data_id: String,
    layout: Layout,
    shard_chunk: usize,
    stripe: usize,
    buf: Vec<u8>,
    shards: Option<Vec<ShardOut>>,
    in_flight: Option<JoinHandle<Vec<ShardOut>>>,
    len: u64,
    finished: bool,
}

impl DataWriter {
    pub(crate) fn new(store: DataStore, layout: Layout) -> DataWriter {
        let data_id = new_data_id();
        let rank = store.rank(&data_id);
        let shards = (0..layout.shards())
            .map(|i| {
                let d = rank[i];
                ShardOut {
                    index: i,
                    disk: store.disk(d).writable().then_some(d),
                    file: None,
                    created: false,
                    error: None,
                }
            })
            .collect();
        let shard_chunk = layout.shard_chunk(store.chunk_size());
        let stripe = if layout.is_replicated() {
            shard_chunk
        } else {
            shard_chunk * layout.data as usize
        };
        DataWriter {
            buf: Vec::with_capacity(stripe),
            store,
            data_id,
            layout,
            shard_chunk,
            stripe,
            shards: Some(shards),
            in_flight: None,
            len: 0,
            finished: false,
        }
    }

    pub fn data_id(&self) -> &str {
        &self.data_id
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Bytes accepted so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub async fn write(&mut self, mut data: &[u8]) -> StoreResult<()> {
        self.len += data.len() as u64;
        while !data.is_empty() {
            let take = (self.stripe - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == self.stripe {
                let stripe = std::mem::replace(&mut self.buf, Vec::with_capacity(self.stripe));
                self.write_stripe(stripe).await?;
            }
        }
        Ok(())
    }

    /// Makes the data durable and visible under its id. Returns the data id.
    pub async fn finish(self) -> StoreResult<String> {
        Ok(self.finish_with_report().await?.data_id)
    }

    /// Like [`DataWriter::finish`], also naming the shards that are missing (written below
    /// full redundancy but at quorum).
    pub async fn finish_with_report(mut self) -> StoreResult<WriteReport> {
        if !self.buf.is_empty() {
            let stripe = std::mem::take(&mut self.buf);
            self.write_stripe(stripe).await?;
        }
        let mut shards = self.take_shards().await?;
        let store = self.store.clone();
        let id = self.data_id.clone();
        let hdr = ShardHeader::new(self.layout, 0, self.shard_chunk, self.len);
        let quorum = self.layout.write_quorum();
        let layout = self.layout;
        let result = tokio::task::spawn_blocking(move || {
            // Header and fsync on every disk at once: the slowest disk, not the sum, bounds it.
            std::thread::scope(|s| {
                for sh in shards.iter_mut().filter(|s| s.alive()) {
                    let store = &store;
                    let id = &id;
                    s.spawn(move || {
                        let r = make_durable(store, id, sh, hdr);
                        if let Err(e) = r {
                            sh.fail(store, id, io_error(e));
                        }
                    });
                }
            });
            quorum_or_cleanup(&store, &id, &mut shards, layout, quorum, false)?;
            // Now publish: rename into place and make the directory entry durable.
            for sh in shards.iter_mut().filter(|s| s.alive()) {
                let disk = store.disk(sh.disk.expect("alive"));
                let target = disk.shard_path(&id, sh.index);
                let r = std::fs::rename(disk.tmp_path(&id, sh.index), &target)
                    .and_then(|()| sync_dir(&disk.data_dir(&id)));
                if let Err(e) = r {
                    let _ = std::fs::remove_file(&target);
                    sh.fail(&store, &id, io_error(e));
                }
            }
            quorum_or_cleanup(&store, &id, &mut shards, layout, quorum, true)?;
            let missing: Vec<u8> = shards
                .iter()
                .filter(|s| !s.alive())
                .map(|s| s.index as u8)
                .collect();
            if !missing.is_empty() {
                store.record_damage(&id);
            }
            Ok(WriteReport {
                data_id: id,
                missing_shards: missing,
            })
        })
        .await
        .map_err(join_error)?;
        // Success or not, nothing is left in tmp/ for Drop to remove.
        self.finished = true;
        result
    }

    async fn write_stripe(&mut self, mut stripe: Vec<u8>) -> StoreResult<()> {
        let mut shards = self.take_shards().await?;
        let store = self.store.clone();
        let id = self.data_id.clone();
        let layout = self.layout;
        let full_chunk = self.shard_chunk;
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            // Data chunks are written straight from the stripe buffer; only parity is new.
            let (len, parity) = if layout.is_replicated() {
                (stripe.len(), Vec::new())
            } else {
                let n = layout.data as usize;
                let len = if stripe.len() == full_chunk * n {
                    full_chunk
                } else {
                    stripe.len().div_ceil(n).next_multiple_of(2)
                };
                // Zero padding exists only for the coding; the header's payload size says
                // where the data ends.
                stripe.resize(len * n, 0);
                let data: Vec<&[u8]> = stripe.chunks(len).collect();
                match codec::encode(layout, &data) {
                    Ok(parity) => (len, parity),
                    Err(e) => {
                        for sh in shards.iter_mut().filter(|s| s.alive()) {
                            sh.fail(
                                &store,
                                &id,
                                StoreError::Io(std::io::Error::other(e.clone())),
                            );
                        }
                        return shards;
                    }
                }
            };
            let n = layout.data as usize;
            for sh in shards.iter_mut().filter(|s| s.alive()) {
                let chunk: &[u8] = if layout.is_replicated() {
                    &stripe
                } else if sh.index < n {
                    &stripe[sh.index * len..(sh.index + 1) * len]
                } else {
                    &parity[sh.index - n]
                };
                if let Err(e) = write_chunk(&store, &id, sh, chunk) {
                    sh.fail(&store, &id, io_error(e));
                }
            }
            shards
        }));
        Ok(())
    }

    /// The shards, once the stripe in flight (if any) is written; fails early once the quorum
    /// can no longer be met, rather than streaming the rest of the upload to nowhere.
    async fn take_shards(&mut self) -> StoreResult<Vec<ShardOut>> {
        let shards = match self.in_flight.take() {
            Some(task) => task.await.map_err(join_error)?,
            None => self
                .shards
                .take()
                .expect("shards are back after every stripe"),
        };
        let alive = shards.iter().filter(|s| s.alive()).count();
        if alive < self.layout.write_quorum() {
            let err = quorum_error(&shards, self.layout, alive);
            self.shards = Some(shards);
            return Err(err);
        }
        Ok(shards)
    }
}

fn write_chunk(
    store: &DataStore,
    id: &str,
    sh: &mut ShardOut,
    chunk: &[u8],
) -> std::io::Result<()> {
    let file = open_tmp(store, id, sh)?;
    file.write_all(chunk)?;
    file.write_all(&checksum(chunk))
}

/// The shard's temp file, created on first use with a placeholder header (the payload size is
/// known only at the end; the file is not visible until renamed, so patching it is safe).
fn open_tmp<'a>(
    store: &DataStore,
    id: &str,
    sh: &'a mut ShardOut,
) -> std::io::Result<&'a mut File> {
    if !sh.created {
        let disk = store.disk(sh.disk.expect("alive"));
        sh.created = true;
        let mut file = File::options()
            .write(true)
            .create_new(true)
            .open(disk.tmp_path(id, sh.index))?;
        file.write_all(&[0u8; HEADER_LEN as usize])?;
        sh.file = Some(file);
    }
    Ok(sh.file.as_mut().expect("created"))
}

fn make_durable(
    store: &DataStore,
    id: &str,
    sh: &mut ShardOut,
    mut hdr: ShardHeader,
) -> std::io::Result<()> {
    hdr.index = sh.index as u8;
    let file = open_tmp(store, id, sh)?;
    file.write_all_at(&hdr.encode(), 0)?;
    file.sync_all()?;
    sh.file = None;
    Ok(())
}

fn quorum_error(shards: &[ShardOut], layout: Layout, alive: usize) -> StoreError {
    // Out of space is what the client must hear (507), not a retryable 503.
    if shards
        .iter()
        .any(|s| matches!(s.error, Some(StoreError::DiskFull)))
    {
        return StoreError::DiskFull;
    }
    let offline = shards.iter().filter(|s| s.disk.is_none()).count();
    let failed: Vec<String> = shards
        .iter()
        .filter_map(|s| s.error.as_ref().map(|e| format!("shard {}: {e}", s.index)))
        .collect();
    StoreError::QuorumLost(format!(
        "{alive} of {} shards of {layout} writable, {} needed ({offline} on offline disks; {})",
        layout.shards(),
        layout.write_quorum(),
        failed.join("; ")
    ))
}

/// Below quorum: removes every shard of the id (temp and, once published, final) so that
/// nothing of a failed write is visible, and returns the error.
fn quorum_or_cleanup(
    store: &DataStore,
    id: &str,
    shards: &mut [ShardOut],
    layout: Layout,
    quorum: usize,
    published: bool,
) -> StoreResult<()> {
    let alive = shards.iter().filter(|s| s.alive()).count();
    if alive >= quorum {
        return Ok(());
    }
    let err = quorum_error(shards, layout, alive);
    for sh in shards.iter_mut() {
        if let Some(d) = sh.disk {
            let disk = store.disk(d);
            let _ = std::fs::remove_file(disk.tmp_path(id, sh.index));
            if published {
                let _ = std::fs::remove_file(disk.shard_path(id, sh.index));
            }
        }
    }
    Err(err)
}

impl Drop for DataWriter {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // A stripe still in flight may create its file after this; abort cannot stop a
        // blocking task, so removal of such a straggler is left to the next open's tmp/ sweep.
        if let Some(task) = self.in_flight.take() {
            task.abort();
        }
        let rank = self.store.rank(&self.data_id);
        for (i, &d) in rank.iter().enumerate().take(self.layout.shards()) {
            let _ = std::fs::remove_file(self.store.disk(d).tmp_path(&self.data_id, i));
        }
    }
}

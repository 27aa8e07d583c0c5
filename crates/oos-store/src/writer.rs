//! Writing a new data id. Every shard has its own lane: a blocking task that appends that
//! shard's bytes to its temp file, closing each chunk with its checksum, fed through a short
//! queue, so the N+M chunks of a stripe are written in parallel and a slow disk holds up only
//! its own lane until that queue is full. Replicas are fed as the payload arrives (every lane
//! gets the same bytes), so little is left to write when the body ends; erasure-coded stripes
//! are encoded on blocking threads a few stripes ahead of the lanes, while the next stripe
//! arrives from the network.
//! At the end every lane writes its shard's final header and fsyncs; only if a quorum of
//! shards is durable does every lane rename its file into place and fsync the directory,
//! again all disks at once. A shard whose disk fails (or is offline) is dropped and reported;
//! the write goes on while a quorum is still possible.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use xxhash_rust::xxh3::Xxh3Default;

use crate::codec;
use crate::layout::Layout;
use crate::shard::{ShardHeader, HEADER_LEN};
use crate::{
    io_error, join_error, new_data_id, rename, sync_dir, sync_file, DataStore, StoreError,
    StoreResult,
};

/// Pieces queued per shard lane: enough to keep a disk busy while the network delivers the
/// next, few enough that a writer holds a few MiB at most.
const LANE_DEPTH: usize = 2;
/// Replicas are handed to the lanes in pieces of this size (a lane wakes once per piece).
const REPLICA_PIECE: usize = 256 * 1024;
/// A lane asks the kernel to start writing its file back every this many bytes, so the disk
/// works while the rest of the body arrives and the final fsync finds little left to flush.
/// (Only a start: durability still comes from that fsync.)
const WRITEBACK_EVERY: u64 = 8 * 1024 * 1024;
/// Erasure-coded stripes being encoded before their chunks are queued to the lanes.
const ENCODE_AHEAD: usize = 1;

/// What [`DataWriter::finish_with_report`] returns: the id, and the shards that did not become
/// durable (the server queues the id for heal when this is not empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub data_id: String,
    pub missing_shards: Vec<u8>,
}

/// What a lane and its writer share.
#[derive(Default)]
struct LaneShared {
    /// The shard's write failed: the lane has removed its file and ignores further chunks.
    error: Option<StoreError>,
    /// The writer was dropped unfinished: the lane must not create its file any more.
    abandoned: bool,
}

enum Job {
    /// The shard's next bytes (a whole erasure-coded chunk, or any piece of a replica).
    Data(Bytes),
    /// Write the final header and fsync; answer when done (the outcome is in `LaneShared`).
    Seal(ShardHeader, oneshot::Sender<()>),
    /// Rename into place and fsync the directory; answer when done, then the lane ends.
    Publish(oneshot::Sender<()>),
}

/// The writer's handle on one shard.
struct Lane {
    index: usize,
    /// Disk index; `None` if its rendezvous disk is not writable.
    disk: Option<usize>,
    shared: Arc<Mutex<LaneShared>>,
    jobs: Option<mpsc::Sender<Job>>,
}

impl Lane {
    fn shared(&self) -> MutexGuard<'_, LaneShared> {
        lock(&self.shared)
    }

    fn alive(&self) -> bool {
        self.disk.is_some() && self.shared().error.is_none()
    }

    /// Queues a job; a lane that has gone away (it panicked) counts as failed.
    async fn send(&mut self, job: Job) {
        let Some(tx) = &self.jobs else { return };
        if tx.send(job).await.is_err() {
            self.jobs = None;
            self.shared().error.get_or_insert_with(lane_died);
        }
    }
}

fn lane_died() -> StoreError {
    StoreError::Io(std::io::Error::other("shard writer ended unexpectedly"))
}

fn lock(shared: &Mutex<LaneShared>) -> MutexGuard<'_, LaneShared> {
    shared.lock().unwrap_or_else(|e| e.into_inner())
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
    lanes: Vec<Lane>,
    lanes_started: bool,
    /// Stripes being encoded, oldest first (their chunks go to the lanes in this order).
    encoding: VecDeque<JoinHandle<Result<Vec<Bytes>, String>>>,
    len: u64,
    finished: bool,
}

impl DataWriter {
    pub(crate) fn new(store: DataStore, layout: Layout) -> DataWriter {
        let data_id = new_data_id();
        let rank = store.rank(&data_id);
        let lanes = (0..layout.shards())
            .map(|i| Lane {
                index: i,
                disk: store.disk(rank[i]).writable().then_some(rank[i]),
                shared: Arc::default(),
                jobs: None,
            })
            .collect();
        let shard_chunk = layout.shard_chunk(store.chunk_size());
        let stripe = if layout.is_replicated() {
            shard_chunk
        } else {
            shard_chunk * layout.data as usize
        };
        DataWriter {
            buf: Vec::new(),
            store,
            data_id,
            layout,
            shard_chunk,
            stripe,
            lanes,
            lanes_started: false,
            encoding: VecDeque::new(),
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
        let batch = if self.layout.is_replicated() {
            REPLICA_PIECE.min(self.stripe)
        } else {
            self.stripe
        };
        while !data.is_empty() {
            let take = (batch - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == batch {
                let stripe = std::mem::replace(&mut self.buf, Vec::with_capacity(batch));
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
        while !self.encoding.is_empty() {
            self.dispatch_oldest().await?;
        }
        self.start_lanes();
        let hdr = ShardHeader::new(self.layout, 0, self.shard_chunk, self.len);
        // Header and fsync on every disk at once: the slowest disk, not the sum, bounds it.
        self.all_alive(|lane, done| {
            let mut hdr = hdr;
            hdr.index = lane.index as u8;
            Job::Seal(hdr, done)
        })
        .await;
        self.check_quorum()?;
        // Durable at quorum: publish (rename into place, make the directory entry durable).
        self.all_alive(|_, done| Job::Publish(done)).await;
        if let Err(e) = self.check_quorum() {
            self.withdraw().await;
            return Err(e);
        }
        let missing: Vec<u8> = self
            .lanes
            .iter()
            .filter(|l| !l.alive())
            .map(|l| l.index as u8)
            .collect();
        if !missing.is_empty() {
            self.store.record_damage(&self.data_id);
        }
        self.finished = true;
        Ok(WriteReport {
            data_id: self.data_id.clone(),
            missing_shards: missing,
        })
    }

    /// Sends each live lane the job `make` builds and waits until every one has answered.
    async fn all_alive(&mut self, make: impl Fn(&Lane, oneshot::Sender<()>) -> Job) {
        let mut answers = Vec::new();
        for (i, lane) in self.lanes.iter_mut().enumerate() {
            if lane.alive() {
                let (done, answer) = oneshot::channel();
                let job = make(lane, done);
                lane.send(job).await;
                answers.push((i, answer));
            }
        }
        for (i, answer) in answers {
            // No answer: the lane died (it panicked); the outcome is in its shared state
            // otherwise.
            if answer.await.is_err() {
                self.lanes[i].shared().error.get_or_insert_with(lane_died);
            }
        }
    }

    /// Below quorum after publishing: removes every published shard again, so nothing of the
    /// failed write stays visible.
    async fn withdraw(&mut self) {
        let store = self.store.clone();
        let id = self.data_id.clone();
        let targets: Vec<PathBuf> = self
            .lanes
            .iter()
            .filter_map(|l| l.disk.map(|d| store.disk(d).shard_path(&id, l.index)))
            .collect();
        let _ = tokio::task::spawn_blocking(move || {
            for t in targets {
                let _ = std::fs::remove_file(t);
            }
        })
        .await;
    }

    /// Hands a stripe (for replicas: any piece) to the lanes.
    async fn write_stripe(&mut self, mut stripe: Vec<u8>) -> StoreResult<()> {
        self.start_lanes();
        if self.layout.is_replicated() {
            // Every replica is the payload itself.
            let chunks = vec![Bytes::from(stripe); self.layout.shards()];
            return self.dispatch(chunks).await;
        }
        let layout = self.layout;
        let full_chunk = self.shard_chunk;
        self.encoding
            .push_back(tokio::task::spawn_blocking(move || {
                let n = layout.data as usize;
                let len = if stripe.len() == full_chunk * n {
                    full_chunk
                } else {
                    stripe.len().div_ceil(n).next_multiple_of(2)
                };
                // Zero padding exists only for the coding; the header's payload size says where
                // the data ends.
                stripe.resize(len * n, 0);
                let parity = {
                    let data: Vec<&[u8]> = stripe.chunks(len).collect();
                    codec::encode(layout, &data)?
                };
                // Data chunks are slices of the stripe buffer; only parity is new.
                let stripe = Bytes::from(stripe);
                Ok((0..n)
                    .map(|i| stripe.slice(i * len..(i + 1) * len))
                    .chain(parity.into_iter().map(Bytes::from))
                    .collect())
            }));
        if self.encoding.len() > ENCODE_AHEAD {
            self.dispatch_oldest().await?;
        }
        Ok(())
    }

    async fn dispatch_oldest(&mut self) -> StoreResult<()> {
        let task = self
            .encoding
            .pop_front()
            .expect("a stripe is being encoded");
        match task.await.map_err(join_error)? {
            Ok(chunks) => self.dispatch(chunks).await,
            Err(e) => Err(StoreError::Io(std::io::Error::other(e))),
        }
    }

    /// Queues shard i's bytes to lane i; fails early once the quorum can no longer be met,
    /// rather than streaming the rest of the upload to nowhere.
    async fn dispatch(&mut self, chunks: Vec<Bytes>) -> StoreResult<()> {
        for (lane, chunk) in self.lanes.iter_mut().zip(chunks) {
            if lane.alive() {
                lane.send(Job::Data(chunk)).await;
            }
        }
        self.check_quorum()
    }

    fn check_quorum(&self) -> StoreResult<()> {
        let alive = self.lanes.iter().filter(|l| l.alive()).count();
        if alive >= self.layout.write_quorum() {
            return Ok(());
        }
        Err(quorum_error(&self.lanes, self.layout, alive))
    }

    /// Starts a blocking task per writable shard (on the first stripe, or at the end of an
    /// empty write).
    fn start_lanes(&mut self) {
        if std::mem::replace(&mut self.lanes_started, true) {
            return;
        }
        for lane in &mut self.lanes {
            let Some(disk) = lane.disk else { continue };
            let (tx, rx) = mpsc::channel(LANE_DEPTH);
            lane.jobs = Some(tx);
            let out = ShardFile {
                chunk: self.shard_chunk,
                in_chunk: 0,
                sum: Xxh3Default::new(),
                written: HEADER_LEN,
                flushed: 0,
                tmp: self.store.disk(disk).tmp_path(&self.data_id, lane.index),
                target: self.store.disk(disk).shard_path(&self.data_id, lane.index),
                dir: self.store.disk(disk).data_dir(&self.data_id),
                file: None,
                shared: lane.shared.clone(),
            };
            tokio::task::spawn_blocking(move || out.run(rx));
        }
    }
}

/// One lane's side: the shard's temp file and where it goes.
struct ShardFile {
    /// Bytes of a full chunk; every chunk but the last is full.
    chunk: usize,
    /// Bytes of the current chunk written so far, and their running checksum.
    in_chunk: usize,
    sum: Xxh3Default,
    /// Bytes appended to the file, and how many of them writeback was started for.
    written: u64,
    flushed: u64,
    tmp: PathBuf,
    target: PathBuf,
    dir: PathBuf,
    file: Option<File>,
    shared: Arc<Mutex<LaneShared>>,
}

impl ShardFile {
    fn run(mut self, mut jobs: mpsc::Receiver<Job>) {
        while let Some(job) = jobs.blocking_recv() {
            let failed = lock(&self.shared).error.is_some();
            match job {
                Job::Data(data) if !failed => {
                    let r = self.append(&data);
                    self.record(r);
                }
                Job::Data(_) => {}
                Job::Seal(hdr, done) => {
                    if !failed {
                        let r = self.seal(hdr);
                        self.record(r);
                    }
                    let _ = done.send(());
                }
                Job::Publish(done) => {
                    if !failed {
                        let r = rename(&self.tmp, &self.target).and_then(|()| sync_dir(&self.dir));
                        if let Err(e) = r {
                            let _ = std::fs::remove_file(&self.target);
                            self.record(Err(e));
                        }
                    }
                    let _ = done.send(());
                    return;
                }
            }
        }
        // The writer went away before publishing: nothing of this shard stays.
        self.file = None;
        let _ = std::fs::remove_file(&self.tmp);
    }

    fn record(&mut self, r: std::io::Result<()>) {
        if let Err(e) = r {
            let e = io_error(e);
            tracing::warn!(path = %self.tmp.display(), error = %e, "shard write failed");
            self.file = None;
            let _ = std::fs::remove_file(&self.tmp);
            lock(&self.shared).error.get_or_insert(e);
        }
    }

    /// The temp file, created on first use with a placeholder header (the payload size is
    /// known only at the end; the file is not visible until renamed, so patching it is safe).
    fn file(&mut self) -> std::io::Result<&mut File> {
        if self.file.is_none() {
            // Under the lock, so a writer dropped meanwhile either sees the file and removes
            // it, or this sees `abandoned` and creates nothing.
            let shared = lock(&self.shared);
            if shared.abandoned {
                return Err(std::io::Error::other("write abandoned"));
            }
            let mut file = File::options()
                .write(true)
                .create_new(true)
                .open(&self.tmp)?;
            drop(shared);
            file.write_all(&[0u8; HEADER_LEN as usize])?;
            self.file = Some(file);
        }
        Ok(self.file.as_mut().expect("created"))
    }

    /// Appends payload bytes, closing every full chunk with its checksum.
    fn append(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            let take = (self.chunk - self.in_chunk).min(data.len());
            self.file()?.write_all(&data[..take])?;
            self.written += take as u64;
            self.sum.update(&data[..take]);
            self.in_chunk += take;
            data = &data[take..];
            if self.in_chunk == self.chunk {
                self.close_chunk()?;
            }
        }
        if self.written - self.flushed >= WRITEBACK_EVERY {
            self.start_writeback();
        }
        Ok(())
    }

    fn start_writeback(&mut self) {
        let Some(file) = &self.file else { return };
        // SAFETY: sync_file_range only reads its arguments; the fd is open for as long as
        // `file` lives. A failure is harmless here (the final fsync reports real errors).
        unsafe {
            libc::sync_file_range(
                std::os::fd::AsRawFd::as_raw_fd(file),
                self.flushed as libc::off64_t,
                (self.written - self.flushed) as libc::off64_t,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.flushed = self.written;
    }

    fn close_chunk(&mut self) -> std::io::Result<()> {
        let sum = self.sum.digest().to_le_bytes();
        self.sum.reset();
        self.in_chunk = 0;
        self.written += sum.len() as u64;
        self.file()?.write_all(&sum)
    }

    fn seal(&mut self, hdr: ShardHeader) -> std::io::Result<()> {
        // The last chunk may be short; it ends here.
        if self.in_chunk > 0 {
            self.close_chunk()?;
        }
        let file = self.file()?;
        file.write_all_at(&hdr.encode(), 0)?;
        sync_file(file)?;
        self.file = None;
        Ok(())
    }
}

fn quorum_error(lanes: &[Lane], layout: Layout, alive: usize) -> StoreError {
    let errors: Vec<(usize, String, bool)> = lanes
        .iter()
        .filter_map(|l| {
            let shared = l.shared();
            let e = shared.error.as_ref()?;
            Some((l.index, e.to_string(), matches!(e, StoreError::DiskFull)))
        })
        .collect();
    // Out of space is what the client must hear (507), not a retryable 503.
    if errors.iter().any(|(_, _, full)| *full) {
        return StoreError::DiskFull;
    }
    let offline = lanes.iter().filter(|l| l.disk.is_none()).count();
    let failed: Vec<String> = errors
        .iter()
        .map(|(i, e, _)| format!("shard {i}: {e}"))
        .collect();
    StoreError::QuorumLost(format!(
        "{alive} of {} shards of {layout} writable, {} needed ({offline} on offline disks; {})",
        layout.shards(),
        layout.write_quorum(),
        failed.join("; ")
    ))
}

impl Drop for DataWriter {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        // Stripes being encoded finish on their own; their chunks go nowhere.
        for task in self.encoding.drain(..) {
            task.abort();
        }
        // Closing the queues ends the lanes; marking them abandoned first means none creates
        // its file after this, so once dropped nothing of the write is left in tmp/.
        for lane in &mut self.lanes {
            lane.jobs = None;
            let Some(d) = lane.disk else { continue };
            let mut shared = lane.shared();
            shared.abandoned = true;
            let _ = std::fs::remove_file(self.store.disk(d).tmp_path(&self.data_id, lane.index));
        }
    }
}

//! Writing a new data id: chunks are checksummed and written by a blocking task while the next
//! chunk arrives from the network (one chunk in flight), then fsync → rename → fsync directory.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;

use tokio::task::JoinHandle;

use crate::format::{checksum, header};
use crate::{io_error, join_error, new_data_id, sync_dir, DataStore, StoreResult};

/// A data id being written. Dropping it before [`DataWriter::finish`] removes the temp file,
/// so a cancelled or failed upload leaves nothing behind.
pub struct DataWriter {
    store: DataStore,
    data_id: String,
    tmp_path: PathBuf,
    buf: Vec<u8>,
    file: Option<File>,
    in_flight: Option<JoinHandle<std::io::Result<File>>>,
    len: u64,
    finished: bool,
}

impl DataWriter {
    pub(crate) fn new(store: DataStore) -> DataWriter {
        let data_id = new_data_id();
        let tmp_path = store.tmp_dir().join(&data_id);
        DataWriter {
            buf: Vec::with_capacity(store.chunk_size),
            store,
            data_id,
            tmp_path,
            file: None,
            in_flight: None,
            len: 0,
            finished: false,
        }
    }

    pub fn data_id(&self) -> &str {
        &self.data_id
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
        let cs = self.store.chunk_size;
        while !data.is_empty() {
            let take = (cs - self.buf.len()).min(data.len());
            self.buf.extend_from_slice(&data[..take]);
            data = &data[take..];
            if self.buf.len() == cs {
                let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(cs));
                self.write_chunk(chunk).await?;
            }
        }
        Ok(())
    }

    /// Makes the data durable and visible under its id. Returns the data id.
    pub async fn finish(mut self) -> StoreResult<String> {
        if !self.buf.is_empty() {
            let chunk = std::mem::take(&mut self.buf);
            self.write_chunk(chunk).await?;
        }
        let file = self.take_file().await?;
        let tmp = self.tmp_path.clone();
        let target = self.store.data_path(&self.data_id)?;
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            file.sync_all()?;
            drop(file);
            std::fs::rename(&tmp, &target)?;
            sync_dir(target.parent().expect("data files live in a subdirectory"))
        })
        .await
        .map_err(join_error)?
        .map_err(io_error)?;
        self.finished = true;
        Ok(self.data_id.clone())
    }

    async fn write_chunk(&mut self, chunk: Vec<u8>) -> StoreResult<()> {
        let mut file = self.take_file().await?;
        self.in_flight = Some(tokio::task::spawn_blocking(move || {
            file.write_all(&chunk)?;
            file.write_all(&checksum(&chunk))?;
            Ok(file)
        }));
        Ok(())
    }

    /// The file, once the write in flight (if any) has finished; created on first use.
    async fn take_file(&mut self) -> StoreResult<File> {
        if let Some(task) = self.in_flight.take() {
            return task.await.map_err(join_error)?.map_err(io_error);
        }
        if let Some(file) = self.file.take() {
            return Ok(file);
        }
        let path = self.tmp_path.clone();
        let chunk_size = self.store.chunk_size;
        tokio::task::spawn_blocking(move || {
            let mut file = File::options().write(true).create_new(true).open(path)?;
            file.write_all(&header(chunk_size))?;
            Ok(file)
        })
        .await
        .map_err(join_error)?
        .map_err(io_error)
    }
}

impl Drop for DataWriter {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_file(&self.tmp_path);
        }
    }
}

//! Reading a byte range of a data id, chunk by chunk, verifying each chunk's checksum before
//! any of its bytes are returned. The next chunk is read ahead while the caller sends this one.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use bytes::Bytes;
use tokio::task::JoinHandle;

use crate::format::{self, CHECKSUM_LEN, HEADER_LEN};
use crate::{join_error, DataStore, StoreError, StoreResult};

type ChunkRead = StoreResult<(File, Bytes)>;

pub struct DataReader {
    store: DataStore,
    data_id: String,
    chunk_size: usize,
    /// Next byte to return and the end of the range (exclusive).
    pos: u64,
    end: u64,
    payload_len: u64,
    file: Option<File>,
    read_ahead: Option<(u64, JoinHandle<ChunkRead>)>,
}

impl DataReader {
    pub(crate) async fn open(
        store: DataStore,
        data_id: String,
        offset: u64,
        len: u64,
    ) -> StoreResult<DataReader> {
        let path = store.data_path(&data_id)?;
        let id = data_id.clone();
        let (file, chunk_size, payload_len) = tokio::task::spawn_blocking(move || {
            let mut file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(StoreError::NotFound(id))
                }
                Err(e) => return Err(e.into()),
            };
            let mut h = [0u8; HEADER_LEN as usize];
            let file_len = file.metadata()?.len();
            let parsed = file
                .read_exact(&mut h)
                .ok()
                .and_then(|_| format::parse_header(&h))
                .and_then(|cs| Some((cs, format::payload_len(file_len, cs)?)));
            match parsed {
                Some((cs, payload)) => Ok((file, cs, payload)),
                None => Err(StoreError::Corrupt {
                    data_id: id,
                    reason: "bad header or length".into(),
                }),
            }
        })
        .await
        .map_err(join_error)?
        .inspect_err(|e| {
            if matches!(e, StoreError::Corrupt { .. }) {
                store.quarantine(&data_id);
            }
        })?;
        let end = offset.saturating_add(len);
        if end > payload_len {
            let reason = format!("range ends at {end} but the data holds {payload_len} bytes");
            return Err(StoreError::Corrupt { data_id, reason });
        }
        Ok(DataReader {
            store,
            data_id,
            chunk_size,
            pos: offset,
            end,
            payload_len,
            file: Some(file),
            read_ahead: None,
        })
    }

    /// The next verified piece of the range, or `None` at its end.
    pub async fn next(&mut self) -> StoreResult<Option<Bytes>> {
        if self.pos >= self.end {
            return Ok(None);
        }
        let cs = self.chunk_size as u64;
        let index = self.pos / cs;
        let chunk = match self.read_ahead.take() {
            Some((i, task)) if i == index => task.await.map_err(join_error)?,
            _ => {
                let file = self.file.take().expect("file is back after every read");
                self.spawn_read(file, index).await.map_err(join_error)?
            }
        };
        let (file, chunk) = match chunk {
            Ok(ok) => ok,
            Err(e) => {
                if matches!(e, StoreError::Corrupt { .. }) {
                    self.store.quarantine(&self.data_id);
                }
                return Err(e);
            }
        };
        let start = (self.pos - index * cs) as usize;
        let stop = ((self.end - index * cs) as usize).min(chunk.len());
        let piece = chunk.slice(start..stop);
        self.pos += piece.len() as u64;
        if self.pos < self.end {
            let next = self.spawn_read(file, index + 1);
            self.read_ahead = Some((index + 1, next));
        } else {
            self.file = Some(file);
        }
        Ok(Some(piece))
    }

    fn spawn_read(&self, mut file: File, index: u64) -> JoinHandle<ChunkRead> {
        let cs = self.chunk_size as u64;
        let len = cs.min(self.payload_len - index * cs) as usize;
        let data_id = self.data_id.clone();
        tokio::task::spawn_blocking(move || {
            let offset = HEADER_LEN + index * (cs + CHECKSUM_LEN);
            let want = len + CHECKSUM_LEN as usize;
            // read_to_end fills spare capacity without zeroing it first.
            let mut buf = Vec::with_capacity(want);
            file.seek(SeekFrom::Start(offset))?;
            (&mut file).take(want as u64).read_to_end(&mut buf)?;
            if buf.len() != want {
                return Err(StoreError::Corrupt {
                    data_id,
                    reason: format!("chunk {index} is truncated"),
                });
            }
            let (data, sum) = buf.split_at(len);
            if format::checksum(data) != sum {
                return Err(StoreError::Corrupt {
                    data_id,
                    reason: format!("checksum mismatch in chunk {index}"),
                });
            }
            buf.truncate(len);
            Ok((file, Bytes::from(buf)))
        })
    }
}

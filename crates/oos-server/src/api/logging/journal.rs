//! Durable batching and delivery of access-log records.
//!
//! Records of one source bucket going to one destination (target bucket and prefix) share a
//! directory `<data_dir>/logs/<source>-<hash>/` holding:
//!
//! - `dest.json`: where its records go (written once, by rename, before the first record);
//! - `journal`: the open batch; each record is one `write` of a whole line in append mode, so
//!   a record is in the page cache, and survives a crash of the process, before its response
//!   is sent;
//! - `seg-<millis>-<random>`: sealed batches. Sealing renames `journal` (atomic) under the same
//!   lock that every append takes, so no record can land in a sealed segment.
//!
//! Every `log_flush_seconds` (config, default 300) of server-clock time all journals are sealed (a journal that
//! reaches `MAX_JOURNAL_BYTES` is sealed at once), and the delivery task stores each sealed
//! segment as the object `{prefix}{YYYY-mm-DD-HH-MM-SS}-{random}` whose time and unique part
//! both come from the segment's name, and only then removes the segment. A crash between the
//! two steps delivers the segment again after the restart under the same key, overwriting the
//! first copy: no record is lost, none is delivered twice. A torn last line (no newline) is
//! never delivered.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use md5::{Digest, Md5};
use oos_meta::{DataRef, Object, ObjectAttrs};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::macros::format_description;
use time::OffsetDateTime;

use crate::error::S3Error;
use crate::state::Server;

/// How often records are delivered, in server-clock time (the config has no key for it).
/// A journal this large is sealed and delivered without waiting for the interval.
pub const MAX_JOURNAL_BYTES: u64 = 1 << 20;
/// How often the delivery task looks for work.
const TICK: Duration = Duration::from_secs(1);
const JOURNAL: &str = "journal";
const DEST: &str = "dest.json";
const SEGMENT: &str = "seg-";

/// Where the records of one directory go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dest {
    pub source: String,
    /// Owner of the source bucket: the target must still belong to them at delivery.
    pub owner: String,
    pub target: String,
    pub prefix: String,
}

struct OpenJournal {
    file: File,
    bytes: u64,
}

/// The open journals of this process, by directory. Every append and every seal holds it.
static OPEN: LazyLock<Mutex<HashMap<PathBuf, OpenJournal>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn logs_root(server: &Server) -> PathBuf {
    server.config.data_dir.join("logs")
}

fn dir_for(root: &Path, dest: &Dest) -> PathBuf {
    let mut h = Sha256::new();
    for part in [&dest.source, &dest.owner, &dest.target, &dest.prefix] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let hash = hex::encode(h.finalize());
    root.join(format!("{}-{}", dest.source, &hash[..16]))
}

/// Appends one record (a line without its newline) to the journal of `dest`.
pub fn append(server: &Server, dest: &Dest, line: &str, now_ms: i64) -> io::Result<()> {
    let dir = dir_for(&logs_root(server), dest);
    let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    if !open.contains_key(&dir) {
        let journal = open_journal(&dir, dest)?;
        open.insert(dir.clone(), journal);
    }
    let journal = open.get_mut(&dir).expect("inserted above");
    let mut buf = Vec::with_capacity(line.len() + 1);
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    journal.file.write_all(&buf)?;
    journal.bytes += buf.len() as u64;
    if journal.bytes >= MAX_JOURNAL_BYTES {
        open.remove(&dir);
        seal_unlocked(&dir, now_ms)?;
    }
    Ok(())
}

/// Opens (creating as needed) the journal of a directory; a torn last line left by a crash
/// is cut off so that the next record starts a line of its own.
fn open_journal(dir: &Path, dest: &Dest) -> io::Result<OpenJournal> {
    fs::create_dir_all(dir)?;
    let dest_path = dir.join(DEST);
    if !dest_path.exists() {
        let tmp = dir.join(format!("{DEST}.tmp"));
        fs::write(&tmp, serde_json::to_vec(dest).map_err(io::Error::other)?)?;
        fs::rename(&tmp, &dest_path)?;
    }
    let path = dir.join(JOURNAL);
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(&path)?;
    let mut bytes = file.metadata()?.len();
    if bytes > 0 {
        let mut last = [0u8];
        file.seek(SeekFrom::End(-1))?;
        file.read_exact(&mut last)?;
        if last[0] != b'\n' {
            let mut all = Vec::new();
            file.seek(SeekFrom::Start(0))?;
            file.read_to_end(&mut all)?;
            bytes = all.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) as u64;
            file.set_len(bytes)?;
        }
    }
    Ok(OpenJournal { file, bytes })
}

/// Seals the journal of `dir` (if it holds anything) into a segment.
pub fn seal(dir: &Path, now_ms: i64) -> io::Result<()> {
    let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
    open.remove(dir);
    seal_unlocked(dir, now_ms)
}

/// The caller holds the lock and has dropped the directory's open journal.
fn seal_unlocked(dir: &Path, now_ms: i64) -> io::Result<()> {
    let journal = dir.join(JOURNAL);
    match fs::metadata(&journal) {
        Ok(m) if m.len() > 0 => {}
        Ok(_) => return Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    let unique = hex::encode_upper(rand::random::<[u8; 8]>());
    fs::rename(
        journal,
        dir.join(format!("{SEGMENT}{:013}-{unique}", now_ms.max(0))),
    )
}

/// The delivery time and unique part of a segment name.
fn parse_segment(name: &str) -> Option<(i64, &str)> {
    let (ms, unique) = name.strip_prefix(SEGMENT)?.split_once('-')?;
    let ok = !unique.is_empty() && unique.bytes().all(|b| b.is_ascii_alphanumeric());
    Some((ms.parse().ok()?, unique)).filter(|_| ok)
}

/// The key of a segment's log object: `{prefix}{YYYY-mm-DD-HH-MM-SS}-{unique}`.
pub fn object_key(prefix: &str, segment_ms: i64, unique: &str) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(segment_ms as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let stamp = t
        .format(format_description!(
            "[year]-[month]-[day]-[hour]-[minute]-[second]"
        ))
        .unwrap_or_default();
    format!("{prefix}{stamp}-{unique}")
}

pub fn spawn(server: Arc<Server>) {
    tokio::spawn(async move {
        let mut last_flush = server.clock.now_millis();
        loop {
            tokio::time::sleep(TICK).await;
            let now = server.clock.now_millis();
            let flush = now - last_flush >= server.config.log_flush_interval.as_millis() as i64;
            if flush {
                last_flush = now;
            }
            if let Err(e) = deliver_all(&server, flush, now).await {
                tracing::warn!(error = %e, "access-log delivery failed; will retry");
            }
        }
    });
}

/// Seals every journal when `flush`, then delivers every sealed segment.
async fn deliver_all(server: &Server, flush: bool, now_ms: i64) -> Result<(), String> {
    let root = logs_root(server);
    let mut dirs = match tokio::fs::read_dir(&root).await {
        Ok(d) => d,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("{}: {e}", root.display())),
    };
    let mut failure = None;
    while let Some(entry) = dirs.next_entry().await.map_err(|e| e.to_string())? {
        if !entry.file_type().await.is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let dir = entry.path();
        let result = async {
            if flush {
                seal(&dir, now_ms).map_err(|e| format!("sealing: {e}"))?;
            }
            deliver_dir(server, &dir).await
        }
        .await;
        if let Err(e) = result {
            failure = Some(format!("{}: {e}", dir.display()));
        }
    }
    failure.map_or(Ok(()), Err)
}

/// Delivers the sealed segments of one directory, oldest first.
async fn deliver_dir(server: &Server, dir: &Path) -> Result<(), String> {
    let mut segments = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await.map_err(|e| e.to_string())?;
    while let Some(entry) = entries.next_entry().await.map_err(|e| e.to_string())? {
        if let Some(name) = entry.file_name().to_str() {
            if parse_segment(name).is_some() {
                segments.push(name.to_string());
            }
        }
    }
    if segments.is_empty() {
        return Ok(());
    }
    segments.sort();
    let dest: Dest = serde_json::from_slice(
        &tokio::fs::read(dir.join(DEST))
            .await
            .map_err(|e| format!("{DEST}: {e}"))?,
    )
    .map_err(|e| format!("{DEST}: {e}"))?;
    for name in segments {
        deliver_segment(server, &dest, dir, &name).await?;
    }
    Ok(())
}

async fn deliver_segment(
    server: &Server,
    dest: &Dest,
    dir: &Path,
    name: &str,
) -> Result<(), String> {
    let (ms, unique) = parse_segment(name).expect("listed segments parse");
    let path = dir.join(name);
    let mut data = tokio::fs::read(&path).await.map_err(|e| e.to_string())?;
    data.truncate(data.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1));
    if !data.is_empty() {
        let target = server
            .meta
            .get_bucket(&dest.target)
            .await
            .map_err(|e| e.to_string())?;
        match target {
            Some(t) if t.owner == dest.owner => {
                let key = object_key(&dest.prefix, ms, unique);
                store(server, &t.name, key, data)
                    .await
                    .map_err(|e| format!("{}: {}", e.code.as_str(), e.message))?;
            }
            _ => tracing::warn!(
                source = dest.source,
                target = dest.target,
                "access-log target bucket is gone or changed owner; dropping a batch"
            ),
        }
    }
    // Only now: a crash before this line delivers the segment again, to the same key.
    tokio::fs::remove_file(&path)
        .await
        .map_err(|e| e.to_string())
}

/// Stores one log object; it belongs to the target bucket's owner, who owns the source too.
async fn store(server: &Server, bucket: &str, key: String, data: Vec<u8>) -> Result<(), S3Error> {
    let size = data.len() as u64;
    let etag = hex::encode(Md5::digest(&data));
    let class = "STANDARD".to_string();
    let target = server
        .meta
        .get_bucket(bucket)
        .await?
        .ok_or_else(|| crate::s3_error!(NoSuchBucket))?;
    // Log objects go where the target bucket's data goes.
    let placement =
        crate::placement::place(server, &target, &http::HeaderMap::new(), &class, size).await?;
    let data = if size <= server.config.inline_threshold {
        DataRef::Inline(data)
    } else {
        let mut writer = placement.store(server).writer_with(placement.layout)?;
        writer.write(&data).await?;
        DataRef::Single(crate::storage::finish(server, placement.pool, writer).await?)
    };
    let object = Object {
        bucket: bucket.to_string(),
        key,
        size,
        etag,
        last_modified: crate::state::now_millis(),
        storage_class: class,
        attrs: ObjectAttrs {
            content_type: Some("text/plain".to_string()),
            data_region: Some(placement.region),
            ..Default::default()
        },
        data,
        version_id: None,
        delete_marker: false,
    };
    super::super::object::commit_object(server, object).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_and_keys() {
        assert_eq!(
            parse_segment("seg-1549411238000-0A1B2C3D4E5F6071"),
            Some((1_549_411_238_000, "0A1B2C3D4E5F6071"))
        );
        assert_eq!(parse_segment("journal"), None);
        assert_eq!(parse_segment("seg-x-1"), None);
        assert_eq!(parse_segment("seg-1-"), None);
        assert_eq!(
            object_key("log/", 1_549_411_238_000, "AB"),
            "log/2019-02-06-00-00-38-AB"
        );
    }
}

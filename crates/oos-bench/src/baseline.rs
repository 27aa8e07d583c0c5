//! The baseline: the same bytes written to plain files (`File::create` + `write_all` +
//! `sync_all`, one fsync per file) and read back with `std::fs::read`, on tokio's blocking
//! pool; and the single-core MD5 speed, which bounds a PUT (the server hashes every body for
//! its ETag).

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use bytes::Bytes;
use md5::{Digest, Md5};

const MD5_BUFFER: usize = 64 * 1024 * 1024;

pub async fn write_file(path: PathBuf, body: Bytes) -> Result<(), String> {
    tokio::task::spawn_blocking(move || {
        let mut file = std::fs::File::create(&path)?;
        file.write_all(&body)?;
        file.sync_all()
    })
    .await
    .map_err(|e| format!("baseline write task: {e}"))?
    .map_err(|e| format!("baseline write: {e}"))
}

pub async fn read_file(path: PathBuf) -> Result<Vec<u8>, String> {
    tokio::task::spawn_blocking(move || std::fs::read(&path))
        .await
        .map_err(|e| format!("baseline read task: {e}"))?
        .map_err(|e| format!("baseline read: {e}"))
}

/// MiB/s of `md-5` over a 64 MiB buffer on one core: the best of `rounds` passes.
pub fn md5_throughput(rounds: usize) -> f64 {
    let buffer: Vec<u8> = (0..MD5_BUFFER).map(|i| (i * 31 % 251) as u8).collect();
    let mut best = f64::INFINITY;
    for _ in 0..rounds.max(1) {
        let t0 = Instant::now();
        let digest = Md5::digest(&buffer);
        std::hint::black_box(digest);
        best = best.min(t0.elapsed().as_secs_f64());
    }
    (MD5_BUFFER as f64 / (1024.0 * 1024.0)) / best.max(1e-9)
}

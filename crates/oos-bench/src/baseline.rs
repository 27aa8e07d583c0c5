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

/// The other work a PUT body may cost per byte, on one core (MiB/s, best of `rounds` passes
/// over a 64 MiB buffer): SHA-256 (only for a signed payload), the default CRC64NVME checksum
/// (always), xxh3 (oos-store's chunk checksum, always) and a copy into newly allocated memory
/// (what every byte written costs the page cache, faults included).
pub fn stage_speeds(rounds: usize) -> Vec<(&'static str, f64)> {
    use oos_sign::{ChecksumAlgorithm, Checksummer};
    let buffer: Vec<u8> = (0..MD5_BUFFER).map(|i| (i * 31 % 251) as u8).collect();
    let best = |f: &dyn Fn(&[u8])| {
        let mut best = f64::INFINITY;
        for _ in 0..rounds.max(1) {
            let t0 = Instant::now();
            f(&buffer);
            best = best.min(t0.elapsed().as_secs_f64());
        }
        (MD5_BUFFER as f64 / (1024.0 * 1024.0)) / best.max(1e-9)
    };
    let checksum = |algorithm| {
        move |b: &[u8]| {
            let mut c = Checksummer::new(algorithm);
            for piece in b.chunks(64 * 1024) {
                c.update(piece);
            }
            std::hint::black_box(c.finish_raw());
        }
    };
    vec![
        ("SHA-256", best(&checksum(ChecksumAlgorithm::Sha256))),
        ("CRC64NVME", best(&checksum(ChecksumAlgorithm::Crc64Nvme))),
        (
            "xxh3",
            best(&|b: &[u8]| {
                for chunk in b.chunks(1 << 20) {
                    std::hint::black_box(xxhash_rust::xxh3::xxh3_64(chunk));
                }
            }),
        ),
        (
            "copy into new memory",
            best(&|b: &[u8]| {
                std::hint::black_box(b.to_vec());
            }),
        ),
    ]
}

/// Reed-Solomon (reed-solomon-simd, the codec oos-store writes EC layouts with) on one core.
#[derive(Debug, Clone, Copy)]
pub struct CodecSpeed {
    pub data: usize,
    pub parity: usize,
    pub stripe: usize,
    /// MiB of stripe (data) per second.
    pub encode_mib_s: f64,
    /// MiB of stripe per second, rebuilding the `parity` first data shards from the rest.
    pub reconstruct_mib_s: f64,
}

/// How long each codec measurement runs.
const CODEC_TIME: std::time::Duration = std::time::Duration::from_millis(1_000);
/// Upper bound on iterations of one codec measurement.
const CODEC_MAX_ITERS: usize = 1_000_000;

/// Encode and reconstruct throughput for `data`+`parity` on `stripe`-byte stripes (`data`
/// shards of `stripe / data` bytes each); reconstruct loses `parity` data shards (the worst
/// case: every lost shard must be computed).
pub fn codec_throughput(data: usize, parity: usize, stripe: usize) -> Result<CodecSpeed, String> {
    let len = stripe / data;
    let shards: Vec<Vec<u8>> = (0..data)
        .map(|i| (0..len).map(|j| ((i * 7 + j * 13) % 251) as u8).collect())
        .collect();
    let err = |e: reed_solomon_simd::Error| format!("reed-solomon-simd: {e}");
    let parity_shards = reed_solomon_simd::encode(data, parity, &shards).map_err(err)?;

    let timed = |f: &mut dyn FnMut() -> Result<(), String>| -> Result<f64, String> {
        f()?; // warm-up
        let start = Instant::now();
        let mut n = 0usize;
        while start.elapsed() < CODEC_TIME && n < CODEC_MAX_ITERS {
            f()?;
            n += 1;
        }
        Ok((stripe * n) as f64 / (1024.0 * 1024.0) / start.elapsed().as_secs_f64().max(1e-9))
    };
    let encode_mib_s = timed(&mut || {
        let p = reed_solomon_simd::encode(data, parity, &shards).map_err(err)?;
        std::hint::black_box(p);
        Ok(())
    })?;
    let reconstruct_mib_s = timed(&mut || {
        let originals = shards.iter().enumerate().skip(parity);
        let recovery = parity_shards.iter().enumerate();
        let restored = reed_solomon_simd::decode(data, parity, originals, recovery).map_err(err)?;
        if restored.len() != parity || restored.get(&0) != Some(&shards[0]) {
            return Err("reed-solomon-simd: reconstruct returned wrong shards".into());
        }
        Ok(())
    })?;
    Ok(CodecSpeed {
        data,
        parity,
        stripe,
        encode_mib_s,
        reconstruct_mib_s,
    })
}

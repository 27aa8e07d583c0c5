//! `oos bench`: a load generator in the spirit of MinIO's warp. Phases: PUT (writes the
//! object set), GET (random reads, verified byte for byte), MIXED (50% GET, 20% PUT, 30%
//! STAT) and LIST (full listings of the set, checked for the key count). Reports ops/s,
//! MiB/s and latency percentiles as a table or as JSON.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Args;
use futures_util::StreamExt;
use oos::{Body, Client, ListObjectsV2Options};
use serde_json::json;

use crate::location::remote;
use crate::units::{self, human};
use crate::{Cli, CliError, CliResult};

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// `s3://bucket` to run in (created, and removed afterwards, when missing).
    pub bucket: String,
    /// Object size, e.g. 64KiB, 1MiB.
    #[arg(long, default_value = "1MiB", value_parser = units::parse_size)]
    pub size: u64,
    /// Objects written by the PUT phase and used by the others.
    #[arg(long, default_value_t = 50)]
    pub objects: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Length of each timed phase (GET, MIXED, LIST), e.g. 10s.
    #[arg(long, default_value = "5s", value_parser = units::parse_duration)]
    pub duration: Duration,
    /// Phases to run, comma-separated: put,get,mixed,list (put always runs first).
    #[arg(long, default_value = "put,get,mixed,list")]
    pub phases: String,
    /// Leave the objects in place.
    #[arg(long)]
    pub keep: bool,
}

/// What one phase measured.
#[derive(Debug, Default)]
struct Stats {
    latencies: Vec<Duration>,
    bytes: u64,
    errors: u64,
    verify_errors: u64,
    first_error: Option<String>,
}

impl Stats {
    fn merge(&mut self, other: Stats) {
        self.latencies.extend(other.latencies);
        self.bytes += other.bytes;
        self.errors += other.errors;
        self.verify_errors += other.verify_errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    fn fail(&mut self, e: impl std::fmt::Display) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(e.to_string());
        }
    }

    fn summary(mut self, phase: &str, elapsed: Duration) -> serde_json::Value {
        self.latencies.sort();
        let n = self.latencies.len();
        let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
        let pct = |p: f64| {
            if n == 0 {
                0.0
            } else {
                ms(self.latencies[((n as f64 * p).ceil() as usize).clamp(1, n) - 1])
            }
        };
        let secs = elapsed.as_secs_f64().max(1e-9);
        let avg = if n == 0 {
            0.0
        } else {
            ms(self.latencies.iter().sum::<Duration>() / n as u32)
        };
        json!({
            "phase": phase,
            "ops": n,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "ops_per_sec": ((n as f64 / secs) * 100.0).round() / 100.0,
            "mib_per_sec": ((self.bytes as f64 / secs / 1048576.0) * 100.0).round() / 100.0,
            "bytes": self.bytes,
            "latency_ms": {"avg": avg, "p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99),
                           "max": self.latencies.last().map(|d| ms(*d)).unwrap_or(0.0)},
            "errors": self.errors,
            "verify_errors": self.verify_errors,
            "first_error": self.first_error,
        })
    }
}

/// The object set: object `i` is the shared random payload with its first 8 bytes replaced
/// by `i`, so every object differs and none needs its own buffer.
struct Set {
    bucket: String,
    prefix: String,
    payload: Bytes,
    count: usize,
}

impl Set {
    fn key(&self, i: usize) -> String {
        format!("{}obj-{i:06}", self.prefix)
    }

    fn header(&self, i: usize) -> Bytes {
        let n = self.payload.len().min(8);
        Bytes::copy_from_slice(&(i as u64).to_le_bytes()[..n])
    }

    fn body(&self, i: usize) -> Body {
        let n = self.payload.len().min(8);
        let parts = [Ok(self.header(i)), Ok(self.payload.slice(n..))];
        Body::from_stream(self.payload.len() as u64, futures_util::stream::iter(parts))
    }

    /// Reads object `i` and compares it with what was written, chunk by chunk.
    async fn get_verified(
        &self,
        client: &Client,
        i: usize,
    ) -> Result<Result<u64, String>, oos::Error> {
        let out = client
            .get_object(&self.bucket, &self.key(i), Default::default())
            .await?;
        let header = self.header(i);
        let mut pos = 0usize;
        let mut body = out.body;
        let mut bad = None;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            for (j, b) in chunk.iter().enumerate() {
                let at = pos + j;
                let want = if at < header.len() {
                    Some(header[at])
                } else {
                    self.payload.get(at).copied()
                };
                if bad.is_none() && want != Some(*b) {
                    bad = Some(at);
                }
            }
            pos += chunk.len();
        }
        Ok(match bad {
            None if pos == self.payload.len() => Ok(pos as u64),
            _ => Err(format!(
                "{}: read {pos} bytes, first difference at {:?}",
                self.key(i),
                bad
            )),
        })
    }
}

async fn put_phase(client: &Client, set: &Arc<Set>, concurrency: usize) -> (Stats, Duration) {
    let start = Instant::now();
    let results: Vec<Stats> = futures_util::stream::iter(0..set.count)
        .map(|i| {
            let set = set.clone();
            async move {
                let mut s = Stats::default();
                let t = Instant::now();
                match client
                    .put_object(&set.bucket, &set.key(i), set.body(i), Default::default())
                    .await
                {
                    Ok(_) => {
                        s.latencies.push(t.elapsed());
                        s.bytes += set.payload.len() as u64;
                    }
                    Err(e) => s.fail(e),
                }
                s
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let mut total = Stats::default();
    for r in results {
        total.merge(r);
    }
    (total, start.elapsed())
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Timed {
    Get,
    Mixed,
    List,
}

async fn timed_phase(
    client: &Client,
    set: &Arc<Set>,
    a: &BenchArgs,
    kind: Timed,
) -> (Stats, Duration) {
    let start = Instant::now();
    let deadline = start + a.duration;
    let stop = Arc::new(AtomicBool::new(false));
    let seq = Arc::new(AtomicU64::new(0));
    let merged = Arc::new(Mutex::new(Stats::default()));
    let mut tasks = Vec::new();
    for w in 0..a.concurrency {
        let (client, set, stop, seq, merged) = (
            client.clone(),
            set.clone(),
            stop.clone(),
            seq.clone(),
            merged.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut s = Stats::default();
            let mut rng_state = 0x9E37_79B9_7F4A_7C15u64 ^ (w as u64 + 1);
            let mut rand = move || {
                rng_state ^= rng_state << 13;
                rng_state ^= rng_state >> 7;
                rng_state ^= rng_state << 17;
                rng_state
            };
            while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let i = (rand() % set.count as u64) as usize;
                let op = match kind {
                    Timed::Get => Op::Get,
                    Timed::List => Op::List,
                    // warp's mix, without deletes: 50% GET, 20% PUT, 30% STAT.
                    Timed::Mixed => match n % 10 {
                        0..=4 => Op::Get,
                        5 | 6 => Op::Put,
                        _ => Op::Stat,
                    },
                };
                one_op(&client, &set, op, i, &mut s).await;
                if s.errors > 100 {
                    stop.store(true, Ordering::Relaxed);
                }
            }
            merged.lock().expect("stats lock").merge(s);
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed();
    let stats = std::mem::take(&mut *merged.lock().expect("stats lock"));
    (stats, elapsed)
}

/// The requests of the timed phases.
#[derive(Debug, Clone, Copy)]
enum Op {
    Get,
    Put,
    Stat,
    List,
}

/// Runs `op` on object `i` (LIST: on the whole set) and records its latency, bytes or error.
async fn one_op(client: &Client, set: &Set, op: Op, i: usize, s: &mut Stats) {
    let t = Instant::now();
    match op {
        Op::Get => match set.get_verified(client, i).await {
            Ok(Ok(bytes)) => {
                s.latencies.push(t.elapsed());
                s.bytes += bytes;
            }
            Ok(Err(why)) => {
                s.verify_errors += 1;
                s.fail(why);
            }
            Err(e) => s.fail(e),
        },
        Op::Put => match client
            .put_object(&set.bucket, &set.key(i), set.body(i), Default::default())
            .await
        {
            Ok(_) => {
                s.latencies.push(t.elapsed());
                s.bytes += set.payload.len() as u64;
            }
            Err(e) => s.fail(e),
        },
        Op::Stat => match client
            .head_object(&set.bucket, &set.key(i), Default::default())
            .await
        {
            Ok(m) if m.size == set.payload.len() as u64 => s.latencies.push(t.elapsed()),
            Ok(m) => {
                s.verify_errors += 1;
                s.fail(format!("{}: HEAD says {} bytes", set.key(i), m.size));
            }
            Err(e) => s.fail(e),
        },
        Op::List => {
            let opts = ListObjectsV2Options {
                prefix: Some(set.prefix.clone()),
                ..Default::default()
            };
            let mut pages = client.list_objects_v2_paginator(&set.bucket, opts);
            let mut keys = 0usize;
            let mut failed = None;
            loop {
                match pages.next_page().await {
                    Ok(Some(p)) => keys += p.contents.len(),
                    Ok(None) => break,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
            }
            match failed {
                Some(e) => s.fail(e),
                None if keys == set.count => s.latencies.push(t.elapsed()),
                None => {
                    s.verify_errors += 1;
                    s.fail(format!("LIST found {keys} keys, wrote {}", set.count));
                }
            }
        }
    }
}

pub async fn bench(cli: &Cli, a: &BenchArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, _) = remote(&a.bucket)?;
    if a.objects == 0 || a.concurrency == 0 {
        return Err(CliError::usage(
            "--objects and --concurrency must be positive",
        ));
    }
    let phases: Vec<&str> = a.phases.split(',').map(str::trim).collect();
    for p in &phases {
        if !["put", "get", "mixed", "list"].contains(p) {
            return Err(CliError::usage(format!("unknown phase {p:?}")));
        }
    }
    let created = if client.head_bucket(&bucket).await? {
        false
    } else {
        client.create_bucket(&bucket, Default::default()).await?;
        true
    };
    let run_id: u32 = rand::random();
    let mut payload = vec![0u8; a.size as usize];
    rand::Rng::fill(&mut rand::thread_rng(), &mut payload[..]);
    let set = Arc::new(Set {
        bucket: bucket.clone(),
        prefix: format!("oos-bench/{run_id:08x}/"),
        payload: Bytes::from(payload),
        count: a.objects,
    });
    let mut results = Vec::new();
    if !cli.json {
        eprintln!(
            "bench: {} objects of {} in s3://{bucket}/{}, concurrency {}, {:?} per timed phase",
            a.objects,
            human(a.size),
            set.prefix,
            a.concurrency,
            a.duration
        );
    }
    let (s, t) = put_phase(&client, &set, a.concurrency).await;
    let put_failed = s.errors > 0;
    results.push(s.summary("put", t));
    if !put_failed {
        for (name, kind) in [
            ("get", Timed::Get),
            ("mixed", Timed::Mixed),
            ("list", Timed::List),
        ] {
            if phases.contains(&name) {
                let (s, t) = timed_phase(&client, &set, a, kind).await;
                results.push(s.summary(name, t));
            }
        }
    }
    if !a.keep {
        let keys: Vec<String> = (0..set.count).map(|i| set.key(i)).collect();
        for chunk in keys.chunks(1000) {
            let _ = client.delete_objects(&bucket, chunk, true).await;
        }
        if created {
            let _ = client.delete_bucket(&bucket).await;
        }
    }
    let errors: u64 = results
        .iter()
        .map(|r| r["errors"].as_u64().unwrap_or(0))
        .sum();
    let verify: u64 = results
        .iter()
        .map(|r| r["verify_errors"].as_u64().unwrap_or(0))
        .sum();
    if cli.json {
        units::print_json(&json!({
            "endpoint": client.config().endpoint,
            "bucket": bucket,
            "object_size": a.size,
            "objects": a.objects,
            "concurrency": a.concurrency,
            "duration_secs": a.duration.as_secs_f64(),
            "phases": results,
        }));
    } else {
        println!(
            "{:<6} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7}",
            "PHASE",
            "OPS",
            "OPS/S",
            "MiB/S",
            "AVG ms",
            "P50 ms",
            "P90 ms",
            "P99 ms",
            "MAX ms",
            "ERRORS"
        );
        for r in &results {
            let l = &r["latency_ms"];
            println!(
                "{:<6} {:>8} {:>10.2} {:>9.2} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>7}",
                r["phase"].as_str().unwrap_or("").to_uppercase(),
                r["ops"].as_u64().unwrap_or(0),
                r["ops_per_sec"].as_f64().unwrap_or(0.0),
                r["mib_per_sec"].as_f64().unwrap_or(0.0),
                l["avg"].as_f64().unwrap_or(0.0),
                l["p50"].as_f64().unwrap_or(0.0),
                l["p90"].as_f64().unwrap_or(0.0),
                l["p99"].as_f64().unwrap_or(0.0),
                l["max"].as_f64().unwrap_or(0.0),
                r["errors"].as_u64().unwrap_or(0),
            );
            if let Some(e) = r["first_error"].as_str() {
                eprintln!("  first {} error: {e}", r["phase"].as_str().unwrap_or(""));
            }
        }
    }
    if verify > 0 {
        return Err(CliError {
            message: format!("{verify} reads did not match what was written"),
            code: crate::exit::CONFLICT,
        });
    }
    if errors > 0 {
        return Err(CliError::other(format!("{errors} requests failed")));
    }
    Ok(())
}

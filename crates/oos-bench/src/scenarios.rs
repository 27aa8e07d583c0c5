//! The scenarios: for each object size and concurrency, PUT then GET (verified) against oosd,
//! then the same against plain files ([`crate::baseline`]). Every cell is bounded by a duration
//! and an operation count, whichever comes first.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use rand::{RngCore, SeedableRng};

use crate::baseline;
use crate::client::S3Client;
use crate::Result;

const KIB: usize = 1024;
pub(crate) const MIB: usize = 1024 * 1024;
/// A cell stops early after this many failed operations.
const MAX_FAILURES: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    OpsPerSec,
    MibPerSec,
}

impl Unit {
    pub fn label(self) -> &'static str {
        match self {
            Unit::OpsPerSec => "ops/s",
            Unit::MibPerSec => "MiB/s",
        }
    }
}

/// One object size and how its cells are bounded.
#[derive(Debug, Clone)]
pub struct SizeSpec {
    /// `4 KiB`.
    pub name: &'static str,
    /// Key prefix, `4k`.
    pub label: &'static str,
    pub size: usize,
    pub concurrencies: Vec<usize>,
    pub max_duration: Duration,
    pub max_ops: u64,
    /// Distinct random payloads, used round-robin.
    pub pool: usize,
    pub unit: Unit,
    /// Whether p50/p99 mean something (enough operations per cell).
    pub latency_columns: bool,
}

#[derive(Debug)]
pub struct Plan {
    pub sizes: Vec<SizeSpec>,
    /// Passes of MD5 over a 64 MiB buffer.
    pub md5_rounds: usize,
}

impl Plan {
    pub fn new(quick: bool) -> Plan {
        // `--quick` divides durations and counts by 5 (64 MiB keeps 2 objects so GET cycles).
        let div = if quick { 5 } else { 1 };
        let ms = |full: u64| Duration::from_millis(full / div);
        Plan {
            sizes: vec![
                SizeSpec {
                    name: "4 KiB",
                    label: "4k",
                    size: 4 * KIB,
                    concurrencies: vec![1, 8, 32],
                    max_duration: ms(3_000),
                    max_ops: 20_000 / div,
                    pool: 64,
                    unit: Unit::OpsPerSec,
                    latency_columns: true,
                },
                SizeSpec {
                    name: "1 MiB",
                    label: "1m",
                    size: MIB,
                    concurrencies: vec![1, 8, 32],
                    max_duration: ms(2_000),
                    // 512 MiB per cell.
                    max_ops: 512 / div,
                    pool: 16,
                    unit: Unit::MibPerSec,
                    latency_columns: true,
                },
                SizeSpec {
                    name: "64 MiB",
                    label: "64m",
                    size: 64 * MIB,
                    // 32 × 64 MiB in flight is pointless on a 2-core machine.
                    concurrencies: vec![1, 4],
                    max_duration: ms(120_000),
                    max_ops: if quick { 2 } else { 12 },
                    pool: 3,
                    unit: Unit::MibPerSec,
                    latency_columns: false,
                },
            ],
            md5_rounds: if quick { 2 } else { 5 },
        }
    }
}

/// Random payloads, generated once: `by_size[i][j]` is payload `j` of `plan.sizes[i]`.
pub struct Payloads {
    by_size: Vec<Vec<Bytes>>,
}

impl Payloads {
    pub fn generate(plan: &Plan) -> Payloads {
        let mut rng = rand::rngs::StdRng::seed_from_u64(0x005_bec4);
        let by_size = plan
            .sizes
            .iter()
            .map(|spec| {
                (0..spec.pool)
                    .map(|_| {
                        let mut buf = vec![0u8; spec.size];
                        rng.fill_bytes(&mut buf);
                        Bytes::from(buf)
                    })
                    .collect()
            })
            .collect();
        Payloads { by_size }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Put,
    Get,
}

impl OpKind {
    pub fn label(self) -> &'static str {
        match self {
            OpKind::Put => "PUT",
            OpKind::Get => "GET",
        }
    }
}

/// What one cell measured.
#[derive(Debug, Default)]
pub struct Cell {
    pub ops: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
    /// Error message → count.
    pub errors: BTreeMap<String, u64>,
    /// Indices of the operations that succeeded, sorted.
    pub ok: Vec<u64>,
}

impl Cell {
    pub fn rate(&self, unit: Unit) -> f64 {
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        match unit {
            Unit::OpsPerSec => self.ops as f64 / secs,
            Unit::MibPerSec => self.bytes as f64 / MIB as f64 / secs,
        }
    }

    /// Nearest-rank percentile, `p` in (0, 1].
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        if self.latencies.is_empty() {
            return None;
        }
        let rank = (p * self.latencies.len() as f64).ceil() as usize;
        Some(self.latencies[rank.clamp(1, self.latencies.len()) - 1])
    }

    pub fn failures(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// One line of the report: one size, operation and concurrency, oosd and baseline.
#[derive(Debug)]
pub struct Row {
    pub spec: SizeSpec,
    pub op: OpKind,
    pub concurrency: usize,
    pub oosd: Cell,
    pub baseline: Cell,
}

/// How an operation failed: `Failed` is counted and reported, `Fatal` (a wrong body) aborts.
pub enum OpError {
    Failed(String),
    Fatal(String),
}

pub async fn run_all(
    plan: &Plan,
    payloads: &Arc<Payloads>,
    s3: &Arc<S3Client>,
    base_dir: &Path,
) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (size_index, spec) in plan.sizes.iter().enumerate() {
        let pool: Arc<Vec<Bytes>> = Arc::new(payloads.by_size[size_index].clone());
        for &c in &spec.concurrencies {
            let prefix = format!("{}/c{c}", spec.label);
            let key = move |i: u64| format!("{prefix}/{i:08}");
            let dir = base_dir.join(spec.label).join(format!("c{c}"));
            std::fs::create_dir_all(&dir)?;

            // oosd PUT: distinct keys, payload `i % pool`.
            let oosd_put = {
                let (s3, pool, key) = (s3.clone(), pool.clone(), key.clone());
                run_cell(c, spec, move |i| {
                    let (s3, body, key) = (s3.clone(), payload(&pool, i), key(i));
                    async move {
                        s3.put(&key, body, &[])
                            .await
                            .map_err(|e| OpError::Failed(e.to_string()))
                    }
                })
                .await?
            };
            let written = Arc::new(written_objects(&oosd_put, &pool, &key));
            progress(spec, OpKind::Put, c, "oosd", &oosd_put);

            // oosd GET: cycles through what the PUT cell wrote; every body is compared.
            let oosd_get = if written.is_empty() {
                Cell::default()
            } else {
                let (s3, pool, written) = (s3.clone(), pool.clone(), written.clone());
                run_cell(c, spec, move |i| {
                    let (s3, pool, written) = (s3.clone(), pool.clone(), written.clone());
                    async move {
                        let (key, p) = &written[i as usize % written.len()];
                        s3.get_compare(key, &pool[*p])
                            .await
                            .map_err(|e| OpError::Failed(e.to_string()))?
                            .map_err(OpError::Fatal)
                    }
                })
                .await?
            };
            progress(spec, OpKind::Get, c, "oosd", &oosd_get);

            // Baseline: the same bytes to files, fsync per file, then read back.
            let base_put = {
                let (pool, dir) = (pool.clone(), dir.clone());
                run_cell(c, spec, move |i| {
                    let (body, path) = (payload(&pool, i), dir.join(format!("{i:08}")));
                    async move {
                        baseline::write_file(path, body)
                            .await
                            .map_err(OpError::Failed)
                    }
                })
                .await?
            };
            progress(spec, OpKind::Put, c, "baseline", &base_put);
            let files: Arc<Vec<(String, usize)>> = Arc::new(
                base_put
                    .ok
                    .iter()
                    .map(|&i| (format!("{i:08}"), i as usize % pool.len()))
                    .collect(),
            );
            let base_get = if files.is_empty() {
                Cell::default()
            } else {
                let (pool, dir, files) = (pool.clone(), dir.clone(), files.clone());
                run_cell(c, spec, move |i| {
                    let (pool, dir, files) = (pool.clone(), dir.clone(), files.clone());
                    async move {
                        let (name, p) = &files[i as usize % files.len()];
                        let body = baseline::read_file(dir.join(name))
                            .await
                            .map_err(OpError::Failed)?;
                        verify(name, &body, &pool[*p])?;
                        Ok(())
                    }
                })
                .await?
            };
            progress(spec, OpKind::Get, c, "baseline", &base_get);

            rows.push(Row {
                spec: spec.clone(),
                op: OpKind::Put,
                concurrency: c,
                oosd: oosd_put,
                baseline: base_put,
            });
            rows.push(Row {
                spec: spec.clone(),
                op: OpKind::Get,
                concurrency: c,
                oosd: oosd_get,
                baseline: base_get,
            });
        }
        // Keep the disk footprint to one size at a time; oosd's objects stay (no DELETE load).
        std::fs::remove_dir_all(base_dir.join(spec.label))?;
    }
    Ok(rows)
}

pub(crate) fn payload(pool: &[Bytes], i: u64) -> Bytes {
    pool[i as usize % pool.len()].clone()
}

/// Key → payload index of every object the PUT cell stored.
fn written_objects(
    put: &Cell,
    pool: &[Bytes],
    key: &impl Fn(u64) -> String,
) -> Vec<(String, usize)> {
    put.ok
        .iter()
        .map(|&i| (key(i), i as usize % pool.len()))
        .collect()
}

pub(crate) fn verify(key: &str, got: &[u8], want: &[u8]) -> std::result::Result<(), OpError> {
    if got == want {
        return Ok(());
    }
    let first_diff = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    Err(OpError::Fatal(format!(
        "{key}: body differs from what was written ({} bytes read, {} written, first difference at byte {first_diff})",
        got.len(),
        want.len()
    )))
}

pub(crate) fn progress(spec: &SizeSpec, op: OpKind, c: usize, side: &str, cell: &Cell) {
    let p = |q| {
        cell.percentile(q)
            .map(|d| format!("{:.2}", d.as_secs_f64() * 1e3))
            .unwrap_or_else(|| "-".into())
    };
    eprintln!(
        "oos-bench: {:>6} {} c={c:<2} {side:<8} {:>9.1} {} ({} ops in {:.2} s, p50 {} ms, p99 {} ms, {} failed)",
        spec.name,
        op.label(),
        cell.rate(spec.unit),
        spec.unit.label(),
        cell.ops,
        cell.elapsed.as_secs_f64(),
        p(0.50),
        p(0.99),
        cell.failures()
    );
}

/// What one worker task collected.
#[derive(Default)]
struct WorkerOut {
    latencies: Vec<Duration>,
    ok: Vec<u64>,
    errors: BTreeMap<String, u64>,
    fatal: Option<String>,
}

/// Runs `op(i)` for i = 0, 1, ... on `concurrency` tasks until `spec.max_ops` operations were
/// started or `spec.max_duration` has passed. Successful operations count `spec.size` bytes.
pub(crate) async fn run_cell<F, Fut>(concurrency: usize, spec: &SizeSpec, op: F) -> Result<Cell>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = std::result::Result<(), OpError>> + Send + 'static,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let (max_ops, max_duration) = (spec.max_ops, spec.max_duration);
    let start = Instant::now();
    let deadline = start + max_duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (op, next, failures, stop) =
                (op.clone(), next.clone(), failures.clone(), stop.clone());
            tokio::spawn(async move {
                let mut out = WorkerOut::default();
                // Bounded by `max_ops` (shared counter) and by `deadline`.
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= max_ops {
                        break;
                    }
                    let t0 = Instant::now();
                    match op(i).await {
                        Ok(()) => {
                            out.latencies.push(t0.elapsed());
                            out.ok.push(i);
                        }
                        Err(OpError::Failed(e)) => {
                            *out.errors.entry(e).or_default() += 1;
                            if failures.fetch_add(1, Ordering::Relaxed) + 1 >= MAX_FAILURES {
                                stop.store(true, Ordering::Relaxed);
                            }
                        }
                        Err(OpError::Fatal(e)) => {
                            out.fatal = Some(e);
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                out
            })
        })
        .collect();
    let mut cell = Cell::default();
    for worker in workers {
        let out = worker.await?;
        if let Some(fatal) = out.fatal {
            return Err(format!("{} c={concurrency}: {fatal}", spec.name).into());
        }
        cell.latencies.extend(out.latencies);
        cell.ok.extend(out.ok);
        for (e, n) in out.errors {
            *cell.errors.entry(e).or_default() += n;
        }
    }
    cell.elapsed = start.elapsed();
    cell.ops = cell.ok.len() as u64;
    cell.bytes = cell.ops * spec.size as u64;
    cell.latencies.sort_unstable();
    cell.ok.sort_unstable();
    Ok(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_reports_the_first_difference() {
        assert!(verify("k", b"abc", b"abc").is_ok());
        match verify("k", b"abd", b"abc") {
            Err(OpError::Fatal(m)) => assert!(m.contains("first difference at byte 2"), "{m}"),
            _ => panic!("a different body must be fatal"),
        }
        assert!(matches!(verify("k", b"ab", b"abc"), Err(OpError::Fatal(_))));
    }

    #[test]
    fn nearest_rank_percentiles() {
        let cell = Cell {
            latencies: (1..=100).map(Duration::from_millis).collect(),
            ..Cell::default()
        };
        assert_eq!(cell.percentile(0.50), Some(Duration::from_millis(50)));
        assert_eq!(cell.percentile(0.99), Some(Duration::from_millis(99)));
        assert_eq!(Cell::default().percentile(0.5), None);
    }
}

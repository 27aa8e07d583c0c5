//! The layout section: 64 MiB PUT and verified GET with an explicit `x-amz-storage-class`
//! (EC_1_0 as the reference, EC_4_2, EC_3_0, and EC_1_0 with SSE-S3 encryption), and a
//! degraded GET of the EC_4_2 objects after two of the six disks lost their shard files.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use rand::{RngCore, SeedableRng};

use crate::client::S3Client;
use crate::scenarios::{payload, progress, run_cell, Cell, OpError, OpKind, SizeSpec, Unit, MIB};
use crate::Result;

/// The reference: one copy, no coding (what STANDARD maps to).
pub const REFERENCE: &str = "EC_1_0";
/// The erasure-coded layout the issue targets; its GET is also measured degraded.
pub const CODED: &str = "EC_4_2";
/// Three replicas.
pub const REPLICATED: &str = "EC_3_0";
/// The reference layout with SSE-S3 (`x-amz-server-side-encryption: AES256`): what
/// encryption at rest costs, against the same layout in the same run.
pub const ENCRYPTED: &str = "SSE_S3";
/// Every class the section knows, in the order it runs them.
pub const ALL: [&str; 4] = [REFERENCE, CODED, REPLICATED, ENCRYPTED];

/// The headers a cell's PUTs send for `class`.
fn put_headers(class: &'static str) -> Vec<(&'static str, &'static str)> {
    match class {
        ENCRYPTED => vec![
            ("x-amz-storage-class", REFERENCE),
            ("x-amz-server-side-encryption", "AES256"),
        ],
        _ => vec![("x-amz-storage-class", class)],
    }
}
/// The `--sizes` label that selects this section.
pub const LABEL: &str = "ec";
/// The disks (of oosd's default pool `disk1..disk6`) whose shard files the degraded cells
/// delete: two, as many as EC_4_2 has parity shards.
pub const LOST_DISKS: [&str; 2] = ["disk1", "disk2"];

/// What the section runs.
#[derive(Debug, Clone)]
pub struct LayoutPlan {
    pub spec: SizeSpec,
    /// Storage classes, in run order (a subset of [`ALL`], same order).
    pub classes: Vec<&'static str>,
}

impl LayoutPlan {
    pub fn new(quick: bool, classes: Vec<&'static str>) -> LayoutPlan {
        let div = if quick { 5 } else { 1 };
        LayoutPlan {
            spec: SizeSpec {
                name: "64 MiB",
                label: LABEL,
                size: 64 * MIB,
                concurrencies: vec![1, 4],
                max_duration: Duration::from_millis(120_000 / div),
                max_ops: if quick { 2 } else { 12 },
                pool: 3,
                unit: Unit::MibPerSec,
                latency_columns: false,
            },
            classes,
        }
    }

    /// Whether the degraded EC_4_2 GET cells run.
    pub fn degraded(&self) -> bool {
        self.classes.contains(&CODED)
    }
}

/// `--layouts` values: `all`, `none`, or storage class names (any case), comma-separated.
pub fn parse_classes(values: &[String]) -> Result<Vec<&'static str>> {
    if values.is_empty() || values.iter().any(|v| v.eq_ignore_ascii_case("all")) {
        return Ok(ALL.to_vec());
    }
    if values.iter().any(|v| v.eq_ignore_ascii_case("none")) {
        return Ok(Vec::new());
    }
    for v in values {
        if !ALL.iter().any(|c| c.eq_ignore_ascii_case(v)) {
            return Err(format!(
                "--layouts: unknown storage class {v:?} (known: {}, all, none)",
                ALL.join(", ")
            )
            .into());
        }
    }
    Ok(ALL
        .into_iter()
        .filter(|c| values.iter().any(|v| c.eq_ignore_ascii_case(v)))
        .collect())
}

/// What kind of cell a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutOp {
    Put,
    Get,
    /// GET with the shard files of [`LOST_DISKS`] deleted just before the cell.
    DegradedGet,
}

impl LayoutOp {
    pub fn label(self) -> &'static str {
        match self {
            LayoutOp::Put => "PUT",
            LayoutOp::Get => "GET",
            LayoutOp::DegradedGet => "GET degraded",
        }
    }
}

/// One line of the layout table.
#[derive(Debug)]
pub struct LayoutRow {
    pub class: &'static str,
    pub op: LayoutOp,
    pub concurrency: usize,
    pub cell: Cell,
    /// Degraded cells: shard files found on the emptied disks at the end of the cell (what the
    /// server's heal worker or new writes put back), and the shard files deleted before it.
    pub heal: Option<(u64, u64)>,
}

/// Key → payload index of the objects a PUT cell stored.
type Written = Arc<Vec<(String, usize)>>;

/// The section's random payloads (its own seed, so it does not depend on `--sizes`).
pub fn generate_payloads(spec: &SizeSpec) -> Vec<Bytes> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xec42);
    (0..spec.pool)
        .map(|_| {
            let mut buf = vec![0u8; spec.size];
            rng.fill_bytes(&mut buf);
            Bytes::from(buf)
        })
        .collect()
}

/// Runs the section. `data_dir` is oosd's `--data-dir`; the degraded cells delete
/// `<data_dir>/data/{disk1,disk2}/data` and recreate them (with their empty `00..ff`
/// subdirectories, as oosd lays them out at start) just before each degraded GET cell.
pub async fn run_layouts(
    plan: &LayoutPlan,
    pool: &Arc<Vec<Bytes>>,
    s3: &Arc<S3Client>,
    data_dir: &Path,
) -> Result<Vec<LayoutRow>> {
    let spec = &plan.spec;
    let mut rows = Vec::new();
    // Key → payload index of what each (class, concurrency) PUT cell stored.
    let mut stored: Vec<(&'static str, usize, Written)> = Vec::new();
    for &class in &plan.classes {
        for &c in &spec.concurrencies {
            let prefix = format!("{LABEL}/{}/c{c}", class.to_ascii_lowercase());
            let put = {
                let (s3, pool, prefix) = (s3.clone(), pool.clone(), prefix.clone());
                run_cell(c, spec, move |i| {
                    let (s3, body, key) =
                        (s3.clone(), payload(&pool, i), format!("{prefix}/{i:08}"));
                    async move {
                        s3.put(&key, body, &put_headers(class))
                            .await
                            .map_err(|e| OpError::Failed(e.to_string()))
                    }
                })
                .await?
            };
            progress(spec, OpKind::Put, c, class, &put);
            let written: Written = Arc::new(
                put.ok
                    .iter()
                    .map(|&i| (format!("{prefix}/{i:08}"), i as usize % pool.len()))
                    .collect(),
            );
            let get = get_cell(spec, c, pool, s3, &written).await?;
            progress(spec, OpKind::Get, c, class, &get);
            rows.push(LayoutRow {
                class,
                op: LayoutOp::Put,
                concurrency: c,
                cell: put,
                heal: None,
            });
            rows.push(LayoutRow {
                class,
                op: LayoutOp::Get,
                concurrency: c,
                cell: get,
                heal: None,
            });
            stored.push((class, c, written));
        }
    }
    // Degraded reads last, so the heal worker they may start does not run under other cells.
    if plan.degraded() {
        for (class, c, written) in stored.iter().filter(|(class, ..)| *class == CODED) {
            let deleted = lose_disks(data_dir)?;
            let get = get_cell(spec, *c, pool, s3, written).await?;
            progress(spec, OpKind::Get, *c, "EC_4_2 degraded", &get);
            let back = count_shards(data_dir)?;
            eprintln!(
                "oos-bench: degraded c={c}: {deleted} shard files deleted from {}, {back} back at the end of the cell",
                LOST_DISKS.join(", ")
            );
            rows.push(LayoutRow {
                class,
                op: LayoutOp::DegradedGet,
                concurrency: *c,
                cell: get,
                heal: Some((back, deleted)),
            });
        }
    }
    Ok(rows)
}

/// GET cell cycling through `written`; every body is compared with its payload.
async fn get_cell(
    spec: &SizeSpec,
    c: usize,
    pool: &Arc<Vec<Bytes>>,
    s3: &Arc<S3Client>,
    written: &Written,
) -> Result<Cell> {
    if written.is_empty() {
        return Ok(Cell::default());
    }
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
    .await
}

fn disk_data(data_dir: &Path, disk: &str) -> std::path::PathBuf {
    data_dir.join("data").join(disk).join("data")
}

/// Deletes the shard files of [`LOST_DISKS`] (the whole `data` directory) and recreates the
/// directories empty. Returns how many shard files were deleted.
fn lose_disks(data_dir: &Path) -> Result<u64> {
    let deleted = count_shards(data_dir)?;
    for disk in LOST_DISKS {
        let dir = disk_data(data_dir, disk);
        if !dir.is_dir() {
            return Err(format!(
                "{} is not a directory: oosd's pool is not the default disk1..disk6",
                dir.display()
            )
            .into());
        }
        std::fs::remove_dir_all(&dir)
            .map_err(|e| format!("cannot delete {}: {e}", dir.display()))?;
        for i in 0..=255u8 {
            std::fs::create_dir_all(dir.join(format!("{i:02x}")))
                .map_err(|e| format!("cannot recreate {}: {e}", dir.display()))?;
        }
    }
    Ok(deleted)
}

/// Files under `<disk>/data/<xx>/` of [`LOST_DISKS`].
fn count_shards(data_dir: &Path) -> Result<u64> {
    let mut n = 0u64;
    for disk in LOST_DISKS {
        let dir = disk_data(data_dir, disk);
        // Bounded: 256 subdirectories, each with the shard files of this run.
        for sub in
            std::fs::read_dir(&dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        {
            let sub = sub?;
            if sub.file_type()?.is_dir() {
                for f in std::fs::read_dir(sub.path())? {
                    if f?.file_type()?.is_file() {
                        n += 1;
                    }
                }
            }
        }
    }
    Ok(n)
}

/// Ratio of `a` to `b` in percent, if both cells measured something.
pub fn percent(a: &Cell, b: &Cell, unit: Unit) -> Option<f64> {
    (a.ops > 0 && b.ops > 0).then(|| 100.0 * a.rate(unit) / b.rate(unit))
}

/// The row of `class`/`op` at concurrency `c`.
pub fn find<'a>(
    rows: &'a [LayoutRow],
    class: &str,
    op: LayoutOp,
    c: usize,
) -> Option<&'a LayoutRow> {
    rows.iter()
        .find(|r| r.class == class && r.op == op && r.concurrency == c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_parse() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_classes(&[]).unwrap(), ALL.to_vec());
        assert_eq!(parse_classes(&s(&["all"])).unwrap(), ALL.to_vec());
        assert!(parse_classes(&s(&["none"])).unwrap().is_empty());
        assert_eq!(
            parse_classes(&s(&["ec_3_0", "EC_1_0"])).unwrap(),
            vec![REFERENCE, REPLICATED]
        );
        assert!(parse_classes(&s(&["EC_8_4"])).is_err());
    }
}

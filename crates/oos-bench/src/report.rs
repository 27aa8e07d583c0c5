//! The Markdown report.

use std::fmt::Write;
use std::path::Path;
use std::time::Duration;

use crate::baseline::CodecSpeed;
use crate::layouts::{self, LayoutOp, LayoutPlan, LayoutRow};
use crate::scenarios::{Cell, Plan, Row};
use crate::server::{Memory, ServerLog};

const MIB: f64 = 1024.0 * 1024.0;

pub struct Report<'a> {
    pub quick: bool,
    pub plan: &'a Plan,
    pub rows: &'a [Row],
    pub layout_plan: Option<&'a LayoutPlan>,
    pub layout_rows: &'a [LayoutRow],
    pub codec: Option<CodecSpeed>,
    pub memory: Option<Memory>,
    pub md5_mib_s: f64,
    /// (stage, MiB/s on one core), see [`crate::baseline::stage_speeds`].
    pub stage_speeds: &'a [(&'static str, f64)],
    pub server_log: &'a ServerLog,
    pub work_dir: &'a Path,
    pub oosd_path: &'a Path,
    pub elapsed: Duration,
}

impl Report<'_> {
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) -> std::fmt::Result {
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        writeln!(out, "## oos-bench results\n")?;
        writeln!(
            out,
            "- Run: {now}, {} mode, {:.0} s in all; oos-bench built {}.",
            if self.quick { "`--quick`" } else { "full" },
            self.elapsed.as_secs_f64(),
            if cfg!(debug_assertions) {
                "in **debug** (numbers are meaningless)"
            } else {
                "in release"
            }
        )?;
        writeln!(
            out,
            "- Machine: {} CPUs ({}), {} GiB RAM, Linux {}. Client and server share these CPUs.",
            std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model(),
            mem_total_gib(),
            read_trim("/proc/sys/kernel/osrelease"),
        )?;
        writeln!(
            out,
            "- oosd: `{}`; its data dir and the baseline files are both under `{}` ({}).",
            self.oosd_path.display(),
            self.work_dir.display(),
            filesystem_of(self.work_dir),
        )?;
        writeln!(out)?;

        if !self.rows.is_empty() {
            writeln!(
            out,
            "| scenario | concurrency | oosd | baseline | unit | oosd p50 (ms) | oosd p99 (ms) | baseline p50 (ms) | baseline p99 (ms) | ops (oosd / baseline) | oosd failed |"
        )?;
            writeln!(
                out,
                "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"
            )?;
            for row in self.rows {
                let unit = row.spec.unit;
                let lat = |cell: &Cell, p: f64| -> String {
                    if !row.spec.latency_columns && p > 0.5 {
                        return "–".into();
                    }
                    cell.percentile(p).map(fmt_ms).unwrap_or_else(|| "–".into())
                };
                writeln!(
                    out,
                    "| {} {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} | {} |",
                    row.spec.name,
                    row.op.label(),
                    row.concurrency,
                    fmt_rate(row.oosd.rate(unit)),
                    fmt_rate(row.baseline.rate(unit)),
                    unit.label(),
                    lat(&row.oosd, 0.50),
                    lat(&row.oosd, 0.99),
                    lat(&row.baseline, 0.50),
                    lat(&row.baseline, 0.99),
                    row.oosd.ops,
                    row.baseline.ops,
                    row.oosd.failures(),
                )?;
            }
            writeln!(out)?;
        }
        if let Some(lp) = self.layout_plan {
            self.write_layouts(out, lp)?;
        }

        writeln!(out, "### Server and CPU\n")?;
        match self.memory {
            Some(m) => writeln!(
                out,
                "- oosd peak RSS (`VmHWM`): **{:.1} MiB**; RSS at the end (`VmRSS`): {:.1} MiB.",
                m.peak_rss as f64 / MIB,
                m.rss as f64 / MIB
            )?,
            None => writeln!(out, "- oosd memory: could not read `/proc/<pid>/status`.")?,
        }
        writeln!(
            out,
            "- MD5 (`md-5` crate, one core, 64 MiB buffer, best of {}): **{:.0} MiB/s**. The server hashes every PUT body for its ETag, so this bounds single-stream PUT throughput.",
            self.plan.md5_rounds, self.md5_mib_s
        )?;
        let stages: Vec<String> = std::iter::once(("MD5", self.md5_mib_s))
            .chain(self.stage_speeds.iter().copied())
            .map(|(name, speed)| {
                format!("{name} {speed:.0} MiB/s ({:.2} ms per MiB)", 1000.0 / speed)
            })
            .collect();
        writeln!(
            out,
            "- CPU per MiB of PUT body by stage (one core, same buffer and method): {}. MD5 (the ETag), CRC64NVME (the default checksum) and xxh3 (the chunk checksums) run on every body; SHA-256 only when the payload is signed (its hash in `x-amz-content-sha256`, or aws-chunked chunk signatures; `UNSIGNED-PAYLOAD` skips it). A copy into newly allocated memory shows what fresh pages cost on this machine: the page cache pays it for every byte written.",
            stages.join("; ")
        )?;
        writeln!(
            out,
            "- oosd stop: {}; stderr at `OOS_LOG=warn`: {} lines.",
            self.server_log.exit, self.server_log.lines
        )?;
        if !self.server_log.tail.is_empty() {
            writeln!(out, "\n  Last lines of the server log:\n\n  ```")?;
            for line in &self.server_log.tail {
                writeln!(out, "  {line}")?;
            }
            writeln!(out, "  ```")?;
        }
        if let Some(c) = self.codec {
            writeln!(
                out,
                "- Reed-Solomon codec alone (`reed-solomon-simd` 3.1, as oos-store; one core, in-process, {}+{} on {} KiB stripes): encode **{:.0} MiB/s**, reconstruct with {} of {} shards lost (data shards) **{:.0} MiB/s** (MiB of stripe data per second).",
                c.data,
                c.parity,
                c.stripe / 1024,
                c.encode_mib_s,
                c.parity,
                c.data + c.parity,
                c.reconstruct_mib_s
            )?;
        }
        self.write_errors(out)?;
        writeln!(out)?;

        writeln!(out, "### Method\n")?;
        for spec in &self.plan.sizes {
            writeln!(
                out,
                "- {}: concurrency {}; each cell runs for {:.1} s or {} operations, whichever comes first; {} distinct random payloads used round-robin.",
                spec.name,
                spec.concurrencies
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                spec.max_duration.as_secs_f64(),
                spec.max_ops,
                spec.pool,
            )?;
        }
        writeln!(
            out,
            "- 64 MiB runs at concurrency 1 and 4 only: 32 × 64 MiB in flight is pointless on this machine; p99 of a handful of objects means nothing, so only p50 is shown."
        )?;
        writeln!(
            out,
            "- oosd: one hyper 1 client (keep-alive pool, TCP_NODELAY) shared by `concurrency` tokio tasks; SigV4 `Authorization` header with `x-amz-content-sha256: UNSIGNED-PAYLOAD`. PUTs use distinct keys; each GET cell reads back the objects its PUT cell wrote, and every GET body is compared byte for byte with the payload written (a mismatch aborts the run). Latency is request start to last body byte."
        )?;
        writeln!(
            out,
            "- Baseline: the same bytes, same concurrencies and bounds, with `tokio::task::spawn_blocking` per operation: `File::create` + `write_all` + `sync_all` (one fsync per file, i.e. one fsync per operation for 4 KiB; no directory fsync), read back with `std::fs::read` and compared the same way."
        )?;
        writeln!(
            out,
            "- 4 KiB objects are under oosd's default inline threshold (16 KiB), so oosd keeps them in its SQLite metadata (group commit: one fsync per batch of writes) rather than in chunk files; 1 MiB and 64 MiB objects go to chunk files (fsync, rename, directory fsync) plus a metadata commit."
        )?;
        if let Some(lp) = self.layout_plan {
            writeln!(
                out,
                "- Layouts: {} objects, concurrency {}, each cell {:.1} s or {} operations, {} random payloads; every PUT carries `x-amz-storage-class` ({}), signed with the other headers; GET cells verify every body frame by frame as above. No baseline (the plain-file baseline of the 64 MiB rows above applies). The section runs after the size sections.",
                lp.spec.name,
                lp.spec.concurrencies
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                lp.spec.max_duration.as_secs_f64(),
                lp.spec.max_ops,
                lp.spec.pool,
                lp.classes.join(", "),
            )?;
            if lp.degraded() {
                writeln!(
                    out,
                    "- Degraded GET: after all healthy cells, just before each degraded cell, `<data_dir>/data/{{{}}}/data` are deleted and recreated empty (with their `00`..`ff` subdirectories), so every EC_4_2 object has lost 2 of its 6 shards (oosd's default pool: 6 directories on one device) and each GET must reconstruct. oosd's heal worker may rebuild lost shards in the background during the cell (the table's note counts the shard files back on those disks at the end); objects of other layouts on those disks are lost or degraded too, which is why this runs last.",
                    layouts::LOST_DISKS.join(",")
                )?;
            }
        }
        writeln!(
            out,
            "- Reads on both sides are page-cache reads: the objects were just written and dropping the page cache is not possible here."
        )?;
        writeln!(
            out,
            "- MiB/s is MiB of object bodies over the wall time of the cell (1 MiB = 2^20 bytes)."
        )?;
        writeln!(out)?;

        writeln!(out, "### Command\n")?;
        let args: Vec<String> = std::env::args().map(|a| shell_quote(&a)).collect();
        writeln!(
            out,
            "```\ncargo run --release -p oos-bench --{}\n```",
            args.iter()
                .skip(1)
                .fold(String::new(), |acc, a| acc + " " + a)
        )?;
        writeln!(out, "\n(as executed: `{}`)", args.join(" "))?;
        Ok(())
    }

    fn write_layouts(&self, out: &mut String, lp: &LayoutPlan) -> std::fmt::Result {
        let unit = lp.spec.unit;
        let rows = self.layout_rows;
        writeln!(
            out,
            "### Layouts ({} objects, `x-amz-storage-class`)\n",
            lp.spec.name
        )?;
        writeln!(
            out,
            "| layout | operation | concurrency | oosd | unit | relative | p50 (ms) | ops | failed | note |"
        )?;
        writeln!(out, "|---|---|---:|---:|---|---:|---:|---:|---:|---|")?;
        for row in rows {
            let (reference, against) = match row.op {
                LayoutOp::DegradedGet => (
                    layouts::find(rows, layouts::CODED, LayoutOp::Get, row.concurrency),
                    "healthy EC_4_2",
                ),
                _ if row.class == layouts::REFERENCE => (None, ""),
                op => (
                    layouts::find(rows, layouts::REFERENCE, op, row.concurrency),
                    layouts::REFERENCE,
                ),
            };
            let relative = reference
                .and_then(|r| layouts::percent(&row.cell, &r.cell, unit))
                .map(|p| format!("{p:.0} % of {against}"))
                .unwrap_or_else(|| "–".into());
            let note = match row.heal {
                Some((back, deleted)) => format!(
                    "{} emptied before the cell ({deleted} shard files removed, all layouts); {back} shard files back there at its end (heal)",
                    layouts::LOST_DISKS.join(", ")
                ),
                None => String::new(),
            };
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.class,
                row.op.label(),
                row.concurrency,
                fmt_rate(row.cell.rate(unit)),
                unit.label(),
                relative,
                row.cell
                    .percentile(0.5)
                    .map(fmt_ms)
                    .unwrap_or_else(|| "–".into()),
                row.cell.ops,
                row.cell.failures(),
                note
            )?;
        }
        writeln!(out)?;
        let ratio_line = |out: &mut String,
                          what: &str,
                          target: Option<f64>,
                          a: (&str, LayoutOp),
                          b: (&str, LayoutOp)|
         -> std::fmt::Result {
            let parts: Vec<String> = lp
                .spec
                .concurrencies
                .iter()
                .filter_map(|&c| {
                    let x = layouts::find(rows, a.0, a.1, c)?;
                    let y = layouts::find(rows, b.0, b.1, c)?;
                    let p = layouts::percent(&x.cell, &y.cell, unit)?;
                    let verdict = match target {
                        Some(t) if p >= t => ", met",
                        Some(_) => ", **not met**",
                        None => "",
                    };
                    Some(format!(
                        "c={c} **{p:.0} %** ({} / {} {}{verdict})",
                        fmt_rate(x.cell.rate(unit)),
                        fmt_rate(y.cell.rate(unit)),
                        unit.label(),
                    ))
                })
                .collect();
            if parts.is_empty() {
                return Ok(());
            }
            let target = target
                .map(|t| format!(" (target ≥ {t:.0} %)"))
                .unwrap_or_default();
            writeln!(out, "- {what}{target}: {}.", parts.join("; "))
        };
        ratio_line(
            out,
            "EC_4_2 PUT as % of EC_1_0 PUT",
            Some(60.0),
            (layouts::CODED, LayoutOp::Put),
            (layouts::REFERENCE, LayoutOp::Put),
        )?;
        ratio_line(
            out,
            "Degraded EC_4_2 GET as % of healthy EC_4_2 GET",
            Some(50.0),
            (layouts::CODED, LayoutOp::DegradedGet),
            (layouts::CODED, LayoutOp::Get),
        )?;
        ratio_line(
            out,
            "EC_3_0 PUT as % of EC_1_0 PUT (no target)",
            None,
            (layouts::REPLICATED, LayoutOp::Put),
            (layouts::REFERENCE, LayoutOp::Put),
        )?;
        ratio_line(
            out,
            "SSE-S3 PUT as % of plain EC_1_0 PUT (no target)",
            None,
            (layouts::ENCRYPTED, LayoutOp::Put),
            (layouts::REFERENCE, LayoutOp::Put),
        )?;
        ratio_line(
            out,
            "SSE-S3 GET as % of plain EC_1_0 GET (no target)",
            None,
            (layouts::ENCRYPTED, LayoutOp::Get),
            (layouts::REFERENCE, LayoutOp::Get),
        )?;
        writeln!(out)
    }

    fn write_errors(&self, out: &mut String) -> std::fmt::Result {
        let failing: Vec<&Row> = self
            .rows
            .iter()
            .filter(|r| r.oosd.failures() + r.baseline.failures() > 0)
            .collect();
        let failing_layouts: Vec<&LayoutRow> = self
            .layout_rows
            .iter()
            .filter(|r| r.cell.failures() > 0)
            .collect();
        if failing.is_empty() && failing_layouts.is_empty() {
            return writeln!(out, "- No request failed.");
        }
        writeln!(out, "- Failed operations (message × count):")?;
        for row in failing {
            for (side, cell) in [("oosd", &row.oosd), ("baseline", &row.baseline)] {
                for (message, n) in &cell.errors {
                    writeln!(
                        out,
                        "  - {} {} c={} {side}: `{message}` × {n}",
                        row.spec.name,
                        row.op.label(),
                        row.concurrency
                    )?;
                }
            }
        }
        for row in failing_layouts {
            for (message, n) in &row.cell.errors {
                writeln!(
                    out,
                    "  - layout {} {} c={}: `{message}` × {n}",
                    row.class,
                    row.op.label(),
                    row.concurrency
                )?;
            }
        }
        Ok(())
    }
}

fn fmt_rate(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0}")
    } else if ms >= 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.2}")
    }
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "?".into())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown model".into())
}

fn mem_total_gib() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: f64 = line["MemTotal:".len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()?;
            Some(format!("{:.0}", kib / MIB))
        })
        .unwrap_or_else(|| "?".into())
}

/// `ext4 on /dev/vda` for the mount holding `path` (longest matching mount point).
fn filesystem_of(path: &Path) -> String {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (dev, mnt, fstype) = (f.next()?, f.next()?, f.next()?);
            path.starts_with(mnt)
                .then(|| (mnt.len(), format!("{fstype} on {dev}")))
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, fs)| fs)
        .unwrap_or_else(|| "unknown filesystem".into())
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

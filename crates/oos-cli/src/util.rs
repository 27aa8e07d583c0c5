//! Shared helpers: remote paths, sizes, durations, output and progress.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::CliError;

/// A command-line location: `s3://bucket/key` or a local path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A bucket and a key or prefix (possibly empty).
    Remote { bucket: String, key: String },
    /// A local path (`-` is stdin/stdout).
    Local(String),
}

impl Location {
    pub fn parse(s: &str) -> Location {
        match s.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
                Location::Remote {
                    bucket: bucket.to_string(),
                    key: key.to_string(),
                }
            }
            None => Location::Local(s.to_string()),
        }
    }
}

/// `s3://bucket[/key]` or an error naming the argument.
pub fn remote(s: &str) -> Result<(String, String), CliError> {
    match Location::parse(s) {
        Location::Remote { bucket, key } if !bucket.is_empty() => Ok((bucket, key)),
        _ => Err(CliError::usage(format!(
            "{s}: expected a remote path s3://bucket[/key]"
        ))),
    }
}

/// `1MiB`, `64KiB`, `10k`, `1G`, `123` (bytes).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("invalid size {s:?}"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => return Err(format!("invalid size unit in {s:?}")),
    };
    Ok((n * mult as f64) as u64)
}

/// `10s`, `2m`, `500ms`, `1h`, `30` (seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("invalid duration {s:?}"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("invalid duration unit in {s:?}")),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// `1.5 MiB`.
pub fn human(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// `2024-01-02T03:04:05.000Z` → `2024-01-02 03:04:05`.
pub fn short_time(iso: &str) -> String {
    iso.get(..19).unwrap_or(iso).replace('T', " ")
}

/// Prints one JSON value on stdout.
pub fn print_json(v: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

/// A transfer progress display: a redrawn bar on a terminal, nothing otherwise (the caller
/// prints a plain line when each transfer ends).
#[derive(Clone)]
pub struct Progress {
    inner: Option<Arc<Bar>>,
}

struct Bar {
    label: String,
    start: Instant,
    done: AtomicU64,
    total: AtomicU64,
    last_draw: Mutex<Instant>,
}

impl Progress {
    /// A bar when stderr is a terminal and `enabled`.
    pub fn new(label: &str, total: u64, enabled: bool) -> Progress {
        let on = enabled && std::io::stderr().is_terminal();
        Progress {
            inner: on.then(|| {
                Arc::new(Bar {
                    label: label.to_string(),
                    start: Instant::now(),
                    done: AtomicU64::new(0),
                    total: AtomicU64::new(total),
                    last_draw: Mutex::new(Instant::now() - Duration::from_secs(1)),
                })
            }),
        }
    }

    /// The SDK callback feeding this bar.
    pub fn callback(&self) -> Option<oos::ProgressFn> {
        let bar = self.inner.clone()?;
        Some(Arc::new(move |p: oos::Progress| {
            bar.done.store(p.transferred, Ordering::Relaxed);
            if p.total > 0 {
                bar.total.store(p.total, Ordering::Relaxed);
            }
            bar.draw(false);
        }))
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.inner {
            bar.draw(true);
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}

impl Bar {
    fn draw(&self, force: bool) {
        let mut last = self.last_draw.lock().expect("progress lock");
        if !force && last.elapsed() < Duration::from_millis(100) {
            return;
        }
        *last = Instant::now();
        let done = self.done.load(Ordering::Relaxed);
        let total = self.total.load(Ordering::Relaxed);
        let secs = self.start.elapsed().as_secs_f64().max(1e-3);
        let rate = done as f64 / secs;
        let width = 30usize;
        let (bar, eta) = if total > 0 {
            let filled = ((done.min(total) as f64 / total as f64) * width as f64) as usize;
            let eta = if rate > 0.0 {
                format!("{:.0}s", (total.saturating_sub(done)) as f64 / rate)
            } else {
                "?".into()
            };
            (
                format!("{}{}", "#".repeat(filled), "-".repeat(width - filled)),
                eta,
            )
        } else {
            ("-".repeat(width), "?".into())
        };
        eprint!(
            "\r\x1b[2K{} [{bar}] {} / {} {}/s ETA {eta}",
            self.label,
            human(done),
            if total > 0 { human(total) } else { "?".into() },
            human(rate as u64)
        );
        let _ = std::io::stderr().flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths_sizes_durations() {
        assert_eq!(
            Location::parse("s3://b/a/b"),
            Location::Remote {
                bucket: "b".into(),
                key: "a/b".into()
            }
        );
        assert_eq!(
            Location::parse("s3://b"),
            Location::Remote {
                bucket: "b".into(),
                key: "".into()
            }
        );
        assert_eq!(Location::parse("./x"), Location::Local("./x".into()));
        assert_eq!(parse_size("1MiB").unwrap(), 1 << 20);
        assert_eq!(parse_size("64k").unwrap(), 65536);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("1X").is_err());
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(10), "10 B");
    }
}

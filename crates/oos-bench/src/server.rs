//! Starting and stopping `oosd`, and reading its memory use from `/proc`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::{Result, ACCESS_KEY, SECRET_KEY};

/// How long `oosd` may take to print its listening line.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long `oosd` may take to exit after SIGTERM (its own drain bound is 30 s).
const STOP_TIMEOUT: Duration = Duration::from_secs(40);
/// Server log lines kept for the report.
const LOG_LINES: usize = 20;
const READY_PREFIX: &str = "oosd listening on http://";

/// A running `oosd`; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Oosd {
    child: Option<Child>,
    addr: SocketAddr,
    stderr_path: PathBuf,
    data_dir: PathBuf,
}

/// Peak and current resident set size, in bytes.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub peak_rss: u64,
    pub rss: u64,
}

/// What the server wrote to stderr (at `OOS_LOG=warn`) and how it exited.
#[derive(Debug, Default)]
pub struct ServerLog {
    pub lines: usize,
    pub tail: Vec<String>,
    pub exit: String,
}

impl Oosd {
    /// Starts `binary` with a fresh data directory under `work` and waits for its listening line.
    pub fn start(binary: &Path, work: &Path) -> Result<Oosd> {
        let data_dir = work.join("oosd-data");
        let stderr_path = work.join("oosd.stderr");
        let stderr = std::fs::File::create(&stderr_path)?;
        let mut child = Command::new(binary)
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data_dir)
            .env("OOS_ROOT_ACCESS_KEY", ACCESS_KEY)
            .env("OOS_ROOT_SECRET_KEY", SECRET_KEY)
            .env("OOS_LOG", "warn")
            .env_remove("OOS_CONFIG")
            .env_remove("OOS_LISTEN")
            .env_remove("OOS_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let stdout = child.stdout.take().ok_or("oosd stdout not captured")?;

        // One thread reads stdout for the whole run: it reports the port, then drains.
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::Builder::new()
            .name("oosd-stdout".into())
            .spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    if let Some(rest) = line.strip_prefix(READY_PREFIX) {
                        if let Some(tx) = tx.take() {
                            let addr = rest.split_whitespace().next().unwrap_or("");
                            let _ = tx.send(addr.to_string());
                        }
                    }
                }
            })?;

        let mut oosd = Oosd {
            child: Some(child),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stderr_path,
            data_dir,
        };
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(addr) => {
                oosd.addr = addr
                    .parse()
                    .map_err(|_| format!("cannot parse the oosd address {addr:?}"))?;
                if !oosd.addr.ip().is_loopback() {
                    return Err(format!("oosd listens on {addr}, not on 127.0.0.1").into());
                }
                Ok(oosd)
            }
            Err(_) => {
                let log = oosd.stop_and_log();
                Err(format!(
                    "oosd did not print its listening line within {START_TIMEOUT:?} ({}); stderr:\n{}",
                    log.exit,
                    log.tail.join("\n")
                )
                .into())
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The `--data-dir` given to oosd.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).unwrap_or(0)
    }

    /// `VmHWM` and `VmRSS` from `/proc/<pid>/status`.
    pub fn memory(&self) -> Result<Memory> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))?;
        let field = |name: &str| -> Result<u64> {
            let line = status
                .lines()
                .find(|l| l.starts_with(name))
                .ok_or_else(|| format!("no {name} in /proc/<pid>/status"))?;
            let kib: u64 = line[name.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()?;
            Ok(kib * 1024)
        };
        Ok(Memory {
            peak_rss: field("VmHWM:")?,
            rss: field("VmRSS:")?,
        })
    }

    /// Sends SIGTERM, waits (bounded) for the exit, kills if needed, and returns the stderr log.
    pub fn stop_and_log(&mut self) -> ServerLog {
        let exit = match self.child.take() {
            Some(child) => stop(child),
            None => "already stopped".into(),
        };
        let text = std::fs::read_to_string(&self.stderr_path).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        ServerLog {
            lines: all.len(),
            tail: all[all.len().saturating_sub(LOG_LINES)..]
                .iter()
                .map(|l| l.to_string())
                .collect(),
            exit,
        }
    }
}

impl Drop for Oosd {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            stop(child);
        }
    }
}

fn stop(mut child: Child) -> String {
    if let Ok(Some(status)) = child.try_wait() {
        return format!("had already exited: {status}");
    }
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Instant::now() < deadline {
        match child.try_wait() {
            Ok(Some(status)) => return format!("exited after SIGTERM: {status}"),
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return format!("cannot wait for oosd: {e}"),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    format!("did not exit within {STOP_TIMEOUT:?} of SIGTERM; killed")
}

//! `oosd doctor`: checks what breaks stores in the field and says what to fix: the config,
//! the data directory, the metadata store and the clock against it, the server key, the
//! file-descriptor limit, the listen addresses, and each pool disk (mount, free space, a
//! durable write, identity file).
//!
//! Safe while the server runs: it opens the metadata store read-only, binds no port a server
//! holds, and writes nothing but its own probe files, which it removes.

mod disk;
mod host;
pub mod mounts;

use serde::Serialize;

use crate::config::{Config, Overrides};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Warn => "warn",
            Status::Fail => "FAIL",
        }
    }
}

/// The outcome of one check; warnings and failures say what to do.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: String,
    pub status: Status,
    pub detail: String,
    pub fix: Option<String>,
}

impl Finding {
    fn ok(check: impl Into<String>, detail: impl Into<String>) -> Finding {
        Finding {
            check: check.into(),
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    fn warn(
        check: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            status: Status::Warn,
            fix: Some(fix.into()),
            ..Finding::ok(check, detail)
        }
    }

    fn fail(
        check: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Finding {
        Finding {
            status: Status::Fail,
            ..Finding::warn(check, detail, fix)
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether any check failed (`oosd doctor` then exits 1).
    pub fn failed(&self) -> bool {
        self.findings.iter().any(|f| f.status == Status::Fail)
    }

    /// One line per check, `status  check  detail`, and an indented `fix:` line under
    /// warnings and failures.
    pub fn text(&self) -> String {
        let width = self
            .findings
            .iter()
            .map(|f| f.check.len())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!(
                "{:<4}  {:<width$}  {}\n",
                f.status.label(),
                f.check,
                f.detail
            ));
            if let Some(fix) = &f.fix {
                out.push_str(&format!("      fix: {fix}\n"));
            }
        }
        out
    }

    /// An array of `{check, status, detail, fix}` (`status` is `ok`, `warn` or `fail`).
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&self.findings).unwrap_or_else(|_| "[]".into())
    }
}

/// Loads the config as the server does and runs every check.
pub fn run(overrides: &Overrides) -> Report {
    let config = match Config::load(overrides) {
        Ok(c) => c,
        Err(e) => {
            return Report {
                findings: vec![Finding::fail(
                    "config",
                    e.to_string(),
                    "fix the config file; the server refuses to start with it",
                )],
            }
        }
    };
    let disks: usize = config.pools.iter().map(|p| p.disks.len()).sum();
    let mut findings = vec![Finding::ok(
        "config",
        format!(
            "{}: {} pool(s), {disks} disks, data in {}",
            host::config_source(overrides.config.as_deref()),
            config.pools.len(),
            config.data_dir.display()
        ),
    )];
    findings.push(host::data_dir(&config));
    let (meta, summary) = host::metadata(&config);
    findings.extend(meta);
    findings.push(host::master_key(&config, summary.as_ref()));
    findings.push(host::fd_limit(&config));
    findings.extend(host::listeners(&config));
    let mounts = mounts::MountTable::read();
    for pool in &config.pools {
        findings.extend(disk::check_pool(pool, &mounts));
    }
    Report { findings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_aligns_checks_and_puts_fixes_under_them() {
        let report = Report {
            findings: vec![
                Finding::ok("config", "fine"),
                Finding::fail("write /srv/d1", "create: Read-only file system", "remount"),
            ],
        };
        assert_eq!(
            report.text(),
            "ok    config         fine\n\
             FAIL  write /srv/d1  create: Read-only file system\n      fix: remount\n"
        );
        assert!(report.failed());
        let json: serde_json::Value = serde_json::from_str(&report.json()).unwrap();
        assert_eq!(json[1]["status"], "fail");
        assert_eq!(json[0]["fix"], serde_json::Value::Null);
        assert!(!Report {
            findings: vec![Finding::warn("a", "b", "c")]
        }
        .failed());
    }
}

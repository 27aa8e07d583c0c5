//! `oosd doctor` against real data directories, and the systemd unit in `packaging/`: its
//! command lines run as written (with temp paths), and `systemd-analyze` accepts it.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::Oosd;
use serde_json::Value;

const OOSD: &str = env!("CARGO_BIN_EXE_oosd");

/// `oosd doctor` without inherited OOS_* settings.
fn doctor_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(OOSD);
    cmd.arg("doctor")
        .args(args)
        .env_remove("OOS_CONFIG")
        .env_remove("OOS_LISTEN")
        .env_remove("OOS_DATA_DIR")
        .env_remove("OOS_MASTER_KEY");
    cmd
}

/// What one `oosd doctor --json` run found.
struct Diagnosis {
    code: i32,
    findings: Vec<Value>,
}

impl Diagnosis {
    fn of(output: Output) -> Diagnosis {
        let text = String::from_utf8_lossy(&output.stdout);
        let findings: Vec<Value> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("doctor --json printed no JSON array ({e}):\n{text}"));
        Diagnosis {
            code: output.status.code().expect("doctor exited by a signal"),
            findings,
        }
    }

    fn run(args: &[&str]) -> Diagnosis {
        let output = doctor_command(args)
            .arg("--json")
            .output()
            .expect("run oosd doctor");
        Self::of(output)
    }

    /// The finding of `check`.
    fn get(&self, check: &str) -> &Value {
        self.findings
            .iter()
            .find(|f| f["check"] == check)
            .unwrap_or_else(|| panic!("no check {check:?} in {:#?}", self.findings))
    }

    fn status(&self, check: &str) -> &str {
        self.get(check)["status"].as_str().unwrap_or("")
    }

    fn detail(&self, check: &str) -> &str {
        self.get(check)["detail"].as_str().unwrap_or("")
    }

    fn fix(&self, check: &str) -> &str {
        self.get(check)["fix"].as_str().unwrap_or("")
    }

    fn failed(&self) -> Vec<&str> {
        self.findings
            .iter()
            .filter(|f| f["status"] == "fail")
            .map(|f| f["check"].as_str().unwrap_or(""))
            .collect()
    }
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// A configured pool `p` of `n` disk directories under the data directory.
fn pool_config(data: &Path, n: usize) -> (String, Vec<PathBuf>) {
    let disks: Vec<PathBuf> = (1..=n)
        .map(|i| data.join("disks").join(format!("d{i}")))
        .collect();
    for d in &disks {
        std::fs::create_dir_all(d).unwrap();
    }
    let list = disks
        .iter()
        .map(|d| format!("{:?}", path_str(d)))
        .collect::<Vec<_>>()
        .join(", ");
    (format!("[[pool]]\nname = \"p\"\ndisks = [{list}]\n"), disks)
}

/// Starts oosd once on the data directory (formatting its disks) and stops it with SIGTERM
/// (the harness asserts exit 0).
fn initialise(data: tempfile::TempDir, config: Option<&str>) -> tempfile::TempDir {
    Oosd::start_in_with_config(data, config).stop()
}

fn config_path(data: &Path) -> String {
    path_str(&data.join("oosd-test.toml")).to_string()
}

#[test]
fn healthy_data_dir_passes_and_the_embedded_pool_is_warned_about() {
    let data = tempfile::tempdir().unwrap();
    let server = Oosd::start_in(data);
    let dir = server.data_path().to_path_buf();
    let dir_s = path_str(&dir).to_string();

    // While the server runs: nothing fails, and its port is seen in use.
    let live = Diagnosis::run(&["--data-dir", &dir_s, "--listen", &server.addr]);
    assert_eq!(live.code, 0, "failed: {:?}", live.failed());
    assert_eq!(live.status("listen"), "ok");
    assert!(
        live.detail("listen").contains("in use"),
        "{}",
        live.detail("listen")
    );
    let health = http_get(&server.addr, "/_health");
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    let data = server.stop();

    let meta_before = std::fs::read(dir.join("meta.sqlite")).unwrap();
    let d = Diagnosis::run(&["--data-dir", &dir_s]);
    assert_eq!(d.code, 0, "failed: {:?}", d.failed());
    for check in ["config", "data_dir", "metadata", "clock", "master_key"] {
        assert_eq!(d.status(check), "ok", "{check}: {}", d.detail(check));
    }
    assert!(d.detail("metadata").contains("schema version"));
    assert_eq!(d.status("devices default"), "warn");
    assert!(
        d.detail("devices default").contains("share one device"),
        "{}",
        d.detail("devices default")
    );
    for i in 1..=6 {
        let disk = dir.join("data").join(format!("disk{i}"));
        let disk = disk.display();
        for check in ["mount", "write", "identity"] {
            let name = format!("{check} {disk}");
            assert_eq!(d.status(&name), "ok", "{name}: {}", d.detail(&name));
        }
        assert!(d
            .detail(&format!("identity {disk}"))
            .contains(&format!("disk {} of pool default", i - 1)));
        let space = d.status(&format!("space {disk}"));
        assert!(space == "ok" || space == "warn", "space {disk}: {space}");
    }
    // Its probes left nothing behind, and the metadata store is unchanged.
    for i in 1..=6 {
        let tmp = dir.join("data").join(format!("disk{i}")).join("tmp");
        assert_eq!(
            std::fs::read_dir(&tmp).unwrap().count(),
            0,
            "{}",
            tmp.display()
        );
    }
    assert!(!std::fs::read_dir(&dir).unwrap().any(|e| e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with(".oosd-doctor")));
    assert!(std::fs::read(dir.join("meta.sqlite")).unwrap() == meta_before);

    // Every finding has exactly the four fields; a fix exactly when it is not ok.
    for f in &d.findings {
        let obj = f.as_object().expect("object");
        let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["check", "detail", "fix", "status"], "{f}");
        let status = f["status"].as_str().unwrap();
        assert!(["ok", "warn", "fail"].contains(&status), "{f}");
        assert_eq!(f["fix"].is_null(), status == "ok", "{f}");
    }

    // The text form: one `status  check  detail` line per check, `fix:` under the others.
    let text = doctor_command(&["--data-dir", &dir_s]).output().unwrap();
    assert_eq!(text.status.code(), Some(0));
    let text = String::from_utf8(text.stdout).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("      fix: "))
        .collect();
    assert_eq!(lines.len(), d.findings.len(), "{text}");
    let warns = d.findings.iter().filter(|f| f["status"] == "warn").count();
    assert_eq!(text.lines().count() - lines.len(), warns, "{text}");
    for line in lines {
        assert!(
            line.starts_with("ok    ") || line.starts_with("warn  "),
            "{line}"
        );
    }
    drop(data);
}

#[test]
fn a_disk_that_is_a_regular_file_fails_naming_that_disk() {
    let data = tempfile::tempdir().unwrap();
    let (config, disks) = pool_config(data.path(), 3);
    std::fs::remove_dir(&disks[2]).unwrap();
    std::fs::write(&disks[2], b"not a disk").unwrap();
    std::fs::write(data.path().join("oosd-test.toml"), &config).unwrap();
    let dir = path_str(data.path());
    let d = Diagnosis::run(&["--config", &config_path(data.path()), "--data-dir", dir]);
    assert_eq!(d.code, 1);
    let bad = format!("mount {}", disks[2].display());
    assert_eq!(d.failed(), [bad.as_str()]);
    assert!(
        d.detail(&bad).contains("regular file"),
        "{}",
        d.detail(&bad)
    );
    assert!(d.fix(&bad).contains("[[pool]] p"), "{}", d.fix(&bad));
    // The other disks are merely blank (formatted at the next start).
    assert_eq!(
        d.status(&format!("identity {}", disks[0].display())),
        "warn"
    );
    assert_eq!(d.status(&format!("write {}", disks[1].display())), "ok");
    let text = doctor_command(&["--config", &config_path(data.path()), "--data-dir", dir])
        .output()
        .unwrap();
    assert_eq!(text.status.code(), Some(1));
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(
        text.lines()
            .any(|l| l.starts_with(&format!("FAIL  {bad} "))),
        "{text}"
    );
}

#[test]
fn a_tmp_that_is_not_a_directory_fails_the_write_probe() {
    // Root writes through any permission bits; a file where tmp/ should be stops everyone.
    let data = tempfile::tempdir().unwrap();
    let (config, disks) = pool_config(data.path(), 3);
    let data = initialise(data, Some(&config));
    let tmp = disks[1].join("tmp");
    std::fs::remove_dir_all(&tmp).unwrap();
    std::fs::write(&tmp, b"").unwrap();
    let d = Diagnosis::run(&[
        "--config",
        &config_path(data.path()),
        "--data-dir",
        path_str(data.path()),
    ]);
    assert_eq!(d.code, 1);
    let bad = format!("write {}", disks[1].display());
    assert_eq!(d.failed(), [bad.as_str()]);
    assert!(
        d.detail(&bad).contains("Not a directory"),
        "{}",
        d.detail(&bad)
    );
    assert!(d
        .fix(&bad)
        .contains(&format!("{} is not a directory", tmp.display())));
    assert_eq!(d.status(&format!("write {}", disks[0].display())), "ok");
    // Nothing of the probe is left next to the file either.
    assert_eq!(std::fs::read(&tmp).unwrap(), b"");
}

#[test]
fn an_identity_file_of_another_pool_fails() {
    let data = tempfile::tempdir().unwrap();
    let (config, disks) = pool_config(data.path(), 3);
    let data = initialise(data, Some(&config));
    let args = [
        "--config",
        &config_path(data.path()),
        "--data-dir",
        path_str(data.path()),
    ];
    let before = Diagnosis::run(&args);
    assert_eq!(before.code, 0, "failed: {:?}", before.failed());
    let id_path = disks[0].join("oos-disk.json");
    let mut id: Value = serde_json::from_slice(&std::fs::read(&id_path).unwrap()).unwrap();
    id["pool"] = "q".into();
    std::fs::write(&id_path, serde_json::to_vec(&id).unwrap()).unwrap();
    let d = Diagnosis::run(&args);
    assert_eq!(d.code, 1);
    let bad = format!("identity {}", disks[0].display());
    assert_eq!(d.failed(), [bad.as_str()]);
    assert!(
        d.detail(&bad).contains("belongs to pool \"q\""),
        "{}",
        d.detail(&bad)
    );
    assert_eq!(d.status(&format!("identity {}", disks[1].display())), "ok");
    // Disks of one configured pool on one device fail together: said, not failed.
    assert_eq!(d.status("devices p"), "warn");
    assert!(
        d.detail("devices p").contains("share device"),
        "{}",
        d.detail("devices p")
    );
}

/// `oosd doctor --json` with RLIMIT_NOFILE set to `n` (soft and hard).
fn doctor_with_nofile(n: u64, args: &[&str]) -> Diagnosis {
    use std::os::unix::process::CommandExt;
    let mut cmd = doctor_command(args);
    cmd.arg("--json");
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: n,
                rlim_max: n,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Diagnosis::of(cmd.output().expect("run oosd doctor with a file limit"))
}

#[test]
fn a_low_file_descriptor_limit_warns_with_the_fix() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("c.toml"), "max_connections = 1024\n").unwrap();
    let config = path_str(&data.path().join("c.toml")).to_string();
    let args = [
        "--config",
        config.as_str(),
        "--data-dir",
        path_str(data.path()),
    ];
    let low = doctor_with_nofile(64, &args);
    assert_eq!(low.status("fd_limit"), "warn");
    assert!(
        low.detail("fd_limit").contains("soft limit 64 (hard 64)"),
        "{}",
        low.detail("fd_limit")
    );
    assert!(
        low.fix("fd_limit").contains("LimitNOFILE="),
        "{}",
        low.fix("fd_limit")
    );
    // A warning, not a failure.
    assert_eq!(low.code, 0, "failed: {:?}", low.failed());
    let enough = doctor_with_nofile(4096, &args);
    assert_eq!(
        enough.status("fd_limit"),
        "ok",
        "{}",
        enough.detail("fd_limit")
    );
}

#[test]
fn a_clock_behind_the_last_write_fails() {
    let data = initialise(tempfile::tempdir().unwrap(), None);
    let args = ["--data-dir", path_str(data.path())];
    assert_eq!(Diagnosis::run(&args).status("clock"), "ok");
    let hour_ahead = SystemTime::now() + Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(data.path().join("meta.sqlite"))
        .unwrap()
        .set_modified(hour_ahead)
        .unwrap();
    let d = Diagnosis::run(&args);
    assert_eq!(d.code, 1);
    assert_eq!(d.failed(), ["clock"]);
    let detail = d.detail("clock");
    assert!(
        detail.contains("the clock is behind the last write by 35"),
        "{detail}"
    );
    assert!(d.fix("clock").contains("NTP"), "{}", d.fix("clock"));
}

#[test]
fn master_key_readable_by_others_warns_and_missing_with_accounts_fails() {
    let data = initialise(tempfile::tempdir().unwrap(), None);
    let args = ["--data-dir", path_str(data.path())];
    let key = data.path().join("master.key");
    assert_eq!(Diagnosis::run(&args).status("master_key"), "ok");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let d = Diagnosis::run(&args);
    assert_eq!(d.status("master_key"), "warn");
    assert!(
        d.detail("master_key").contains("mode 0644"),
        "{}",
        d.detail("master_key")
    );
    assert!(d.fix("master_key").starts_with("chmod 600"));
    std::fs::remove_file(&key).unwrap();
    let d = Diagnosis::run(&args);
    assert_eq!(d.code, 1);
    assert_eq!(d.failed(), ["master_key"]);
    assert!(
        d.detail("master_key").contains("1 account(s)"),
        "{}",
        d.detail("master_key")
    );
    // A fresh data directory without a key is only told to back it up later.
    let fresh = tempfile::tempdir().unwrap();
    let d = Diagnosis::run(&["--data-dir", path_str(fresh.path())]);
    assert_eq!(d.status("master_key"), "warn");
    assert!(d.fix("master_key").contains("back it up"));
}

#[test]
fn a_bad_config_fails_with_the_config_error() {
    let data = tempfile::tempdir().unwrap();
    let config = data.path().join("bad.toml");
    std::fs::write(&config, "listen_port = 3\n").unwrap();
    let d = Diagnosis::run(&[
        "--config",
        path_str(&config),
        "--data-dir",
        path_str(data.path()),
    ]);
    assert_eq!(d.code, 1);
    assert_eq!(d.findings.len(), 1);
    assert_eq!(d.failed(), ["config"]);
    assert!(
        d.detail("config").contains("listen_port"),
        "{}",
        d.detail("config")
    );
}

// ---- the systemd unit ----

fn unit_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/oosd.service")
}

/// Every `Key=value` line of the unit (comments skipped), in order.
fn unit_settings() -> Vec<(String, String)> {
    std::fs::read_to_string(unit_path())
        .expect("packaging/oosd.service")
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with('['))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn unit_value(key: &str) -> String {
    let values: Vec<String> = unit_settings()
        .into_iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v)
        .collect();
    assert_eq!(values.len(), 1, "{key}= should be set once: {values:?}");
    values[0].clone()
}

#[test]
fn unit_is_hardened_as_documented() {
    for (key, value) in [
        ("User", "oosd"),
        ("StateDirectory", "oosd"),
        ("Restart", "on-failure"),
        ("LimitNOFILE", "65536"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("ProtectKernelTunables", "yes"),
        ("ProtectKernelModules", "yes"),
        ("ProtectKernelLogs", "yes"),
        ("ProtectControlGroups", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("RestrictNamespaces", "yes"),
        ("LockPersonality", "yes"),
        ("MemoryDenyWriteExecute", "yes"),
        ("SystemCallArchitectures", "native"),
        ("CapabilityBoundingSet", ""),
    ] {
        assert_eq!(unit_value(key), value, "{key}=");
    }
    // The data directory of the command lines is the one StateDirectory= makes.
    let state = format!("/var/lib/{}", unit_value("StateDirectory"));
    assert!(unit_value("ExecStart").contains(&format!("--data-dir {state}")));
}

/// A unit command line with the install paths replaced by test ones.
fn localised(line: &str, config: &Path, data: &Path) -> Vec<String> {
    assert!(
        !line.contains('"') && !line.contains('\''),
        "quoting is not handled: {line}"
    );
    let argv: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(argv[0], "/usr/local/bin/oosd", "{line}");
    argv[1..]
        .iter()
        .map(|a| match *a {
            "/etc/oos/oosd.toml" => path_str(config).to_string(),
            "/var/lib/oosd" => path_str(data).to_string(),
            other => {
                assert!(
                    !other.starts_with('/'),
                    "an install path the test does not map: {other}"
                );
                other.to_string()
            }
        })
        .collect()
}

#[test]
fn unit_command_lines_run_and_sigterm_stops_cleanly() {
    let root = tempfile::tempdir().unwrap();
    let config = root.path().join("oosd.toml");
    std::fs::write(&config, "").unwrap(); // as the README installs it: empty, the defaults
    let data = root.path().join("state");
    std::fs::create_dir(&data).unwrap(); // StateDirectory= makes it before any Exec line

    // ExecStartPre: doctor, allowed to fail ('-'), here on a fresh directory passing.
    let pre = unit_value("ExecStartPre");
    let pre = pre
        .strip_prefix('-')
        .expect("ExecStartPre ignores failure ('-')");
    let out = Command::new(OOSD)
        .args(localised(pre, &config, &data))
        .env_remove("OOS_MASTER_KEY")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok    config "));

    // ExecStart, on a free port: starts, serves, and exits 0 on SIGTERM.
    let mut child = Command::new(OOSD)
        .args(localised(&unit_value("ExecStart"), &config, &data))
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("OOS_CONFIG")
        .env_remove("OOS_LISTEN")
        .env_remove("OOS_DATA_DIR")
        .env("OOS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let addr = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let _ = child.kill();
            panic!("oosd ended before listening: {:?}", child.wait());
        }
        if let Some(rest) = line.strip_prefix("oosd listening on http://") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    assert!(http_get(&addr, "/_health").starts_with("HTTP/1.1 200"));
    assert!(data.join("meta.sqlite").is_file());
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let stop: u64 = unit_value("TimeoutStopSec").parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(stop);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("oosd outlived TimeoutStopSec");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0), "systemctl stop must be clean");
}

#[test]
fn unit_passes_systemd_analyze() {
    let Ok(version) = Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("systemd-analyze is not installed: skipped (the other unit tests still run)");
        return;
    };
    assert!(version.status.success());
    // verify wants the binary to exist: point the unit at the one just built.
    let dir = tempfile::tempdir().unwrap();
    let unit = dir.path().join("oosd.service");
    let text = std::fs::read_to_string(unit_path()).unwrap();
    std::fs::write(&unit, text.replace("/usr/local/bin/oosd", OOSD)).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&unit)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // Bad settings are only warnings ("Failed to parse …, ignoring"), naming the file.
    let about_ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("oosd.service"))
        .collect();
    assert!(about_ours.is_empty(), "{about_ours:#?}");
    // The hardening adds up: systemd's own exposure score (0–100, lower is safer).
    let out = Command::new("systemd-analyze")
        .args(["security", "--offline=yes", "--threshold=40"])
        .arg(&unit)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exposure above 4.0:\n{report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// One plain `GET` (HTTP/1.1, `Connection: close`); the whole response as text.
fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out
}

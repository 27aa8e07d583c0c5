//! Test support: runs the real `oosd` on a free port with a temporary data directory and
//! known root keys (after `crates/oos-server/tests/common/mod.rs`).
#![allow(dead_code)]

pub mod capture;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use tempfile::TempDir;

pub const ACCESS_KEY: &str = "OOSTESTACCESSKEY0001";
pub const SECRET_KEY: &str = "oos-test-secret-key-0123456789abcdefghij";

/// The workspace root (two levels above this crate).
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// `$OOSD_BIN`, else `<target>/debug/oosd`, built on demand.
pub fn oosd_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("OOSD_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let bin = target.join("debug").join("oosd");
    static BUILD: std::sync::Once = std::sync::Once::new();
    BUILD.call_once(|| {
        if !bin.exists() {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let status = Command::new(cargo)
                .args(["build", "-p", "oos-server", "--bin", "oosd"])
                .current_dir(workspace())
                .status()
                .expect("run cargo build for oosd");
            assert!(status.success(), "building oosd failed");
        }
    });
    bin
}

/// A running `oosd`; killed on drop.
pub struct Oosd {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    pub dir: TempDir,
}

impl Oosd {
    pub fn start() -> Oosd {
        Self::start_with_config(None)
    }

    /// With an `oosd` configuration file of these TOML lines.
    pub fn start_with_config(config: Option<&str>) -> Oosd {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = std::fs::File::create(dir.path().join("oosd.log")).expect("log");
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let mut cmd = Command::new(oosd_bin());
        if let Some(text) = config {
            let path = dir.path().join("oosd.toml");
            std::fs::write(&path, text).expect("write config");
            cmd.arg("--config").arg(path);
        }
        let mut child = cmd
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(&data)
            .env("OOS_ROOT_ACCESS_KEY", ACCESS_KEY)
            .env("OOS_ROOT_SECRET_KEY", SECRET_KEY)
            .env("OOS_LOG", "warn")
            .env_remove("OOS_CONFIG")
            .env_remove("OOS_LISTEN")
            .env_remove("OOS_DATA_DIR")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("spawn oosd");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix("oosd listening on ") {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(rest.split_whitespace().next().unwrap_or("").to_string());
                    }
                }
            }
        });
        let endpoint = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(e) => e,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "oosd did not start: {}",
                    std::fs::read_to_string(dir.path().join("oosd.log")).unwrap_or_default()
                );
            }
        };
        Oosd {
            child,
            endpoint,
            dir,
        }
    }

    pub fn config(&self) -> oos::Config {
        oos::Config::new(&self.endpoint, ACCESS_KEY, SECRET_KEY)
    }

    pub fn client(&self) -> oos::Client {
        oos::Client::new(self.config()).expect("client")
    }
}

impl Drop for Oosd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Deterministic pseudo-random bytes.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The answer to a raw request: status, head (status line and headers) and body.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// A response header, its name matched without case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// POSTs a browser form to `url` (`http://host[:port]/path`): `fields` in order, then the
/// `file` field with this file name and content, as `multipart/form-data`.
pub fn post_form(
    url: &str,
    fields: &[(String, String)],
    file_name: &str,
    file: &[u8],
) -> RawResponse {
    use std::io::{Read, Write};
    const BOUNDARY: &str = "----oos-test-form-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        write!(
            body,
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
        .unwrap();
    }
    write!(
        body,
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .unwrap();
    body.extend_from_slice(file);
    write!(body, "\r\n--{BOUNDARY}--\r\n").unwrap();

    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let mut s = std::net::TcpStream::connect(host).expect("connect");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    // The server may refuse (and stop reading) before the file ended.
    let _ = s.write_all(&body);
    // A refusal may come before the server read the whole form, and its close may then
    // reset the connection: what arrived before the reset is the answer.
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = s.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&out[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut response = RawResponse {
        status,
        head,
        body: out[split + 4..].to_vec(),
    };
    if response
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        let mut plain = Vec::new();
        let mut rest = &response.body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let text = std::str::from_utf8(&rest[..line_end]).unwrap().trim();
            let n = usize::from_str_radix(text, 16).unwrap();
            if n == 0 {
                break;
            }
            plain.extend_from_slice(&rest[line_end + 2..line_end + 2 + n]);
            rest = &rest[line_end + 2 + n + 2..];
        }
        response.body = plain;
    }
    response
}

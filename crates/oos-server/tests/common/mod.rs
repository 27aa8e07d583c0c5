//! Test harness: runs the real `oosd` binary on a free port with its own data directory, and
//! talks to it with the AWS SDK or with hand-written HTTP/1.1 requests.
#![allow(dead_code)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use http::HeaderMap;
use md5::{Digest, Md5};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub const ACCESS_KEY: &str = "OOSTESTACCESSKEY0001";
pub const SECRET_KEY: &str = "oos-test-secret-key-0123456789abcdefghij";
/// The region the SDK signs with; the server accepts any region in the scope.
pub const REGION: &str = "cn";

/// A running `oosd`. Dropping it kills the process (the data directory goes with it).
pub struct Oosd {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
    /// `127.0.0.1:PORT`
    pub addr: String,
    pub data_dir: Option<TempDir>,
}

impl Oosd {
    /// A fresh server on a new, empty data directory.
    pub fn start() -> Oosd {
        Self::start_in(tempfile::tempdir().expect("temp dir"))
    }

    /// A fresh server with extra configuration-file lines (TOML), e.g. `gc_grace_seconds = 1`.
    pub fn start_with_config(config: &str) -> Oosd {
        Self::start_in_with_config(tempfile::tempdir().expect("temp dir"), Some(config))
    }

    /// A server on an existing data directory (a restart).
    pub fn start_in(data_dir: TempDir) -> Oosd {
        Self::start_in_with_config(data_dir, None)
    }

    /// A server on an existing data directory, with a configuration file when given.
    pub fn start_in_with_config(data_dir: TempDir, config: Option<&str>) -> Oosd {
        let log_path = data_dir.path().join("oosd-stderr.log");
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("stderr log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_oosd"));
        if let Some(config) = config {
            let path = data_dir.path().join("oosd-test.toml");
            std::fs::write(&path, config).expect("write config file");
            cmd.arg("--config").arg(path);
        }
        let mut child = cmd
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--data-dir")
            .arg(data_dir.path())
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
        // Read stdout on a thread (and keep draining it) until the listening line.
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.strip_prefix("oosd listening on ") {
                    if let Some(tx) = tx.take() {
                        let endpoint = rest.split_whitespace().next().unwrap_or("").to_string();
                        let _ = tx.send(endpoint);
                    }
                }
            }
        });
        let endpoint = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(e) => e,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "oosd did not report its address; stderr:\n{}",
                    std::fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
        };
        let addr = endpoint
            .strip_prefix("http://")
            .expect("plain http endpoint")
            .to_string();
        Oosd {
            child: Some(child),
            endpoint,
            addr,
            data_dir: Some(data_dir),
        }
    }

    pub fn data_path(&self) -> &Path {
        self.data_dir.as_ref().expect("data dir").path()
    }

    /// `SIGTERM`, wait for a clean exit; returns the data directory for a restart.
    pub fn stop(mut self) -> TempDir {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -TERM failed");
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            if let Some(st) = child.try_wait().expect("wait oosd") {
                assert!(st.success(), "oosd exited with {st} after SIGTERM");
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("oosd did not exit after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.data_dir.take().expect("data dir")
    }

    /// `SIGKILL` (a crash); returns the data directory for a restart.
    pub fn kill9(mut self) -> TempDir {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .arg("-KILL")
            .arg(child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -KILL failed");
        let _ = child.wait();
        self.data_dir.take().expect("data dir")
    }

    /// What the server wrote to stderr so far.
    pub fn stderr_log(&self) -> String {
        std::fs::read_to_string(self.data_path().join("oosd-stderr.log")).unwrap_or_default()
    }

    /// An SDK client with default settings (checksums included), path style.
    pub fn s3_client(&self) -> aws_sdk_s3::Client {
        let http = aws_smithy_http_client::Builder::new().build_http();
        let conf = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.endpoint)
            .region(Region::new(REGION))
            .credentials_provider(Credentials::new(
                ACCESS_KEY,
                SECRET_KEY,
                None,
                None,
                "oos-tests",
            ))
            .force_path_style(true)
            .http_client(http)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// One raw HTTP/1.1 request (`Connection: close`); `headers` are sent as given plus
    /// `Host` (when missing) and `Content-Length`.
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> RawResponse {
        raw_request(&self.addr, method, path_and_query, headers, body).await
    }

    /// Signs `headers` (SigV4, header auth) at `time` with `payload_hash` as
    /// `x-amz-content-sha256`, adding `host`. Returns the seed signature.
    pub fn sign_v4(
        &self,
        method: &str,
        path: &str,
        query: &str,
        headers: &mut HeaderMap,
        payload_hash: &str,
        time: time::OffsetDateTime,
    ) -> String {
        headers.insert("host", self.addr.parse().unwrap());
        let params = self.params(time);
        oos_sign::sign_v4_headers(&params, method, path, query, headers, payload_hash)
            .expect("sign")
    }

    /// Signing parameters of the root key at `time`.
    pub fn params(&self, time: time::OffsetDateTime) -> oos_sign::SigningParams<'static> {
        oos_sign::SigningParams::new(ACCESS_KEY, SECRET_KEY, REGION, "s3", time)
    }

    /// A SigV4 header-signed request with the SHA-256 of `body` as payload hash.
    pub async fn signed(
        &self,
        method: &str,
        path: &str,
        query: &str,
        mut headers: HeaderMap,
        body: &[u8],
    ) -> RawResponse {
        let hash = sha256_hex(body);
        let now = time::OffsetDateTime::now_utc();
        self.sign_v4(method, path, query, &mut headers, &hash, now);
        self.raw(method, &join_path_query(path, query), &headers, body)
            .await
    }

    /// Creates a bucket through a signed raw request.
    pub async fn create_bucket(&self, bucket: &str) {
        let resp = self
            .signed("PUT", &format!("/{bucket}"), "", HeaderMap::new(), b"")
            .await;
        assert_eq!(resp.status, 200, "create bucket: {}", resp.text());
    }
}

impl Drop for Oosd {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

pub fn join_path_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Sha256;
    hex::encode(Sha256::digest(data))
}

pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// Deterministic pseudo-random bytes (xorshift), different for each seed.
pub fn test_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Every file under `dir`, recursively.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The text of `<tag>` in the body (first occurrence).
    pub fn xml_tag(&self, tag: &str) -> Option<String> {
        xml_tag(&self.text(), tag)
    }

    /// The `<Code>` of an error document.
    pub fn code(&self) -> Option<String> {
        self.xml_tag("Code")
    }
}

pub fn xml_tag(text: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&close)? + start;
    Some(text[start..end].to_string())
}

/// Writes a request by hand and reads the whole response (the connection is closed after it).
pub async fn raw_request(
    addr: &str,
    method: &str,
    path_and_query: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> RawResponse {
    let stream = TcpStream::connect(addr).await.expect("connect to oosd");
    let mut head = format!("{method} {path_and_query} HTTP/1.1\r\n");
    if !headers.contains_key("host") {
        head.push_str(&format!("host: {addr}\r\n"));
    }
    for (name, value) in headers {
        head.push_str(&format!(
            "{}: {}\r\n",
            name,
            value.to_str().expect("ascii header")
        ));
    }
    let bodyless_get = body.is_empty() && method == "GET";
    if !headers.contains_key("content-length") && !bodyless_get {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("connection: close\r\n\r\n");
    let (mut rd, mut wr) = stream.into_split();
    let mut wire = head.into_bytes();
    wire.extend_from_slice(body);
    // Write while reading: the server may answer (an error) before it has read the whole
    // body, and then write errors are expected and ignored.
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&wire).await;
        let _ = wr.flush().await;
        wr
    });
    let mut buf = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), rd.read_to_end(&mut buf)).await;
    match read {
        Ok(Ok(_)) => {}
        // A reset after a complete response (the server closed while we were writing).
        Ok(Err(_)) if !buf.is_empty() => {}
        Ok(Err(e)) => panic!("read response: {e}"),
        Err(_) => panic!(
            "response timed out; got so far: {:?}",
            String::from_utf8_lossy(&buf)
        ),
    }
    drop(writer.await);
    parse_response(&buf, method == "HEAD")
}

fn parse_response(buf: &[u8], head_only: bool) -> RawResponse {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(buf)));
    let head = std::str::from_utf8(&buf[..split]).expect("ascii head");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = HeaderMap::new();
    for line in lines {
        let (n, v) = line.split_once(':').expect("header line");
        headers.append(
            http::HeaderName::from_bytes(n.trim().as_bytes()).unwrap(),
            v.trim().parse().unwrap(),
        );
    }
    let rest = &buf[split + 4..];
    let body = if head_only {
        Vec::new()
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.to_str().unwrap().contains("chunked"))
    {
        dechunk(rest)
    } else if let Some(len) = headers
        .get("content-length")
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok())
    {
        rest[..len.min(rest.len())].to_vec()
    } else {
        rest.to_vec()
    };
    RawResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let line = std::str::from_utf8(&data[..eol]).unwrap();
        let size = usize::from_str_radix(line.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[eol + 2..];
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
    out
}

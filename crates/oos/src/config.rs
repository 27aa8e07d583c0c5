//! Client configuration: endpoint, credentials, signing and addressing, timeouts and retries;
//! read from arguments, the environment or a profile file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{Error, Result};

/// An access key pair.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
}

impl Credentials {
    /// A long-lived key pair.
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

/// How requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureVersion {
    /// AWS Signature Version 4 (the default).
    #[default]
    V4,
    /// AWS Signature Version 2.
    V2,
}

/// How the bucket is addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Addressing {
    /// `http://endpoint/bucket/key` (the default; works with IP endpoints).
    #[default]
    Path,
    /// `http://bucket.endpoint/key`.
    VirtualHost,
}

/// Everything a [`Client`](crate::Client) needs.
///
/// ```no_run
/// use oos::{Client, Config};
/// let config = Config::new("http://127.0.0.1:8080", "AK", "SK");
/// let client = Client::new(config)?;
/// # Ok::<(), oos::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    /// `http://host[:port]` or `https://host[:port]`.
    pub endpoint: String,
    /// The key pair that signs requests.
    pub credentials: Credentials,
    /// SigV4 region; `None` derives it from the endpoint host (`oos-cn.ctyunapi.cn` → `cn`),
    /// else `us-east-1`.
    pub region: Option<String>,
    /// V4 (default) or V2.
    pub signature: SignatureVersion,
    /// Path (default) or virtual-host style.
    pub addressing: Addressing,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Time from sending a request to its response head, the request body included (response
    /// bodies stream without limit). Raise it for big single PUTs over slow links; the
    /// transfer manager's parts are small enough for the default.
    pub timeout: Duration,
    /// Retries of idempotent requests on 5xx and connection errors.
    pub max_retries: u32,
    /// Extra trusted CA certificates (PEM) for `https://` endpoints, on top of the system's.
    pub ca_file: Option<PathBuf>,
}

impl Config {
    /// A configuration with the defaults: V4, path style, 10 s connect, 300 s response
    /// timeout, 3 retries.
    pub fn new(
        endpoint: impl Into<String>,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Config {
        Config {
            endpoint: endpoint.into(),
            credentials: Credentials::new(access_key_id, secret_access_key),
            region: None,
            signature: SignatureVersion::V4,
            addressing: Addressing::Path,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(300),
            max_retries: 3,
            ca_file: None,
        }
    }

    /// From `OOS_ENDPOINT`, `OOS_ACCESS_KEY_ID`, `OOS_SECRET_ACCESS_KEY` (falling back to
    /// `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), plus optional
    /// `OOS_REGION`, `OOS_SIGNATURE` (`v2`/`v4`) and `OOS_ADDRESSING` (`path`/`virtual`).
    ///
    /// ```no_run
    /// let config = oos::Config::from_env()?;
    /// # Ok::<(), oos::Error>(())
    /// ```
    pub fn from_env() -> Result<Config> {
        let get = |oos: &str, aws: &str| {
            std::env::var(oos)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var(aws).ok().filter(|v| !v.is_empty()))
        };
        let endpoint = get("OOS_ENDPOINT", "AWS_ENDPOINT_URL")
            .ok_or_else(|| Error::Config("OOS_ENDPOINT is not set".into()))?;
        let ak = get("OOS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID")
            .ok_or_else(|| Error::Config("OOS_ACCESS_KEY_ID is not set".into()))?;
        let sk = get("OOS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY")
            .ok_or_else(|| Error::Config("OOS_SECRET_ACCESS_KEY is not set".into()))?;
        let mut profile = Profile::default();
        profile.set("endpoint", &endpoint);
        profile.set("access_key_id", &ak);
        profile.set("secret_access_key", &sk);
        for (var, key) in [
            ("OOS_REGION", "region"),
            ("OOS_SIGNATURE", "signature"),
            ("OOS_ADDRESSING", "addressing"),
            ("OOS_CA_FILE", "ca_file"),
        ] {
            if let Ok(v) = std::env::var(var) {
                profile.set(key, &v);
            }
        }
        if let Some(token) = get("OOS_SESSION_TOKEN", "AWS_SESSION_TOKEN") {
            profile.set("session_token", &token);
        }
        profile.to_config()
    }

    /// The named profile of a profile file (see [`ProfileFile`]).
    pub fn from_profile(path: &Path, name: &str) -> Result<Config> {
        let file = ProfileFile::load(path)?;
        file.get(name)
            .ok_or_else(|| Error::Config(format!("no profile [{name}] in {}", path.display())))?
            .to_config()
    }

    /// Sets the SigV4 region.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the signature version.
    pub fn with_signature(mut self, signature: SignatureVersion) -> Self {
        self.signature = signature;
        self
    }

    /// Sets the addressing style.
    pub fn with_addressing(mut self, addressing: Addressing) -> Self {
        self.addressing = addressing;
        self
    }

    /// Sets the number of retries.
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Trusts the CA certificates of this PEM file too (a private CA, a self-signed server).
    pub fn with_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Sets the response timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The region requests are signed for.
    pub fn effective_region(&self) -> String {
        if let Some(r) = &self.region {
            return r.clone();
        }
        region_from_endpoint(&self.endpoint).unwrap_or_else(|| "us-east-1".to_string())
    }
}

/// `oos-cn.ctyunapi.cn` → `cn`, `oos-hazz.ctyunapi.cn` → `hazz`; `None` for other hosts.
pub fn region_from_endpoint(endpoint: &str) -> Option<String> {
    let host = endpoint
        .split("://")
        .nth(1)
        .unwrap_or(endpoint)
        .split(['/', ':'])
        .next()?;
    let first = host.split('.').next()?;
    let rest = &host[first.len()..];
    let region = first.strip_prefix("oos-")?;
    (rest.ends_with(".ctyunapi.cn") && !region.is_empty()).then(|| {
        // oos-cn-iam → cn (the IAM endpoint of a region)
        region.trim_end_matches("-iam").to_string()
    })
}

/// One profile: `key = value` settings. Known keys: `endpoint`, `access_key_id`,
/// `secret_access_key`, `session_token`, `region`, `signature` (`v4`/`v2`),
/// `addressing` (`path`/`virtual`), `max_retries`, `timeout_secs`, `ca_file`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// The settings.
    pub values: BTreeMap<String, String>,
}

impl Profile {
    /// A setting.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Sets a setting.
    pub fn set(&mut self, key: &str, value: &str) {
        self.values.insert(key.to_string(), value.to_string());
    }

    /// The configuration this profile describes.
    pub fn to_config(&self) -> Result<Config> {
        let need = |k: &str| {
            self.get(k)
                .map(str::to_string)
                .ok_or_else(|| Error::Config(format!("{k} is not set")))
        };
        let mut c = Config::new(
            need("endpoint")?,
            need("access_key_id")?,
            need("secret_access_key")?,
        );
        c.credentials.session_token = self.get("session_token").map(str::to_string);
        c.region = self
            .get("region")
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if let Some(s) = self.get("signature") {
            c.signature = match s.to_ascii_lowercase().as_str() {
                "v4" | "4" | "s3v4" => SignatureVersion::V4,
                "v2" | "2" | "s3" => SignatureVersion::V2,
                other => return Err(Error::Config(format!("unknown signature {other:?}"))),
            };
        }
        if let Some(s) = self.get("addressing") {
            c.addressing = match s.to_ascii_lowercase().as_str() {
                "path" => Addressing::Path,
                "virtual" | "virtual-host" | "virtual_host" => Addressing::VirtualHost,
                other => return Err(Error::Config(format!("unknown addressing {other:?}"))),
            };
        }
        c.ca_file = self
            .get("ca_file")
            .filter(|f| !f.is_empty())
            .map(PathBuf::from);
        if let Some(s) = self.get("max_retries") {
            c.max_retries = s
                .parse()
                .map_err(|_| Error::Config(format!("max_retries {s:?} is not a number")))?;
        }
        if let Some(s) = self.get("timeout_secs") {
            c.timeout = Duration::from_secs(
                s.parse()
                    .map_err(|_| Error::Config(format!("timeout_secs {s:?} is not a number")))?,
            );
        }
        Ok(c)
    }
}

/// An INI-style profile file as aws-cli writes one:
///
/// ```text
/// [default]
/// endpoint = http://127.0.0.1:8080
/// access_key_id = AK
/// secret_access_key = SK
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileFile {
    /// Profiles by name.
    pub profiles: BTreeMap<String, Profile>,
}

impl ProfileFile {
    /// `$OOS_CONFIG_FILE`, else `~/.oos/config`.
    pub fn default_path() -> PathBuf {
        if let Some(p) = std::env::var_os("OOS_CONFIG_FILE").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
        PathBuf::from(home).join(".oos").join("config")
    }

    /// Parses the text of a profile file.
    pub fn parse(text: &str) -> Result<ProfileFile> {
        let mut file = ProfileFile::default();
        let mut current: Option<String> = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                let name = name.trim();
                let name = name.strip_prefix("profile ").unwrap_or(name).trim();
                file.profiles.entry(name.to_string()).or_default();
                current = Some(name.to_string());
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .ok_or_else(|| Error::Config(format!("line {}: expected key = value", n + 1)))?;
            let name = current.as_ref().ok_or_else(|| {
                Error::Config(format!("line {}: setting before [profile]", n + 1))
            })?;
            file.profiles
                .get_mut(name)
                .expect("inserted with its header")
                .set(k.trim(), v.trim());
        }
        Ok(file)
    }

    /// Reads a profile file; a missing file is an empty one.
    pub fn load(path: &Path) -> Result<ProfileFile> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ProfileFile::default()),
            Err(e) => Err(crate::error::file_error(path)(e)),
        }
    }

    /// A profile by name.
    pub fn get(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// The profile `name`, created when missing.
    pub fn profile_mut(&mut self, name: &str) -> &mut Profile {
        self.profiles.entry(name.to_string()).or_default()
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, p) in &self.profiles {
            out.push_str(&format!("[{name}]\n"));
            for (k, v) in &p.values {
                out.push_str(&format!("{k} = {v}\n"));
            }
            out.push('\n');
        }
        out
    }

    /// Writes the file (mode 0600 on Unix: it holds secrets), creating its directory.
    pub fn save(&self, path: &Path) -> Result<()> {
        use crate::error::file_error;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(file_error(dir))?;
        }
        std::fs::write(path, self.render()).map_err(file_error(path))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(file_error(path))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_from_hosts() {
        assert_eq!(
            region_from_endpoint("https://oos-cn.ctyunapi.cn").as_deref(),
            Some("cn")
        );
        assert_eq!(
            region_from_endpoint("oos-hazz.ctyunapi.cn:443").as_deref(),
            Some("hazz")
        );
        assert_eq!(region_from_endpoint("http://127.0.0.1:9000"), None);
        assert_eq!(
            Config::new("http://127.0.0.1:1", "a", "b").effective_region(),
            "us-east-1"
        );
    }

    #[test]
    fn profile_file_round_trip() {
        let text = "# c\n[default]\nendpoint = http://h:1\naccess_key_id=A\nsecret_access_key = S\n\
[profile other]\nendpoint=http://o\naccess_key_id=B\nsecret_access_key=T\nsignature=v2\naddressing=virtual\n";
        let f = ProfileFile::parse(text).unwrap();
        let c = f.get("default").unwrap().to_config().unwrap();
        assert_eq!(c.endpoint, "http://h:1");
        assert_eq!(c.credentials.access_key_id, "A");
        let o = f.get("other").unwrap().to_config().unwrap();
        assert_eq!(o.signature, SignatureVersion::V2);
        assert_eq!(o.addressing, Addressing::VirtualHost);
        assert_eq!(ProfileFile::parse(&f.render()).unwrap(), f);
        assert!(ProfileFile::parse("x = 1").is_err());
        assert!(f.get("default").unwrap().to_config().is_ok());
        let mut bad = f.get("default").unwrap().clone();
        bad.set("signature", "v3");
        assert!(bad.to_config().is_err());
    }
}

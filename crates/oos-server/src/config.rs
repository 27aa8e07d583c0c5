//! Configuration: the TOML file of DESIGN §6, overridden by flags and environment variables.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use oos_proto::StorageClass;
use serde::Deserialize;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:9000";
pub const DEFAULT_DATA_DIR: &str = "oos-data";
pub const DEFAULT_REGION: &str = "ChengDu";
/// Directories of the embedded default pool (enough for EC_4_2).
pub const EMBEDDED_DISKS: usize = 6;

/// The TOML file. Unknown keys are an error that names them (`deny_unknown_fields`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub domains: Option<Vec<String>>,
    pub website_domains: Option<Vec<String>>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Addresses (IPs or CIDRs) allowed to read `/_metrics` without signing.
    pub metrics_allow: Option<Vec<String>>,
    /// Objects up to this many bytes are stored inside their metadata row.
    pub inline_threshold: Option<u64>,
    /// Name of the region this server is (the single region of the embedded default; the
    /// `[[region]]` tables of DESIGN §6 come with multi-region placement).
    pub region_name: Option<String>,
    /// How long unlinked object data is kept before deletion (reads in flight finish).
    pub gc_grace_seconds: Option<u64>,
    /// Access keys per account (the IAM `LimitExceeded` quota).
    pub access_key_quota: Option<usize>,
    /// An extra listener that serves only the IAM AccessKey API.
    pub iam_listen: Option<String>,
    /// How often the scrubber verifies every data id (0 = only on demand).
    pub scrub_interval_seconds: Option<u64>,
    /// Pause between data ids while scrubbing, so scrubs do not crowd out client I/O.
    pub scrub_pause_ms: Option<u64>,
    /// How often access-log lines are delivered to their target buckets.
    pub log_flush_seconds: Option<u64>,
    /// Serve any other Host as the website of the bucket of that name (CNAME hosting).
    pub website_cname: Option<bool>,
    /// Lets `POST /_admin/clock` advance the server's clock (tests of lifecycle and log
    /// delivery). Never enable in production.
    pub test_clock: Option<bool>,
    /// Data pools (`[[pool]]`); the embedded default is one pool on `data_dir/data`.
    #[serde(rename = "pool")]
    pub pools: Option<Vec<PoolConfig>>,
}

/// One `[[pool]]` table: a set of disks and the layout of each storage class name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolConfig {
    pub name: String,
    pub disks: Vec<PathBuf>,
    #[serde(default)]
    pub classes: std::collections::BTreeMap<String, String>,
}

/// A pool as the server uses it: disks plus the layout of each S3 class name.
#[derive(Debug, Clone)]
pub struct Pool {
    pub name: String,
    pub disks: Vec<PathBuf>,
    /// `STANDARD`, `REDUCED_REDUNDANCY`, `STANDARD_IA` → `EC_N_M`.
    pub classes: Vec<(String, StorageClass)>,
    /// The default pool on `data_dir/data` (no `[[pool]]` in the config).
    pub embedded: bool,
}

/// The S3 class names a pool maps to layouts.
pub const CLASS_NAMES: &[&str] = &["STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA"];

impl Pool {
    /// oos-api A5 defaults: STANDARD (and STANDARD_IA) = EC_4_2 with ≥ 6 disks, else
    /// replicas (up to 3) over the disks there are; REDUCED_REDUNDANCY = 2 replicas (1 on a
    /// single disk). Configured classes override them.
    fn resolve(cfg: PoolConfig) -> Result<Pool, ConfigError> {
        let n = cfg.disks.len();
        if n == 0 || n > 64 {
            return Err(ConfigError::Invalid {
                key: "pool.disks",
                message: format!("pool {:?} needs between 1 and 64 disks", cfg.name),
            });
        }
        let standard = if n >= 6 {
            StorageClass::Ec { data: 4, parity: 2 }
        } else {
            StorageClass::Ec {
                data: n.min(3) as u8,
                parity: 0,
            }
        };
        let reduced = StorageClass::Ec {
            data: n.min(2) as u8,
            parity: 0,
        };
        let mut classes = vec![
            ("STANDARD".to_string(), standard),
            ("REDUCED_REDUNDANCY".to_string(), reduced),
            ("STANDARD_IA".to_string(), standard),
        ];
        for (name, layout) in cfg.classes {
            let Some(slot) = classes.iter_mut().find(|(c, _)| *c == name) else {
                return Err(ConfigError::Invalid {
                    key: "pool.classes",
                    message: format!(
                        "unknown storage class {name:?} (use {})",
                        CLASS_NAMES.join(", ")
                    ),
                });
            };
            match StorageClass::parse(&layout) {
                Some(ec @ StorageClass::Ec { data, parity }) if (data + parity) as usize <= n => {
                    slot.1 = ec
                }
                Some(StorageClass::Ec { data, parity }) => {
                    return Err(ConfigError::Invalid {
                        key: "pool.classes",
                        message: format!(
                            "{name} = {layout:?} needs {} disks, pool {:?} has {n}",
                            data + parity,
                            cfg.name
                        ),
                    })
                }
                _ => {
                    return Err(ConfigError::Invalid {
                        key: "pool.classes",
                        message: format!("{name} = {layout:?} is not a layout like EC_4_2"),
                    })
                }
            }
        }
        Ok(Pool {
            name: cfg.name,
            disks: cfg.disks,
            classes,
            embedded: false,
        })
    }

    /// The layout (`EC_N_M`) for a storage class as the client named it.
    pub fn layout_of(&self, class: &StorageClass) -> StorageClass {
        match class {
            StorageClass::Ec { .. } => *class,
            named => {
                let name = named.to_string();
                self.classes
                    .iter()
                    .find(|(c, _)| *c == name)
                    .map(|(_, l)| *l)
                    .unwrap_or(StorageClass::Ec { data: 1, parity: 0 })
            }
        }
    }
}

/// The resolved configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Lower-cased domains for virtual-host style addressing.
    pub domains: Vec<String>,
    /// Lower-cased domains of website hosting: `{bucket}.{website domain}`.
    pub website_domains: Vec<String>,
    pub tls: Option<(PathBuf, PathBuf)>,
    pub metrics_allow: Vec<IpNet>,
    pub inline_threshold: u64,
    pub region: String,
    pub gc_grace: std::time::Duration,
    pub access_key_quota: usize,
    pub iam_listen: Option<SocketAddr>,
    pub pool: Pool,
    pub scrub_interval: Option<std::time::Duration>,
    pub scrub_pause: std::time::Duration,
    pub test_clock: bool,
    pub log_flush_interval: std::time::Duration,
    pub website_cname: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid {key}: {message}")]
    Invalid { key: &'static str, message: String },
}

/// Values given on the command line or in the environment; they win over the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
}

impl Config {
    pub fn load(overrides: &Overrides) -> Result<Config, ConfigError> {
        let file = match &overrides.config {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        Config::resolve(file, overrides)
    }

    fn resolve(file: FileConfig, o: &Overrides) -> Result<Config, ConfigError> {
        let listen_text = o
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_text.parse().map_err(|_| ConfigError::Invalid {
            key: "listen",
            message: format!("{listen_text:?} is not an address like 127.0.0.1:9000"),
        })?;
        let tls = match (file.tls_cert, file.tls_key) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => {
                return Err(ConfigError::Invalid {
                    key: "tls_cert/tls_key",
                    message: "set both or neither".into(),
                })
            }
        };
        let metrics_allow = file
            .metrics_allow
            .unwrap_or_default()
            .iter()
            .map(|s| {
                IpNet::parse(s).ok_or_else(|| ConfigError::Invalid {
                    key: "metrics_allow",
                    message: format!("{s:?} is not an IP address or CIDR"),
                })
            })
            .collect::<Result<_, _>>()?;
        let data_dir = o
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let mut pools = file.pools.unwrap_or_default();
        if pools.len() > 1 {
            return Err(ConfigError::Invalid {
                key: "pool",
                message: "one [[pool]] is supported until multi-region placement is built".into(),
            });
        }
        let pool = match pools.pop() {
            Some(p) => Pool::resolve(p)?,
            // The embedded default: EMBEDDED_DISKS directories on the data directory's
            // device, so that the guide's EC_N_M classes can be placed (they then detect and
            // repair bitrot, but cannot outlive the device). The S3 class names stay single
            // copies here: replicas on one device would only cost write bandwidth.
            None => Pool {
                embedded: true,
                ..Pool::resolve(PoolConfig {
                    name: "default".into(),
                    disks: (1..=EMBEDDED_DISKS)
                        .map(|i| data_dir.join("data").join(format!("disk{i}")))
                        .collect(),
                    classes: CLASS_NAMES
                        .iter()
                        .map(|c| (c.to_string(), "EC_1_0".to_string()))
                        .collect(),
                })?
            },
        };
        Ok(Config {
            listen,
            data_dir,
            pool,
            scrub_interval: match file.scrub_interval_seconds.unwrap_or(7 * 24 * 3600) {
                0 => None,
                s => Some(std::time::Duration::from_secs(s)),
            },
            scrub_pause: std::time::Duration::from_millis(file.scrub_pause_ms.unwrap_or(5)),
            test_clock: file.test_clock.unwrap_or(false),
            log_flush_interval: std::time::Duration::from_secs(
                file.log_flush_seconds.unwrap_or(300).max(1),
            ),
            website_cname: file.website_cname.unwrap_or(false),
            domains: file
                .domains
                .unwrap_or_else(|| vec!["localhost".to_string()])
                .into_iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
            website_domains: file
                .website_domains
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
            tls,
            metrics_allow,
            inline_threshold: file.inline_threshold.unwrap_or(16 * 1024),
            region: file
                .region_name
                .unwrap_or_else(|| DEFAULT_REGION.to_string()),
            gc_grace: std::time::Duration::from_secs(file.gc_grace_seconds.unwrap_or(30)),
            access_key_quota: file.access_key_quota.unwrap_or(10),
            iam_listen: file
                .iam_listen
                .map(|a| {
                    a.parse().map_err(|_| ConfigError::Invalid {
                        key: "iam_listen",
                        message: format!("{a:?} is not an address like 127.0.0.1:9001"),
                    })
                })
                .transpose()?,
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        // toml's message spans several lines (with a source excerpt); keep it to one.
        message: e.message().replace('\n', " "),
    })
}

/// An IP network (`10.0.0.0/8`) or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn parse(s: &str) -> Option<IpNet> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(IpNet { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named() {
        let err = toml::from_str::<FileConfig>("listen = \"127.0.0.1:1\"\nlisten_port = 3")
            .unwrap_err()
            .to_string();
        assert!(err.contains("listen_port"), "{err}");
    }

    #[test]
    fn overrides_win_over_file() {
        let file: FileConfig = toml::from_str(
            "listen = \"127.0.0.1:1\"\ndata_dir = \"/x\"\ndomains = [\"S3.Example\"]",
        )
        .unwrap();
        let o = Overrides {
            listen: Some("127.0.0.1:2".into()),
            ..Default::default()
        };
        let c = Config::resolve(file, &o).unwrap();
        assert_eq!(c.listen.port(), 2);
        assert_eq!(c.data_dir, PathBuf::from("/x"));
        assert_eq!(c.domains, vec!["s3.example"]);
    }

    #[test]
    fn pool_defaults_and_overrides() {
        let file: FileConfig = toml::from_str(
            "[[pool]]\nname = \"cd\"\ndisks = [\"/d1\", \"/d2\", \"/d3\", \"/d4\", \"/d5\", \"/d6\"]\n\
             classes = { REDUCED_REDUNDANCY = \"EC_2_1\" }\n",
        )
        .unwrap();
        let c = Config::resolve(file, &Overrides::default()).unwrap();
        let ec = |data, parity| StorageClass::Ec { data, parity };
        assert_eq!(c.pool.layout_of(&StorageClass::Standard), ec(4, 2));
        assert_eq!(c.pool.layout_of(&StorageClass::ReducedRedundancy), ec(2, 1));
        assert_eq!(c.pool.layout_of(&ec(3, 0)), ec(3, 0));
        let embedded = Config::resolve(FileConfig::default(), &Overrides::default()).unwrap();
        assert_eq!(embedded.pool.disks.len(), EMBEDDED_DISKS);
        assert_eq!(embedded.pool.layout_of(&StorageClass::Standard), ec(1, 0));
        let three: FileConfig =
            toml::from_str("[[pool]]\nname = \"p\"\ndisks = [\"/a\", \"/b\", \"/c\"]").unwrap();
        let three = Config::resolve(three, &Overrides::default()).unwrap();
        assert_eq!(three.pool.layout_of(&StorageClass::Standard), ec(3, 0));
        assert_eq!(
            three.pool.layout_of(&StorageClass::ReducedRedundancy),
            ec(2, 0)
        );
        for bad in [
            "[[pool]]\nname = \"x\"\ndisks = [\"/a\"]\nclasses = { STANDARD = \"EC_2_1\" }",
            "[[pool]]\nname = \"x\"\ndisks = [\"/a\"]\nclasses = { GLACIER = \"EC_1_0\" }",
            "[[pool]]\nname = \"x\"\ndisks = []",
        ] {
            let file: FileConfig = toml::from_str(bad).unwrap();
            assert!(
                Config::resolve(file, &Overrides::default()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn ip_networks() {
        let net = IpNet::parse("10.1.0.0/16").unwrap();
        assert!(net.contains("10.1.200.3".parse().unwrap()));
        assert!(!net.contains("10.2.0.1".parse().unwrap()));
        assert!(IpNet::parse("127.0.0.1")
            .unwrap()
            .contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(IpNet::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert_eq!(IpNet::parse("1.2.3.4/33"), None);
        assert_eq!(IpNet::parse("nope"), None);
    }
}

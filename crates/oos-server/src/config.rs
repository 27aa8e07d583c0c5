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
    /// Name of the one region of a server without `[[region]]` tables.
    pub region_name: Option<String>,
    /// How long unlinked object data is kept before deletion (reads in flight finish).
    pub gc_grace_seconds: Option<u64>,
    /// Access keys per account (the IAM `LimitExceeded` quota).
    pub access_key_quota: Option<usize>,
    /// An extra listener that serves only the IAM AccessKey API.
    pub iam_listen: Option<String>,
    /// An extra listener that serves only the web portal.
    pub portal_listen: Option<String>,
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
    /// Peers (IPs or CIDRs) whose `X-Forwarded-For` names the client: a reverse proxy or
    /// CDN in front of oosd. Requests from anyone else are judged by their peer address.
    pub trusted_proxies: Option<Vec<String>>,
    /// From the moment a connection waits for a request (when it opens, or after the
    /// previous response) until that request's whole head has arrived: bounds slow headers
    /// and idle keep-alive connections alike.
    pub request_head_timeout_seconds: Option<u64>,
    /// A request body that sends nothing for this long is aborted (`400 RequestTimeout`) and
    /// nothing of it is committed.
    pub body_timeout_seconds: Option<u64>,
    /// A response that the client does not read for this long is abandoned and the
    /// connection closed.
    pub send_timeout_seconds: Option<u64>,
    /// Open connections the listener serves at once; past it new ones are closed at accept.
    pub max_connections: Option<usize>,
    /// Open connections one client address may hold (trusted proxies are not counted).
    pub max_connections_per_client: Option<usize>,
    /// `text` (default; colours only on a terminal) or `json` (one object a line, for log
    /// shippers).
    pub log_format: Option<String>,
    /// Where SSE-C requests (which carry the customer's key) are accepted without TLS:
    /// `never`, `loopback` (default: the key does not leave the host) or `any`.
    pub sse_c_plain_http: Option<String>,
    /// Data pools (`[[pool]]`); the embedded default is one pool on `data_dir/data`.
    #[serde(rename = "pool")]
    pub pools: Option<Vec<PoolConfig>>,
    /// Regions (`[[region]]`); without them the server is one region, `region_name`, over
    /// its one pool.
    #[serde(rename = "region")]
    pub regions: Option<Vec<RegionConfig>>,
}

/// One `[[region]]` table (DESIGN §6).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionConfig {
    pub name: String,
    /// May hold bucket indexes (a `MetadataLocationConstraint`).
    #[serde(default)]
    pub metadata: bool,
    /// May hold object data, in `pool`.
    #[serde(default)]
    pub data: bool,
    pub pool: Option<String>,
    /// The region that `type=Local` means on this server.
    #[serde(default)]
    pub local: bool,
}

/// A region as the server uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    pub metadata: bool,
    /// Index into `Config::pools` of a data region's pool.
    pub pool: Option<usize>,
}

impl Region {
    pub fn is_data(&self) -> bool {
        self.pool.is_some()
    }
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
    /// The local region: what `type=Local` means, and the region reported to AWS clients.
    pub region: String,
    pub gc_grace: std::time::Duration,
    pub access_key_quota: usize,
    pub iam_listen: Option<SocketAddr>,
    pub portal_listen: Option<SocketAddr>,
    /// Data pools, in configuration order.
    pub pools: Vec<Pool>,
    /// Regions, in configuration order; exactly one is `region` (local).
    pub regions: Vec<Region>,
    pub trusted_proxies: Vec<IpNet>,
    pub scrub_interval: Option<std::time::Duration>,
    pub scrub_pause: std::time::Duration,
    pub test_clock: bool,
    pub log_flush_interval: std::time::Duration,
    pub website_cname: bool,
    pub connections: ConnectionLimits,
    pub log_format: LogFormat,
    pub sse_c_plain_http: PlainHttpKeys,
}

/// Where a customer key may travel without TLS (`sse_c_plain_http`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PlainHttpKeys {
    Never,
    #[default]
    Loopback,
    Any,
}

/// How `oosd` writes its log to stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What one client may hold of the server: time per request phase and connection counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    pub head_timeout: std::time::Duration,
    pub body_timeout: std::time::Duration,
    pub send_timeout: std::time::Duration,
    pub max_connections: usize,
    pub max_per_client: usize,
}

impl ConnectionLimits {
    fn from_file(file: &FileConfig) -> Result<Self, ConfigError> {
        let secs = |v: Option<u64>, default: u64, key: &'static str| match v.unwrap_or(default) {
            0 => Err(ConfigError::Invalid {
                key,
                message: "must be at least 1 second".to_string(),
            }),
            n => Ok(std::time::Duration::from_secs(n)),
        };
        let count = |v: Option<usize>, default: usize, key: &'static str| match v.unwrap_or(default)
        {
            0 => Err(ConfigError::Invalid {
                key,
                message: "must be at least 1".to_string(),
            }),
            n => Ok(n),
        };
        Ok(ConnectionLimits {
            head_timeout: secs(
                file.request_head_timeout_seconds,
                20,
                "request_head_timeout_seconds",
            )?,
            body_timeout: secs(file.body_timeout_seconds, 30, "body_timeout_seconds")?,
            send_timeout: secs(file.send_timeout_seconds, 60, "send_timeout_seconds")?,
            max_connections: count(file.max_connections, 8192, "max_connections")?,
            max_per_client: count(
                file.max_connections_per_client,
                1024,
                "max_connections_per_client",
            )?,
        })
    }
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
        let connections = ConnectionLimits::from_file(&file)?;
        let log_format = match file.log_format.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    key: "log_format",
                    message: format!("{other:?} is neither \"text\" nor \"json\""),
                })
            }
        };
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
        let metrics_allow = parse_nets(file.metrics_allow, "metrics_allow")?;
        let data_dir = o
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let pools = match file.pools {
            Some(pools) if !pools.is_empty() => pools
                .into_iter()
                .map(Pool::resolve)
                .collect::<Result<Vec<_>, _>>()?,
            // The embedded default: EMBEDDED_DISKS directories on the data directory's
            // device, so that the guide's EC_N_M classes can be placed (they then detect and
            // repair bitrot, but cannot outlive the device). The S3 class names stay single
            // copies here: replicas on one device would only cost write bandwidth.
            _ => vec![Pool {
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
            }],
        };
        let (regions, region) = resolve_regions(file.regions, file.region_name, &pools)?;
        let trusted_proxies = parse_nets(file.trusted_proxies, "trusted_proxies")?;
        Ok(Config {
            listen,
            data_dir,
            pools,
            regions,
            trusted_proxies,
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
            connections,
            log_format,
            sse_c_plain_http: match file.sse_c_plain_http.as_deref() {
                None | Some("loopback") => PlainHttpKeys::Loopback,
                Some("never") => PlainHttpKeys::Never,
                Some("any") => PlainHttpKeys::Any,
                Some(other) => {
                    return Err(ConfigError::Invalid {
                        key: "sse_c_plain_http",
                        message: format!("{other:?} is not never, loopback or any"),
                    })
                }
            },
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
            region,
            gc_grace: std::time::Duration::from_secs(file.gc_grace_seconds.unwrap_or(30)),
            access_key_quota: file.access_key_quota.unwrap_or(10),
            portal_listen: parse_addr(file.portal_listen, "portal_listen")?,
            iam_listen: parse_addr(file.iam_listen, "iam_listen")?,
        })
    }
}

/// An optional extra listener address (`iam_listen`, `portal_listen`).
fn parse_addr(text: Option<String>, key: &'static str) -> Result<Option<SocketAddr>, ConfigError> {
    text.map(|a| {
        a.parse().map_err(|_| ConfigError::Invalid {
            key,
            message: format!("{a:?} is not an address like 127.0.0.1:9001"),
        })
    })
    .transpose()
}

impl Config {
    #[cfg(test)]
    pub(crate) fn resolve_for_tests(text: &str, o: &Overrides) -> Config {
        Config::resolve(toml::from_str(text).unwrap(), o).unwrap()
    }

    pub fn region_named(&self, name: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.name == name)
    }
}

fn parse_nets(list: Option<Vec<String>>, key: &'static str) -> Result<Vec<IpNet>, ConfigError> {
    list.unwrap_or_default()
        .iter()
        .map(|s| {
            IpNet::parse(s).ok_or_else(|| ConfigError::Invalid {
                key,
                message: format!("{s:?} is not an IP address or CIDR"),
            })
        })
        .collect()
}

/// OOS region names: CamelCase pinyin such as `ChengDu` or `SH2`.
fn valid_region_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks the `[[region]]` tables against the pools and answers the regions with the name of
/// the local one. Without tables the server is one region over its one pool.
fn resolve_regions(
    tables: Option<Vec<RegionConfig>>,
    region_name: Option<String>,
    pools: &[Pool],
) -> Result<(Vec<Region>, String), ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        key: "region",
        message,
    };
    let tables = match tables {
        Some(t) if !t.is_empty() => {
            if region_name.is_some() {
                return Err(invalid(
                    "set region_name or [[region]] tables, not both (mark one region local)".into(),
                ));
            }
            t
        }
        _ => {
            if pools.len() > 1 {
                return Err(invalid(
                    "several [[pool]] tables need [[region]] tables that say which region uses each"
                        .into(),
                ));
            }
            let name = region_name.unwrap_or_else(|| DEFAULT_REGION.to_string());
            if !valid_region_name(&name) {
                return Err(invalid(format!(
                    "{name:?} is not a region name like ChengDu"
                )));
            }
            let region = Region {
                name: name.clone(),
                metadata: true,
                pool: Some(0),
            };
            return Ok((vec![region], name));
        }
    };
    let mut regions: Vec<Region> = Vec::new();
    let mut local = None;
    let single = tables.len() == 1;
    for t in tables {
        if !valid_region_name(&t.name) {
            return Err(invalid(format!(
                "{:?} is not a region name like ChengDu",
                t.name
            )));
        }
        if regions.iter().any(|r| r.name == t.name) {
            return Err(invalid(format!("region {} is listed twice", t.name)));
        }
        if !t.metadata && !t.data {
            return Err(invalid(format!(
                "region {} holds neither metadata nor data (set metadata = true and/or data = true)",
                t.name
            )));
        }
        let pool = match (t.data, &t.pool) {
            (true, Some(p)) => {
                Some(pools.iter().position(|x| x.name == *p).ok_or_else(|| {
                    invalid(format!("region {}: no [[pool]] named {p:?}", t.name))
                })?)
            }
            // Without [[pool]] tables the one data region uses the embedded pool.
            (true, None) if pools.len() == 1 && pools[0].embedded => Some(0),
            (true, None) => {
                return Err(invalid(format!("data region {} needs a pool", t.name)));
            }
            (false, Some(_)) => {
                return Err(invalid(format!(
                    "region {} names a pool but is not a data region (data = true)",
                    t.name
                )));
            }
            (false, None) => None,
        };
        if let Some(p) = pool {
            if let Some(other) = regions.iter().find(|r| r.pool == Some(p)) {
                return Err(invalid(format!(
                    "regions {} and {} both use pool {}",
                    other.name, t.name, pools[p].name
                )));
            }
        }
        if t.local || single {
            if let Some(l) = &local {
                return Err(invalid(format!(
                    "regions {l} and {} are both local",
                    t.name
                )));
            }
            if pool.is_none() {
                return Err(invalid(format!(
                    "the local region {} must be a data region",
                    t.name
                )));
            }
            local = Some(t.name.clone());
        }
        regions.push(Region {
            name: t.name,
            metadata: t.metadata,
            pool,
        });
    }
    let local = local.ok_or_else(|| invalid("mark one region local = true".into()))?;
    if !regions.iter().any(|r| r.metadata) {
        return Err(invalid("no region holds metadata (metadata = true)".into()));
    }
    if let Some(unused) = pools
        .iter()
        .enumerate()
        .find(|(i, _)| !regions.iter().any(|r| r.pool == Some(*i)))
    {
        return Err(invalid(format!("no region uses pool {}", unused.1.name)));
    }
    Ok((regions, local))
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

/// An IP network (`10.0.0.0/8`) or a single address, as config keys and the accelerate white
/// list write it; matching is the policy engine's (`aws:SourceIp`), so both agree on what an
/// address is (an IPv4 address and its IPv4-mapped IPv6 form are the same one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet(oos_policy::Cidr);

impl IpNet {
    pub fn parse(s: &str) -> Option<IpNet> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().ok()?, Some(p.parse::<u8>().ok()?)),
            None => (s.parse::<IpAddr>().ok()?, None),
        };
        let prefix = prefix.unwrap_or(if addr.is_ipv4() { 32 } else { 128 });
        oos_policy::Cidr::new(addr, prefix).map(IpNet)
    }

    /// Whether any of `nets` contains `ip`.
    pub fn any_contains(nets: &[IpNet], ip: IpAddr) -> bool {
        nets.iter().any(|n| n.contains(ip))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.contains(ip)
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
    fn connection_limits_default_and_refuse_zero() {
        let resolve = |text: &str| {
            Config::resolve(toml::from_str(text).unwrap(), &Overrides::default())
                .map(|c| c.connections)
        };
        let d = resolve("").unwrap();
        assert_eq!(d.head_timeout, std::time::Duration::from_secs(20));
        assert_eq!(d.body_timeout, std::time::Duration::from_secs(30));
        assert_eq!(d.send_timeout, std::time::Duration::from_secs(60));
        assert_eq!((d.max_connections, d.max_per_client), (8192, 1024));
        let c =
            resolve("request_head_timeout_seconds = 5\nmax_connections_per_client = 7").unwrap();
        assert_eq!(c.head_timeout, std::time::Duration::from_secs(5));
        assert_eq!(c.max_per_client, 7);
        for bad in ["body_timeout_seconds = 0", "max_connections = 0"] {
            let err = resolve(bad).unwrap_err().to_string();
            assert!(err.contains(bad.split(' ').next().unwrap()), "{err}");
        }
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
        assert_eq!(c.pools[0].layout_of(&StorageClass::Standard), ec(4, 2));
        assert_eq!(
            c.pools[0].layout_of(&StorageClass::ReducedRedundancy),
            ec(2, 1)
        );
        assert_eq!(c.pools[0].layout_of(&ec(3, 0)), ec(3, 0));
        let embedded = Config::resolve(FileConfig::default(), &Overrides::default()).unwrap();
        assert_eq!(embedded.pools[0].disks.len(), EMBEDDED_DISKS);
        assert_eq!(
            embedded.pools[0].layout_of(&StorageClass::Standard),
            ec(1, 0)
        );
        let three: FileConfig =
            toml::from_str("[[pool]]\nname = \"p\"\ndisks = [\"/a\", \"/b\", \"/c\"]").unwrap();
        let three = Config::resolve(three, &Overrides::default()).unwrap();
        assert_eq!(three.pools[0].layout_of(&StorageClass::Standard), ec(3, 0));
        assert_eq!(
            three.pools[0].layout_of(&StorageClass::ReducedRedundancy),
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

    fn resolve_toml(text: &str) -> Result<Config, ConfigError> {
        Config::resolve(toml::from_str(text).unwrap(), &Overrides::default())
    }

    const TWO_POOLS: &str = "[[pool]]\nname = \"cd\"\ndisks = [\"/a\", \"/b\"]\n\
                             [[pool]]\nname = \"ls\"\ndisks = [\"/c\"]\n";

    #[test]
    fn regions_default_and_tables() {
        let one = resolve_toml("").unwrap();
        assert_eq!(one.region, DEFAULT_REGION);
        assert_eq!(
            one.regions,
            vec![Region {
                name: DEFAULT_REGION.into(),
                metadata: true,
                pool: Some(0)
            }]
        );
        let named = resolve_toml("region_name = \"LaSa\"").unwrap();
        assert_eq!(named.region, "LaSa");

        let two = resolve_toml(&format!(
            "{TWO_POOLS}[[region]]\nname = \"ChengDu\"\nmetadata = true\ndata = true\npool = \"cd\"\nlocal = true\n\
             [[region]]\nname = \"LaSa\"\ndata = true\npool = \"ls\"\n\
             [[region]]\nname = \"WuHu\"\nmetadata = true\n"
        ))
        .unwrap();
        assert_eq!(two.region, "ChengDu");
        assert_eq!(two.regions.len(), 3);
        assert_eq!(two.region_named("LaSa").unwrap().pool, Some(1));
        assert!(!two.region_named("LaSa").unwrap().metadata);
        assert!(!two.region_named("WuHu").unwrap().is_data());
    }

    #[test]
    fn bad_region_tables_are_named() {
        let region = |body: &str| format!("[[region]]\n{body}\n");
        let cd = "name = \"ChengDu\"\nmetadata = true\ndata = true\npool = \"cd\"\nlocal = true";
        let ls = "name = \"LaSa\"\ndata = true\npool = \"ls\"";
        for (text, needle) in [
            // Two pools and no regions: which region uses which?
            (TWO_POOLS.to_string(), "[[region]]"),
            (
                format!("{TWO_POOLS}{}", region(cd)),
                "no region uses pool ls",
            ),
            (format!("{TWO_POOLS}{}{}", region(cd), region(cd)), "twice"),
            (
                format!(
                    "{TWO_POOLS}{}{}",
                    region(cd),
                    region("name = \"LaSa\"\ndata = true\npool = \"xx\"")
                ),
                "no [[pool]] named",
            ),
            (
                format!(
                    "{TWO_POOLS}{}{}",
                    region(&cd.replace("local = true", "")),
                    region(ls)
                ),
                "local",
            ),
            (
                format!(
                    "{TWO_POOLS}{}{}",
                    region(cd),
                    region(&format!("{ls}\nlocal = true"))
                ),
                "both local",
            ),
            (
                format!(
                    "{TWO_POOLS}{}{}",
                    region(cd),
                    region("name = \"LaSa\"\ndata = true\npool = \"cd\"")
                ),
                "both use pool",
            ),
            (
                format!(
                    "{TWO_POOLS}{}{}",
                    region(cd),
                    region("name = \"Bad Name\"\nmetadata = true")
                ),
                "region name",
            ),
            (
                format!("{TWO_POOLS}{}{}", region(cd), region("name = \"LaSa\"")),
                "neither",
            ),
            (
                format!(
                    "region_name = \"X\"\n{TWO_POOLS}{}{}",
                    region(cd),
                    region(ls)
                ),
                "not both",
            ),
        ] {
            let err = resolve_toml(&text).unwrap_err().to_string();
            assert!(err.contains(needle), "{text}\n=> {err}");
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
        // An IPv4-mapped network holds the IPv4 addresses it maps (was: none of them).
        let mapped = IpNet::parse("::ffff:10.1.2.3").unwrap();
        assert!(mapped.contains("10.1.2.3".parse().unwrap()));
        assert!(!mapped.contains("10.1.2.4".parse().unwrap()));
        assert!(IpNet::parse("::/0")
            .unwrap()
            .contains("10.0.0.1".parse().unwrap()));
        assert_eq!(IpNet::parse("1.2.3.4/33"), None);
        assert_eq!(IpNet::parse("nope"), None);
    }
}

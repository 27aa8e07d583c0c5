//! `oos`: the command-line tool for OOS and `oosd` (aws-cli / mc style), with a warp-style
//! benchmark. Run `oos --help`.

mod bench;
mod bucket_cmd;
mod fs_cmd;
mod location;
mod progress;
mod transfer_cmd;
mod units;
mod version_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use oos::{Profile, ProfileFile};

/// Exit codes scripts can rely on.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Any other failure (network, local I/O, server 5xx…).
    pub const ERROR: u8 = 1;
    /// Bad usage or configuration.
    pub const USAGE: u8 = 2;
    /// The bucket, key, upload or configuration does not exist (404).
    pub const NOT_FOUND: u8 = 3;
    /// Access denied or bad credentials (403).
    pub const DENIED: u8 = 4;
    /// A precondition or conflict (409, 412) or a benchmark verification failure.
    pub const CONFLICT: u8 = 5;
}

/// A failure: one line on stderr and an exit code.
#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub code: u8,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            code: exit::USAGE,
        }
    }

    pub fn other(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            code: exit::ERROR,
        }
    }
}

impl From<oos::Error> for CliError {
    fn from(e: oos::Error) -> CliError {
        match e.service() {
            Some(s) => CliError {
                message: format!(
                    "{}{}: {} (status {}, request id {})",
                    s.location().map(|l| format!("{l}: ")).unwrap_or_default(),
                    s.code,
                    if s.message.is_empty() {
                        "-"
                    } else {
                        &s.message
                    },
                    s.status,
                    if s.request_id.is_empty() {
                        "-"
                    } else {
                        &s.request_id
                    }
                ),
                code: match s.status {
                    404 => exit::NOT_FOUND,
                    401 | 403 => exit::DENIED,
                    409 | 412 => exit::CONFLICT,
                    _ => exit::ERROR,
                },
            },
            None => CliError {
                code: if matches!(e, oos::Error::Config(_) | oos::Error::InvalidArgument(_)) {
                    exit::USAGE
                } else {
                    exit::ERROR
                },
                message: oos::with_causes(&e),
            },
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> CliError {
        CliError::other(e.to_string())
    }
}

/// A `map_err` for a failed operation on the local file or directory `path`: the message
/// names it (`./album/a.jpg: No such file or directory (os error 2)`).
pub fn local_error(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> CliError + '_ {
    move |e| CliError::other(format!("{}: {e}", path.display()))
}

pub type CliResult<T = ()> = Result<T, CliError>;

/// Command-line tool for OOS object storage.
#[derive(Debug, Parser)]
#[command(name = "oos", version, about)]
pub struct Cli {
    /// Endpoint URL (overrides the profile and OOS_ENDPOINT).
    #[arg(long, global = true)]
    pub endpoint: Option<String>,
    /// Profile of the config file (default `default`, or OOS_PROFILE).
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    pub json: bool,
    /// No progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show or change the profile file (~/.oos/config or $OOS_CONFIG_FILE); without a
    /// subcommand, asks for the endpoint, keys and region (as `aws configure`).
    Config {
        #[command(subcommand)]
        action: Option<ConfigAction>,
    },
    /// List buckets, or objects and prefixes under s3://bucket[/prefix].
    Ls(fs_cmd::LsArgs),
    /// Make a bucket.
    Mb(fs_cmd::MbArgs),
    /// Remove a bucket (--force empties it first).
    Rb(fs_cmd::RbArgs),
    /// Copy local↔remote or remote↔remote.
    Cp(transfer_cmd::CpArgs),
    /// Make the destination match the source (by size and modification time).
    Sync(transfer_cmd::SyncArgs),
    /// Move: copy, then delete the source.
    Mv(transfer_cmd::CpArgs),
    /// Remove objects.
    Rm(fs_cmd::RmArgs),
    /// Write an object to stdout.
    Cat(fs_cmd::CatArgs),
    /// Show an object's or a bucket's details.
    Stat(fs_cmd::StatArgs),
    /// Print a presigned URL.
    Presign(fs_cmd::PresignArgs),
    /// List the regions the account may use.
    Regions,
    /// Bucket configuration: policy, website, cors, lifecycle, logging, accelerate, acl,
    /// location, tagging, versioning, object-lock.
    Bucket(bucket_cmd::BucketArgs),
    /// An object's tags: get, set or delete.
    Tag(bucket_cmd::TagArgs),
    /// An object's ACL (or a bucket's): get or set.
    Acl(bucket_cmd::AclArgs),
    /// Make an old version current again (copies it over the key).
    Restore(version_cmd::RestoreArgs),
    /// A version's Object Lock retention: get, set or delete.
    Retention(version_cmd::RetentionArgs),
    /// A version's legal hold: get, on or off.
    LegalHold(version_cmd::LegalHoldArgs),
    /// Access keys: create, list, update, delete.
    Keys {
        #[command(subcommand)]
        action: bucket_cmd::KeysAction,
    },
    /// Load generator: PUT, GET, mixed and LIST phases with latency percentiles.
    Bench(bench::BenchArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Set a profile value: endpoint, access_key_id, secret_access_key, region, signature
    /// (v4|v2), addressing (path|virtual), max_retries, timeout_secs, ca_file (extra trusted
    /// CA certificates, PEM, for https endpoints).
    Set { key: String, value: String },
    /// Print the profile (secrets masked) or one value.
    Get { key: Option<String> },
    /// Print the profile file's path.
    Path,
}

const KEYS: [&str; 9] = [
    "endpoint",
    "access_key_id",
    "secret_access_key",
    "region",
    "signature",
    "addressing",
    "max_retries",
    "timeout_secs",
    "ca_file",
];

impl Cli {
    fn profile_name(&self) -> String {
        self.profile
            .clone()
            .or_else(|| std::env::var("OOS_PROFILE").ok().filter(|p| !p.is_empty()))
            .unwrap_or_else(|| "default".into())
    }

    /// Profile file, then environment, then flags.
    pub fn client(&self) -> CliResult<oos::Client> {
        let path = ProfileFile::default_path();
        let file = ProfileFile::load(&path)?;
        let name = self.profile_name();
        if self.profile.is_some() && file.get(&name).is_none() {
            return Err(CliError::usage(format!(
                "no profile [{name}] in {}",
                path.display()
            )));
        }
        let mut p: Profile = file.get(&name).cloned().unwrap_or_default();
        let env = |a: &str, b: &str| {
            std::env::var(a)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| std::env::var(b).ok().filter(|v| !v.is_empty()))
        };
        for (key, oos_var, aws_var) in [
            ("endpoint", "OOS_ENDPOINT", "AWS_ENDPOINT_URL"),
            ("access_key_id", "OOS_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
            (
                "secret_access_key",
                "OOS_SECRET_ACCESS_KEY",
                "AWS_SECRET_ACCESS_KEY",
            ),
            ("session_token", "OOS_SESSION_TOKEN", "AWS_SESSION_TOKEN"),
            ("region", "OOS_REGION", "AWS_REGION"),
            ("ca_file", "OOS_CA_FILE", "AWS_CA_BUNDLE"),
        ] {
            if let Some(v) = env(oos_var, aws_var) {
                p.set(key, &v);
            }
        }
        if let Some(e) = &self.endpoint {
            p.set("endpoint", e);
        }
        let config = p.to_config().map_err(|e| {
            CliError::usage(format!(
                "{e}; run `oos config set <key> <value>` or set OOS_ENDPOINT, OOS_ACCESS_KEY_ID, OOS_SECRET_ACCESS_KEY"
            ))
        })?;
        Ok(oos::Client::new(config)?)
    }

    fn config_cmd(&self, action: Option<&ConfigAction>) -> CliResult {
        let path: PathBuf = ProfileFile::default_path();
        let name = self.profile_name();
        let Some(action) = action else {
            return config_interactive(self, &path, &name);
        };
        match action {
            ConfigAction::Set { key, value } => {
                if !KEYS.contains(&key.as_str()) {
                    return Err(CliError::usage(format!(
                        "unknown key {key:?}; known: {}",
                        KEYS.join(", ")
                    )));
                }
                let mut file = ProfileFile::load(&path)?;
                let mut probe = file.get(&name).cloned().unwrap_or_default();
                probe.set(key, value);
                // Validate what can be validated before writing.
                if let Err(e) = probe.to_config() {
                    if !e.to_string().contains("is not set") {
                        return Err(CliError::usage(e.to_string()));
                    }
                }
                file.profile_mut(&name).set(key, value);
                file.save(&path)?;
                if !self.json {
                    eprintln!("set {key} in [{name}] of {}", path.display());
                }
                Ok(())
            }
            ConfigAction::Get { key } => {
                let file = ProfileFile::load(&path)?;
                let p = file.get(&name).cloned().unwrap_or_default();
                let shown = |k: &str, v: &str| {
                    if k.contains("secret") || k.contains("token") {
                        format!("{}****", v.chars().take(4).collect::<String>())
                    } else {
                        v.to_string()
                    }
                };
                match key {
                    Some(k) => match p.get(k) {
                        Some(v) => println!("{}", shown(k, v)),
                        None => {
                            return Err(CliError {
                                message: format!("{k} is not set in [{name}]"),
                                code: exit::NOT_FOUND,
                            })
                        }
                    },
                    None if self.json => {
                        let map: serde_json::Map<String, serde_json::Value> = p
                            .values
                            .iter()
                            .map(|(k, v)| (k.clone(), shown(k, v).into()))
                            .collect();
                        units::print_json(&serde_json::Value::Object(map));
                    }
                    None => {
                        for (k, v) in &p.values {
                            println!("{k} = {}", shown(k, v));
                        }
                    }
                }
                Ok(())
            }
            ConfigAction::Path => {
                println!("{}", path.display());
                Ok(())
            }
        }
    }
}

/// What `oos config` asks for: (profile key, prompt, is a secret).
const ASKED: [(&str, &str, bool); 4] = [
    ("endpoint", "Endpoint", false),
    ("access_key_id", "Access Key ID", false),
    ("secret_access_key", "Secret Access Key", true),
    ("region", "Region", false),
];

/// `oos config`: one question per setting, the current value as the default (keys shown as
/// `****` and their last four characters), an empty answer keeping it. The secret is read
/// without echo when stdin is a terminal; piped answers are read line by line.
fn config_interactive(cli: &Cli, path: &std::path::Path, name: &str) -> CliResult {
    use std::io::{BufRead, IsTerminal, Write};
    let mut file = ProfileFile::load(path)?;
    let mut profile = file.get(name).cloned().unwrap_or_default();
    let terminal = std::io::stdin().is_terminal();
    let mut stdin = std::io::stdin().lock();
    for (key, label, secret) in ASKED {
        let current = match profile.get(key) {
            None | Some("") => "None".to_string(),
            Some(v) if key.ends_with("_key_id") || key.starts_with("secret") => masked(v),
            Some(v) => v.to_string(),
        };
        let prompt = format!("{label} [{current}]: ");
        let answer = if secret && terminal {
            rpassword::prompt_password(&prompt).map_err(CliError::from)?
        } else {
            let mut err = std::io::stderr();
            write!(err, "{prompt}").and_then(|()| err.flush())?;
            let mut line = String::new();
            // End of input: every remaining setting keeps its value.
            if stdin.read_line(&mut line)? == 0 {
                eprintln!();
                break;
            }
            if !terminal {
                // The answer was not echoed: end the prompt's line, for a readable log.
                eprintln!();
            }
            line
        };
        let answer = answer.trim();
        if !answer.is_empty() {
            profile.set(key, answer);
        }
    }
    // Check what can be checked before writing, as `config set` does.
    match profile.to_config() {
        Ok(config) => {
            oos::Client::new(config).map_err(|e| CliError::usage(e.to_string()))?;
        }
        Err(e) if e.to_string().contains("is not set") => {}
        Err(e) => return Err(CliError::usage(e.to_string())),
    }
    *file.profile_mut(name) = profile;
    file.save(path)?;
    if !cli.json {
        eprintln!("wrote [{name}] of {}", path.display());
    }
    Ok(())
}

/// `****` and the last four characters (all of a short value is hidden).
fn masked(v: &str) -> String {
    let chars: Vec<char> = v.chars().collect();
    if chars.len() < 8 {
        return "****".into();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("****{tail}")
}

async fn run(cli: Cli) -> CliResult {
    match &cli.command {
        Command::Config { action } => cli.config_cmd(action.as_ref()),
        Command::Ls(a) => fs_cmd::ls(&cli, a).await,
        Command::Mb(a) => fs_cmd::mb(&cli, a).await,
        Command::Rb(a) => fs_cmd::rb(&cli, a).await,
        Command::Cp(a) => transfer_cmd::cp(&cli, a, false).await,
        Command::Mv(a) => transfer_cmd::cp(&cli, a, true).await,
        Command::Sync(a) => transfer_cmd::sync(&cli, a).await,
        Command::Rm(a) => fs_cmd::rm(&cli, a).await,
        Command::Cat(a) => fs_cmd::cat(&cli, a).await,
        Command::Stat(a) => fs_cmd::stat(&cli, a).await,
        Command::Presign(a) => fs_cmd::presign(&cli, a).await,
        Command::Regions => fs_cmd::regions(&cli).await,
        Command::Bucket(a) => bucket_cmd::bucket(&cli, a).await,
        Command::Tag(a) => bucket_cmd::tag(&cli, a).await,
        Command::Acl(a) => bucket_cmd::acl(&cli, a).await,
        Command::Restore(a) => version_cmd::restore(&cli, a).await,
        Command::Retention(a) => version_cmd::retention(&cli, a).await,
        Command::LegalHold(a) => version_cmd::legal_hold(&cli, a).await,
        Command::Keys { action } => bucket_cmd::keys(&cli, action).await,
        Command::Bench(a) => bench::bench(&cli, a).await,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oos: error: tokio runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("oos: error: {}", e.message);
            ExitCode::from(e.code)
        }
    }
}

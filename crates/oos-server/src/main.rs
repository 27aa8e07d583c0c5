//! `oosd`: the OOS-compatible object server. `oosd` alone serves on 127.0.0.1:9000 with the
//! data directory `./oos-data`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use oos_server::config::{Config, LogFormat, Overrides};

#[derive(Parser)]
#[command(name = "oosd", version, about = "OOS-compatible object storage server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Pool health and scrubs: asks the running server (signed as the root account).
    Pool {
        #[command(subcommand)]
        action: PoolAction,
        #[command(flatten)]
        args: PoolArgs,
    },
    /// Manage accounts (works while the server runs).
    Account {
        #[command(subcommand)]
        action: AccountAction,
        #[command(flatten)]
        args: AccountArgs,
        /// Print JSON for scripts.
        #[arg(long, global = true)]
        json: bool,
    },
    /// Check what breaks stores in the field (disks, space, clock, limits, keys) and say what
    /// to fix; exit 1 if a check fails. Safe while the server runs.
    Doctor {
        #[command(flatten)]
        args: DoctorArgs,
        /// Print a JSON array of {check, status, detail, fix}.
        #[arg(long)]
        json: bool,
    },
    /// Manage the SSE-KMS key store (works while the server runs).
    Kms {
        #[command(subcommand)]
        action: KmsAction,
        #[command(flatten)]
        args: AccountArgs,
        /// Print JSON for scripts.
        #[arg(long, global = true)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum KmsAction {
    /// Create a key for `aws:kms` encryption; prints its key id.
    CreateKey {
        /// A second name for the key, `alias/...`.
        #[arg(long)]
        alias: Option<String>,
        #[arg(long)]
        description: Option<String>,
    },
    /// List keys.
    ListKeys,
    /// Disable a key (by id or alias): objects under it cannot be read or written until it
    /// is enabled again.
    DisableKey { key: String },
    /// Enable a disabled key.
    EnableKey { key: String },
}

#[derive(Subcommand)]
enum PoolAction {
    /// Disks of the pool (state, free space) and the heal queue, from the running server.
    Status,
    /// Verify every data id now and queue damage for healing (on the running server).
    Scrub,
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create an account with a primary access key; its secret is printed once.
    Create {
        name: String,
        /// Limit the account to these regions (comma-separated; default: every region).
        #[arg(long, value_delimiter = ',')]
        regions: Option<Vec<String>>,
    },
    /// Limit an account to some regions (comma-separated), or `all`.
    Regions { name: String, regions: String },
    /// List accounts.
    List,
    /// Show one account and its access keys.
    Show { name: String },
    /// Disable an account: its keys stop working at once.
    Disable { name: String },
    /// Enable a disabled account.
    Enable { name: String },
}

#[derive(clap::Args, Clone, Default)]
struct ServeArgs {
    /// TOML configuration file.
    #[arg(long, env = "OOS_CONFIG")]
    config: Option<PathBuf>,
    /// Address to listen on, such as 127.0.0.1:9000 (port 0 picks a free port).
    #[arg(long, env = "OOS_LISTEN")]
    listen: Option<String>,
    /// Directory for metadata and object data.
    #[arg(long, env = "OOS_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

/// Where the running server is: its listen address, data directory (root credentials) and
/// config.
#[derive(clap::Args, Clone, Default)]
struct PoolArgs {
    #[arg(long, env = "OOS_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[arg(long, env = "OOS_LISTEN", global = true)]
    listen: Option<String>,
    #[arg(long, env = "OOS_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
}

/// Where the accounts live: the same data directory (and config) as the server's.
#[derive(clap::Args, Clone, Default)]
struct AccountArgs {
    /// TOML configuration file.
    #[arg(long, env = "OOS_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// The server's data directory.
    #[arg(long, env = "OOS_DATA_DIR", global = true)]
    data_dir: Option<PathBuf>,
}

/// What `oosd doctor` checks: the server's config and data directory, and its listen
/// address when given as the server gets it (a flag in the unit's ExecStart).
#[derive(clap::Args, Clone, Default)]
struct DoctorArgs {
    /// TOML configuration file.
    #[arg(long, env = "OOS_CONFIG")]
    config: Option<PathBuf>,
    /// The server's data directory.
    #[arg(long, env = "OOS_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// The server's listen address, if not from the config.
    #[arg(long, env = "OOS_LISTEN")]
    listen: Option<String>,
}

/// Logs to stderr, filtered by `OOS_LOG`: plain text (colour only when stderr is a terminal,
/// so journald and piped logs carry no escape codes) or one JSON object a line.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OOS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // A log line that cannot be written (a full disk under journald) is dropped: reporting
        // it would print to the same failing stderr, and a print that fails panics.
        .log_internal_errors(false);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn main() {
    limit_malloc_arenas();
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        Some(Command::Pool { action, args }) => {
            init_logging(LogFormat::Text);
            match run_pool(action, args) {
                Ok(text) => println!("{text}"),
                Err(e) => {
                    eprintln!("oosd: error: {e}");
                    std::process::exit(1);
                }
            }
            return;
        }
        Some(Command::Kms { action, args, json }) => {
            init_logging(LogFormat::Text);
            if let Err(e) = run_kms(action, args, json) {
                eprintln!("oosd: error: {e}");
                std::process::exit(1);
            }
            return;
        }
        Some(Command::Doctor { args, json }) => {
            let report = oos_server::doctor::run(&Overrides {
                config: args.config,
                listen: args.listen,
                data_dir: args.data_dir,
            });
            if json {
                println!("{}", report.json());
            } else {
                print!("{}", report.text());
            }
            std::process::exit(if report.failed() { 1 } else { 0 });
        }
        Some(Command::Account { action, args, json }) => {
            init_logging(LogFormat::Text);
            if let Err(e) = run_account(action, args, json) {
                eprintln!("oosd: error: {e}");
                std::process::exit(1);
            }
            return;
        }
        None => cli.serve,
    };
    let overrides = Overrides {
        config: args.config,
        listen: args.listen,
        data_dir: args.data_dir,
    };
    let result = Config::load(&overrides)
        .map_err(|e| e.to_string())
        .and_then(|config| {
            init_logging(config.log_format);
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(oos_server::start::run(config))
        });
    if let Err(e) = result {
        eprintln!("oosd: error: {e}");
        std::process::exit(1);
    }
}

/// Runs `work` on the server's own metadata store and key, as `oosd account` and `oosd kms`
/// do (while the server runs too: WAL lets both write).
fn with_store<F, Fut>(args: AccountArgs, work: F) -> Result<(), String>
where
    F: FnOnce(Config, oos_meta::SqliteStore, oos_server::secrets::SecretBox) -> Fut,
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let config = Config::load(&Overrides {
        config: args.config,
        listen: None,
        data_dir: args.data_dir,
    })
    .map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let meta = oos_meta::SqliteStore::open(&config.data_dir.join("meta.sqlite"))
            .map_err(|e| format!("cannot open metadata store: {e}"))?;
        let secrets =
            oos_server::secrets::SecretBox::open(&config.data_dir).map_err(|e| e.to_string())?;
        work(config, meta, secrets).await
    })
}

fn run_account(action: AccountAction, args: AccountArgs, json: bool) -> Result<(), String> {
    use oos_server::accounts;
    with_store(args, |config, meta, secrets| async move {
        let print = |value: &dyn erased::Printable| {
            if json {
                println!("{}", value.json());
            } else {
                println!("{}", value.text());
            }
        };
        match action {
            AccountAction::Create { name, regions } => {
                let a = accounts::create_account(&meta, &secrets, &config, &name, regions).await?;
                print(&a);
            }
            AccountAction::Regions { name, regions } => {
                let regions =
                    (regions != "all").then(|| regions.split(',').map(str::to_string).collect());
                print(&accounts::set_regions(&meta, &config, &name, regions).await?)
            }
            AccountAction::List => {
                let all = accounts::list_accounts(&meta).await?;
                print(&all);
            }
            AccountAction::Show { name } => print(&accounts::account_info(&meta, &name).await?),
            AccountAction::Disable { name } => {
                print(&accounts::set_disabled(&meta, &name, true).await?)
            }
            AccountAction::Enable { name } => {
                print(&accounts::set_disabled(&meta, &name, false).await?)
            }
        }
        Ok(())
    })
}

fn run_kms(action: KmsAction, args: AccountArgs, json: bool) -> Result<(), String> {
    use oos_server::sse::kms;
    with_store(args, |_config, meta, secrets| async move {
        let listing = matches!(action, KmsAction::ListKeys);
        let keys = match action {
            KmsAction::CreateKey { alias, description } => {
                vec![kms::create_key(&meta, &secrets, alias, description).await?]
            }
            KmsAction::ListKeys => kms::list_keys(&meta).await?,
            KmsAction::DisableKey { key } => vec![kms::set_enabled(&meta, &key, false).await?],
            KmsAction::EnableKey { key } => vec![kms::set_enabled(&meta, &key, true).await?],
        };
        if json {
            // `list-keys` prints an array, the others the one key they changed.
            let text = match keys.as_slice() {
                [one] if !listing => serde_json::to_string_pretty(one),
                all => serde_json::to_string_pretty(all),
            };
            println!("{}", text.map_err(|e| e.to_string())?);
        } else {
            for k in keys {
                println!(
                    "{}  {:<8}  {}  {}",
                    k.key_id,
                    if k.enabled { "enabled" } else { "disabled" },
                    k.alias.as_deref().unwrap_or("-"),
                    k.description
                );
            }
        }
        Ok(())
    })
}

/// How `oosd account` prints: JSON for scripts, aligned text for people.
mod erased {
    use oos_server::accounts::{AccountInfo, NewAccount};

    pub trait Printable {
        fn json(&self) -> String;
        fn text(&self) -> String;
    }

    impl Printable for NewAccount {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
        fn text(&self) -> String {
            format!(
                "account:      {}\ncanonical id: {}\naccess key:   {}\nsecret key:   {}\n(the secret is shown only now)",
                self.account, self.canonical_id, self.access_key, self.secret_key
            )
        }
    }

    impl Printable for AccountInfo {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
        fn text(&self) -> String {
            let mut out = format!(
                "account:      {}{}\ncanonical id: {}\ncreated:      {}",
                self.account,
                if self.disabled { " (disabled)" } else { "" },
                self.canonical_id,
                self.created
            );
            if let Some(regions) = &self.regions {
                out.push_str(&format!("\nregions:      {}", regions.join(", ")));
            }
            for k in &self.access_keys {
                out.push_str(&format!(
                    "\naccess key:   {} {}{}",
                    k.access_key,
                    if k.active { "active" } else { "inactive" },
                    if k.primary { ", primary" } else { "" }
                ));
            }
            out
        }
    }

    impl Printable for Vec<AccountInfo> {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
        fn text(&self) -> String {
            self.iter()
                .map(|a| {
                    format!(
                        "{}\t{}{}",
                        a.account,
                        a.canonical_id,
                        if a.disabled { "\tdisabled" } else { "" }
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        }
    }
}

/// `oosd pool status|scrub`: one admin API request to the server at `listen`, signed with the
/// root credentials of the data directory. Plain HTTP only (with TLS, call the admin API).
fn run_pool(action: PoolAction, args: PoolArgs) -> Result<String, String> {
    use std::io::{Read, Write};
    let config = Config::load(&Overrides {
        config: args.config,
        listen: args.listen,
        data_dir: args.data_dir,
    })
    .map_err(|e| e.to_string())?;
    if config.tls.is_some() {
        return Err(
            "the server serves HTTPS: call GET /_admin/pool or POST /_admin/scrub directly".into(),
        );
    }
    let creds_path = config
        .data_dir
        .join(oos_server::start::ROOT_CREDENTIALS_FILE);
    let text = std::fs::read_to_string(&creds_path)
        .map_err(|e| format!("cannot read {}: {e}", creds_path.display()))?;
    let creds: oos_server::start::RootCredentials =
        toml::from_str(&text).map_err(|e| format!("{}: {}", creds_path.display(), e.message()))?;
    let (method, path) = match action {
        PoolAction::Status => ("GET", "/_admin/pool"),
        PoolAction::Scrub => ("POST", "/_admin/scrub"),
    };
    let mut addr = config.listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut headers = http::HeaderMap::new();
    headers.insert("host", addr.to_string().parse().map_err(|_| "bad address")?);
    let params = oos_sign::SigningParams::new(
        &creds.access_key,
        &creds.secret_key,
        &config.region,
        "s3",
        time::OffsetDateTime::now_utc(),
    );
    oos_sign::sign_v4_headers(
        &params,
        method,
        path,
        "",
        &mut headers,
        oos_sign::UNSIGNED_PAYLOAD,
    )
    .map_err(|e| e.to_string())?;
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: 0\r\n");
    for (name, value) in &headers {
        request.push_str(&format!(
            "{name}: {}\r\n",
            value.to_str().unwrap_or_default()
        ));
    }
    request.push_str("\r\n");
    let mut stream = std::net::TcpStream::connect(addr)
        .map_err(|e| format!("cannot reach oosd at {addr}: {e}"))?;
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    if !head.starts_with("HTTP/1.1 200") {
        return Err(format!(
            "{} {}",
            head.lines().next().unwrap_or(""),
            body.trim()
        ));
    }
    Ok(body.trim().to_string())
}

/// glibc gives up to 8 malloc arenas per core, and memory freed into one arena is not reused
/// by threads of another: with many short-lived blocking tasks (shard writers, hashing) the
/// resident set grows well past what is in use. One arena per core keeps the benchmark's
/// peak RSS at 83 MiB instead of 144–156 MiB at the same speed (docs/BENCHMARKS.md). An
/// operator's own `MALLOC_ARENA_MAX` wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        // SAFETY: mallopt only sets an allocator parameter; called before any thread starts.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, cores.max(2) as libc::c_int);
        }
    }
}

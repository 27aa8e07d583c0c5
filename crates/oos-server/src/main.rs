//! `oosd`: the OOS-compatible object server. `oosd` alone serves on 127.0.0.1:9000 with the
//! data directory `./oos-data`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use oos_server::config::{Config, Overrides};

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
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create an account with a primary access key; its secret is printed once.
    Create { name: String },
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

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OOS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let args = match cli.command {
        Some(Command::Serve(args)) => args,
        Some(Command::Account { action, args, json }) => {
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

fn run_account(action: AccountAction, args: AccountArgs, json: bool) -> Result<(), String> {
    use oos_server::accounts;
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
        let print = |value: &dyn erased::Printable| {
            if json {
                println!("{}", value.json());
            } else {
                println!("{}", value.text());
            }
        };
        match action {
            AccountAction::Create { name } => {
                let a = accounts::create_account(&meta, &secrets, &name).await?;
                print(&a);
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

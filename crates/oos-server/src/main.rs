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

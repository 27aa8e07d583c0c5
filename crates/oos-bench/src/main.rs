//! `oos-bench`: starts `oosd`, measures PUT/GET throughput and latency at several concurrencies,
//! measures a plain-file baseline on the same disk in the same run, and prints a Markdown report.
//!
//! Then the layout section: 64 MiB objects PUT and GET with `x-amz-storage-class` EC_1_0, EC_4_2
//! and EC_3_0, and EC_1_0 encrypted with SSE-S3; a degraded EC_4_2 GET (two disks' shard files
//! deleted), and the codec alone.
//!
//! `cargo run --release -p oos-bench -- [--oosd target/release/oosd] [--quick] [--out FILE]
//! [--sizes 4k,1m,64m,ec] [--layouts all|none|EC_1_0,EC_4_2,EC_3_0]`

mod baseline;
mod client;
mod layouts;
mod report;
mod scenarios;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;

/// Errors end the bench with a message; there is nothing to recover.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, BoxError>;

pub const ACCESS_KEY: &str = "bench";
pub const SECRET_KEY: &str = "benchsecret";
/// oosd's default region (crates/oos-server/src/config.rs).
pub const REGION: &str = "ChengDu";
pub const BUCKET: &str = "bench";

#[derive(Parser, Debug)]
#[command(
    name = "oos-bench",
    about = "Benchmark oosd PUT/GET against a same-run plain-file baseline"
)]
struct Args {
    /// The oosd binary [default: `oosd` next to this executable].
    #[arg(long)]
    oosd: Option<PathBuf>,
    /// Shorter cells (durations and counts divided by about 5), for a smoke run.
    #[arg(long)]
    quick: bool,
    /// Also write the Markdown report to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Directory under which the temporary data directories are created [default: the system
    /// temp dir].
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Only these sections (comma-separated labels: 4k, 1m, 64m, and `ec` for the layout
    /// section) [default: all].
    #[arg(long, value_delimiter = ',')]
    sizes: Vec<String>,
    /// The layout section's storage classes (comma-separated: EC_1_0, EC_4_2, EC_3_0, SSE_S3
    /// (EC_1_0 encrypted); `all` or `none`) [default: all; the section is skipped when `--sizes` is given without `ec`].
    /// EC_4_2 adds the degraded GET cells; the PUT ratio needs EC_1_0 too.
    #[arg(long, value_delimiter = ',')]
    layouts: Vec<String>,
}

fn main() {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("oos-bench: cannot start the tokio runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(run(args)) {
        eprintln!("oos-bench: error: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let oosd_path = match args.oosd {
        Some(p) => p,
        None => std::env::current_exe()?.with_file_name("oosd"),
    };
    let work_root = args.work_dir.unwrap_or_else(std::env::temp_dir);
    let work = tempfile::Builder::new()
        .prefix("oos-bench-")
        .tempdir_in(&work_root)
        .map_err(|e| format!("cannot create a temp dir in {}: {e}", work_root.display()))?;
    let mut plan = scenarios::Plan::new(args.quick);
    if !args.sizes.is_empty() {
        plan.sizes
            .retain(|s| args.sizes.iter().any(|l| l == s.label));
    }
    let classes = layouts::parse_classes(&args.layouts)?;
    let layout_plan = (!classes.is_empty()
        && (args.sizes.is_empty() || args.sizes.iter().any(|l| l == layouts::LABEL)))
    .then(|| layouts::LayoutPlan::new(args.quick, classes));

    eprintln!("oos-bench: generating payloads");
    let payloads = Arc::new(scenarios::Payloads::generate(&plan));
    let layout_pool = Arc::new(
        layout_plan
            .as_ref()
            .map(|p| layouts::generate_payloads(&p.spec))
            .unwrap_or_default(),
    );
    eprintln!("oos-bench: measuring MD5 speed");
    let md5 = baseline::md5_throughput(plan.md5_rounds);
    let stages = baseline::stage_speeds(plan.md5_rounds);
    let codec = match &layout_plan {
        Some(_) => {
            eprintln!("oos-bench: measuring the Reed-Solomon codec (4+2, 1 MiB stripes)");
            Some(baseline::codec_throughput(4, 2, 1 << 20)?)
        }
        None => None,
    };

    eprintln!("oos-bench: starting {}", oosd_path.display());
    let mut oosd = server::Oosd::start(&oosd_path, work.path())?;
    eprintln!("oos-bench: oosd pid {} on {}", oosd.pid(), oosd.addr());

    let outcome = async {
        let s3 = Arc::new(client::S3Client::new(
            oosd.addr(),
            ACCESS_KEY,
            SECRET_KEY,
            REGION,
            BUCKET,
        ));
        s3.create_bucket().await?;
        let base_dir = work.path().join("baseline");
        std::fs::create_dir_all(&base_dir)?;
        let rows = scenarios::run_all(&plan, &payloads, &s3, &base_dir).await?;
        // Last: its degraded cells delete shard files of every layout on two disks.
        let layout_rows = match &layout_plan {
            Some(lp) => layouts::run_layouts(lp, &layout_pool, &s3, oosd.data_dir()).await?,
            None => Vec::new(),
        };
        drop(s3);
        Ok::<_, BoxError>((rows, layout_rows))
    }
    .await;
    // Memory is read before the stop, whether or not the scenarios succeeded.
    let memory = oosd.memory();
    let server_log = oosd.stop_and_log();
    let (rows, layout_rows) = outcome?;

    let report = report::Report {
        quick: args.quick,
        plan: &plan,
        rows: &rows,
        layout_plan: layout_plan.as_ref(),
        layout_rows: &layout_rows,
        codec,
        memory: memory.ok(),
        md5_mib_s: md5,
        stage_speeds: &stages,
        server_log: &server_log,
        work_dir: work.path(),
        oosd_path: &oosd_path,
        elapsed: started.elapsed(),
    }
    .render();
    print!("{report}");
    if let Some(out) = &args.out {
        std::fs::write(out, &report).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
        eprintln!("oos-bench: wrote {}", out.display());
    }
    work.close()?;
    Ok(())
}

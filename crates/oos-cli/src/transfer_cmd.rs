//! Transfers: cp, mv and sync (local↔remote, remote↔remote), as jobs run a few at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::Args;
use futures_util::StreamExt;
use oos::{Client, TransferOptions};
use serde_json::json;

use crate::fs_cmd::{cat, data_location, delete_keys, keys_under, report, CatArgs};
use crate::location::Location;
use crate::progress::Progress;
use crate::units::{self, human};
use crate::{local_error, Cli, CliError, CliResult};

#[derive(Debug, Args)]
pub struct CpArgs {
    /// Source: a local path, `-` (stdin) or `s3://bucket/key`.
    pub source: String,
    /// Destination: a local path, `-` (stdout) or `s3://bucket/key`.
    pub destination: String,
    /// Copy a directory or a prefix.
    #[arg(short, long)]
    pub recursive: bool,
    /// Storage class of uploaded objects (STANDARD, STANDARD_IA, REDUCED_REDUNDANCY, EC_N_M).
    #[arg(long)]
    pub storage_class: Option<String>,
    /// Data location of uploaded objects (see `oos mb --help`).
    #[arg(long)]
    pub data_location: Option<String>,
    /// Content-Type of uploaded objects.
    #[arg(long)]
    pub content_type: Option<String>,
    /// Canned ACL of uploaded objects (`private`, `public-read`, …).
    #[arg(long)]
    pub acl: Option<String>,
    /// Multipart part size, e.g. 8MiB.
    #[arg(long, default_value = "8MiB", value_parser = units::parse_size)]
    pub part_size: u64,
    /// Objects at least this big go multipart.
    #[arg(long, default_value = "16MiB", value_parser = units::parse_size)]
    pub multipart_threshold: u64,
    /// Parts (or files) in flight.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Speed limit per request, KiB/s.
    #[arg(long)]
    pub limit_rate: Option<u64>,
    /// Tags of uploaded or copied objects, URL-encoded: `k1=v1&k2=v2` (a copy otherwise
    /// keeps the source's tags).
    #[arg(long, value_parser = parse_tags)]
    pub tags: Option<Tags>,
    /// Never overwrite: skip a destination that exists. Uploads (and multipart copies) are
    /// conditional (`If-None-Match: *`), so a key created meanwhile is not overwritten either.
    #[arg(short = 'n', long)]
    pub no_clobber: bool,
    /// Read this version of a single s3:// source (on a versioned bucket).
    #[arg(long)]
    pub version_id: Option<String>,
    #[command(flatten)]
    pub sse: SseArgs,
}

/// Server-side encryption of what a command writes (and, for SSE-C, reads).
#[derive(Debug, Clone, Default, Args)]
pub struct SseArgs {
    /// Encrypt uploads and copies on the server: `AES256` (the default when given without a
    /// value, SSE-S3) or `aws:kms` (SSE-KMS).
    #[arg(long, num_args = 0..=1, default_missing_value = "AES256", value_name = "MODE")]
    pub sse: Option<String>,
    /// The KMS key of `--sse aws:kms` (id, alias or ARN; default: the server's default key).
    #[arg(long, value_name = "KEY_ID")]
    pub sse_kms_key_id: Option<String>,
    /// SSE-C: your own 256-bit key, as base64 or `@FILE` (32 raw bytes). The server never
    /// stores it; downloads, copies and `cat` of the object need it again.
    #[arg(long, value_name = "KEY", value_parser = parse_customer_key)]
    pub sse_c_key: Option<oos::CustomerKey>,
}

impl SseArgs {
    /// The encryption to ask for, if any.
    pub fn encryption(&self) -> CliResult<Option<oos::Encryption>> {
        match (self.sse.as_deref(), &self.sse_c_key, &self.sse_kms_key_id) {
            (None, None, None) => Ok(None),
            (None, Some(k), None) => Ok(Some(oos::Encryption::Customer(k.clone()))),
            (Some("AES256"), None, None) => Ok(Some(oos::Encryption::S3)),
            (Some("aws:kms"), None, id) => Ok(Some(oos::Encryption::Kms {
                key_id: id.clone(),
                context: None,
            })),
            (Some(_), Some(_), _) => Err(CliError::usage(
                "--sse and --sse-c-key exclude each other".to_string(),
            )),
            (_, _, Some(_)) => Err(CliError::usage(
                "--sse-kms-key-id needs --sse aws:kms".to_string(),
            )),
            (Some(other), None, None) => Err(CliError::usage(format!(
                "--sse takes AES256 or aws:kms, not {other:?}"
            ))),
        }
    }
}

/// `--sse-c-key`: base64 of 32 bytes, or `@FILE` holding the 32 bytes.
pub fn parse_customer_key(s: &str) -> Result<oos::CustomerKey, String> {
    match s.strip_prefix('@') {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|b: Vec<u8>| format!("{path}: {} bytes, an SSE-C key is 32", b.len()))?;
            Ok(oos::CustomerKey::new(key))
        }
        None => oos::CustomerKey::from_base64(s).map_err(|e| e.to_string()),
    }
}

/// Object tags, key → value.
pub type Tags = BTreeMap<String, String>;

/// `k1=v1&k2=v2`, URL-encoded, as `x-amz-tagging` and aws-cli's `--tagging` take it.
pub fn parse_tags(s: &str) -> Result<Tags, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(s).map_err(|e| format!("expected k1=v1&k2=v2: {e}"))?;
    let mut tags = Tags::new();
    for (k, v) in pairs {
        if k.is_empty() {
            return Err("a tag key is empty".into());
        }
        if tags.insert(k.clone(), v).is_some() {
            return Err(format!("tag {k:?} is given twice"));
        }
    }
    Ok(tags)
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Source directory or `s3://bucket/prefix`.
    pub source: String,
    /// Destination directory or `s3://bucket/prefix`.
    pub destination: String,
    /// Delete destination files that the source does not have.
    #[arg(long)]
    pub delete: bool,
    /// Files in flight.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    #[command(flatten)]
    pub sse: SseArgs,
}

fn transfer_options(a: &CpArgs, progress: &Progress) -> CliResult<TransferOptions> {
    let mut put = oos::PutObjectOptions {
        storage_class: a.storage_class.clone(),
        content_type: a.content_type.clone(),
        limit_rate: a.limit_rate,
        tags: a.tags.clone().unwrap_or_default(),
        acl: a.acl.clone(),
        if_none_match: a.no_clobber.then(|| "*".to_string()),
        encryption: a.sse.encryption()?,
        ..Default::default()
    };
    if let Some(d) = &a.data_location {
        put.data_location = Some(data_location(d)?);
    }
    Ok(TransferOptions {
        multipart_threshold: a.multipart_threshold,
        part_size: a.part_size,
        concurrency: a.concurrency.max(1),
        put,
        limit_rate: a.limit_rate,
        progress: progress.callback(),
        source_version_id: a.version_id.clone(),
    })
}

/// The Content-Type of an uploaded file, from its extension (as aws-cli and mc guess it).
fn guess_content_type(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "txt" | "log" | "md" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "mp3" => "audio/mpeg",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => return None,
    })
}

fn basename(s: &str) -> &str {
    s.trim_end_matches('/').rsplit('/').next().unwrap_or(s)
}

/// Key for a single file copied to `s3://bucket/key`: a key ending in `/` (or empty) is a
/// prefix, to which the source's name is appended.
fn dest_key(key: &str, source_name: &str) -> String {
    if key.is_empty() || key.ends_with('/') {
        format!("{key}{source_name}")
    } else {
        key.to_string()
    }
}

/// Files under `dir`, with their paths relative to it (`/`-separated).
fn walk(dir: &Path) -> CliResult<Vec<(PathBuf, String, std::fs::Metadata)>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(local_error(&d))? {
            let entry = entry.map_err(local_error(&d))?;
            let path = entry.path();
            let meta = std::fs::metadata(&path).map_err(local_error(&path))?;
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let rel = path
                    .strip_prefix(dir)
                    .expect("walked under dir")
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((path, rel, meta));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

fn join_prefix(prefix: &str, rel: &str) -> String {
    if prefix.is_empty() || prefix.ends_with('/') {
        format!("{prefix}{rel}")
    } else {
        format!("{prefix}/{rel}")
    }
}

/// One unit of work of cp / mv / sync.
#[derive(Debug, Clone)]
enum Job {
    Upload {
        path: PathBuf,
        bucket: String,
        key: String,
    },
    Download {
        bucket: String,
        key: String,
        path: PathBuf,
        mtime: Option<SystemTime>,
        /// From the listing; 0 when unknown.
        size: u64,
    },
    Copy {
        src_bucket: String,
        src_key: String,
        bucket: String,
        key: String,
        /// From the listing; 0 when unknown.
        size: u64,
    },
}

impl Job {
    async fn run(
        &self,
        cli: &Cli,
        client: &Client,
        a: &CpArgs,
        shared: Option<&Progress>,
        mv: bool,
    ) -> CliResult {
        let (label, op) = match self {
            Job::Upload { path, bucket, key } => (
                format!("{} → s3://{bucket}/{key}", path.display()),
                "upload",
            ),
            Job::Download {
                bucket, key, path, ..
            } => (
                format!("s3://{bucket}/{key} → {}", path.display()),
                "download",
            ),
            Job::Copy {
                src_bucket,
                src_key,
                bucket,
                key,
                ..
            } => (
                format!("s3://{src_bucket}/{src_key} → s3://{bucket}/{key}"),
                "copy",
            ),
        };
        // One bar per transfer, or the shared bar of a multi-file run fed by deltas.
        let own = Progress::new(&label, 0, shared.is_none() && bars_wanted(cli));
        let mut opts = transfer_options(a, &own)?;
        if let Some(bar) = shared {
            opts.progress = bar.job_callback();
        }
        let progress = own;
        if a.no_clobber && self.destination_exists(client).await? {
            // Count the skipped bytes as done, so that a shared bar still reaches its total.
            if let Some(cb) = &opts.progress {
                let size = self.size_hint();
                cb(oos::Progress {
                    transferred: size,
                    total: size,
                });
            }
            progress.finish();
            return skipped(cli, &label);
        }
        let result = match self {
            Job::Upload { path, bucket, key } => {
                if opts.put.content_type.is_none() {
                    opts.put.content_type = guess_content_type(path).map(str::to_string);
                }
                client
                    .upload_file(bucket, key, path, &opts)
                    .await
                    .map(|o| o.size)
            }
            Job::Download {
                bucket,
                key,
                path,
                mtime,
                ..
            } => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(local_error(dir))?;
                }
                let r = client.download_file(bucket, key, path, &opts).await;
                if let (Ok(_), Some(t)) = (&r, mtime) {
                    let f = std::fs::File::options()
                        .write(true)
                        .open(path)
                        .map_err(local_error(path))?;
                    f.set_modified(*t).map_err(local_error(path))?;
                }
                r.map(|o| o.size)
            }
            Job::Copy {
                src_bucket,
                src_key,
                bucket,
                key,
                ..
            } => client
                .copy(src_bucket, src_key, bucket, key, &opts)
                .await
                .map(|o| o.size),
        };
        progress.finish();
        let size = match result {
            // --no-clobber: the key appeared after the check; it is not overwritten.
            Err(e) if a.no_clobber && e.status() == Some(412) => return skipped(cli, &label),
            r => r?,
        };
        if mv {
            match self {
                Job::Upload { path, .. } => tokio::fs::remove_file(path)
                    .await
                    .map_err(local_error(path))?,
                Job::Download { bucket, key, .. }
                | Job::Copy {
                    src_bucket: bucket,
                    src_key: key,
                    ..
                } => client.delete_object(bucket, key).await?,
            }
        }
        let op = if mv {
            format!("move ({op})")
        } else {
            op.to_string()
        };
        report(
            cli,
            json!({"op": op, "transfer": label, "size": size}),
            || format!("{op}: {label} ({})", human(size)),
        );
        Ok(())
    }
}

/// `--no-clobber` left this transfer out.
fn skipped(cli: &Cli, label: &str) -> CliResult {
    report(
        cli,
        json!({"op": "skip", "transfer": label, "reason": "destination exists"}),
        || format!("skip: {label} (destination exists)"),
    );
    Ok(())
}

impl Job {
    /// Whether the destination is already there (for `--no-clobber`).
    async fn destination_exists(&self, client: &Client) -> CliResult<bool> {
        match self {
            Job::Download { path, .. } => Ok(tokio::fs::try_exists(path)
                .await
                .map_err(local_error(path))?),
            Job::Upload { bucket, key, .. } | Job::Copy { bucket, key, .. } => {
                match client.head_object(bucket, key, Default::default()).await {
                    Ok(_) => Ok(true),
                    Err(e) if e.status() == Some(404) => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    /// Bytes this job moves, as far as known before it runs.
    fn size_hint(&self) -> u64 {
        match self {
            Job::Upload { path, .. } => std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            Job::Download { size, .. } | Job::Copy { size, .. } => *size,
        }
    }
}

fn bars_wanted(cli: &Cli) -> bool {
    !cli.no_progress && !cli.json
}

async fn run_jobs(cli: &Cli, client: &Client, a: &CpArgs, jobs: Vec<Job>, mv: bool) -> CliResult {
    let single = jobs.len() == 1;
    let shared = (!single).then(|| {
        let total = jobs.iter().map(Job::size_hint).sum();
        Progress::new(&format!("{} files", jobs.len()), total, bars_wanted(cli))
    });
    let shared_ref = shared.as_ref();
    let results: Vec<CliResult> = futures_util::stream::iter(jobs)
        .map(|job| async move { job.run(cli, client, a, shared_ref, mv).await })
        .buffer_unordered(if single { 1 } else { a.concurrency.max(1) })
        .collect()
        .await;
    if let Some(bar) = &shared {
        bar.finish();
    }
    let failed: Vec<CliError> = results.into_iter().filter_map(Result::err).collect();
    match failed.len() {
        0 => Ok(()),
        1 => Err(failed.into_iter().next().expect("one")),
        n => {
            for e in &failed {
                eprintln!("oos: error: {}", e.message);
            }
            Err(CliError {
                message: format!("{n} transfers failed"),
                code: failed[0].code,
            })
        }
    }
}

pub async fn cp(cli: &Cli, a: &CpArgs, mv: bool) -> CliResult {
    let client = cli.client()?;
    if a.version_id.is_some() && (mv || a.recursive || !a.source.starts_with("s3://")) {
        return Err(CliError::usage(
            "--version-id reads one s3:// source (not with mv or --recursive)",
        ));
    }
    let jobs = match (Location::parse(&a.source), Location::parse(&a.destination)) {
        (Location::Local(_), Location::Local(_)) => {
            return Err(CliError::usage(
                "one of source and destination must be s3://…",
            ))
        }
        (Location::Local(src), Location::Remote { bucket, key }) if src == "-" => {
            if mv {
                return Err(CliError::usage("mv cannot read stdin"));
            }
            return upload_stdin(cli, &client, a, &bucket, &key).await;
        }
        (Location::Remote { bucket, key }, Location::Local(dst)) if dst == "-" => {
            let path = format!("s3://{bucket}/{key}");
            let version_id = a.version_id.clone();
            return cat(
                cli,
                &CatArgs {
                    path,
                    version_id,
                    sse_c_key: a.sse.sse_c_key.clone(),
                },
            )
            .await;
        }
        (Location::Local(src), Location::Remote { bucket, key }) => {
            upload_jobs(&src, &bucket, &key, a.recursive)?
        }
        (Location::Remote { bucket, key }, Location::Local(dst)) => {
            download_jobs(&client, &bucket, &key, &dst, a.recursive).await?
        }
        (
            Location::Remote {
                bucket: sb,
                key: sk,
            },
            Location::Remote { bucket, key },
        ) => copy_jobs(&client, (&sb, &sk), (&bucket, &key), a.recursive).await?,
    };
    if jobs.is_empty() && !a.recursive {
        return Err(CliError::usage("nothing to copy"));
    }
    run_jobs(cli, &client, a, jobs, mv).await
}

/// `cp - s3://bucket/key`: multipart once stdin exceeds the threshold.
async fn upload_stdin(
    cli: &Cli,
    client: &Client,
    a: &CpArgs,
    bucket: &str,
    key: &str,
) -> CliResult {
    let opts = transfer_options(a, &Progress::new("stdin", 0, false))?;
    let key = dest_key(key, "stdin");
    let label = format!("- → s3://{bucket}/{key}");
    let out = match client
        .upload_stream(bucket, &key, tokio::io::stdin(), &opts)
        .await
    {
        Err(e) if a.no_clobber && e.status() == Some(412) => return skipped(cli, &label),
        r => r?,
    };
    report(
        cli,
        json!({"op": "upload", "transfer": label, "size": out.size}),
        || format!("upload: {label} ({})", human(out.size)),
    );
    Ok(())
}

/// A file to a key (a key ending in `/` takes the file's name), or a tree under a prefix.
fn upload_jobs(src: &str, bucket: &str, key: &str, recursive: bool) -> CliResult<Vec<Job>> {
    let src_path = PathBuf::from(src);
    if recursive {
        return Ok(walk(&src_path)?
            .into_iter()
            .map(|(path, rel, _)| Job::Upload {
                path,
                bucket: bucket.to_string(),
                key: join_prefix(key, &rel),
            })
            .collect());
    }
    if src_path.is_dir() {
        return Err(CliError::usage(format!(
            "{src} is a directory (use --recursive)"
        )));
    }
    Ok(vec![Job::Upload {
        key: dest_key(key, basename(src)),
        path: src_path,
        bucket: bucket.to_string(),
    }])
}

/// A key to a file (into a directory when `dst` is one), or a prefix to a tree.
async fn download_jobs(
    client: &Client,
    bucket: &str,
    key: &str,
    dst: &str,
    recursive: bool,
) -> CliResult<Vec<Job>> {
    if recursive {
        return Ok(keys_under(client, bucket, key)
            .await?
            .into_iter()
            // Zero-byte "directory" markers have no file to become.
            .filter(|o| !o.key.ends_with('/'))
            .map(|o| Job::Download {
                bucket: bucket.to_string(),
                path: Path::new(dst).join(o.key[key.len()..].trim_start_matches('/')),
                size: o.size,
                key: o.key,
                mtime: None,
            })
            .collect());
    }
    let d = Path::new(dst);
    let path = if dst.ends_with('/') || d.is_dir() {
        d.join(basename(key))
    } else {
        d.to_path_buf()
    };
    Ok(vec![Job::Download {
        bucket: bucket.to_string(),
        key: key.to_string(),
        path,
        mtime: None,
        size: 0,
    }])
}

/// Server-side copies: one key, or every key under a prefix to the same names under another.
async fn copy_jobs(
    client: &Client,
    (src_bucket, src_key): (&str, &str),
    (bucket, key): (&str, &str),
    recursive: bool,
) -> CliResult<Vec<Job>> {
    if recursive {
        return Ok(keys_under(client, src_bucket, src_key)
            .await?
            .into_iter()
            .map(|o| Job::Copy {
                size: o.size,
                src_bucket: src_bucket.to_string(),
                bucket: bucket.to_string(),
                key: join_prefix(key, o.key[src_key.len()..].trim_start_matches('/')),
                src_key: o.key,
            })
            .collect());
    }
    Ok(vec![Job::Copy {
        size: 0,
        key: dest_key(key, basename(src_key)),
        src_bucket: src_bucket.to_string(),
        src_key: src_key.to_string(),
        bucket: bucket.to_string(),
    }])
}

fn parse_iso(s: &str) -> Option<SystemTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(SystemTime::from)
}

pub async fn sync(cli: &Cli, a: &SyncArgs) -> CliResult {
    let client = cli.client()?;
    let cp_args = CpArgs {
        source: a.source.clone(),
        destination: a.destination.clone(),
        recursive: true,
        storage_class: None,
        data_location: None,
        content_type: None,
        acl: None,
        part_size: 8 << 20,
        multipart_threshold: 16 << 20,
        concurrency: a.concurrency,
        limit_rate: None,
        tags: None,
        no_clobber: false,
        version_id: None,
        sse: a.sse.clone(),
    };
    match (Location::parse(&a.source), Location::parse(&a.destination)) {
        (Location::Local(src), Location::Remote { bucket, key }) => {
            sync_up(cli, &client, &cp_args, a.delete, &src, &bucket, &key).await
        }
        (Location::Remote { bucket, key }, Location::Local(dst)) => {
            sync_down(cli, &client, &cp_args, a.delete, &bucket, &key, &dst).await
        }
        _ => Err(CliError::usage(
            "sync goes from a local directory to s3://bucket/prefix or back",
        )),
    }
}

/// Uploads files missing remotely, of another size, or modified after the remote copy.
#[allow(clippy::too_many_arguments)]
async fn sync_up(
    cli: &Cli,
    client: &Client,
    cp_args: &CpArgs,
    delete: bool,
    src: &str,
    bucket: &str,
    key: &str,
) -> CliResult {
    let remote: BTreeMap<String, oos::model::Object> = keys_under(client, bucket, key)
        .await?
        .into_iter()
        .map(|o| (o.key.clone(), o))
        .collect();
    let mut wanted = std::collections::BTreeSet::new();
    let mut jobs = Vec::new();
    for (path, rel, meta) in walk(Path::new(src))? {
        let k = join_prefix(key, &rel);
        wanted.insert(k.clone());
        let stale = match remote.get(&k) {
            None => true,
            Some(o) => {
                o.size != meta.len()
                    || match (meta.modified().ok(), parse_iso(&o.last_modified)) {
                        (Some(local), Some(remote)) => local > remote,
                        _ => true,
                    }
            }
        };
        if stale {
            jobs.push(Job::Upload {
                path,
                bucket: bucket.to_string(),
                key: k,
            });
        }
    }
    run_jobs(cli, client, cp_args, jobs, false).await?;
    if delete {
        let extra: Vec<String> = remote.into_keys().filter(|k| !wanted.contains(k)).collect();
        if !extra.is_empty() {
            delete_keys(cli, client, bucket, &extra).await?;
        }
    }
    Ok(())
}

/// Downloads keys missing locally, of another size, or modified after the local file (whose
/// mtime is then set to the object's, so the next sync sees them equal).
#[allow(clippy::too_many_arguments)]
async fn sync_down(
    cli: &Cli,
    client: &Client,
    cp_args: &CpArgs,
    delete: bool,
    bucket: &str,
    key: &str,
    dst: &str,
) -> CliResult {
    let dst = PathBuf::from(dst);
    let local: BTreeMap<String, (PathBuf, std::fs::Metadata)> = if dst.is_dir() {
        walk(&dst)?
            .into_iter()
            .map(|(p, rel, m)| (rel, (p, m)))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut wanted = std::collections::BTreeSet::new();
    let mut jobs = Vec::new();
    for o in keys_under(client, bucket, key).await? {
        if o.key.ends_with('/') {
            continue;
        }
        let rel = o.key[key.len()..].trim_start_matches('/').to_string();
        wanted.insert(rel.clone());
        let remote_time = parse_iso(&o.last_modified);
        let stale = match local.get(&rel) {
            None => true,
            Some((_, m)) => {
                m.len() != o.size
                    || match (m.modified().ok(), remote_time) {
                        (Some(l), Some(r)) => r > l,
                        _ => true,
                    }
            }
        };
        if stale {
            jobs.push(Job::Download {
                bucket: bucket.to_string(),
                path: dst.join(&rel),
                size: o.size,
                key: o.key,
                mtime: remote_time,
            });
        }
    }
    run_jobs(cli, client, cp_args, jobs, false).await?;
    if delete {
        for (rel, (path, _)) in local {
            if !wanted.contains(&rel) {
                tokio::fs::remove_file(&path)
                    .await
                    .map_err(local_error(&path))?;
                report(cli, json!({"op": "delete", "path": path}), || {
                    format!("delete: {}", path.display())
                });
            }
        }
    }
    Ok(())
}

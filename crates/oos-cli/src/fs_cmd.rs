//! File-like commands: ls, mb, rb, cp, mv, sync, rm, cat, stat, presign, regions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::Args;
use futures_util::{StreamExt, TryStreamExt};
use oos::{Client, CreateBucketOptions, DataLocation, ListObjectsV2Options, TransferOptions};
use serde_json::json;

use crate::util::{self, human, print_json, remote, short_time, Location, Progress};
use crate::{Cli, CliError, CliResult};

#[derive(Debug, Args)]
pub struct LsArgs {
    /// `s3://bucket[/prefix]`; none lists the buckets.
    pub path: Option<String>,
    /// Every key under the prefix, not just one level.
    #[arg(short, long)]
    pub recursive: bool,
    /// Sizes as KiB / MiB / GiB.
    #[arg(short = 'H', long)]
    pub human_readable: bool,
    /// Print the object count and total size at the end.
    #[arg(long)]
    pub summarize: bool,
}

#[derive(Debug, Args)]
pub struct MbArgs {
    /// `s3://bucket`
    pub bucket: String,
    /// Region that keeps the bucket's metadata (MetadataLocationConstraint).
    #[arg(long)]
    pub region: Option<String>,
    /// Data location: `local`, a comma-separated region list, or the OOS header syntax
    /// `type=Specified,location=A,B,scheduleStrategy=Allowed`.
    #[arg(long)]
    pub data_location: Option<String>,
    /// Canned ACL: private, public-read, public-read-write.
    #[arg(long)]
    pub acl: Option<String>,
}

#[derive(Debug, Args)]
pub struct RbArgs {
    /// `s3://bucket`
    pub bucket: String,
    /// Delete every object and abort every upload first.
    #[arg(long)]
    pub force: bool,
}

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
    /// Multipart part size, e.g. 8MiB.
    #[arg(long, default_value = "8MiB", value_parser = util::parse_size)]
    pub part_size: u64,
    /// Objects at least this big go multipart.
    #[arg(long, default_value = "16MiB", value_parser = util::parse_size)]
    pub multipart_threshold: u64,
    /// Parts (or files) in flight.
    #[arg(long, default_value_t = 4)]
    pub concurrency: usize,
    /// Speed limit per request, KiB/s.
    #[arg(long)]
    pub limit_rate: Option<u64>,
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
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// `s3://bucket/key`, or a prefix with --recursive.
    pub path: String,
    /// Every key under the prefix.
    #[arg(short, long)]
    pub recursive: bool,
}

#[derive(Debug, Args)]
pub struct CatArgs {
    /// `s3://bucket/key`
    pub path: String,
}

#[derive(Debug, Args)]
pub struct StatArgs {
    /// `s3://bucket/key` or `s3://bucket`
    pub path: String,
}

#[derive(Debug, Args)]
pub struct PresignArgs {
    /// `s3://bucket/key`
    pub path: String,
    /// Validity in seconds (default 900 = 15 minutes, at most 604800).
    #[arg(long, default_value_t = 900)]
    pub expires: u64,
    /// Speed limit for the URL's user, KiB/s.
    #[arg(long)]
    pub limit_rate: Option<u64>,
    /// HTTP method the URL is for.
    #[arg(long, default_value = "GET")]
    pub method: String,
}

pub fn data_location(s: &str) -> CliResult<DataLocation> {
    if s.starts_with("type=") {
        return DataLocation::parse(s)
            .ok_or_else(|| CliError::usage(format!("invalid data location {s:?}")));
    }
    if s.eq_ignore_ascii_case("local") {
        return Ok(DataLocation::local(true));
    }
    let regions: Vec<&str> = s.split(',').filter(|r| !r.is_empty()).collect();
    if regions.is_empty() {
        return Err(CliError::usage("empty data location"));
    }
    Ok(DataLocation::specified(regions, true))
}

pub async fn ls(cli: &Cli, a: &LsArgs) -> CliResult {
    let client = cli.client()?;
    let size = |n: u64| {
        if a.human_readable {
            format!("{:>10}", human(n))
        } else {
            format!("{n:>10}")
        }
    };
    let Some(path) = &a.path else {
        let out = client.list_buckets().await?;
        if cli.json {
            let list: Vec<_> = out
                .buckets
                .iter()
                .map(|b| json!({"name": b.name, "creation_date": b.creation_date}))
                .collect();
            print_json(&json!({ "buckets": list }));
        } else {
            for b in out.buckets {
                println!("{} {}", short_time(&b.creation_date), b.name);
            }
        }
        return Ok(());
    };
    let (bucket, prefix) = remote(path)?;
    let opts = ListObjectsV2Options {
        prefix: (!prefix.is_empty()).then(|| prefix.clone()),
        delimiter: (!a.recursive).then(|| "/".to_string()),
        ..Default::default()
    };
    let mut pages = client.list_objects_v2_paginator(&bucket, opts);
    let (mut objects, mut prefixes) = (Vec::new(), Vec::new());
    let (mut count, mut total) = (0u64, 0u64);
    while let Some(page) = pages.next_page().await? {
        for p in page.common_prefixes {
            if cli.json {
                prefixes.push(json!(p.prefix));
            } else {
                println!("{:>30} {}", "PRE", p.prefix);
            }
        }
        for o in page.contents {
            count += 1;
            total += o.size;
            if cli.json {
                objects.push(json!({
                    "key": o.key, "size": o.size, "last_modified": o.last_modified,
                    "etag": o.etag.trim_matches('"'), "storage_class": o.storage_class,
                }));
            } else {
                println!(
                    "{} {} {}",
                    short_time(&o.last_modified),
                    size(o.size),
                    o.key
                );
            }
        }
    }
    if cli.json {
        print_json(
            &json!({"bucket": bucket, "prefixes": prefixes, "objects": objects,
            "total_objects": count, "total_size": total}),
        );
    } else if a.summarize {
        println!(
            "\nTotal Objects: {count}\n   Total Size: {}",
            size(total).trim()
        );
    }
    Ok(())
}

pub async fn mb(cli: &Cli, a: &MbArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.bucket)?;
    if !key.is_empty() {
        return Err(CliError::usage("mb takes s3://bucket without a key"));
    }
    let opts = CreateBucketOptions {
        acl: a.acl.clone(),
        metadata_location: a.region.clone(),
        data_location: a.data_location.as_deref().map(data_location).transpose()?,
    };
    client.create_bucket(&bucket, opts).await?;
    report(cli, json!({"op": "make_bucket", "bucket": bucket}), || {
        format!("make_bucket: {bucket}")
    });
    Ok(())
}

fn report(cli: &Cli, value: serde_json::Value, line: impl FnOnce() -> String) {
    if cli.json {
        println!("{value}");
    } else {
        println!("{}", line());
    }
}

/// Every key under `prefix`.
async fn keys_under(
    client: &Client,
    bucket: &str,
    prefix: &str,
) -> CliResult<Vec<oos::model::Object>> {
    let opts = ListObjectsV2Options {
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        ..Default::default()
    };
    Ok(client
        .list_objects_v2_paginator(bucket, opts)
        .into_objects()
        .try_collect()
        .await?)
}

/// Deletes keys in batches of 1000; returns how many were deleted.
async fn delete_keys(
    cli: &Cli,
    client: &Client,
    bucket: &str,
    keys: &[String],
) -> CliResult<usize> {
    let mut n = 0;
    for chunk in keys.chunks(1000) {
        let r = client.delete_objects(bucket, chunk, true).await?;
        if let Some(e) = r.error.first() {
            return Err(CliError::other(format!(
                "delete {}: {}: {} ({} keys failed)",
                e.key,
                e.code,
                e.message,
                r.error.len()
            )));
        }
        for k in chunk {
            report(
                cli,
                json!({"op": "delete", "key": format!("s3://{bucket}/{k}")}),
                || format!("delete: s3://{bucket}/{k}"),
            );
        }
        n += chunk.len();
    }
    Ok(n)
}

pub async fn rb(cli: &Cli, a: &RbArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, _) = remote(&a.bucket)?;
    if a.force {
        let keys: Vec<String> = keys_under(&client, &bucket, "")
            .await?
            .into_iter()
            .map(|o| o.key)
            .collect();
        delete_keys(cli, &client, &bucket, &keys).await?;
        loop {
            let ups = client
                .list_multipart_uploads(&bucket, Default::default())
                .await?;
            for u in &ups.uploads {
                client
                    .abort_multipart_upload(&bucket, &u.key, &u.upload_id)
                    .await?;
            }
            if !ups.is_truncated || ups.uploads.is_empty() {
                break;
            }
        }
    }
    client.delete_bucket(&bucket).await?;
    report(
        cli,
        json!({"op": "remove_bucket", "bucket": bucket}),
        || format!("remove_bucket: {bucket}"),
    );
    Ok(())
}

fn transfer_options(a: &CpArgs, progress: &Progress) -> CliResult<TransferOptions> {
    let mut put = oos::PutObjectOptions {
        storage_class: a.storage_class.clone(),
        content_type: a.content_type.clone(),
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
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            let meta = std::fs::metadata(&path)?;
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
    },
    Copy {
        src_bucket: String,
        src_key: String,
        bucket: String,
        key: String,
    },
}

impl Job {
    async fn run(
        &self,
        cli: &Cli,
        client: &Client,
        a: &CpArgs,
        show_bar: bool,
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
            } => (
                format!("s3://{src_bucket}/{src_key} → s3://{bucket}/{key}"),
                "copy",
            ),
        };
        let progress = Progress::new(&label, 0, show_bar && !cli.no_progress && !cli.json);
        let opts = transfer_options(a, &progress)?;
        let result = match self {
            Job::Upload { path, bucket, key } => client
                .upload_file(bucket, key, path, &opts)
                .await
                .map(|o| o.size),
            Job::Download {
                bucket,
                key,
                path,
                mtime,
            } => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    tokio::fs::create_dir_all(dir).await?;
                }
                let r = client.download_file(bucket, key, path, &opts).await;
                if let (Ok(_), Some(t)) = (&r, mtime) {
                    let f = std::fs::File::options().write(true).open(path)?;
                    f.set_modified(*t)?;
                }
                r.map(|o| o.size)
            }
            Job::Copy {
                src_bucket,
                src_key,
                bucket,
                key,
            } => {
                let copy = oos::CopyObjectOptions {
                    storage_class: a.storage_class.clone(),
                    data_location: a.data_location.as_deref().map(data_location).transpose()?,
                    ..Default::default()
                };
                client
                    .copy_object(src_bucket, src_key, bucket, key, copy)
                    .await?;
                client
                    .head_object(bucket, key, Default::default())
                    .await
                    .map(|m| m.size)
            }
        };
        progress.finish();
        let size = result?;
        if mv {
            match self {
                Job::Upload { path, .. } => tokio::fs::remove_file(path).await?,
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

async fn run_jobs(cli: &Cli, client: &Client, a: &CpArgs, jobs: Vec<Job>, mv: bool) -> CliResult {
    let single = jobs.len() == 1;
    let results: Vec<CliResult> = futures_util::stream::iter(jobs)
        .map(|job| async move { job.run(cli, client, a, single, mv).await })
        .buffer_unordered(if single { 1 } else { a.concurrency.max(1) })
        .collect()
        .await;
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
            let progress = Progress::new("stdin", 0, false);
            let opts = transfer_options(a, &progress)?;
            let key = dest_key(&key, "stdin");
            let out = client
                .upload_stream(&bucket, &key, tokio::io::stdin(), &opts)
                .await?;
            report(
                cli,
                json!({"op": "upload", "transfer": format!("- → s3://{bucket}/{key}"), "size": out.size}),
                || format!("upload: - → s3://{bucket}/{key} ({})", human(out.size)),
            );
            return Ok(());
        }
        (Location::Remote { bucket, key }, Location::Local(dst)) if dst == "-" => {
            return cat(
                cli,
                &CatArgs {
                    path: format!("s3://{bucket}/{key}"),
                },
            )
            .await;
        }
        (Location::Local(src), Location::Remote { bucket, key }) => {
            let src_path = PathBuf::from(&src);
            if a.recursive {
                walk(&src_path)?
                    .into_iter()
                    .map(|(path, rel, _)| Job::Upload {
                        path,
                        bucket: bucket.clone(),
                        key: join_prefix(&key, &rel),
                    })
                    .collect()
            } else {
                if src_path.is_dir() {
                    return Err(CliError::usage(format!(
                        "{src} is a directory (use --recursive)"
                    )));
                }
                vec![Job::Upload {
                    key: dest_key(&key, basename(&src)),
                    path: src_path,
                    bucket,
                }]
            }
        }
        (Location::Remote { bucket, key }, Location::Local(dst)) => {
            if a.recursive {
                let prefix = key.clone();
                keys_under(&client, &bucket, &prefix)
                    .await?
                    .into_iter()
                    .filter(|o| !o.key.ends_with('/'))
                    .map(|o| {
                        let rel = o.key[prefix.len()..].trim_start_matches('/').to_string();
                        Job::Download {
                            bucket: bucket.clone(),
                            path: Path::new(&dst).join(rel),
                            key: o.key,
                            mtime: None,
                        }
                    })
                    .collect()
            } else {
                let d = Path::new(&dst);
                let path = if dst.ends_with('/') || d.is_dir() {
                    d.join(basename(&key))
                } else {
                    d.to_path_buf()
                };
                vec![Job::Download {
                    bucket,
                    key,
                    path,
                    mtime: None,
                }]
            }
        }
        (
            Location::Remote {
                bucket: sb,
                key: sk,
            },
            Location::Remote { bucket, key },
        ) => {
            if a.recursive {
                keys_under(&client, &sb, &sk)
                    .await?
                    .into_iter()
                    .map(|o| {
                        let rel = o.key[sk.len()..].trim_start_matches('/').to_string();
                        Job::Copy {
                            src_bucket: sb.clone(),
                            src_key: o.key,
                            bucket: bucket.clone(),
                            key: join_prefix(&key, &rel),
                        }
                    })
                    .collect()
            } else {
                vec![Job::Copy {
                    key: dest_key(&key, basename(&sk)),
                    src_bucket: sb,
                    src_key: sk,
                    bucket,
                }]
            }
        }
    };
    if jobs.is_empty() && !a.recursive {
        return Err(CliError::usage("nothing to copy"));
    }
    run_jobs(cli, &client, a, jobs, mv).await
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
        part_size: 8 << 20,
        multipart_threshold: 16 << 20,
        concurrency: a.concurrency,
        limit_rate: None,
    };
    match (Location::parse(&a.source), Location::parse(&a.destination)) {
        (Location::Local(src), Location::Remote { bucket, key }) => {
            let remote: BTreeMap<String, oos::model::Object> = keys_under(&client, &bucket, &key)
                .await?
                .into_iter()
                .map(|o| (o.key.clone(), o))
                .collect();
            let mut wanted = std::collections::BTreeSet::new();
            let mut jobs = Vec::new();
            for (path, rel, meta) in walk(Path::new(&src))? {
                let k = join_prefix(&key, &rel);
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
                        bucket: bucket.clone(),
                        key: k,
                    });
                }
            }
            run_jobs(cli, &client, &cp_args, jobs, false).await?;
            if a.delete {
                let extra: Vec<String> =
                    remote.into_keys().filter(|k| !wanted.contains(k)).collect();
                if !extra.is_empty() {
                    delete_keys(cli, &client, &bucket, &extra).await?;
                }
            }
            Ok(())
        }
        (Location::Remote { bucket, key }, Location::Local(dst)) => {
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
            for o in keys_under(&client, &bucket, &key).await? {
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
                        bucket: bucket.clone(),
                        path: dst.join(&rel),
                        key: o.key,
                        mtime: remote_time,
                    });
                }
            }
            run_jobs(cli, &client, &cp_args, jobs, false).await?;
            if a.delete {
                for (rel, (path, _)) in local {
                    if !wanted.contains(&rel) {
                        tokio::fs::remove_file(&path).await?;
                        report(cli, json!({"op": "delete", "path": path}), || {
                            format!("delete: {}", path.display())
                        });
                    }
                }
            }
            Ok(())
        }
        _ => Err(CliError::usage(
            "sync goes from a local directory to s3://bucket/prefix or back",
        )),
    }
}

pub async fn rm(cli: &Cli, a: &RmArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    if a.recursive {
        let keys: Vec<String> = keys_under(&client, &bucket, &key)
            .await?
            .into_iter()
            .map(|o| o.key)
            .collect();
        delete_keys(cli, &client, &bucket, &keys).await?;
    } else {
        if key.is_empty() {
            return Err(CliError::usage("rm needs s3://bucket/key (or --recursive)"));
        }
        client.delete_object(&bucket, &key).await?;
        report(
            cli,
            json!({"op": "delete", "key": format!("s3://{bucket}/{key}")}),
            || format!("delete: s3://{bucket}/{key}"),
        );
    }
    Ok(())
}

pub async fn cat(cli: &Cli, a: &CatArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    let out = client.get_object(&bucket, &key, Default::default()).await?;
    let mut stdout = tokio::io::stdout();
    out.body.write_to(&mut stdout).await?;
    Ok(())
}

pub async fn stat(cli: &Cli, a: &StatArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    if key.is_empty() {
        if !client.head_bucket(&bucket).await? {
            return Err(CliError {
                message: format!("NoSuchBucket: s3://{bucket} does not exist"),
                code: crate::exit::NOT_FOUND,
            });
        }
        let loc = client.get_bucket_location(&bucket).await?;
        let meta = loc.metadata_location.as_ref().map(|m| m.location.clone());
        let data = loc.data_location.as_ref().map(|d| {
            json!({"type": d.kind, "locations": d.location_list.as_ref().map(|l| l.location.clone()).unwrap_or_default(),
                   "schedule_strategy": d.schedule_strategy})
        });
        if cli.json {
            print_json(
                &json!({"bucket": bucket, "metadata_location": meta, "data_location": data}),
            );
        } else {
            println!("Bucket            : {bucket}");
            println!("Metadata location : {}", meta.unwrap_or_else(|| "-".into()));
            println!(
                "Data location     : {}",
                data.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
            );
        }
        return Ok(());
    }
    let m = client
        .head_object(&bucket, &key, Default::default())
        .await?;
    if cli.json {
        print_json(&json!({
            "bucket": bucket, "key": key, "size": m.size, "etag": m.etag,
            "last_modified": m.last_modified, "content_type": m.content_type,
            "storage_class": m.storage_class, "metadata": m.metadata,
            "cache_control": m.cache_control, "content_encoding": m.content_encoding,
            "content_disposition": m.content_disposition, "data_location": m.data_location,
        }));
    } else {
        println!("Name          : s3://{bucket}/{key}");
        println!("Size          : {} ({})", m.size, human(m.size));
        println!("ETag          : {}", m.etag);
        println!("Last-Modified : {}", m.last_modified);
        println!("Content-Type  : {}", m.content_type.unwrap_or_default());
        println!("Storage class : {}", m.storage_class);
        for (k, v) in &m.metadata {
            println!("Metadata      : {k}: {v}");
        }
    }
    Ok(())
}

pub async fn presign(cli: &Cli, a: &PresignArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    let method: oos::Method = a
        .method
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| CliError::usage(format!("invalid method {:?}", a.method)))?;
    let url = client.presign(
        method,
        &bucket,
        (!key.is_empty()).then_some(key.as_str()),
        oos::PresignOptions {
            expires: std::time::Duration::from_secs(a.expires),
            limit_rate: a.limit_rate,
        },
    )?;
    if cli.json {
        print_json(&json!({"url": url, "expires_in": a.expires}));
    } else {
        println!("{url}");
    }
    Ok(())
}

pub async fn regions(cli: &Cli) -> CliResult {
    let client = cli.client()?;
    let r = client.get_regions().await?;
    if cli.json {
        print_json(
            &json!({"metadata_regions": r.metadata_regions.region, "data_regions": r.data_regions.region}),
        );
    } else {
        println!("Metadata regions: {}", r.metadata_regions.region.join(", "));
        println!("Data regions    : {}", r.data_regions.region.join(", "));
    }
    Ok(())
}

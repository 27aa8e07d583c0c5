//! Bucket and object commands: ls, mb, rb, rm, cat, stat, presign, regions.

use clap::Args;
use futures_util::TryStreamExt;
use oos::{Client, CreateBucketOptions, DataLocation, ListObjectsV2Options};
use serde_json::json;

use crate::location::remote;
use crate::units::{human, print_json, short_time};
use crate::{Cli, CliError, CliResult};

#[derive(Debug, Args)]
pub struct LsArgs {
    /// `s3://bucket[/prefix]`; none lists the buckets.
    pub path: Option<String>,
    /// Every version and delete marker, newest first within a key.
    #[arg(long)]
    pub versions: bool,
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
    /// Create the bucket with Object Lock (versioning on for good; see `oos bucket object-lock`).
    #[arg(long)]
    pub object_lock: bool,
    /// Object Ownership from the start: BucketOwnerEnforced (ACLs off), BucketOwnerPreferred
    /// or ObjectWriter (see `oos bucket ownership`).
    #[arg(long)]
    pub object_ownership: Option<String>,
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
pub struct RmArgs {
    /// `s3://bucket/key`, or a prefix with --recursive.
    pub path: String,
    /// Every key under the prefix.
    #[arg(short, long)]
    pub recursive: bool,
    /// Remove exactly this version (or delete marker) for good; without it a versioned
    /// bucket only gets a delete marker.
    #[arg(long)]
    pub version_id: Option<String>,
    /// With --version-id: lift a GOVERNANCE retention (needs s3:BypassGovernanceRetention).
    #[arg(long)]
    pub bypass_governance: bool,
}

#[derive(Debug, Args)]
pub struct CatArgs {
    /// `s3://bucket/key`
    pub path: String,
    /// This version instead of the current one.
    #[arg(long)]
    pub version_id: Option<String>,
    /// The key of an SSE-C object (base64 or `@FILE`).
    #[arg(long, value_name = "KEY", value_parser = crate::transfer_cmd::parse_customer_key)]
    pub sse_c_key: Option<oos::CustomerKey>,
}

#[derive(Debug, Args)]
pub struct StatArgs {
    /// `s3://bucket/key` or `s3://bucket`
    pub path: String,
    /// The key of an SSE-C object (base64 or `@FILE`).
    #[arg(long, value_name = "KEY", value_parser = crate::transfer_cmd::parse_customer_key)]
    pub sse_c_key: Option<oos::CustomerKey>,
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
    /// A browser form upload (POST Object) instead of a URL: prints the form's URL and
    /// fields and a curl line. A key ending in `${filename}` takes the uploaded file's name.
    #[arg(long, conflicts_with_all = ["limit_rate", "method"])]
    pub post: bool,
    /// With --post: the largest file the form admits, e.g. 10MiB.
    #[arg(long, requires = "post", value_parser = crate::units::parse_size)]
    pub max_size: Option<u64>,
    /// With --post: the smallest file the form admits (default 0).
    #[arg(long, requires = "post", value_parser = crate::units::parse_size)]
    pub min_size: Option<u64>,
    /// With --post: the object's Content-Type; one ending in `/` (`image/`) lets the page
    /// choose any type that starts with it.
    #[arg(long, requires = "post")]
    pub content_type: Option<String>,
    /// With --post: the object's canned ACL (`private`, `public-read`, …).
    #[arg(long, requires = "post")]
    pub acl: Option<String>,
    /// With --post: user metadata of the object, `name=value` (repeatable).
    #[arg(long = "meta", requires = "post", value_parser = parse_meta)]
    pub metadata: Vec<(String, String)>,
    /// With --post: the status of a successful upload (200, 201 or 204).
    #[arg(long, requires = "post", value_parser = clap::builder::PossibleValuesParser::new(["200", "201", "204"]))]
    pub success_status: Option<String>,
    /// With --post: where the browser is sent (303) after a successful upload.
    #[arg(long, requires = "post")]
    pub redirect: Option<String>,
}

fn parse_meta(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err(format!("expected name=value, got {s:?}")),
    }
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
    if a.versions {
        return crate::version_cmd::ls_versions(cli, &client, &bucket, &prefix, a).await;
    }
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
        object_lock_enabled: a.object_lock,
        object_ownership: a.object_ownership.clone(),
    };
    client.create_bucket(&bucket, opts).await?;
    report(cli, json!({"op": "make_bucket", "bucket": bucket}), || {
        format!("make_bucket: {bucket}")
    });
    Ok(())
}

pub(crate) fn report(cli: &Cli, value: serde_json::Value, line: impl FnOnce() -> String) {
    let text = if cli.json { value.to_string() } else { line() };
    crate::progress::suspend(|| println!("{text}"));
}

/// Every key under `prefix`.
pub(crate) async fn keys_under(
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
pub(crate) async fn delete_keys(
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

pub async fn rm(cli: &Cli, a: &RmArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    if let Some(version) = &a.version_id {
        if a.recursive || key.is_empty() {
            return Err(CliError::usage(
                "--version-id removes one version of s3://bucket/key",
            ));
        }
        let out = client
            .delete_object_version(&bucket, &key, version, a.bypass_governance)
            .await?;
        let what = if out.delete_marker {
            "delete marker"
        } else {
            "version"
        };
        report(
            cli,
            json!({"op": "delete_version", "key": format!("s3://{bucket}/{key}"),
                   "version_id": version, "delete_marker": out.delete_marker}),
            || format!("delete: s3://{bucket}/{key} {what} {version}"),
        );
        return Ok(());
    }
    if a.bypass_governance {
        return Err(CliError::usage(
            "--bypass-governance goes with --version-id",
        ));
    }
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
    let opts = oos::GetObjectOptions {
        version_id: a.version_id.clone(),
        customer_key: a.sse_c_key.clone(),
        ..Default::default()
    };
    let out = client.get_object(&bucket, &key, opts).await?;
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
    let opts = oos::GetObjectOptions {
        customer_key: a.sse_c_key.clone(),
        ..Default::default()
    };
    let m = client.head_object(&bucket, &key, opts).await?;
    let encryption = match (&m.server_side_encryption, &m.sse_customer_key_md5) {
        (Some(mode), _) => match &m.sse_kms_key_id {
            Some(id) => format!("{mode} (key {id})"),
            None => mode.clone(),
        },
        (None, Some(md5)) => format!("SSE-C (key MD5 {md5})"),
        (None, None) => "none".into(),
    };
    if cli.json {
        print_json(&json!({
            "bucket": bucket, "key": key, "size": m.size, "etag": m.etag,
            "last_modified": m.last_modified, "content_type": m.content_type,
            "storage_class": m.storage_class, "metadata": m.metadata,
            "cache_control": m.cache_control, "content_encoding": m.content_encoding,
            "content_disposition": m.content_disposition, "data_location": m.data_location,
            "tag_count": m.tag_count, "encryption": encryption,
        }));
    } else {
        println!("Name          : s3://{bucket}/{key}");
        println!("Size          : {} ({})", m.size, human(m.size));
        println!("ETag          : {}", m.etag);
        println!("Last-Modified : {}", m.last_modified);
        println!("Content-Type  : {}", m.content_type.unwrap_or_default());
        println!("Storage class : {}", m.storage_class);
        println!("Encryption    : {encryption}");
        for (k, v) in &m.metadata {
            println!("Metadata      : {k}: {v}");
        }
        if m.tag_count > 0 {
            println!(
                "Tags          : {} (oos tag get s3://{bucket}/{key})",
                m.tag_count
            );
        }
    }
    Ok(())
}

pub async fn presign(cli: &Cli, a: &PresignArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    if a.post {
        return presign_post(cli, &client, &bucket, &key, a);
    }
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

/// `presign --post`: the form's URL and fields, and a curl line that submits it.
fn presign_post(cli: &Cli, client: &Client, bucket: &str, key: &str, a: &PresignArgs) -> CliResult {
    if key.is_empty() {
        return Err(CliError::usage(
            "presign --post needs s3://bucket/key (the key may end in ${filename})",
        ));
    }
    let mut form = client
        .presign_post(bucket, key)
        .expires(std::time::Duration::from_secs(a.expires));
    if a.min_size.is_some() || a.max_size.is_some() {
        form = form.content_length_range(a.min_size.unwrap_or(0), a.max_size.unwrap_or(5 << 30));
    }
    match a.content_type.as_deref() {
        Some(prefix) if prefix.ends_with('/') => form = form.starts_with("Content-Type", prefix),
        Some(t) => form = form.content_type(t),
        None => {}
    }
    if let Some(acl) = &a.acl {
        form = form.acl(acl);
    }
    for (name, value) in &a.metadata {
        form = form.metadata(name, value);
    }
    if let Some(status) = &a.success_status {
        form = form.field("success_action_status", status);
    }
    if let Some(url) = &a.redirect {
        form = form.success_action_redirect(url);
    }
    let post = form.build()?;
    let expires_at = post
        .expiration
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    // With a Content-Type prefix the page sends a type of its choosing: the curl line shows
    // where, as `<prefix>TYPE` for the user to fill in, like `FILE`.
    let mut example_fields = post.fields.clone();
    if let Some(prefix) = a.content_type.as_deref().filter(|t| t.ends_with('/')) {
        example_fields.push(("Content-Type".into(), format!("{prefix}TYPE")));
    }
    let curl = curl_line(&post.url, &example_fields);
    if cli.json {
        let fields: serde_json::Map<String, serde_json::Value> = post
            .fields
            .iter()
            .map(|(n, v)| (n.clone(), v.clone().into()))
            .collect();
        print_json(
            &json!({"url": post.url, "fields": fields, "expires_at": expires_at,
                           "curl": curl}),
        );
    } else {
        println!("POST {}", post.url);
        for (name, value) in &post.fields {
            println!("  {name}: {value}");
        }
        if let Some(prefix) = a.content_type.as_deref().filter(|t| t.ends_with('/')) {
            println!("  Content-Type: (the page's choice, starting with {prefix})");
        }
        println!("  file: (the file, last)");
        println!("Expires: {expires_at}");
        println!();
        println!("# with curl (FILE: the file to upload):");
        println!("{curl}");
    }
    Ok(())
}

/// `curl` submitting the form with `FILE` as the file: `--form-string` sends each value as
/// it is (`-F` would read a value starting with `@` or `<` as a file name).
fn curl_line(url: &str, fields: &[(String, String)]) -> String {
    let mut line = String::from("curl -sS");
    for (name, value) in fields {
        line.push_str(" --form-string ");
        line.push_str(&shell_quote(&format!("{name}={value}")));
    }
    line.push_str(" -F 'file=@FILE' ");
    line.push_str(&shell_quote(url));
    line
}

/// Single-quoted for a POSIX shell.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
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

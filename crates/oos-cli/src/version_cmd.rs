//! Versions and Object Lock from the command line: `ls --versions`, `restore`, `retention`
//! and `legal-hold` (versioned `cp`, `cat` and `rm` take `--version-id` in their own modules).

use clap::{Args, ValueEnum};
use oos::model::VersionListItem;
use oos::{Client, CopyObjectOptions, ListVersionsOptions};
use serde_json::json;

use crate::fs_cmd::{report, LsArgs};
use crate::location::remote;
use crate::units::{human, print_json, short_time};
use crate::{Cli, CliError, CliResult};

/// `oos ls --versions s3://bucket[/prefix]`: every version and delete marker, newest first
/// within a key; the current one is marked.
pub async fn ls_versions(
    cli: &Cli,
    client: &Client,
    bucket: &str,
    prefix: &str,
    a: &LsArgs,
) -> CliResult {
    let mut opts = ListVersionsOptions {
        prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        delimiter: (!a.recursive).then(|| "/".to_string()),
        ..Default::default()
    };
    let (mut rows, mut prefixes) = (Vec::new(), Vec::new());
    // Bounded: 100,000 pages of 1000 entries is far past any listing a terminal shows.
    for _ in 0..100_000 {
        let page = client.list_object_versions(bucket, &opts).await?;
        for e in page.entries {
            let (v, marker) = match e {
                VersionListItem::Version(v) => (v, false),
                VersionListItem::DeleteMarker(v) => (v, true),
                VersionListItem::CommonPrefixes(p) => {
                    if cli.json {
                        prefixes.push(json!(p.prefix));
                    } else {
                        println!("{:>30} {}", "PRE", p.prefix);
                    }
                    continue;
                }
                VersionListItem::Other => continue,
            };
            if cli.json {
                rows.push(json!({
                    "key": v.key, "version_id": v.version_id, "is_latest": v.is_latest,
                    "delete_marker": marker, "size": v.size, "last_modified": v.last_modified,
                    "etag": v.etag.trim_matches('"'),
                }));
                continue;
            }
            let size = if marker {
                format!("{:>10}", "DEL")
            } else if a.human_readable {
                format!("{:>10}", human(v.size))
            } else {
                format!("{:>10}", v.size)
            };
            let latest = if v.is_latest { "*" } else { " " };
            println!(
                "{} {size} {latest} {:<32} {}",
                short_time(&v.last_modified),
                v.version_id,
                v.key
            );
        }
        if !page.is_truncated {
            if cli.json {
                print_json(&json!({"bucket": bucket, "prefixes": prefixes, "versions": rows}));
            }
            return Ok(());
        }
        opts.key_marker = page.next_key_marker;
        opts.version_id_marker = page.next_version_id_marker;
    }
    Err(CliError::usage("the version listing did not end"))
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// `s3://bucket/key`
    pub path: String,
    /// The version to make current again (it is copied over the key; nothing is deleted).
    #[arg(long)]
    pub version_id: String,
}

/// `oos restore s3://bucket/key --version-id V`: the old version becomes the newest.
pub async fn restore(cli: &Cli, a: &RestoreArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = one_object(&a.path)?;
    let opts = CopyObjectOptions {
        source_version_id: Some(a.version_id.clone()),
        ..Default::default()
    };
    client
        .copy_object(&bucket, &key, &bucket, &key, opts)
        .await?;
    let current = client
        .head_object(&bucket, &key, Default::default())
        .await?
        .version_id;
    report(
        cli,
        json!({"op": "restore", "key": format!("s3://{bucket}/{key}"),
               "from_version_id": a.version_id, "version_id": current}),
        || {
            format!(
                "restore: s3://{bucket}/{key} {} → {}",
                a.version_id,
                current.as_deref().unwrap_or("?")
            )
        },
    );
    Ok(())
}

fn one_object(path: &str) -> CliResult<(String, String)> {
    let (bucket, key) = remote(path)?;
    if key.is_empty() {
        return Err(CliError::usage("this command takes s3://bucket/key"));
    }
    Ok((bucket, key))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RetentionAction {
    Get,
    Set,
    /// Remove a GOVERNANCE retention (needs --bypass-governance).
    Delete,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    pub action: RetentionAction,
    /// `s3://bucket/key`
    pub path: String,
    /// One version instead of the current one.
    #[arg(long)]
    pub version_id: Option<String>,
    /// For `set`: GOVERNANCE or COMPLIANCE.
    #[arg(long)]
    pub mode: Option<String>,
    /// For `set`: until when, ISO 8601 (`2030-01-01T00:00:00Z`).
    #[arg(long)]
    pub until: Option<String>,
    /// Shorten or remove a GOVERNANCE retention (needs s3:BypassGovernanceRetention).
    #[arg(long)]
    pub bypass_governance: bool,
}

/// `oos retention get|set|delete s3://bucket/key`.
pub async fn retention(cli: &Cli, a: &RetentionArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = one_object(&a.path)?;
    let version = a.version_id.as_deref();
    match a.action {
        RetentionAction::Get => {
            let r = client.get_object_retention(&bucket, &key, version).await?;
            print_json(&json!({"mode": r.mode, "retain_until": r.retain_until_date}));
            return Ok(());
        }
        RetentionAction::Set => {
            let (Some(mode), Some(until)) = (&a.mode, &a.until) else {
                return Err(CliError::usage("retention set needs --mode and --until"));
            };
            client
                .put_object_retention(
                    &bucket,
                    &key,
                    version,
                    Some((mode, until)),
                    a.bypass_governance,
                )
                .await?
        }
        RetentionAction::Delete => {
            client
                .put_object_retention(&bucket, &key, version, None, a.bypass_governance)
                .await?
        }
    }
    report(
        cli,
        json!({"op": "retention", "action": format!("{:?}", a.action).to_lowercase(),
               "key": format!("s3://{bucket}/{key}")}),
        || format!("retention {:?}: s3://{bucket}/{key}", a.action),
    );
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HoldAction {
    Get,
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct LegalHoldArgs {
    pub action: HoldAction,
    /// `s3://bucket/key`
    pub path: String,
    /// One version instead of the current one.
    #[arg(long)]
    pub version_id: Option<String>,
}

/// `oos legal-hold get|on|off s3://bucket/key`.
pub async fn legal_hold(cli: &Cli, a: &LegalHoldArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = one_object(&a.path)?;
    let version = a.version_id.as_deref();
    let on = match a.action {
        HoldAction::Get => {
            let on = client.get_object_legal_hold(&bucket, &key, version).await?;
            print_json(&json!({"legal_hold": if on { "ON" } else { "OFF" }}));
            return Ok(());
        }
        HoldAction::On => true,
        HoldAction::Off => false,
    };
    client
        .put_object_legal_hold(&bucket, &key, version, on)
        .await?;
    report(
        cli,
        json!({"op": "legal_hold", "on": on, "key": format!("s3://{bucket}/{key}")}),
        || {
            format!(
                "legal hold {}: s3://{bucket}/{key}",
                if on { "on" } else { "off" }
            )
        },
    );
    Ok(())
}

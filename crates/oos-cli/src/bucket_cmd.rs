//! `oos bucket <kind> <get|set|delete>` (JSON in and out), `oos tag` and `oos keys`.

use clap::{Args, Subcommand, ValueEnum};
use oos::model::*;
use oos::Acl;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;

use crate::location::remote;
use crate::transfer_cmd::{parse_tags, Tags};
use crate::units::print_json;
use crate::{Cli, CliError, CliResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Kind {
    Policy,
    Website,
    Cors,
    Lifecycle,
    Logging,
    Accelerate,
    Acl,
    Location,
    Tagging,
    /// `set Enabled|Suspended`; `get` prints the status (null if never versioned).
    Versioning,
    /// `set '{"mode":"GOVERNANCE","days":30}'` (or `years`; `{}` for no default retention)
    /// turns Object Lock on with that default; `get` prints it.
    ObjectLock,
    /// Block Public Access: `set '{"block_public_acls":true,"ignore_public_acls":true,
    /// "block_public_policy":true,"restrict_public_buckets":true}'` (flags left out are false);
    /// `get` prints the four flags and whether the bucket policy is public.
    PublicAccess,
    /// Object Ownership: `set BucketOwnerEnforced|BucketOwnerPreferred|ObjectWriter`.
    Ownership,
    /// Default encryption of new objects: `set AES256`, `set aws:kms` or
    /// `set '{"algorithm":"aws:kms","kms_key_id":"…","bucket_key_enabled":true}'`.
    Encryption,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Action {
    Get,
    Set,
    Delete,
}

#[derive(Debug, Args)]
pub struct BucketArgs {
    /// Which configuration.
    pub kind: Kind,
    /// What to do with it.
    pub action: Action,
    /// `s3://bucket`
    pub bucket: String,
    /// For `set`: the JSON document inline (for `acl` also a canned ACL name such as
    /// `public-read`; for `tagging` an object of tags, `{"team":"storage"}`). Without it,
    /// --file is read.
    pub value: Option<String>,
    /// For `set`: read the JSON document from this file (`-` for stdin).
    #[arg(long)]
    pub file: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Create an access key (prints its secret once).
    Create,
    /// List the account's access keys.
    List {
        /// Page size.
        #[arg(long)]
        max_items: Option<u32>,
    },
    /// Activate or deactivate a key, or make it primary.
    Update {
        access_key_id: String,
        /// Active or Inactive.
        #[arg(long)]
        status: String,
        /// Make the key primary (true) or not (false).
        #[arg(long)]
        primary: Option<bool>,
    },
    /// Delete an access key.
    Delete { access_key_id: String },
}

fn input(a: &BucketArgs) -> CliResult<String> {
    if let Some(v) = &a.value {
        return Ok(v.clone());
    }
    match a.file.as_deref() {
        Some("-") => Ok(std::io::read_to_string(std::io::stdin())?),
        Some(path) => {
            std::fs::read_to_string(path).map_err(crate::local_error(std::path::Path::new(path)))
        }
        None => Err(CliError::usage("set needs a JSON value or --file")),
    }
}

fn parse<T: DeserializeOwned>(text: &str, kind: Kind) -> CliResult<T> {
    serde_json::from_str(text)
        .map_err(|e| CliError::usage(format!("invalid {kind:?} JSON document: {e}")))
}

fn show<T: Serialize>(v: &T) {
    print_json(&serde_json::to_value(v).unwrap_or_default());
}

pub async fn bucket(cli: &Cli, a: &BucketArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.bucket)?;
    if !key.is_empty() {
        return Err(CliError::usage(
            "bucket commands take s3://bucket without a key",
        ));
    }
    let b = bucket.as_str();
    let unsupported = || {
        Err(CliError::usage(format!(
            "{:?} does not support {:?}",
            a.kind, a.action
        )))
    };
    match (a.kind, a.action) {
        (Kind::Policy, Action::Get) => {
            let text = client.get_bucket_policy(b).await?;
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(v) => print_json(&v),
                Err(_) => println!("{text}"),
            }
        }
        (Kind::Policy, Action::Set) => {
            let text = input(a)?;
            serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| CliError::usage(format!("invalid policy JSON: {e}")))?;
            client.put_bucket_policy(b, &text).await?;
        }
        (Kind::Policy, Action::Delete) => client.delete_bucket_policy(b).await?,
        (Kind::Website, Action::Get) => show(&client.get_bucket_website(b).await?),
        (Kind::Website, Action::Set) => {
            let doc: WebsiteConfiguration = parse(&input(a)?, a.kind)?;
            client.put_bucket_website(b, &doc).await?
        }
        (Kind::Website, Action::Delete) => client.delete_bucket_website(b).await?,
        (Kind::Cors, Action::Get) => show(&client.get_bucket_cors(b).await?),
        (Kind::Cors, Action::Set) => {
            let doc: CorsConfiguration = parse(&input(a)?, a.kind)?;
            client.put_bucket_cors(b, &doc).await?
        }
        (Kind::Cors, Action::Delete) => client.delete_bucket_cors(b).await?,
        (Kind::Lifecycle, Action::Get) => show(&client.get_bucket_lifecycle(b).await?),
        (Kind::Lifecycle, Action::Set) => {
            let doc: LifecycleConfiguration = parse(&input(a)?, a.kind)?;
            client.put_bucket_lifecycle(b, &doc).await?
        }
        (Kind::Lifecycle, Action::Delete) => client.delete_bucket_lifecycle(b).await?,
        (Kind::Logging, Action::Get) => show(&client.get_bucket_logging(b).await?),
        (Kind::Logging, Action::Set) => {
            let doc: BucketLoggingStatus = parse(&input(a)?, a.kind)?;
            client.put_bucket_logging(b, &doc).await?
        }
        (Kind::Logging, Action::Delete) => {
            client
                .put_bucket_logging(b, &BucketLoggingStatus::default())
                .await?
        }
        (Kind::Accelerate, Action::Get) => show(&client.get_bucket_accelerate(b).await?),
        (Kind::Accelerate, Action::Set) => {
            let doc: AccelerateConfiguration = parse(&input(a)?, a.kind)?;
            client.put_bucket_accelerate(b, &doc).await?
        }
        (Kind::Accelerate, Action::Delete) => {
            let off = AccelerateConfiguration {
                status: "Suspended".into(),
                ip_white_lists: None,
            };
            client.put_bucket_accelerate(b, &off).await?
        }
        (Kind::Acl, Action::Get) => show(&client.get_bucket_acl(b).await?),
        (Kind::Acl, Action::Set) => {
            let text = input(a)?;
            let acl = if text.trim_start().starts_with('{') {
                Acl::Policy(parse(&text, a.kind)?)
            } else {
                Acl::Canned(text.trim().to_string())
            };
            client.put_bucket_acl(b, acl).await?
        }
        (Kind::Location, Action::Get) => show(&client.get_bucket_location(b).await?),
        (Kind::Tagging, Action::Get) => show(&client.get_bucket_tagging(b).await?),
        (Kind::Tagging, Action::Set) => {
            let tags: Tags = parse(&input(a)?, a.kind)?;
            client.put_bucket_tagging(b, &tags).await?
        }
        (Kind::Tagging, Action::Delete) => client.delete_bucket_tagging(b).await?,
        (Kind::Versioning, Action::Get) => {
            print_json(&json!({"status": client.get_bucket_versioning(b).await?}))
        }
        (Kind::Versioning, Action::Set) => {
            let enabled = match input(a)?.trim() {
                "Enabled" => true,
                "Suspended" => false,
                other => {
                    return Err(CliError::usage(format!(
                        "versioning set takes Enabled or Suspended, not {other:?}"
                    )))
                }
            };
            client.put_bucket_versioning(b, enabled).await?
        }
        (Kind::Encryption, Action::Get) => match client.get_bucket_encryption(b).await? {
            Some(e) => print_json(&json!({
                "algorithm": e.algorithm,
                "kms_key_id": e.kms_key_id,
                "bucket_key_enabled": e.bucket_key_enabled,
            })),
            None => print_json(&serde_json::Value::Null),
        },
        (Kind::Encryption, Action::Set) => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Default {
                algorithm: String,
                kms_key_id: Option<String>,
                #[serde(default)]
                bucket_key_enabled: bool,
            }
            let text = input(a)?;
            let d: Default = match text.trim() {
                mode @ ("AES256" | "aws:kms") => Default {
                    algorithm: mode.to_string(),
                    kms_key_id: None,
                    bucket_key_enabled: false,
                },
                json => parse(json, a.kind)?,
            };
            let config = oos::BucketEncryption {
                algorithm: d.algorithm,
                kms_key_id: d.kms_key_id,
                bucket_key_enabled: d.bucket_key_enabled,
            };
            client.put_bucket_encryption(b, &config).await?
        }
        (Kind::Encryption, Action::Delete) => client.delete_bucket_encryption(b).await?,
        (Kind::ObjectLock, Action::Get) => {
            let conf = client.get_object_lock_configuration(b).await?;
            let d = conf.rule.and_then(|r| r.default_retention);
            print_json(&json!({
                "enabled": conf.object_lock_enabled.as_deref() == Some("Enabled"),
                "mode": d.as_ref().and_then(|d| d.mode.clone()),
                "days": d.as_ref().and_then(|d| d.days),
                "years": d.as_ref().and_then(|d| d.years),
            }))
        }
        (Kind::ObjectLock, Action::Set) => {
            /// `{"mode":…,"days"|"years":…}`, or `{}` for no default retention.
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields)]
            struct DefaultRule {
                mode: Option<String>,
                days: Option<i64>,
                years: Option<i64>,
            }
            let d: DefaultRule = parse(&input(a)?, a.kind)?;
            let retention = d.mode.map(|mode| DefaultRetention {
                mode: Some(mode),
                days: d.days,
                years: d.years,
            });
            client
                .put_object_lock_configuration(b, &ObjectLockConfiguration::enabled(retention))
                .await?
        }
        (Kind::PublicAccess, Action::Get) => {
            let flags = client.get_public_access_block(b).await?;
            // No policy is not an error here: the flags are what was asked for.
            let policy_public = match client.get_bucket_policy_status(b).await {
                Ok(public) => Some(public),
                Err(e) if e.code() == Some("NoSuchBucketPolicy") => None,
                Err(e) => return Err(e.into()),
            };
            print_json(&json!({
                "block_public_acls": flags.block_public_acls,
                "ignore_public_acls": flags.ignore_public_acls,
                "block_public_policy": flags.block_public_policy,
                "restrict_public_buckets": flags.restrict_public_buckets,
                "policy_is_public": policy_public,
            }))
        }
        (Kind::PublicAccess, Action::Set) => {
            #[derive(serde::Deserialize)]
            #[serde(deny_unknown_fields, default)]
            #[derive(Default)]
            struct Flags {
                block_public_acls: bool,
                ignore_public_acls: bool,
                block_public_policy: bool,
                restrict_public_buckets: bool,
            }
            let f: Flags = parse(&input(a)?, a.kind)?;
            let flags = PublicAccessBlockConfiguration {
                block_public_acls: f.block_public_acls,
                ignore_public_acls: f.ignore_public_acls,
                block_public_policy: f.block_public_policy,
                restrict_public_buckets: f.restrict_public_buckets,
                ..Default::default()
            };
            client.put_public_access_block(b, &flags).await?
        }
        (Kind::PublicAccess, Action::Delete) => client.delete_public_access_block(b).await?,
        (Kind::Ownership, Action::Get) => {
            print_json(&json!({"object_ownership": client.get_bucket_ownership_controls(b).await?}))
        }
        (Kind::Ownership, Action::Set) => {
            let value = input(a)?;
            let value = value.trim();
            if ![
                "BucketOwnerEnforced",
                "BucketOwnerPreferred",
                "ObjectWriter",
            ]
            .contains(&value)
            {
                return Err(CliError::usage(format!(
                    "ownership set takes BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter, not {value:?}"
                )));
            }
            client.put_bucket_ownership_controls(b, value).await?
        }
        (Kind::Ownership, Action::Delete) => client.delete_bucket_ownership_controls(b).await?,
        (Kind::Acl, Action::Delete)
        | (Kind::Location, _)
        | (Kind::Versioning, Action::Delete)
        | (Kind::ObjectLock, Action::Delete) => return unsupported(),
    }
    if a.action != Action::Get && !cli.json {
        eprintln!("{:?} {:?}: s3://{bucket}", a.kind, a.action);
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// What to do with the object's tags (`set` replaces them all).
    pub action: Action,
    /// `s3://bucket/key`
    pub path: String,
    /// For `set`: the tags, as `k=v` arguments, one URL-encoded `k1=v1&k2=v2` or a JSON
    /// object `{"k1":"v1"}`.
    pub tags: Vec<String>,
}

/// The tags of `oos tag set`: a JSON object, or `k=v` arguments (each may hold several,
/// `&`-separated and URL-encoded).
fn tags_from_args(args: &[String]) -> CliResult<Tags> {
    match args {
        [] => Err(CliError::usage(
            "tag set needs tags: k=v … or a JSON object",
        )),
        [one] if one.trim_start().starts_with('{') => serde_json::from_str(one)
            .map_err(|e| CliError::usage(format!("invalid tags JSON object: {e}"))),
        _ => {
            let mut tags = Tags::new();
            for arg in args {
                for (k, v) in parse_tags(arg).map_err(CliError::usage)? {
                    if tags.insert(k.clone(), v).is_some() {
                        return Err(CliError::usage(format!("tag {k:?} is given twice")));
                    }
                }
            }
            Ok(tags)
        }
    }
}

/// `oos tag get|set|delete s3://bucket/key`: tags print as a JSON object.
pub async fn tag(cli: &Cli, a: &TagArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    if key.is_empty() {
        return Err(CliError::usage(
            "tag takes s3://bucket/key (bucket tags: oos bucket tagging)",
        ));
    }
    if a.action != Action::Set && !a.tags.is_empty() {
        return Err(CliError::usage("only tag set takes tags"));
    }
    match a.action {
        Action::Get => show(&client.get_object_tagging(&bucket, &key).await?),
        Action::Set => {
            let tags = tags_from_args(&a.tags)?;
            client.put_object_tagging(&bucket, &key, &tags).await?
        }
        Action::Delete => client.delete_object_tagging(&bucket, &key).await?,
    }
    if a.action != Action::Get && !cli.json {
        eprintln!("Tagging {:?}: s3://{bucket}/{key}", a.action);
    }
    Ok(())
}

#[derive(Debug, Args)]
pub struct AclArgs {
    /// `get` or `set` (`delete` is `set … private`).
    pub action: Action,
    /// `s3://bucket/key`, or `s3://bucket` for the bucket's ACL.
    pub path: String,
    /// For `set`: a canned ACL (`private`, `public-read`, …), an AccessControlPolicy JSON
    /// document (as `get` prints it), or `PERMISSION=GRANTEE` grants such as
    /// `READ=uri="http://acs.amazonaws.com/groups/global/AllUsers"` or `READ=id="<id>"`.
    pub value: Vec<String>,
}

/// The ACL of `oos acl set`.
fn acl_from_args(args: &[String]) -> CliResult<Acl> {
    match args {
        [] => Err(CliError::usage(
            "acl set needs a canned ACL, a JSON document or PERMISSION=GRANTEE grants",
        )),
        [one] if one.trim_start().starts_with('{') => Ok(Acl::Policy(parse(one, Kind::Acl)?)),
        [one] if !one.contains('=') => Ok(Acl::Canned(one.trim().to_string())),
        grants => grants
            .iter()
            .map(|g| match g.split_once('=') {
                Some((permission, grantee)) if !grantee.is_empty() => {
                    Ok((permission.to_ascii_uppercase(), grantee.to_string()))
                }
                _ => Err(CliError::usage(format!(
                    "{g:?}: expected PERMISSION=GRANTEE, e.g. READ=id=\"<id>\""
                ))),
            })
            .collect::<CliResult<Vec<_>>>()
            .map(Acl::Grants),
    }
}

/// `oos acl get|set s3://bucket[/key]`: the object's ACL, or the bucket's without a key.
pub async fn acl(cli: &Cli, a: &AclArgs) -> CliResult {
    let client = cli.client()?;
    let (bucket, key) = remote(&a.path)?;
    match a.action {
        Action::Get if !a.value.is_empty() => {
            return Err(CliError::usage("acl get takes no value"))
        }
        Action::Get if key.is_empty() => show(&client.get_bucket_acl(&bucket).await?),
        Action::Get => show(&client.get_object_acl(&bucket, &key).await?),
        Action::Set => {
            let acl = acl_from_args(&a.value)?;
            if key.is_empty() {
                client.put_bucket_acl(&bucket, acl).await?
            } else {
                client.put_object_acl(&bucket, &key, acl).await?
            }
        }
        Action::Delete => {
            return Err(CliError::usage(
                "an ACL cannot be deleted; use `oos acl set <path> private`",
            ))
        }
    }
    if a.action == Action::Set && !cli.json {
        eprintln!("Acl Set: {}", a.path);
    }
    Ok(())
}

pub async fn keys(cli: &Cli, action: &KeysAction) -> CliResult {
    let client = cli.client()?;
    match action {
        KeysAction::Create => {
            let k = client.create_access_key().await?;
            if cli.json {
                show(&k);
            } else {
                println!("AccessKeyId     : {}", k.access_key_id);
                println!(
                    "SecretAccessKey : {}",
                    k.secret_access_key.as_deref().unwrap_or("")
                );
                println!("Status          : {}", k.status);
                println!("IsPrimary       : {}", k.is_primary);
            }
        }
        KeysAction::List { max_items } => {
            let mut marker = None;
            let mut all = Vec::new();
            loop {
                let page = client
                    .list_access_keys(oos::ListAccessKeysOptions {
                        max_items: *max_items,
                        marker: marker.clone(),
                    })
                    .await?;
                all.extend(page.access_key_metadata.member);
                match page.marker {
                    Some(m) if page.is_truncated => marker = Some(m),
                    _ => break,
                }
            }
            if cli.json {
                print_json(&json!({ "access_keys": all }));
            } else {
                for k in all {
                    println!(
                        "{}  {:<8}  {}  {}",
                        k.access_key_id,
                        k.status,
                        if k.is_primary { "primary" } else { "-" },
                        k.create_date
                    );
                }
            }
        }
        KeysAction::Update {
            access_key_id,
            status,
            primary,
        } => {
            let active = match status.to_ascii_lowercase().as_str() {
                "active" => true,
                "inactive" => false,
                _ => return Err(CliError::usage("--status is Active or Inactive")),
            };
            client
                .update_access_key(access_key_id, active, *primary)
                .await?;
            if !cli.json {
                eprintln!("updated {access_key_id}");
            }
        }
        KeysAction::Delete { access_key_id } => {
            client.delete_access_key(access_key_id).await?;
            if !cli.json {
                eprintln!("deleted {access_key_id}");
            }
        }
    }
    Ok(())
}

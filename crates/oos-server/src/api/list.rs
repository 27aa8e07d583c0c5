//! Listing: ListObjects v1 and v2, ListObjectVersions and ListMultipartUploads. The store does the range scans and skips
//! common prefixes; this module speaks the query parameters and documents.

use base64::Engine;
use http::Response;
use oos_meta::{
    ListEntry, ListPage, ListQuery, UploadEntry, UploadQuery, VersionEntry as VersionListing,
    VersionQuery,
};
use oos_proto::time_fmt::iso8601_millis;
use oos_proto::xml::{
    self, CommonPrefix, DeleteMarkerEntry, ListBucketResultV1, ListBucketResultV2,
    ListMultipartUploadsResult, ListObjectEntry, ListVersionsResult, Owner, VersionEntry,
    VersionListEntry,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::ownership::ListedOwners;
use super::{owner_of, Ctx};
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;

pub const MAX_KEYS: usize = 1000;

/// `encoding-type=url`: everything but unreserved characters and `/` is percent-encoded, which
/// every SDK decodes (botocore with `unquote_plus`, so `+` must be encoded too).
const URL_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

struct Encoder(bool);

impl Encoder {
    fn from_query(ctx: &Ctx<'_>) -> S3Result<Encoder> {
        match ctx.query.get("encoding-type") {
            None => Ok(Encoder(false)),
            Some("url") => Ok(Encoder(true)),
            Some(other) => Err(s3_error!(
                InvalidArgument,
                "Invalid Encoding Method specified in Request: {other}"
            )),
        }
    }

    fn enc(&self, s: &str) -> String {
        if self.0 {
            utf8_percent_encode(s, URL_ENCODE).to_string()
        } else {
            s.to_string()
        }
    }

    fn name(&self) -> Option<String> {
        self.0.then(|| "url".to_string())
    }
}

/// A `max-keys`-style parameter: absent → 1000, negative or not a number → `InvalidArgument`,
/// above 1000 → 1000 (S3 clamps).
pub(super) fn max_keys(ctx: &Ctx<'_>, name: &str) -> S3Result<usize> {
    match ctx.query.get(name) {
        None => Ok(MAX_KEYS),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|n| (n as usize).min(MAX_KEYS))
            .ok_or_else(|| {
                s3_error!(
                    InvalidArgument,
                    "Provided {name} not an integer or within integer range"
                )
            }),
    }
}

fn delimiter(ctx: &Ctx<'_>) -> Option<String> {
    ctx.query
        .get("delimiter")
        .filter(|d| !d.is_empty())
        .map(str::to_string)
}

/// One page after `marker` (exclusive; empty = from the start) with the request's prefix,
/// delimiter and max-keys.
async fn list_page(ctx: &Ctx<'_>, bucket: &str, marker: &str) -> S3Result<(ListQuery, ListPage)> {
    let query = ListQuery {
        prefix: ctx.query.get("prefix").unwrap_or_default().to_string(),
        delimiter: delimiter(ctx),
        start_after: (!marker.is_empty()).then(|| marker.to_string()),
        max_keys: max_keys(ctx, "max-keys")?,
    };
    let page = ctx.server.meta.list_objects(bucket, &query).await?;
    Ok((query, page))
}

fn split(page: ListPage) -> (Vec<oos_meta::Object>, Vec<String>, Option<String>) {
    let last = page.entries.last().map(|e| match e {
        ListEntry::Object(o) => o.key.clone(),
        ListEntry::CommonPrefix(p) => p.clone(),
    });
    let mut objects = Vec::new();
    let mut prefixes = Vec::new();
    for e in page.entries {
        match e {
            ListEntry::Object(o) => objects.push(o),
            ListEntry::CommonPrefix(p) => prefixes.push(p),
        }
    }
    (objects, prefixes, last)
}

fn entry(o: &oos_meta::Object, enc: &Encoder, owner: Option<Owner>) -> ListObjectEntry {
    ListObjectEntry {
        key: enc.enc(&o.key),
        last_modified: iso8601_millis(o.last_modified),
        etag: format!("\"{}\"", o.etag),
        checksum_algorithm: o.attrs.checksum.as_ref().map(|(a, _)| a.clone()),
        checksum_type: checksum_type(o),
        size: o.size,
        owner,
        storage_class: o.storage_class.clone(),
    }
}

/// Listings name a stored checksum's algorithm and type (never its value).
fn checksum_type(o: &oos_meta::Object) -> Option<&'static str> {
    o.attrs
        .checksum
        .as_ref()
        .map(|_| crate::checksums::type_of(&o.attrs).as_str())
}

fn prefixes(p: &[String], enc: &Encoder) -> Vec<CommonPrefix> {
    p.iter()
        .map(|p| CommonPrefix { prefix: enc.enc(p) })
        .collect()
}

pub async fn objects_v1(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for_list("s3:ListBucket", ctx.query.get("prefix").unwrap_or_default())
        .await?;
    let enc = Encoder::from_query(ctx)?;
    let marker = ctx.query.get("marker").unwrap_or_default().to_string();
    let (query, page) = list_page(ctx, &bucket.name, &marker).await?;
    let truncated = page.truncated;
    let (objects, common, last) = split(page);
    let owners = ListedOwners::of(ctx.server, &bucket, &objects).await?;
    let doc = ListBucketResultV1 {
        xmlns: xml::XMLNS,
        name: bucket.name,
        // S3 leaves v1's top-level Prefix as sent even with encoding-type=url (boto3 decodes
        // every other field but not that one).
        prefix: query.prefix.clone(),
        marker: enc.enc(&marker),
        // S3 sends NextMarker only with a delimiter; without one clients use the last key.
        next_marker: last
            .filter(|_| truncated && query.delimiter.is_some())
            .map(|m| enc.enc(&m)),
        max_keys: query.max_keys,
        delimiter: query.delimiter.as_deref().map(|d| enc.enc(d)),
        encoding_type: enc.name(),
        is_truncated: truncated,
        contents: objects
            .iter()
            .map(|o| entry(o, &enc, Some(owners.get(o))))
            .collect(),
        common_prefixes: prefixes(&common, &enc),
    };
    Ok(response::xml("ListBucketResult", &doc))
}

pub async fn objects_v2(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for_list("s3:ListBucket", ctx.query.get("prefix").unwrap_or_default())
        .await?;
    let enc = Encoder::from_query(ctx)?;
    let token = ctx.query.get("continuation-token").map(str::to_string);
    let start_after = ctx.query.get("start-after").map(str::to_string);
    let resume = match &token {
        Some(t) => Some(decode_token(t)?),
        None => start_after.clone().filter(|s| !s.is_empty()),
    };
    let query = ListQuery {
        prefix: ctx.query.get("prefix").unwrap_or_default().to_string(),
        delimiter: delimiter(ctx),
        start_after: resume,
        max_keys: max_keys(ctx, "max-keys")?,
    };
    let page = ctx.server.meta.list_objects(&bucket.name, &query).await?;
    let truncated = page.truncated;
    let (objects, common, last) = split(page);
    let owners = match ctx.query.get("fetch-owner") {
        Some("true") => Some(ListedOwners::of(ctx.server, &bucket, &objects).await?),
        _ => None,
    };
    let doc = ListBucketResultV2 {
        xmlns: xml::XMLNS,
        name: bucket.name,
        prefix: enc.enc(&query.prefix),
        delimiter: query.delimiter.as_deref().map(|d| enc.enc(d)),
        max_keys: query.max_keys,
        encoding_type: enc.name(),
        key_count: objects.len() + common.len(),
        continuation_token: token,
        next_continuation_token: last.filter(|_| truncated).map(|l| encode_token(&l)),
        start_after: start_after.map(|s| enc.enc(&s)),
        is_truncated: truncated,
        contents: objects
            .iter()
            .map(|o| entry(o, &enc, owners.as_ref().map(|w| w.get(o))))
            .collect(),
        common_prefixes: prefixes(&common, &enc),
    };
    Ok(response::xml("ListBucketResult", &doc))
}

/// Continuation tokens are opaque to clients: the last key returned, base64url-encoded.
fn encode_token(last: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last)
}

fn decode_token(token: &str) -> S3Result<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "The continuation token provided is incorrect"
            )
        })
}

pub async fn versions(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for_list(
            "s3:ListBucketVersions",
            ctx.query.get("prefix").unwrap_or_default(),
        )
        .await?;
    let enc = Encoder::from_query(ctx)?;
    let key_marker = ctx.query.get("key-marker").unwrap_or_default().to_string();
    let version_marker = ctx
        .query
        .get("version-id-marker")
        .unwrap_or_default()
        .to_string();
    if !version_marker.is_empty() && key_marker.is_empty() {
        return Err(s3_error!(
            InvalidArgument,
            "A version-id marker cannot be specified without a key marker."
        ));
    }
    let query = VersionQuery {
        prefix: ctx.query.get("prefix").unwrap_or_default().to_string(),
        delimiter: delimiter(ctx),
        key_marker: (!key_marker.is_empty()).then(|| key_marker.clone()),
        version_id_marker: (!version_marker.is_empty()).then(|| version_marker.clone()),
        max_keys: max_keys(ctx, "max-keys")?,
    };
    let page = ctx
        .server
        .meta
        .list_object_versions(&bucket.name, &query)
        .await?;
    let owners = ListedOwners::of(
        ctx.server,
        &bucket,
        page.entries.iter().filter_map(|e| match e {
            VersionListing::Version { object, .. } => Some(object),
            VersionListing::CommonPrefix(_) => None,
        }),
    )
    .await?;
    // The markers to continue from: the last entry's key and version (a prefix has none).
    let (next_key, next_version) = match page.entries.last().filter(|_| page.truncated) {
        Some(VersionListing::Version { object, .. }) => (
            Some(enc.enc(&object.key)),
            Some(object.version_label().to_string()),
        ),
        Some(VersionListing::CommonPrefix(p)) => (Some(enc.enc(p)), None),
        None => (None, None),
    };
    let mut entries = Vec::new();
    let mut common = Vec::new();
    for e in page.entries {
        match e {
            VersionListing::Version { object: o, latest } if o.delete_marker => {
                entries.push(VersionListEntry::DeleteMarker(DeleteMarkerEntry {
                    owner: owners.get(&o),
                    key: enc.enc(&o.key),
                    version_id: o.version_label().to_string(),
                    is_latest: latest,
                    last_modified: iso8601_millis(o.last_modified),
                }))
            }
            VersionListing::Version { object: o, latest } => {
                entries.push(VersionListEntry::Version(VersionEntry {
                    key: enc.enc(&o.key),
                    version_id: o.version_label().to_string(),
                    is_latest: latest,
                    last_modified: iso8601_millis(o.last_modified),
                    etag: format!("\"{}\"", o.etag),
                    checksum_algorithm: o.attrs.checksum.as_ref().map(|(a, _)| a.clone()),
                    checksum_type: checksum_type(&o),
                    size: o.size,
                    owner: owners.get(&o),
                    storage_class: o.storage_class,
                }))
            }
            VersionListing::CommonPrefix(p) => common.push(p),
        }
    }
    let doc = ListVersionsResult {
        xmlns: xml::XMLNS,
        name: bucket.name,
        prefix: enc.enc(&query.prefix),
        key_marker: enc.enc(&key_marker),
        version_id_marker: version_marker,
        next_key_marker: next_key,
        next_version_id_marker: next_version,
        max_keys: query.max_keys,
        delimiter: query.delimiter.as_deref().map(|d| enc.enc(d)),
        encoding_type: enc.name(),
        is_truncated: page.truncated,
        entries,
        common_prefixes: prefixes(&common, &enc),
    };
    Ok(response::xml("ListVersionsResult", &doc))
}

pub async fn uploads(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for_list(
            "s3:ListBucketMultipartUploads",
            ctx.query.get("prefix").unwrap_or_default(),
        )
        .await?;
    let enc = Encoder::from_query(ctx)?;
    let max_uploads = max_keys(ctx, "max-uploads")?;
    let key_marker = ctx.query.get("key-marker").unwrap_or_default().to_string();
    let upload_id_marker = ctx
        .query
        .get("upload-id-marker")
        .unwrap_or_default()
        .to_string();
    let query = UploadQuery {
        prefix: ctx.query.get("prefix").unwrap_or_default().to_string(),
        delimiter: delimiter(ctx),
        key_marker: (!key_marker.is_empty()).then(|| key_marker.clone()),
        upload_id_marker: (!key_marker.is_empty() && !upload_id_marker.is_empty())
            .then(|| upload_id_marker.clone()),
        max_uploads,
    };
    let page = ctx.server.meta.list_uploads(&bucket.name, &query).await?;
    // S3 names the initiating account as both Initiator and Owner of an upload (the object
    // will be that account's); each account is looked up once per page.
    let mut accounts: std::collections::HashMap<String, Owner> = Default::default();
    let (mut next_key, mut next_id) = (None, None);
    let mut uploads = Vec::new();
    let mut common = Vec::new();
    for e in &page.entries {
        match e {
            UploadEntry::Upload(u) => {
                next_key = Some(u.key.clone());
                next_id = Some(u.upload_id.clone());
                if !accounts.contains_key(&u.initiator) {
                    let who = owner_of(ctx.server, &u.initiator).await?;
                    accounts.insert(u.initiator.clone(), who);
                }
                let who = &accounts[&u.initiator];
                uploads.push(xml::UploadEntry {
                    key: enc.enc(&u.key),
                    upload_id: u.upload_id.clone(),
                    initiator: who.clone(),
                    owner: who.clone(),
                    storage_class: u.storage_class.clone(),
                    initiated: iso8601_millis(u.initiated),
                });
            }
            UploadEntry::CommonPrefix(p) => {
                next_key = Some(p.clone());
                next_id = None;
                common.push(p.clone());
            }
        }
    }
    let doc = ListMultipartUploadsResult {
        xmlns: xml::XMLNS,
        bucket: bucket.name,
        key_marker: enc.enc(&key_marker),
        upload_id_marker,
        next_key_marker: next_key.filter(|_| page.truncated).map(|k| enc.enc(&k)),
        next_upload_id_marker: next_id.filter(|_| page.truncated),
        delimiter: query.delimiter.as_deref().map(|d| enc.enc(d)),
        prefix: enc.enc(&query.prefix),
        encoding_type: enc.name(),
        max_uploads,
        is_truncated: page.truncated,
        uploads,
        common_prefixes: prefixes(&common, &enc),
    };
    Ok(response::xml("ListMultipartUploadsResult", &doc))
}

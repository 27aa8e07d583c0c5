//! POST Object: browser form uploads (`POST /bucket`, `multipart/form-data`).
//!
//! The form's fields come before its `file` field; they name the key, the object's headers
//! and, for signed forms, the credential, the base64 policy and its signature (SigV4 or
//! SigV2). The fields are read and bounded, the signer and the policy checked, and the form
//! turned into the headers of an equivalent PutObject, so ACLs, ownership, tags, metadata,
//! Object Lock and placement follow the same code as every other write. The file is streamed
//! to the data store and committed only once all of it arrived within the policy's
//! `content-length-range`.

pub(crate) mod policy;

use bytes::Bytes;
use futures_util::StreamExt;
use http::header::HeaderName;
use http::{HeaderMap, HeaderValue, Response, StatusCode};
use oos_meta::{DataRef, Object, WriteCondition};
use oos_sign::{ChecksumAlgorithm, Checksummer, PostCredential};

use self::policy::PostPolicy;
use super::object::commit_object_if;
use super::object_attrs::{attrs_from_headers, storage_class};
use super::Ctx;
use crate::access::Need;
use crate::body::{Md5Hasher, MAX_PUT_SIZE};
use crate::error::{S3Error, S3Result};
use crate::response::{self, set_header, Body};
use crate::s3_error;
use crate::state::{now_millis, Principal};

/// Bytes of form fields S3 accepts before the file (its `MaxPostPreDataLengthExceeded`).
const MAX_PRE_DATA: usize = 20 * 1024;
/// Fields after the file are ignored (S3), but read up to this much so the connection stays
/// usable; past it the connection is simply not reused.
const MAX_POST_DATA: usize = 64 * 1024;

/// The `${filename}` variable of the `key` field.
const FILENAME_VARIABLE: &str = "${filename}";

pub async fn post(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let boundary = ctx
        .header("content-type")
        .filter(|t| {
            t.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
        .and_then(|t| multer::parse_boundary(t).ok())
        .ok_or_else(|| {
            s3_error!(
                PreconditionFailed,
                "Bucket POST must be of the enclosure-type multipart/form-data"
            )
        })?;
    // The bucket must exist before anything else is said about the form; the signer is
    // authorized against it once the form says who that is.
    let bucket = ctx.bucket_unchecked(ctx.bucket_name()).await?;
    let request_len: u64 = ctx
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let body = ctx.body(MAX_PUT_SIZE + (MAX_PRE_DATA + MAX_POST_DATA) as u64 * 2)?;
    let stream = futures_util::stream::unfold(Some(body), |state| async move {
        let mut body = state?;
        match body.next().await {
            Ok(Some(piece)) => Some((Ok(piece), Some(body))),
            Ok(None) => None,
            Err(e) => Some((Err(BodyFailure(e)), None)),
        }
    })
    .boxed();
    let mut form = multer::Multipart::new(stream, boundary);

    let (fields, mut file) = read_fields(&mut form).await?;
    let field = |name: &str| field_value(&fields, name);
    let filename = file.file_name().unwrap_or_default().to_string();
    let key = match field("key") {
        Some(k) if !k.is_empty() => k.replace(FILENAME_VARIABLE, &filename),
        _ => return Err(missing_field("key")),
    };
    if key.len() > crate::route::MAX_KEY_LEN {
        return Err(s3_error!(KeyTooLongError));
    }

    let (principal, policy) = authenticate(ctx, &fields).await?;
    // Conditions see the key as stored and the bucket of the URL.
    let mut checked: Vec<(String, String)> = fields
        .iter()
        .map(|(n, v)| {
            let v = if n.eq_ignore_ascii_case("key") {
                key.clone()
            } else {
                v.clone()
            };
            (n.clone(), v)
        })
        .collect();
    checked.push(("bucket".to_string(), ctx.bucket_name().to_string()));
    if let Some(policy) = &policy {
        policy.check_expiration(time::OffsetDateTime::now_utc())?;
        policy.check_fields(&checked)?;
    }

    // From here the request is the PutObject the form describes.
    let headers = object_headers(
        &fields,
        ctx.parts.headers.get("x-amz-expected-bucket-owner"),
    )?;
    let location = object_location(ctx, ctx.bucket_name(), &key);
    ctx.principal = principal;
    ctx.target.key = Some(key.clone());
    ctx.parts.headers = headers;
    ctx.authorize(&bucket, "s3:PutObject", Need::Write, Some(&key), None)?;
    let mut attrs = attrs_from_headers(&ctx.parts.headers)?;
    if let Some(doc) = field("tagging") {
        attrs.tags =
            super::tagging::from_document(doc.as_bytes(), super::tagging::MAX_OBJECT_TAGS)?;
    }
    super::object_lock::apply_to_new_version(ctx, &bucket, &mut attrs)?;
    super::ownership::apply_to_new_object(ctx, &bucket, &mut attrs)?;
    super::object_lock::require_integrity(&bucket, &ctx.parts.headers, &attrs)?;
    let class = storage_class(&ctx.parts.headers)?;
    let placement =
        crate::placement::place(ctx.server, &bucket, &ctx.parts.headers, &class, request_len)
            .await?;

    let limits = SizeLimits::of(policy.as_ref())?;
    let sent_checksum = sent_checksum(&ctx.parts.headers)?;
    // Encryption form fields arrive as the headers of the PutObject the form describes.
    let sealing = ctx.sealing(&bucket).await?;
    let object_key = sealing.as_ref().map(|s| &s.key);
    let received = receive_file(
        ctx,
        &mut file,
        &placement,
        &limits,
        sent_checksum,
        object_key,
    )
    .await?;
    attrs.sse = sealing.map(|s| s.sse);
    drop(file);
    drain(&mut form).await;

    attrs.checksum = Some(received.checksum.clone());
    attrs.data_region = Some(placement.region.clone());
    let etag = hex::encode(received.md5);
    let object = Object {
        bucket: bucket.name.clone(),
        key: key.clone(),
        size: received.size,
        etag: etag.clone(),
        last_modified: now_millis(),
        storage_class: class,
        attrs,
        data: received.data,
        version_id: None,
        delete_marker: false,
    };
    let sse = object.attrs.sse.clone();
    let version = commit_object_if(ctx.server, object, WriteCondition::Always).await?;

    let mut resp = success_response(&fields, &location, &bucket.name, &key, &etag);
    crate::sse::write_headers(&mut resp, sse.as_ref());
    set_header(&mut resp, "etag", &format!("\"{etag}\""));
    super::set_version_header(&mut resp, &bucket, version.as_deref());
    Ok(resp)
}

/// A body error carried through the multipart parser, to be answered as itself.
#[derive(Debug)]
struct BodyFailure(S3Error);

impl std::fmt::Display for BodyFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.code.as_str(), self.0.message)
    }
}

impl std::error::Error for BodyFailure {}

/// The S3 answer to a parser error: the body's own error when reading it failed, else a
/// malformed form.
fn form_error(e: multer::Error) -> S3Error {
    match e {
        multer::Error::StreamReadFailed(inner) => match inner.downcast::<BodyFailure>() {
            Ok(failure) => failure.0,
            Err(other) => S3Error::internal("form body", other),
        },
        multer::Error::IncompleteStream | multer::Error::IncompleteFieldData { .. } => {
            s3_error!(IncompleteBody)
        }
        _ => s3_error!(MalformedPOSTRequest),
    }
}

fn missing_field(name: &str) -> S3Error {
    s3_error!(
        InvalidArgument,
        "Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields."
    )
}

/// The fields before the file, in order, and the file field itself.
async fn read_fields<'r>(
    form: &mut multer::Multipart<'r>,
) -> S3Result<(Vec<(String, String)>, multer::Field<'r>)> {
    let mut fields = Vec::new();
    let mut total = 0usize;
    loop {
        let Some(mut field) = form.next_field().await.map_err(form_error)? else {
            return Err(s3_error!(
                InvalidArgument,
                "POST requires exactly one file upload per request."
            ));
        };
        let name = field
            .name()
            .ok_or_else(|| s3_error!(MalformedPOSTRequest))?
            .to_string();
        if name.eq_ignore_ascii_case("file") {
            return Ok((fields, field));
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(form_error)? {
            total += chunk.len();
            if total + name.len() > MAX_PRE_DATA {
                return Err(s3_error!(MaxPostPreDataLengthExceeded));
            }
            value.extend_from_slice(&chunk);
        }
        total += name.len();
        let value = String::from_utf8(value).map_err(|_| {
            s3_error!(
                InvalidArgument,
                "The value of the form field {name} is not valid UTF-8."
            )
        })?;
        fields.push((name, value));
    }
}

/// A field's value; names match without case, as S3 matches them.
fn field_value<'f>(fields: &'f [(String, String)], name: &str) -> Option<&'f str> {
    fields
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Who signed the form, and its policy. A form without a credential is anonymous and may not
/// carry a policy; a credential needs a policy and its signature.
async fn authenticate(
    ctx: &Ctx<'_>,
    fields: &[(String, String)],
) -> S3Result<(Option<Principal>, Option<PostPolicy>)> {
    let field = |name: &str| field_value(fields, name);
    let policy_b64 = field("policy");
    let v4 = field("x-amz-algorithm").is_some() || field("x-amz-credential").is_some();
    let v2 = field("AWSAccessKeyId").is_some();
    if !v4 && !v2 {
        if policy_b64.is_some() {
            return Err(missing_field("AWSAccessKeyId"));
        }
        return Ok((None, None));
    }
    let policy_b64 = policy_b64.ok_or_else(|| missing_field("policy"))?;
    let principal = if v4 {
        let algorithm = field("x-amz-algorithm").ok_or_else(|| missing_field("x-amz-algorithm"))?;
        if algorithm != oos_sign::POST_ALGORITHM {
            return Err(s3_error!(
                InvalidArgument,
                "Only AWS4-HMAC-SHA256 is supported for x-amz-algorithm."
            ));
        }
        let credential = PostCredential::parse(
            field("x-amz-credential").ok_or_else(|| missing_field("x-amz-credential"))?,
        )?;
        field("x-amz-date").ok_or_else(|| missing_field("x-amz-date"))?;
        let signature = field("x-amz-signature").ok_or_else(|| missing_field("x-amz-signature"))?;
        let (principal, secret) =
            crate::auth::lookup(ctx.server, &credential.access_key_id).await?;
        oos_sign::verify_post_v4(&secret, &credential, policy_b64, signature)?;
        principal
    } else {
        let access_key_id = field("AWSAccessKeyId").unwrap_or_default();
        let signature = field("signature").ok_or_else(|| missing_field("Signature"))?;
        let (principal, secret) = crate::auth::lookup(ctx.server, access_key_id).await?;
        oos_sign::verify_post_v2(&secret, policy_b64, signature)?;
        principal
    };
    Ok((Some(principal), Some(PostPolicy::parse(policy_b64)?)))
}

/// Form fields that are object headers in a PutObject: the standard ones S3 takes from a
/// form, `acl` as `x-amz-acl`, and every `x-amz-*` field except the signature's own.
fn object_headers(
    fields: &[(String, String)],
    expected_owner: Option<&HeaderValue>,
) -> S3Result<HeaderMap> {
    const STANDARD: [&str; 5] = [
        "cache-control",
        "content-type",
        "content-disposition",
        "content-encoding",
        "expires",
    ];
    const SIGNATURE: [&str; 5] = [
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-signature",
        "x-amz-security-token",
    ];
    let mut headers = HeaderMap::new();
    if let Some(owner) = expected_owner {
        headers.insert("x-amz-expected-bucket-owner", owner.clone());
    }
    for (name, value) in fields {
        let lower = name.to_ascii_lowercase();
        let header = if lower == "acl" {
            "x-amz-acl".to_string()
        } else if STANDARD.contains(&lower.as_str())
            || (lower.starts_with("x-amz-") && !SIGNATURE.contains(&lower.as_str()))
            || lower.starts_with("x-ctyun-")
        {
            lower
        } else {
            continue;
        };
        let bad = || {
            s3_error!(
                InvalidArgument,
                "The form field {name} is not a valid header."
            )
        };
        let header = HeaderName::from_bytes(header.as_bytes()).map_err(|_| bad())?;
        let value = HeaderValue::from_bytes(value.as_bytes()).map_err(|_| bad())?;
        headers.append(header, value);
    }
    Ok(headers)
}

/// The sizes the file may have: the policy's `content-length-range` within S3's 5 GiB.
struct SizeLimits {
    min: u64,
    max: u64,
}

impl SizeLimits {
    fn of(policy: Option<&PostPolicy>) -> S3Result<SizeLimits> {
        match policy.and_then(PostPolicy::length_range) {
            None => Ok(SizeLimits {
                min: 0,
                max: MAX_PUT_SIZE,
            }),
            Some(Some((min, max))) => Ok(SizeLimits {
                min,
                max: max.min(MAX_PUT_SIZE),
            }),
            // Bounds that are not numbers never hold.
            Some(None) => Err(s3_error!(
                AccessDenied,
                "Invalid according to Policy: Policy Condition failed: {}",
                policy
                    .map(PostPolicy::spelled_length_range)
                    .unwrap_or_default()
            )),
        }
    }
}

/// A checksum the form sent (`x-amz-checksum-<algorithm>` field): the file must match it.
fn sent_checksum(headers: &HeaderMap) -> S3Result<Option<(ChecksumAlgorithm, String)>> {
    let mut found = None;
    for (name, value) in headers {
        let Some(algorithm) = ChecksumAlgorithm::from_header_name(name.as_str()) else {
            continue;
        };
        if found.is_some() {
            return Err(s3_error!(
                InvalidRequest,
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
            ));
        }
        let value = value.to_str().unwrap_or_default().to_string();
        if algorithm.decode_value(&value).is_err() {
            return Err(s3_error!(
                InvalidRequest,
                "Value for {} header is invalid.",
                algorithm.header_name()
            ));
        }
        found = Some((algorithm, value));
    }
    Ok(found)
}

struct ReceivedFile {
    data: DataRef,
    size: u64,
    md5: [u8; 16],
    checksum: (String, String),
}

/// Streams the file to the placement's pool (small files inline), checking its size against
/// `limits` as it arrives and its checksum at the end. Nothing is kept on failure.
async fn receive_file(
    ctx: &Ctx<'_>,
    file: &mut multer::Field<'_>,
    placement: &crate::placement::Placement,
    limits: &SizeLimits,
    sent: Option<(ChecksumAlgorithm, String)>,
    key: Option<&oos_sse::ObjectKey>,
) -> S3Result<ReceivedFile> {
    let server = ctx.server;
    let algorithm = sent
        .as_ref()
        .map_or(ChecksumAlgorithm::Crc64Nvme, |(a, _)| *a);
    let mut checksummer = Checksummer::new(algorithm);
    // The file's length is unknown until it ends: hashed beside the receive, as large bodies are.
    let mut md5 = Md5Hasher::new(u64::MAX);
    let mut size = 0u64;
    let mut inline: Vec<u8> = Vec::new();
    let mut writer = None;
    let mut sealer = crate::sse::Sealer::new(key);
    let mut stored = Vec::new();
    let result: S3Result<()> = async {
        while let Some(piece) = file.chunk().await.map_err(form_error)? {
            size += piece.len() as u64;
            if size > limits.max {
                return Err(s3_error!(EntityTooLarge));
            }
            md5.update(&piece).await?;
            checksummer.update(&piece);
            sealer.push(piece, &mut stored);
            for s in stored.drain(..) {
                write_piece(server, placement, &mut writer, &mut inline, s).await?;
            }
        }
        sealer.finish(&mut stored);
        for s in stored.drain(..) {
            write_piece(server, placement, &mut writer, &mut inline, s).await?;
        }
        Ok(())
    }
    .await;
    // On failure the unfinished writer is dropped, which leaves nothing behind.
    result?;
    if size < limits.min {
        return Err(s3_error!(EntityTooSmall));
    }
    let value = checksummer.finish();
    if let Some((algorithm, want)) = &sent {
        if *want != value {
            return Err(s3_error!(
                BadDigest,
                "The {} you specified did not match the calculated checksum.",
                algorithm.name()
            ));
        }
    }
    let data = match writer {
        None => DataRef::Inline(inline),
        Some(writer) => {
            DataRef::Single(crate::storage::finish(server, placement.pool, writer).await?)
        }
    };
    Ok(ReceivedFile {
        data,
        size,
        md5: md5.finish().await?,
        checksum: (algorithm.name().to_string(), value),
    })
}

/// Keeps a file in memory while it fits the inline threshold, then moves it to a data writer.
async fn write_piece(
    server: &crate::state::Server,
    placement: &crate::placement::Placement,
    writer: &mut Option<oos_store::DataWriter>,
    inline: &mut Vec<u8>,
    piece: Bytes,
) -> S3Result<()> {
    if writer.is_none() {
        if (inline.len() + piece.len()) as u64 <= server.config.inline_threshold {
            inline.extend_from_slice(&piece);
            return Ok(());
        }
        let mut w = placement.store(server).writer_with(placement.layout)?;
        w.write(inline).await?;
        inline.clear();
        *writer = Some(w);
    }
    writer
        .as_mut()
        .expect("writer opened above")
        .write(&piece)
        .await?;
    Ok(())
}

/// Reads (and ignores) what follows the file, within a bound.
async fn drain(form: &mut multer::Multipart<'_>) {
    let mut read = 0usize;
    while let Ok(Some(mut field)) = form.next_field().await {
        while let Ok(Some(chunk)) = field.chunk().await {
            read += chunk.len();
            if read > MAX_POST_DATA {
                return;
            }
        }
    }
}

/// S3's answer to a successful form: a `303` to `success_action_redirect` (or the older
/// `redirect`) when it is a URL, else the status `success_action_status` names (`200`, or
/// `201` with a PostResponse document), else `204`.
fn success_response(
    fields: &[(String, String)],
    location: &str,
    bucket: &str,
    key: &str,
    etag: &str,
) -> Response<Body> {
    let field = |name: &str| field_value(fields, name);
    let redirect = field("success_action_redirect")
        .or_else(|| field("redirect"))
        .filter(|r| {
            r.parse::<http::Uri>()
                .is_ok_and(|u| u.scheme().is_some() && u.authority().is_some())
        });
    if let Some(redirect) = redirect {
        let quoted = format!("\"{etag}\"");
        let query = serde_urlencoded::to_string([
            ("bucket", bucket),
            ("key", key),
            ("etag", quoted.as_str()),
        ])
        .unwrap_or_default();
        let sep = if redirect.contains('?') { '&' } else { '?' };
        let mut resp = response::status(StatusCode::SEE_OTHER);
        set_header(&mut resp, "location", &format!("{redirect}{sep}{query}"));
        return resp;
    }
    match field("success_action_status") {
        Some("200") => {
            let mut resp = response::status(StatusCode::OK);
            set_header(&mut resp, "location", location);
            resp
        }
        Some("201") => {
            let doc = oos_proto::xml::PostResponse {
                location: location.to_string(),
                bucket: bucket.to_string(),
                key: key.to_string(),
                etag: format!("\"{etag}\""),
            };
            let mut resp = response::xml_text(
                StatusCode::CREATED,
                oos_proto::xml::to_xml("PostResponse", &doc),
            );
            set_header(&mut resp, "location", location);
            resp
        }
        _ => {
            let mut resp = response::status(StatusCode::NO_CONTENT);
            set_header(&mut resp, "location", location);
            resp
        }
    }
}

/// The new object's URL, addressed as the request addressed its bucket.
fn object_location(ctx: &Ctx<'_>, bucket: &str, key: &str) -> String {
    let scheme = if ctx.server.config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let host = ctx.header("host").unwrap_or_default();
    let key = oos_sign::uri_encode(key.as_bytes(), true);
    if ctx.target.virtual_host {
        format!("{scheme}://{host}/{key}")
    } else {
        format!("{scheme}://{host}/{bucket}/{key}")
    }
}

//! Multipart uploads: each part is its own data id; completion writes metadata only.

use http::{Response, StatusCode};
use md5::{Digest, Md5};
use oos_meta::{DataRef, Object, Part, PartRef, Upload};
use oos_proto::time_fmt::iso8601_millis;
use oos_proto::xml::{
    self, CompleteMultipartUpload, CompleteMultipartUploadResult, InitiateMultipartUploadResult,
    ListPartsResult, PartEntry,
};

use super::object::{discard, store_body, write_checksum_header};
use super::object_attrs::{attrs_from_headers, storage_class};
use super::{owner_of, Ctx};
use crate::access::Need;
use crate::body::MAX_PUT_SIZE;
use crate::error::S3Result;
use crate::response::{self, set_header, Body};
use crate::s3_error;
use crate::state::now_millis;

/// Every part but the last must be at least this big (S3).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
pub const MAX_PARTS: usize = 10_000;
/// A CompleteMultipartUpload body for 10,000 parts with generous whitespace.
const MAX_COMPLETE_BODY: u64 = 4 * 1024 * 1024;

pub async fn create(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutObject", Need::Write, Some(ctx.key()))
        .await?;
    let class = storage_class(&ctx.parts.headers)?;
    // The data region is chosen now; every part lands there (B 4.5).
    let placement =
        crate::placement::place(ctx.server, &bucket, &ctx.parts.headers, &class, 0).await?;
    let mut attrs = attrs_from_headers(&ctx.parts.headers)?;
    attrs.data_region = Some(placement.region);
    super::object_lock::apply_headers(ctx, &bucket, &mut attrs)?;
    super::ownership::apply_to_new_object(ctx, &bucket, &mut attrs)?;
    let upload = Upload {
        upload_id: hex::encode(rand::random::<[u8; 16]>()),
        bucket: bucket.name.clone(),
        key: ctx.key().to_string(),
        initiated: now_millis(),
        storage_class: class,
        attrs,
        initiator: ctx.principal()?.account.id.clone(),
    };
    let doc = InitiateMultipartUploadResult {
        xmlns: xml::XMLNS,
        bucket: upload.bucket.clone(),
        key: upload.key.clone(),
        upload_id: upload.upload_id.clone(),
    };
    ctx.server.meta.create_upload(upload).await?;
    Ok(response::xml("InitiateMultipartUploadResult", &doc))
}

/// The upload, which must belong to the addressed key.
pub async fn existing_upload(ctx: &Ctx<'_>, bucket: &str, upload_id: &str) -> S3Result<Upload> {
    ctx.server
        .meta
        .get_upload(bucket, upload_id)
        .await?
        .filter(|u| u.key == ctx.key())
        .ok_or_else(|| s3_error!(NoSuchUpload))
}

pub async fn upload_part(
    ctx: &mut Ctx<'_>,
    part_number: u32,
    upload_id: &str,
) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutObject", Need::Write, Some(ctx.key()))
        .await?;
    let upload = existing_upload(ctx, &bucket.name, upload_id).await?;
    super::object_lock::require_integrity(&bucket, &ctx.parts.headers, &upload.attrs)?;
    // Parts land in the region and layout chosen at initiation.
    let placement = crate::placement::upload_placement(ctx.server, &upload)?;
    let (rate, _slot) = ctx.speed_limit()?;
    let mut body = ctx.body(MAX_PUT_SIZE)?;
    if let Some(rate) = rate {
        body.throttle(rate);
    }
    let (data, digest) = store_body(ctx.server, &mut body, &placement, false).await?;
    let part = Part {
        upload_id: upload_id.to_string(),
        part_number,
        size: body.len(),
        etag: digest.md5_hex(),
        last_modified: now_millis(),
        data: data.clone(),
        checksum: digest.checksum.clone(),
    };
    let etag = part.etag.clone();
    if let Err(e) = ctx.server.meta.put_part(&bucket.name, part).await {
        discard(ctx.server, &data).await;
        return Err(e.into());
    }
    let mut resp = response::status(StatusCode::OK);
    set_header(&mut resp, "etag", &format!("\"{etag}\""));
    write_checksum_header(&mut resp, &digest);
    Ok(resp)
}

/// All parts of an upload, ascending.
async fn all_parts(ctx: &Ctx<'_>, bucket: &str, upload_id: &str) -> S3Result<Vec<Part>> {
    let mut parts = Vec::new();
    loop {
        let after = parts.last().map(|p: &Part| p.part_number).unwrap_or(0);
        let page = ctx
            .server
            .meta
            .list_parts(bucket, upload_id, after, 1000)
            .await?;
        if page.is_empty() {
            return Ok(parts);
        }
        parts.extend(page);
    }
}

pub async fn complete(ctx: &mut Ctx<'_>, upload_id: &str) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutObject", Need::Write, Some(ctx.key()))
        .await?;
    let condition = super::object::write_condition(&ctx.parts.headers)?;
    let body = ctx.small_body(MAX_COMPLETE_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let request: CompleteMultipartUpload =
        xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    let upload = match existing_upload(ctx, &bucket.name, upload_id).await {
        Ok(upload) => upload,
        Err(gone) => {
            // A client whose first answer was lost retries: if this upload already became
            // the current object with these very parts, answer as the first call did.
            let current = ctx.server.meta.get_object(&bucket.name, ctx.key()).await?;
            return match current {
                Some(o)
                    if o.attrs.completed_upload.as_deref() == Some(upload_id)
                        && Some(&o.etag) == requested_etag(&request).as_ref() =>
                {
                    let version = o.version_id.as_deref();
                    Ok(completion_result(
                        ctx,
                        &bucket,
                        o.key.clone(),
                        &o.etag,
                        version,
                    ))
                }
                _ => Err(gone),
            };
        }
    };
    if request.parts.is_empty() {
        return Err(s3_error!(
            MalformedXML,
            "You must specify at least one part."
        ));
    }
    if request.parts.len() > MAX_PARTS {
        return Err(s3_error!(
            MalformedXML,
            "At most {MAX_PARTS} parts can be completed."
        ));
    }
    if request
        .parts
        .windows(2)
        .any(|w| w[0].part_number >= w[1].part_number)
    {
        return Err(s3_error!(InvalidPartOrder));
    }
    let stored = all_parts(ctx, &bucket.name, upload_id).await?;
    let mut chosen = Vec::with_capacity(request.parts.len());
    for wanted in &request.parts {
        let part = stored
            .iter()
            .find(|p| p.part_number == wanted.part_number)
            .filter(|p| p.etag == wanted.etag.trim().trim_matches('"'))
            .ok_or_else(|| s3_error!(InvalidPart))?;
        chosen.push(part);
    }
    let last = chosen.len() - 1;
    if let Some(small) = chosen[..last].iter().find(|p| p.size < MIN_PART_SIZE) {
        return Err(s3_error!(
            EntityTooSmall,
            "Part {} is {} bytes; every part but the last must be at least {MIN_PART_SIZE} bytes.",
            small.part_number,
            small.size
        ));
    }
    let mut refs = Vec::with_capacity(chosen.len());
    for p in &chosen {
        let DataRef::Single(id) = &p.data else {
            return Err(crate::error::S3Error::internal(
                "part without a data id",
                &p.etag,
            ));
        };
        refs.push(PartRef {
            data_id: id.clone(),
            size: p.size,
        });
    }
    // Every chosen part's stored ETag equals the one requested, so the request names it.
    let etag = requested_etag(&request)
        .ok_or_else(|| crate::error::S3Error::internal("stored part etag", "not hex"))?;
    let mut attrs = upload.attrs.clone();
    attrs.completed_upload = Some(upload_id.to_string());
    super::object_lock::apply_default(&bucket, &mut attrs, ctx.server.clock.now_millis());
    let object = Object {
        bucket: bucket.name.clone(),
        key: upload.key.clone(),
        size: chosen.iter().map(|p| p.size).sum(),
        etag: etag.clone(),
        last_modified: now_millis(),
        storage_class: upload.storage_class.clone(),
        attrs,
        data: DataRef::Parts(refs),
        version_id: None,
        delete_marker: false,
    };
    let version = ctx
        .server
        .meta
        .complete_upload_if(upload_id, object, condition)
        .await?;
    Ok(completion_result(
        ctx,
        &bucket,
        upload.key,
        &etag,
        version.as_deref(),
    ))
}

/// The multipart ETag a completion request names: MD5 over its parts' MD5s, `-N`.
fn requested_etag(request: &CompleteMultipartUpload) -> Option<String> {
    let mut md5s = Md5::new();
    for part in &request.parts {
        md5s.update(hex::decode(part.etag.trim().trim_matches('"')).ok()?);
    }
    Some(format!(
        "{}-{}",
        hex::encode(md5s.finalize()),
        request.parts.len()
    ))
}

fn completion_result(
    ctx: &Ctx<'_>,
    bucket: &oos_meta::Bucket,
    key: String,
    etag: &str,
    version: Option<&str>,
) -> Response<Body> {
    let host = ctx.header("host").unwrap_or("localhost").to_string();
    let scheme = if ctx.server.config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    let doc = CompleteMultipartUploadResult {
        xmlns: xml::XMLNS,
        location: format!("{scheme}://{host}/{}/{key}", bucket.name),
        bucket: bucket.name.clone(),
        key,
        etag: format!("\"{etag}\""),
    };
    let mut resp = response::xml("CompleteMultipartUploadResult", &doc);
    super::set_version_header(&mut resp, bucket, version);
    resp
}

pub async fn abort(ctx: &mut Ctx<'_>, upload_id: &str) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:AbortMultipartUpload", Need::Write, Some(ctx.key()))
        .await?;
    existing_upload(ctx, &bucket.name, upload_id).await?;
    ctx.server
        .meta
        .abort_upload(&bucket.name, upload_id)
        .await?;
    Ok(response::status(StatusCode::NO_CONTENT))
}

pub async fn list_parts(ctx: &mut Ctx<'_>, upload_id: &str) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:ListMultipartUploadParts", Need::Read, Some(ctx.key()))
        .await?;
    let upload = existing_upload(ctx, &bucket.name, upload_id).await?;
    let max_parts = super::list::max_keys(ctx, "max-parts")?;
    let marker = match ctx.query.get("part-number-marker") {
        None | Some("") => 0,
        Some(v) => v.parse::<u32>().map_err(|_| {
            s3_error!(
                InvalidArgument,
                "Provided part-number-marker not an integer or within integer range"
            )
        })?,
    };
    let mut parts = ctx
        .server
        .meta
        .list_parts(&bucket.name, upload_id, marker, max_parts + 1)
        .await?;
    let truncated = parts.len() > max_parts;
    parts.truncate(max_parts);
    // The initiating account owns what the upload becomes (S3 names it for both).
    let initiator = owner_of(ctx.server, &upload.initiator).await?;
    let owner = initiator.clone();
    let doc = ListPartsResult {
        xmlns: xml::XMLNS,
        bucket: bucket.name,
        key: upload.key,
        upload_id: upload_id.to_string(),
        initiator,
        owner,
        storage_class: upload.storage_class,
        part_number_marker: marker,
        next_part_number_marker: parts.last().map(|p| p.part_number).filter(|_| truncated),
        max_parts,
        is_truncated: truncated,
        parts: parts
            .iter()
            .map(|p| PartEntry {
                part_number: p.part_number,
                last_modified: iso8601_millis(p.last_modified),
                etag: format!("\"{}\"", p.etag),
                size: p.size,
            })
            .collect(),
    };
    Ok(response::xml("ListPartsResult", &doc))
}

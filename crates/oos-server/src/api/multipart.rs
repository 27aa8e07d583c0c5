//! Multipart uploads: each part is its own data id; completion writes metadata only.

use http::{Response, StatusCode};
use md5::{Digest, Md5};
use oos_meta::{DataRef, Object, Part, PartRef, Upload};
use oos_proto::time_fmt::iso8601_millis;
use oos_proto::xml::{
    self, CompleteMultipartUpload, CompleteMultipartUploadResult, InitiateMultipartUploadResult,
    ListPartsResult, PartEntry,
};

use super::object::{discard, store_body};
use super::object_attrs::{attrs_from_headers, storage_class};
use super::{owner_of, Ctx};
use crate::access::Need;
use crate::body::{ChecksumRule, MAX_PUT_SIZE};
use crate::checksums::{self, UploadChecksum, X_AMZ_CHECKSUM_ALGORITHM, X_AMZ_CHECKSUM_TYPE};
use crate::error::S3Result;
use crate::response::{self, set_header, Body};
use crate::s3_error;
use crate::state::now_millis;
use oos_meta::ChecksumType;
use oos_proto::xml::ChecksumValues;
use oos_sign::ChecksumAlgorithm;

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
    let checksum = UploadChecksum::from_headers(&ctx.parts.headers)?;
    if let Some(c) = checksum {
        c.record(&mut attrs);
    }
    super::object_lock::apply_headers(ctx, &bucket, &mut attrs)?;
    super::ownership::apply_to_new_object(ctx, &bucket, &mut attrs)?;
    // Every part is encrypted with the key chosen now (SSE-C: the same key, sent again).
    attrs.sse = ctx.sealing(&bucket).await?.map(|s| s.sse);
    let sse = attrs.sse.clone();
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
    let mut resp = response::xml("InitiateMultipartUploadResult", &doc);
    crate::sse::write_headers(&mut resp, sse.as_ref());
    if let Some(c) = checksum {
        set_header(&mut resp, X_AMZ_CHECKSUM_ALGORITHM, c.algorithm.name());
        set_header(&mut resp, X_AMZ_CHECKSUM_TYPE, c.kind.as_str());
    }
    Ok(resp)
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
    let key = ctx
        .object_key(&upload.attrs, crate::sse::ReadAs::UploadPart)
        .await?;
    let (rate, _slot) = ctx.speed_limit()?;
    let mut body = ctx.body(MAX_PUT_SIZE)?;
    let checksum = UploadChecksum::of_upload(&upload.attrs);
    match checksum {
        Some(c) => body.checksum_rule(part_checksum_rule(c))?,
        // S3's default full-object CRC64NVME is made from every part's, whatever the client
        // checks the part with.
        None => body.also_compute(ChecksumAlgorithm::Crc64Nvme),
    }
    if let Some(rate) = rate {
        body.throttle(rate);
    }
    let (data, digest) = store_body(ctx.server, &mut body, &placement, false, key.as_ref()).await?;
    let part = Part {
        upload_id: upload_id.to_string(),
        part_number,
        size: body.len(),
        etag: digest.md5_hex(),
        last_modified: now_millis(),
        data: data.clone(),
        checksum: match checksum {
            Some(_) => digest.checksum.clone(),
            None => digest.also.clone(),
        },
    };
    let etag = part.etag.clone();
    if let Err(e) = ctx.server.meta.put_part(&bucket.name, part).await {
        discard(ctx.server, &data).await;
        return Err(e.into());
    }
    let mut resp = response::status(StatusCode::OK);
    set_header(&mut resp, "etag", &format!("\"{etag}\""));
    crate::sse::write_headers(&mut resp, upload.attrs.sse.as_ref());
    // The default checksum of an upload that asked for none is S3's own business.
    if digest.checksum_sent || checksum.is_some() {
        checksums::set_headers(&mut resp, digest.checksum.as_ref(), None);
    }
    Ok(resp)
}

/// A part is checked with its upload's algorithm, which COMPOSITE uploads must send (S3).
fn part_checksum_rule(checksum: UploadChecksum) -> ChecksumRule {
    match checksum.kind {
        ChecksumType::Composite => ChecksumRule::Sent(checksum.algorithm),
        ChecksumType::FullObject => ChecksumRule::Algorithm(checksum.algorithm),
    }
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

/// Parses a `CompleteMultipartUpload` document: parts in ascending order (`InvalidPartOrder`
/// otherwise), a part number named twice reduced to its last entry.
pub(crate) fn parse_complete(text: &str) -> S3Result<CompleteMultipartUpload> {
    let mut request: CompleteMultipartUpload =
        xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    if request
        .parts
        .windows(2)
        .any(|w| w[0].part_number > w[1].part_number)
    {
        return Err(s3_error!(InvalidPartOrder));
    }
    // A part number named twice (a part re-sent while its first upload was still in flight)
    // means its last entry, which names the upload that finished last (S3 accepts this).
    request.parts.reverse();
    request.parts.dedup_by_key(|p| p.part_number);
    request.parts.reverse();
    Ok(request)
}

pub async fn complete(ctx: &mut Ctx<'_>, upload_id: &str) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutObject", Need::Write, Some(ctx.key()))
        .await?;
    let condition = super::object::write_condition(&ctx.parts.headers)?;
    let body = ctx.document_body(MAX_COMPLETE_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let request = parse_complete(text)?;
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
                        &o.attrs,
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
    let checksum = UploadChecksum::of_upload(&upload.attrs);
    check_requested_type(ctx, checksum)?;
    let stored = all_parts(ctx, &bucket.name, upload_id).await?;
    let mut chosen = Vec::with_capacity(request.parts.len());
    for wanted in &request.parts {
        let part = stored
            .iter()
            .find(|p| p.part_number == wanted.part_number)
            .filter(|p| p.etag == wanted.etag.trim().trim_matches('"'))
            .ok_or_else(|| s3_error!(InvalidPart))?;
        check_part_checksum(checksum, wanted, part)?;
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
            // Kept where S3 shows it later (GetObjectAttributes, `?partNumber=`): for uploads
            // that asked for an algorithm, not for S3's default one.
            checksum: checksum.and(p.checksum.as_ref()).map(|(_, v)| v.clone()),
        });
    }
    // Every chosen part's stored ETag equals the one requested, so the request names it.
    let etag = requested_etag(&request)
        .ok_or_else(|| crate::error::S3Error::internal("stored part etag", "not hex"))?;
    let mut attrs = upload.attrs.clone();
    attrs.checksum_algorithm = None;
    (attrs.checksum, attrs.checksum_type) = object_checksum(checksum, &chosen)?;
    check_object_checksum(ctx, &attrs)?;
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
    let object_attrs = object.attrs.clone();
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
        &object_attrs,
        version.as_deref(),
    ))
}

/// `x-amz-checksum-type` on CompleteMultipartUpload: optional, but it must be the upload's.
fn check_requested_type(ctx: &Ctx<'_>, checksum: Option<UploadChecksum>) -> S3Result<()> {
    let Some(raw) = ctx.header(X_AMZ_CHECKSUM_TYPE) else {
        return Ok(());
    };
    let kind = ChecksumType::parse(raw).ok_or_else(|| {
        s3_error!(
            InvalidRequest,
            "Value for x-amz-checksum-type header is invalid."
        )
    })?;
    match checksum {
        None => Err(s3_error!(
            InvalidRequest,
            "The upload was not created with a checksum mode. The complete request must not include a x-amz-checksum-type header."
        )),
        Some(c) if c.kind != kind => Err(s3_error!(
            InvalidRequest,
            "The upload was created using the {} checksum mode. The complete request must use the same checksum mode.",
            c.kind.as_str()
        )),
        Some(_) => Ok(()),
    }
}

/// A part's checksum as CompleteMultipartUpload names it: COMPOSITE uploads must name every
/// part's, FULL_OBJECT uploads may, uploads without an algorithm must not; a named one must
/// be the one stored (S3 answers `InvalidPart`, as for a wrong ETag).
fn check_part_checksum(
    checksum: Option<UploadChecksum>,
    wanted: &oos_proto::xml::CompletedPart,
    part: &Part,
) -> S3Result<()> {
    let given = wanted.checksum();
    let present = given.present();
    if present.len() > 1 {
        return Err(s3_error!(
            InvalidArgument,
            "Invalid Base64 or multiple checksums present in request"
        ));
    }
    let Some(c) = checksum else {
        return match present.is_empty() {
            true => Ok(()),
            false => Err(s3_error!(InvalidPart)),
        };
    };
    let algorithm = c.algorithm.name();
    let Some(&named) = present.first() else {
        return match c.kind {
            ChecksumType::FullObject => Ok(()),
            ChecksumType::Composite => Err(s3_error!(
                InvalidRequest,
                "The upload was created using a {} checksum. The complete request must include the checksum for each part. It was missing for part {} in the request.",
                algorithm.to_ascii_lowercase(),
                wanted.part_number
            )),
        };
    };
    if named != algorithm {
        return Err(s3_error!(
            BadDigest,
            "The {} you specified for part {} did not match what we received.",
            named.to_ascii_lowercase(),
            wanted.part_number
        ));
    }
    let value = given.get(named).unwrap_or_default();
    if c.algorithm.decode_value(value).is_err() {
        return Err(s3_error!(
            InvalidArgument,
            "Invalid Base64 or multiple checksums present in request"
        ));
    }
    match &part.checksum {
        Some((a, v)) if a == algorithm && v == value => Ok(()),
        _ => Err(s3_error!(InvalidPart)),
    }
}

/// `(algorithm, value)` as `ObjectAttrs::checksum` holds it.
type StoredChecksum = Option<(String, String)>;

/// The object's checksum from its parts': as the upload asked, or, for an upload that asked
/// for none, S3's default full-object CRC64NVME when every part has one.
fn object_checksum(
    checksum: Option<UploadChecksum>,
    parts: &[&Part],
) -> S3Result<(StoredChecksum, Option<ChecksumType>)> {
    let c = checksum.unwrap_or(UploadChecksum {
        algorithm: ChecksumAlgorithm::Crc64Nvme,
        kind: ChecksumType::FullObject,
    });
    let algorithm = c.algorithm.name();
    let mut values = Vec::with_capacity(parts.len());
    for p in parts {
        match &p.checksum {
            Some((a, v)) if a == algorithm => values.push((v.as_str(), p.size)),
            // Parts stored before the default checksum was kept for every part.
            _ if checksum.is_none() => return Ok((None, None)),
            _ => return Err(s3_error!(InvalidPart)),
        }
    }
    let value = c.combine(&values)?;
    Ok((Some((algorithm.to_string(), value)), Some(c.kind)))
}

/// `x-amz-checksum-<algorithm>` on CompleteMultipartUpload: the whole object's expected
/// checksum (a composite one with or without its `-N`).
fn check_object_checksum(ctx: &Ctx<'_>, attrs: &oos_meta::ObjectAttrs) -> S3Result<()> {
    let Some((algorithm, sent)) = checksums::value_header(&ctx.parts.headers) else {
        return Ok(());
    };
    let Some((stored_algorithm, stored)) = &attrs.checksum else {
        return Ok(());
    };
    if algorithm.name() != stored_algorithm {
        // An upload without an algorithm ignores checksums of other algorithms (as S3 does).
        return Ok(());
    }
    let (digest, count) = match sent.rsplit_once('-') {
        Some((d, n)) if n.parse::<usize>().is_ok() => (d, Some(n)),
        _ => (sent, None),
    };
    if algorithm.decode_value(digest).is_err() {
        return Err(s3_error!(
            InvalidRequest,
            "Value for {} header is invalid.",
            algorithm.header_name()
        ));
    }
    let (stored_digest, stored_count) = match stored.rsplit_once('-') {
        Some((d, n)) => (d, Some(n)),
        None => (stored.as_str(), None),
    };
    if digest != stored_digest || count.is_some_and(|n| Some(n) != stored_count) {
        return Err(s3_error!(
            BadDigest,
            "The {} you specified did not match the calculated checksum.",
            algorithm.name().to_ascii_lowercase()
        ));
    }
    Ok(())
}

/// The multipart ETag a completion request names: MD5 over its parts' MD5s, `-N`.
pub(crate) fn requested_etag(request: &CompleteMultipartUpload) -> Option<String> {
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
    attrs: &oos_meta::ObjectAttrs,
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
        checksum: ChecksumValues::from_stored(attrs.checksum.as_ref()),
        checksum_type: attrs
            .checksum
            .as_ref()
            .map(|_| checksums::type_of(attrs).as_str()),
    };
    let mut resp = response::xml("CompleteMultipartUploadResult", &doc);
    super::set_version_header(&mut resp, bucket, version);
    // SSE-C answers only the algorithm and key MD5 the parts were sent with.
    crate::sse::write_headers(&mut resp, attrs.sse.as_ref());
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
    let checksum = UploadChecksum::of_upload(&upload.attrs);
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
                // An upload without an algorithm keeps S3's default checksum to itself.
                checksum: match checksum {
                    Some(_) => ChecksumValues::from_stored(p.checksum.as_ref()),
                    None => ChecksumValues::default(),
                },
            })
            .collect(),
        checksum_algorithm: checksum.map(|c| c.algorithm.name().to_string()),
        checksum_type: checksum.map(|c| c.kind.as_str()),
    };
    Ok(response::xml("ListPartsResult", &doc))
}

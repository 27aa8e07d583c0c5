//! CopyObject and UploadPartCopy: the source is read through the verifying object stream and
//! written as new data (data ids are never shared, so GC stays a plain queue).

use http::Response;
use md5::{Digest, Md5};
use oos_meta::ChecksumType;
use oos_meta::{DataRef, Object, Part};
use oos_proto::headers::{X_AMZ_COPY_SOURCE, X_AMZ_COPY_SOURCE_RANGE, X_AMZ_METADATA_DIRECTIVE};
use oos_proto::time_fmt::iso8601_millis;
use oos_proto::xml::{self, ChecksumValues, CopyResult};
use oos_sign::ChecksumAlgorithm;
use oos_sse::ObjectKey;
use percent_encoding::percent_decode_str;

use super::object::{commit_object, discard};
use super::object_attrs::{attrs_from_headers, storage_class};
use super::read::{check_conditions, parse_range, Conditions, ObjectStream, RangeSpec};
use super::Ctx;
use crate::access::Need;
use crate::body::MAX_PUT_SIZE;
use crate::checksums;
use crate::error::S3Result;
use crate::placement::Placement;
use crate::response::{self, Body};
use crate::s3_error;
use crate::sse::{ReadAs, Sealer};
use crate::state::{now_millis, Server};

/// The source version of a copy, after the caller's access to it has been checked.
struct Source {
    object: Object,
    /// `x-amz-copy-source-version-id` to answer: for versioned sources, or a named version.
    version_header: Option<String>,
    /// The request named the source version (`?versionId=`).
    named_version: bool,
}

async fn source_object(ctx: &Ctx<'_>) -> S3Result<Source> {
    let raw = ctx.header(X_AMZ_COPY_SOURCE).unwrap_or_default();
    let (path, version) = match raw.split_once('?') {
        Some((p, q)) => {
            let v = q
                .strip_prefix("versionId=")
                .ok_or_else(|| s3_error!(InvalidArgument, "Unsupported copy source parameter."))?;
            (p, Some(v))
        }
        None => (raw, None),
    };
    if version.is_some_and(|v| !super::valid_version_id(v)) {
        return Err(s3_error!(InvalidArgument, "Invalid version id specified"));
    }
    let decoded = percent_decode_str(path.trim_start_matches('/'))
        .decode_utf8()
        .map_err(|_| s3_error!(InvalidArgument, "Invalid copy source encoding"))?;
    let (bucket, key) = decoded
        .split_once('/')
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"
            )
        })?;
    let action = match version {
        Some(_) => "s3:GetObjectVersion",
        None => "s3:GetObject",
    };
    let source_bucket = ctx.bucket_unchecked(bucket).await?;
    let object = ctx
        .server
        .meta
        .get_object_version(bucket, key, version)
        .await?;
    // The source's own ACL may grant the read, as for GetObject.
    ctx.authorize_object(&source_bucket, action, Need::Read, key, object.as_ref())?;
    let object = match object {
        None if version.is_some() => return Err(s3_error!(NoSuchVersion)),
        None => return Err(s3_error!(NoSuchKey)),
        Some(m) if m.delete_marker && version.is_some() => {
            return Err(s3_error!(
                InvalidRequest,
                "The source of a copy request may not specifically refer to a delete marker by version id."
            ))
        }
        Some(m) if m.delete_marker => return Err(super::delete_marker_error(&m, None)),
        Some(o) => o,
    };
    check_conditions(&ctx.parts.headers, &object, Conditions::copy_source())?;
    let versioned = source_bucket.versioning != oos_meta::Versioning::Unversioned;
    Ok(Source {
        version_header: (versioned || version.is_some())
            .then(|| object.version_label().to_string()),
        named_version: version.is_some(),
        object,
    })
}

fn set_copy_source_version(resp: &mut Response<Body>, source: &Option<String>) {
    if let Some(v) = source {
        response::set_header(resp, "x-amz-copy-source-version-id", v);
    }
}

/// What a copy wrote: its data, the MD5 of its bytes and their checksum.
struct Copied {
    data: DataRef,
    md5: [u8; 16],
    /// `(algorithm name, base64 value)`.
    checksum: (String, String),
}

/// The keys of a copy: the one that opens the source, the one the copy is encrypted with.
struct CopyKeys<'k> {
    source: Option<&'k ObjectKey>,
    target: Option<&'k ObjectKey>,
}

/// Copies `[start, end)` of `src` into new data, with the MD5 and the `algorithm` checksum of
/// the bytes copied (S3 computes a copy's checksum afresh).
async fn copy_data(
    server: &Server,
    src: &Object,
    (start, end): (u64, u64),
    placement: &Placement,
    allow_inline: bool,
    algorithm: ChecksumAlgorithm,
    keys: CopyKeys<'_>,
) -> S3Result<Copied> {
    let mut source = ObjectStream::open(server, src, start, end, keys.source).await?;
    let mut md5 = Md5::new();
    let mut checksum = algorithm.checksummer();
    let mut sealer = Sealer::new(keys.target);
    let mut stored = Vec::new();
    let data = if allow_inline && end - start <= server.config.inline_threshold {
        let mut buf = Vec::with_capacity((end - start) as usize);
        while let Some(piece) = source.next().await? {
            md5.update(&piece);
            checksum.update(&piece);
            sealer.push(piece, &mut stored);
            stored.drain(..).for_each(|s| buf.extend_from_slice(&s));
        }
        sealer.finish(&mut stored);
        stored.drain(..).for_each(|s| buf.extend_from_slice(&s));
        DataRef::Inline(buf)
    } else {
        let mut writer = placement.store(server).writer_with(placement.layout)?;
        while let Some(piece) = source.next().await? {
            md5.update(&piece);
            checksum.update(&piece);
            sealer.push(piece, &mut stored);
            for s in stored.drain(..) {
                writer.write(&s).await?;
            }
        }
        sealer.finish(&mut stored);
        for s in stored.drain(..) {
            writer.write(&s).await?;
        }
        DataRef::Single(crate::storage::finish(server, placement.pool, writer).await?)
    };
    Ok(Copied {
        data,
        md5: md5.finalize().into(),
        checksum: (algorithm.name().to_string(), checksum.finish()),
    })
}

pub async fn copy_object(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutObject", Need::Write, Some(ctx.key()))
        .await?;
    let Source {
        object: src,
        version_header,
        named_version,
    } = source_object(ctx).await?;
    if src.size > MAX_PUT_SIZE {
        return Err(s3_error!(InvalidRequest, "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"));
    }
    let replace = match ctx.header(X_AMZ_METADATA_DIRECTIVE) {
        None | Some("COPY") => false,
        Some("REPLACE") => true,
        Some(other) => {
            return Err(s3_error!(
                InvalidArgument,
                "Unknown metadata directive {other}."
            ))
        }
    };
    let class_header = ctx
        .header(oos_proto::headers::X_AMZ_STORAGE_CLASS)
        .is_some();
    let class = if class_header {
        storage_class(&ctx.parts.headers)?
    } else {
        src.storage_class.clone()
    };
    // Copying an older version over its own key is how a version is restored: allowed.
    let same = src.bucket == bucket.name && src.key == ctx.key() && !named_version;
    if same
        && !replace
        && !class_header
        && !crate::sse::requests_encryption(&ctx.parts.headers)
        && ctx
            .header(oos_proto::headers::X_AMZ_WEBSITE_REDIRECT_LOCATION)
            .is_none()
    {
        return Err(s3_error!(InvalidRequest, "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."));
    }
    let mut attrs = if replace {
        attrs_from_headers(&ctx.parts.headers)?
    } else {
        src.attrs.clone()
    };
    // Tags follow their own directive: the source's unless REPLACE says x-amz-tagging.
    attrs.tags = match ctx.header("x-amz-tagging-directive") {
        None | Some("COPY") => src.attrs.tags.clone(),
        Some("REPLACE") => super::tagging::from_header(&ctx.parts.headers)?.unwrap_or_default(),
        Some(other) => {
            return Err(s3_error!(
                InvalidArgument,
                "Unknown tagging directive {other}."
            ))
        }
    };
    // The copy's checksum covers the whole copy, in the algorithm asked for, else the
    // source's, else S3's default.
    let algorithm = checksums::algorithm_header(&ctx.parts.headers)?
        .or_else(|| {
            src.attrs
                .checksum
                .as_ref()
                .and_then(|(a, _)| ChecksumAlgorithm::from_name(a))
        })
        .unwrap_or(ChecksumAlgorithm::Crc64Nvme);
    let placement =
        crate::placement::place(ctx.server, &bucket, &ctx.parts.headers, &class, src.size).await?;
    attrs.data_region = Some(placement.region.clone());
    // A copy is a new object, not the result of the source's upload, with its own lock.
    attrs.completed_upload = None;
    super::object_lock::apply_to_new_version(ctx, &bucket, &mut attrs)?;
    super::ownership::apply_to_new_object(ctx, &bucket, &mut attrs)?;
    // The copy is encrypted as the request (or the target bucket's default) says, never
    // because its source was (S3).
    let source_key = ctx.object_key(&src.attrs, ReadAs::CopySource).await?;
    let sealing = ctx.sealing(&bucket).await?;
    let keys = CopyKeys {
        source: source_key.as_ref(),
        target: sealing.as_ref().map(|s| &s.key),
    };
    let copied = copy_data(
        ctx.server,
        &src,
        (0, src.size),
        &placement,
        true,
        algorithm,
        keys,
    )
    .await?;
    attrs.sse = sealing.map(|s| s.sse);
    attrs.checksum = Some(copied.checksum);
    attrs.checksum_type = None;
    attrs.checksum_algorithm = None;
    let object = Object {
        bucket: bucket.name.clone(),
        key: ctx.key().to_string(),
        size: src.size,
        etag: hex::encode(copied.md5),
        last_modified: now_millis(),
        storage_class: class,
        attrs,
        data: copied.data,
        version_id: None,
        delete_marker: false,
    };
    let result = CopyResult {
        xmlns: xml::XMLNS,
        last_modified: iso8601_millis(object.last_modified),
        etag: format!("\"{}\"", object.etag),
        checksum: ChecksumValues::from_stored(object.attrs.checksum.as_ref()),
        checksum_type: Some(ChecksumType::FullObject.as_str()),
    };
    let sse = object.attrs.sse.clone();
    let version = commit_object(ctx.server, object).await?;
    let mut resp = response::xml("CopyObjectResult", &result);
    crate::sse::write_headers(&mut resp, sse.as_ref());
    super::set_version_header(&mut resp, &bucket, version.as_deref());
    set_copy_source_version(&mut resp, &version_header);
    Ok(resp)
}

pub async fn upload_part_copy(
    ctx: &mut Ctx<'_>,
    part_number: u32,
    upload_id: &str,
) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutObject", Need::Write, Some(ctx.key()))
        .await?;
    let upload = super::multipart::existing_upload(ctx, &bucket.name, upload_id).await?;
    let Source {
        object: src,
        version_header,
        ..
    } = source_object(ctx).await?;
    let (start, end) = match ctx.header(X_AMZ_COPY_SOURCE_RANGE) {
        None => (0, src.size),
        Some(raw) => match parse_range(raw, src.size) {
            RangeSpec::Range(s, e) if raw.trim_start_matches("bytes=").split('-').all(|n| !n.is_empty()) => (s, e),
            RangeSpec::Unsatisfiable => return Err(super::read::invalid_range(src.size)),
            _ => return Err(s3_error!(InvalidArgument, "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")),
        },
    };
    if end - start > MAX_PUT_SIZE {
        return Err(s3_error!(EntityTooLarge));
    }
    let placement = crate::placement::upload_placement(ctx.server, &upload)?;
    // The part's checksum is the upload's algorithm over the range copied (S3's default
    // when the upload named none, which the answer does not show).
    let upload_checksum = checksums::UploadChecksum::of_upload(&upload.attrs);
    let algorithm = upload_checksum.map_or(ChecksumAlgorithm::Crc64Nvme, |c| c.algorithm);
    let source_key = ctx.object_key(&src.attrs, ReadAs::CopySource).await?;
    // The part is encrypted with its upload's key (SSE-C: sent again with the request).
    let part_key = ctx.object_key(&upload.attrs, ReadAs::UploadPart).await?;
    let keys = CopyKeys {
        source: source_key.as_ref(),
        target: part_key.as_ref(),
    };
    let copied = copy_data(
        ctx.server,
        &src,
        (start, end),
        &placement,
        false,
        algorithm,
        keys,
    )
    .await?;
    let data = copied.data;
    let part = Part {
        upload_id: upload_id.to_string(),
        part_number,
        size: end - start,
        etag: hex::encode(copied.md5),
        last_modified: now_millis(),
        data: data.clone(),
        checksum: Some(copied.checksum),
    };
    let result = CopyResult {
        xmlns: xml::XMLNS,
        last_modified: iso8601_millis(part.last_modified),
        etag: format!("\"{}\"", part.etag),
        checksum: match upload_checksum {
            Some(_) => ChecksumValues::from_stored(part.checksum.as_ref()),
            None => ChecksumValues::default(),
        },
        checksum_type: None,
    };
    if let Err(e) = ctx.server.meta.put_part(&bucket.name, part).await {
        discard(ctx.server, &data).await;
        return Err(e.into());
    }
    let mut resp = response::xml("CopyPartResult", &result);
    crate::sse::write_headers(&mut resp, upload.attrs.sse.as_ref());
    set_copy_source_version(&mut resp, &version_header);
    Ok(resp)
}

//! PutObject and DeleteObject, and the write path shared with parts and copies.

use http::{Response, StatusCode};
use oos_meta::{DataRef, Object, WriteCondition};

use super::object_attrs::{attrs_from_headers, storage_class};
use super::Ctx;
use crate::access::Need;
use crate::body::{BodyDigest, ChecksumRule, RequestBody, MAX_PUT_SIZE};
use crate::error::S3Result;
use crate::response::{self, set_header, Body};
use crate::s3_error;
use crate::sse::Sealer;
use crate::state::{now_millis, Server};
use oos_sign::ChecksumAlgorithm;

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutObject", Need::Write, Some(ctx.key()))
        .await?;
    // A length is needed unless the body is a plain chunked transfer, counted as it arrives.
    let headers = &ctx.parts.headers;
    if !headers.contains_key("content-length")
        && !headers.contains_key(oos_proto::headers::X_AMZ_DECODED_CONTENT_LENGTH)
        && !headers.contains_key("transfer-encoding")
    {
        return Err(s3_error!(MissingContentLength));
    }
    let mut attrs = attrs_from_headers(&ctx.parts.headers)?;
    super::object_lock::apply_to_new_version(ctx, &bucket, &mut attrs)?;
    super::ownership::apply_to_new_object(ctx, &bucket, &mut attrs)?;
    super::object_lock::require_integrity(&bucket, &ctx.parts.headers, &attrs)?;
    let class = storage_class(&ctx.parts.headers)?;
    let condition = write_condition(&ctx.parts.headers)?;
    // Fail fast, before the body is received; the commit checks again, atomically.
    precheck(ctx.server, &bucket.name, ctx.key(), &condition).await?;
    let (rate, _slot) = ctx.speed_limit()?;
    let mut body = ctx.body(MAX_PUT_SIZE)?;
    // S3 gives every object a checksum: CRC64NVME when the client sent none.
    body.checksum_rule(ChecksumRule::AnyOrDefault(ChecksumAlgorithm::Crc64Nvme))?;
    let placement =
        crate::placement::place(ctx.server, &bucket, &ctx.parts.headers, &class, body.len())
            .await?;
    if let Some(rate) = rate {
        body.throttle(rate);
    }
    let sealing = ctx.sealing(&bucket).await?;
    let key = sealing.as_ref().map(|s| &s.key);
    let (data, digest) = store_body(ctx.server, &mut body, &placement, true, key).await?;
    attrs.sse = sealing.map(|s| s.sse);
    attrs.checksum = digest.checksum.clone();
    attrs.data_region = Some(placement.region);
    let object = Object {
        bucket: bucket.name.clone(),
        key: ctx.key().to_string(),
        size: body.len(),
        etag: digest.md5_hex(),
        last_modified: now_millis(),
        storage_class: class,
        attrs,
        data,
        version_id: None,
        delete_marker: false,
    };
    let etag = object.etag.clone();
    let sse = object.attrs.sse.clone();
    let version = commit_object_if(ctx.server, object, condition).await?;
    let mut resp = response::status(StatusCode::OK);
    set_header(&mut resp, "etag", &format!("\"{etag}\""));
    crate::sse::write_headers(&mut resp, sse.as_ref());
    super::set_version_header(&mut resp, &bucket, version.as_deref());
    crate::checksums::set_headers(
        &mut resp,
        digest.checksum.as_ref(),
        Some(oos_meta::ChecksumType::FullObject),
    );
    Ok(resp)
}

/// Stores a new object's metadata; if that fails, its fresh data is deleted again so nothing
/// is left unreferenced. Returns the version id the store gave it (`None`: null version).
pub async fn commit_object(server: &Server, object: Object) -> S3Result<Option<String>> {
    commit_object_if(server, object, WriteCondition::Always).await
}

/// [`commit_object`] if `condition` holds for the object it replaces (checked atomically).
pub async fn commit_object_if(
    server: &Server,
    object: Object,
    condition: WriteCondition,
) -> S3Result<Option<String>> {
    let data = object.data.clone();
    match server.meta.put_object_if(object, condition).await {
        Ok(version) => Ok(version),
        Err(e) => {
            discard(server, &data).await;
            Err(e.into())
        }
    }
}

/// S3 conditional writes on PutObject and CompleteMultipartUpload: `If-None-Match: *` (only
/// if the key is free) or `If-Match: <etag>` (only over that object).
pub fn write_condition(headers: &http::HeaderMap) -> S3Result<WriteCondition> {
    let get = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("").trim());
    match (get("if-none-match"), get("if-match")) {
        (None, None) => Ok(WriteCondition::Always),
        (Some("*"), None) => Ok(WriteCondition::Absent),
        (None, Some(etag)) if !etag.is_empty() => {
            Ok(WriteCondition::EtagIs(etag.trim_matches('"').to_string()))
        }
        (Some(_), None) => Err(s3_error!(
            NotImplemented,
            "If-None-Match on a write takes only '*'."
        )),
        _ => Err(s3_error!(
            NotImplemented,
            "A write takes If-None-Match or If-Match, not both."
        )),
    }
}

/// Checks a write condition against the current object without locking anything: a cheap
/// early answer so a doomed upload is refused before its body is sent.
pub async fn precheck(
    server: &Server,
    bucket: &str,
    key: &str,
    condition: &WriteCondition,
) -> S3Result<()> {
    if *condition == WriteCondition::Always {
        return Ok(());
    }
    let current = server.meta.get_object(bucket, key).await?;
    Ok(condition.check(current.as_ref().map(|o| o.etag.as_str()))?)
}

/// Deletes data that never became visible (best effort: restart recovery collects the rest).
pub async fn discard(server: &Server, data: &DataRef) {
    for id in data.data_ids() {
        if let Err(e) = server.pools.delete(id).await {
            tracing::warn!(data_id = id, error = %e, "could not delete unreferenced data");
        }
    }
}

/// Receives a verified body into the data store: small bodies inline, others as a new data
/// id that is durable before this returns. Nothing is kept if the body fails verification.
/// Bodies go to the placement's pool and layout; with `allow_inline`, small ones stay in the metadata row
/// instead. Parts are never inline: a completed upload references each part's data id. With
/// `key`, what is stored is the body's encryption (digests are always of the plaintext).
pub async fn store_body(
    server: &Server,
    body: &mut RequestBody,
    placement: &crate::placement::Placement,
    allow_inline: bool,
    key: Option<&oos_sse::ObjectKey>,
) -> S3Result<(DataRef, BodyDigest)> {
    let mut sealer = Sealer::new(key);
    let mut stored = Vec::new();
    if allow_inline && body.len_known() && body.len() <= server.config.inline_threshold {
        let mut buf = Vec::with_capacity(body.len() as usize);
        while let Some(piece) = body.next().await? {
            sealer.push(piece, &mut stored);
            stored.drain(..).for_each(|s| buf.extend_from_slice(&s));
        }
        sealer.finish(&mut stored);
        stored.drain(..).for_each(|s| buf.extend_from_slice(&s));
        return Ok((DataRef::Inline(buf), body.digest().clone()));
    }
    let mut writer = placement.store(server).writer_with(placement.layout)?;
    while let Some(piece) = body.next_unverified().await? {
        sealer.push(piece, &mut stored);
        for s in stored.drain(..) {
            writer.write(&s).await?;
        }
    }
    sealer.finish(&mut stored);
    for s in stored.drain(..) {
        writer.write(&s).await?;
    }
    // The fsyncs run while the body's digests are finished (MD5 trails the network); the
    // data becomes an object only if both succeed, and a bad body's data is deleted again.
    let (stored, verified) = tokio::join!(
        crate::storage::finish(server, placement.pool, writer),
        body.verify()
    );
    if let Err(e) = verified {
        if let Ok(id) = stored {
            discard(server, &DataRef::Single(id)).await;
        }
        return Err(e);
    }
    Ok((DataRef::Single(stored?), body.digest().clone()))
}

/// DeleteObject: 204 whether or not the key (or version) existed (S3). On a versioned bucket
/// a delete without `versionId` adds a delete marker; with one it removes that version.
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let version = ctx.version_id()?;
    let action = match version {
        Some(_) => "s3:DeleteObjectVersion",
        None => "s3:DeleteObject",
    };
    let bucket = ctx.bucket_for(action, Need::Write, Some(ctx.key())).await?;
    let lock = super::object_lock::lock_check(ctx, &bucket, [ctx.key()]);
    let outcome = ctx
        .server
        .meta
        .delete_object(&bucket.name, ctx.key(), version, lock)
        .await?;
    let mut resp = response::status(StatusCode::NO_CONTENT);
    if outcome.delete_marker {
        set_header(&mut resp, "x-amz-delete-marker", "true");
    }
    if version.is_some() || outcome.delete_marker {
        set_header(
            &mut resp,
            "x-amz-version-id",
            outcome
                .version_id
                .as_deref()
                .unwrap_or(oos_meta::NULL_VERSION),
        );
    }
    Ok(resp)
}

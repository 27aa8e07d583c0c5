//! DeleteObjects: up to 1000 keys in one request and one metadata transaction.

use http::Response;
use oos_proto::xml::{self, Delete, DeleteError, DeleteResult, Deleted};

use super::{object_lock, valid_version_id, Ctx};
use crate::access::{self, Check, Need};
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::route::MAX_KEY_LEN;
use crate::s3_error;
use oos_meta::NULL_VERSION;

pub const MAX_DELETE_KEYS: usize = 1000;
/// 1000 keys of 1024 bytes, escaped, fit in this.
const MAX_DELETE_BODY: u64 = 8 * 1024 * 1024;

/// Parses a `Delete` document: 1 to 1000 objects.
pub(crate) fn parse_delete(text: &str) -> S3Result<Delete> {
    let request: Delete = xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    if request.objects.is_empty() || request.objects.len() > MAX_DELETE_KEYS {
        return Err(s3_error!(MalformedXML));
    }
    Ok(request)
}

pub async fn delete_objects(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx.bucket_unchecked(ctx.bucket_name()).await?;
    ctx.require_integrity_header()?;
    let body = ctx.small_body(MAX_DELETE_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let request = parse_delete(text)?;
    let quiet = request.quiet.unwrap_or(false);
    let facts = ctx.facts();
    let mut errors = Vec::new();
    let mut targets = Vec::new();
    for o in request.objects {
        let action = match o.version_id {
            Some(_) => "s3:DeleteObjectVersion",
            None => "s3:DeleteObject",
        };
        let refuse = |code: &str, message: String| DeleteError {
            key: o.key.clone(),
            version_id: o.version_id.clone(),
            code: code.into(),
            message,
        };
        if o.key.is_empty() || o.key.len() > MAX_KEY_LEN {
            errors.push(refuse("InvalidArgument", "Invalid key".into()));
        } else if o
            .version_id
            .as_deref()
            .is_some_and(|v| !valid_version_id(v))
        {
            errors.push(refuse(
                "NoSuchVersion",
                "The specified version does not exist.".into(),
            ));
        } else if let Err(denied) = access::authorize(
            ctx.principal.as_ref(),
            &bucket,
            &Check {
                action,
                need: Need::Write,
                key: Some(&o.key),
                list_prefix: None,
            },
            &facts,
            None,
        ) {
            // S3 reports refused keys one by one inside a 200 DeleteResult.
            errors.push(refuse(denied.code.as_str(), denied.message));
        } else {
            targets.push((o.key, o.version_id));
        }
    }
    // One batch, one lock check: the GOVERNANCE bypass holds only if the caller may bypass
    // it for every key of the batch.
    let lock = object_lock::lock_check(ctx, &bucket, targets.iter().map(|(k, _)| k.as_str()));
    let outcomes = ctx
        .server
        .meta
        .delete_objects(&bucket.name, &targets, lock)
        .await?;
    // Keys and versions that did not exist count as deleted (S3).
    let mut deleted = Vec::new();
    for ((key, asked), outcome) in targets.into_iter().zip(outcomes) {
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                let e = crate::error::S3Error::from(e);
                errors.push(DeleteError {
                    key,
                    version_id: asked,
                    code: e.code.as_str().into(),
                    message: e.message,
                });
                continue;
            }
        };
        let marker_id = outcome.delete_marker.then(|| {
            outcome
                .version_id
                .as_deref()
                .unwrap_or(NULL_VERSION)
                .to_string()
        });
        deleted.push(Deleted {
            key,
            delete_marker: outcome.delete_marker.then_some(true),
            // The marker made, or the marker version removed (S3 names it either way).
            delete_marker_version_id: marker_id,
            version_id: asked,
        });
    }
    let doc = DeleteResult {
        xmlns: xml::XMLNS,
        deleted: if quiet { Vec::new() } else { deleted },
        errors,
    };
    Ok(response::xml("DeleteResult", &doc))
}

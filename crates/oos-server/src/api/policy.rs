//! Bucket policies: PUT / GET / DELETE `?policy`. Evaluation lives in `access`.

use http::{Response, StatusCode};

use super::Ctx;
use crate::access::public_access::PublicAccessBlock;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, set_header, Body};
use crate::s3_error;

/// S3's limit on a bucket policy document.
pub const MAX_POLICY_BYTES: u64 = 20 * 1024;

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketPolicy", Need::Owner, None)
        .await?;
    let declared = ctx
        .header("content-length")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if declared > MAX_POLICY_BYTES {
        return Err(s3_error!(
            MalformedPolicy,
            "Policies cannot exceed {MAX_POLICY_BYTES} bytes in size."
        ));
    }
    let body = ctx.small_body(MAX_POLICY_BYTES).await?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| s3_error!(MalformedPolicy, "Policies must be valid UTF-8 JSON."))?;
    if text.trim().is_empty() {
        return Err(s3_error!(MissingRequestBodyError));
    }
    let policy =
        oos_policy::parse(text, &bucket.name).map_err(|e| s3_error!(MalformedPolicy, "{e}"))?;
    if PublicAccessBlock::of(&bucket).block_public_policy && policy.is_public() {
        return Err(s3_error!(
            AccessDenied,
            "Access Denied: the bucket's Block Public Access settings refuse a public policy."
        ));
    }
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, "policy", Some(text))
        .await?;
    Ok(response::status(StatusCode::NO_CONTENT))
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketPolicy", Need::Owner, None)
        .await?;
    let policy = bucket
        .config
        .into_iter()
        .find(|(k, _)| k == "policy")
        .map(|(_, v)| v)
        .ok_or_else(|| s3_error!(NoSuchBucketPolicy))?;
    let mut resp = Response::new(response::full(policy));
    set_header(&mut resp, "content-type", "application/json");
    Ok(resp)
}

/// 204 whether or not a policy was set (S3).
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:DeleteBucketPolicy", "policy")
        .await
}

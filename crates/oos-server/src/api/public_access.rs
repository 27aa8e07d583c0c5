//! Block Public Access (`?publicAccessBlock`) and GetBucketPolicyStatus (`?policyStatus`).
//! The settings are enforced in `access` (policy and ACL evaluation), `policy::put`
//! (BlockPublicPolicy) and wherever an ACL is set (BlockPublicAcls).

use http::{Response, StatusCode};
use oos_proto::xml::{self, PolicyStatus, PublicAccessBlockConfiguration};

use super::Ctx;
use crate::access::public_access::{PublicAccessBlock, CONFIG_KEY};
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;

/// A PublicAccessBlockConfiguration is four booleans.
const MAX_BODY: u64 = 16 * 1024;

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketPublicAccessBlock", Need::Owner, None)
        .await?;
    let body = ctx.small_body(MAX_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let doc: PublicAccessBlockConfiguration =
        xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    let block = PublicAccessBlock {
        block_public_acls: doc.block_public_acls,
        ignore_public_acls: doc.ignore_public_acls,
        block_public_policy: doc.block_public_policy,
        restrict_public_buckets: doc.restrict_public_buckets,
    };
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KEY, Some(&block.stored()?))
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketPublicAccessBlock", Need::Owner, None)
        .await?;
    let block = PublicAccessBlock::configured(&bucket)
        .ok_or_else(|| s3_error!(NoSuchPublicAccessBlockConfiguration))?;
    let doc = PublicAccessBlockConfiguration {
        xmlns: xml::XMLNS.to_string(),
        block_public_acls: block.block_public_acls,
        ignore_public_acls: block.ignore_public_acls,
        block_public_policy: block.block_public_policy,
        restrict_public_buckets: block.restrict_public_buckets,
    };
    Ok(response::xml("PublicAccessBlockConfiguration", &doc))
}

/// 204 whether or not settings were there (S3); S3 authorizes it as the PUT permission.
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:PutBucketPublicAccessBlock", CONFIG_KEY)
        .await
}

/// Whether the bucket policy is public (ACLs do not count, as in S3); no policy is
/// `NoSuchBucketPolicy`.
pub async fn policy_status(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketPolicyStatus", Need::Owner, None)
        .await?;
    let (_, text) = bucket
        .config
        .iter()
        .find(|(k, _)| k == "policy")
        .ok_or_else(|| s3_error!(NoSuchBucketPolicy))?;
    let is_public = oos_policy::parse(text, &bucket.name).is_ok_and(|p| p.is_public());
    let doc = PolicyStatus {
        xmlns: xml::XMLNS.to_string(),
        is_public,
    };
    Ok(response::xml("PolicyStatus", &doc))
}

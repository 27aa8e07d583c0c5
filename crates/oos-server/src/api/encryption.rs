//! Bucket default encryption (`?encryption`): PutBucketEncryption, GetBucketEncryption,
//! DeleteBucketEncryption. New objects without encryption headers are encrypted as the
//! default says (`sse::for_write`).

use http::{Response, StatusCode};
use oos_proto::xml::{
    self, EncryptionByDefault, EncryptionRule, ServerSideEncryptionConfiguration,
};

use super::Ctx;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;
use crate::sse::{BucketDefault, BUCKET_CONFIG, MODE_KMS, MODE_S3};

/// One rule of two short elements.
const MAX_BODY: u64 = 16 * 1024;

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutEncryptionConfiguration", Need::Owner, None)
        .await?;
    let body = ctx.small_body(MAX_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let doc: ServerSideEncryptionConfiguration =
        xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    let [rule] = doc.rules.as_slice() else {
        return Err(s3_error!(MalformedXML));
    };
    let Some(default) = &rule.default else {
        return Err(s3_error!(MalformedXML));
    };
    let kms_key_id = default.kms_master_key_id.clone().filter(|k| !k.is_empty());
    match default.sse_algorithm.as_str() {
        MODE_S3 if kms_key_id.is_some() => {
            return Err(s3_error!(
                InvalidArgument,
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse"
            ))
        }
        MODE_S3 | MODE_KMS => {}
        "aws:kms:dsse" => {
            return Err(s3_error!(
                NotImplemented,
                "Dual-layer server-side encryption (aws:kms:dsse) is not implemented."
            ))
        }
        _ => return Err(s3_error!(MalformedXML)),
    }
    let stored = BucketDefault {
        algorithm: default.sse_algorithm.clone(),
        kms_key_id,
        bucket_key: rule.bucket_key_enabled.unwrap_or(false),
    };
    let doc = serde_json::to_string(&stored)
        .map_err(|e| crate::error::S3Error::internal("encryption config", e))?;
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, BUCKET_CONFIG, Some(&doc))
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetEncryptionConfiguration", Need::Owner, None)
        .await?;
    let stored = BucketDefault::of(&bucket)
        .ok_or_else(|| s3_error!(ServerSideEncryptionConfigurationNotFoundError))?;
    let doc = ServerSideEncryptionConfiguration {
        xmlns: xml::XMLNS.to_string(),
        rules: vec![EncryptionRule {
            default: Some(EncryptionByDefault {
                sse_algorithm: stored.algorithm,
                kms_master_key_id: stored.kms_key_id,
            }),
            bucket_key_enabled: Some(stored.bucket_key),
        }],
    };
    Ok(response::xml("ServerSideEncryptionConfiguration", &doc))
}

/// 204 whether or not there was a default (S3), authorized as the PUT permission.
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:PutEncryptionConfiguration", BUCKET_CONFIG)
        .await
}

//! Bucket lifecycle: PUT / GET / DELETE `?lifecycle`, `x-amz-expiration`, and the expiry worker.

use http::Response;

use super::Ctx;
use crate::error::S3Result;
use crate::response::Body;
use crate::s3_error;

pub async fn get(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "lifecycle is being built."))
}

pub async fn put(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "lifecycle is being built."))
}

pub async fn delete(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "lifecycle is being built."))
}

/// The `x-amz-expiration` header value for an object a lifecycle rule will expire.
pub async fn expiration(
    _server: &crate::state::Server,
    _bucket: &oos_meta::Bucket,
    _object: &oos_meta::Object,
) -> Option<String> {
    None
}

/// The background worker that expires objects and aborts stale uploads.
pub fn spawn_worker(_server: std::sync::Arc<crate::state::Server>) {}

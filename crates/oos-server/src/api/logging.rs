//! Bucket access logging: PUT / GET `?logging`, access-log records and their delivery.

use http::Response;

use super::Ctx;
use crate::error::S3Result;
use crate::response::Body;
use crate::s3_error;

pub async fn get(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "logging is being built."))
}

pub async fn put(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "logging is being built."))
}

/// Records one request for its bucket's access log (when the bucket has logging enabled).
pub async fn record(
    _server: &crate::state::Server,
    _info: &crate::front::RequestInfo,
    _status: u16,
    _bytes_sent: u64,
    _elapsed: std::time::Duration,
) {
}

/// The background task that delivers batched log lines as objects.
pub fn spawn_delivery(_server: std::sync::Arc<crate::state::Server>) {}

//! Bucket CORS: PUT / GET / DELETE `?cors`, preflight `OPTIONS`, and CORS headers on responses.

use http::Response;

use super::Ctx;
use crate::error::S3Result;
use crate::response::Body;
use crate::s3_error;

pub async fn get(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "cors is being built."))
}

pub async fn put(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "cors is being built."))
}

pub async fn delete(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "cors is being built."))
}

pub async fn preflight(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "cors is being built."))
}

/// Adds the CORS headers of the matching rule of `info.bucket` to a response to a request
/// that carried an `Origin` header.
pub async fn decorate(
    _server: &crate::state::Server,
    _info: &crate::front::RequestInfo,
    _resp: &mut Response<Body>,
) {
}

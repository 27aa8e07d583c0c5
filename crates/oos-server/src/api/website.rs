//! Bucket website: PUT / GET / DELETE `?website` and serving on website hosts.

use http::Response;

use super::Ctx;
use crate::error::S3Result;
use crate::response::Body;
use crate::s3_error;

pub async fn get(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "website is being built."))
}

pub async fn put(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "website is being built."))
}

pub async fn delete(_ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    Err(s3_error!(NotImplemented, "website is being built."))
}

/// Serves a request on a website host (`{bucket}.{website domain}`): always a response, with
/// HTML error pages rather than XML.
pub async fn serve(
    _server: &crate::state::Server,
    _parts: http::request::Parts,
    _bucket: String,
    _remote: std::net::SocketAddr,
    _info: &mut crate::front::RequestInfo,
) -> Response<Body> {
    let mut resp = Response::new(crate::response::full(
        "<html><body><h1>501 Not Implemented</h1></body></html>",
    ));
    *resp.status_mut() = http::StatusCode::NOT_IMPLEMENTED;
    crate::response::set_header(&mut resp, "content-type", "text/html; charset=utf-8");
    resp
}

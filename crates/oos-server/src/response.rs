//! Response bodies and builders.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use serde::Serialize;

use crate::error::S3Error;

/// Every response body: a small buffer, or a stream of verified object bytes.
pub type Body = UnsyncBoxBody<Bytes, std::io::Error>;

pub fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed_unsync()
}

/// `200` with an XML document under `root`.
pub fn xml<T: Serialize>(root: &str, doc: &T) -> Response<Body> {
    xml_text(StatusCode::OK, oos_proto::xml::to_xml(root, doc))
}

pub fn xml_text(status: StatusCode, text: String) -> Response<Body> {
    let mut resp = Response::new(full(text));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    resp
}

pub fn status(status: StatusCode) -> Response<Body> {
    let mut resp = Response::new(empty());
    *resp.status_mut() = status;
    resp
}

/// The S3 `<Error>` document for `err`. HEAD responses carry no body (the status says it).
pub fn error_response(
    err: &S3Error,
    resource: &str,
    request_id: &str,
    head: bool,
) -> Response<Body> {
    let status =
        StatusCode::from_u16(err.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = if head || status == StatusCode::NOT_MODIFIED {
        crate::response::status(status)
    } else {
        let doc = oos_proto::xml::ErrorDocument {
            code: err.code.as_str(),
            message: &err.message,
            resource,
            request_id,
            host_id: request_id,
        };
        xml_text(status, oos_proto::xml::to_xml("Error", &doc))
    };
    for (name, value) in &err.headers {
        if let Ok(v) = HeaderValue::from_str(value) {
            resp.headers_mut().insert(*name, v);
        }
    }
    if status == StatusCode::SERVICE_UNAVAILABLE && !resp.headers().contains_key("retry-after") {
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from_static("1"));
    }
    resp
}

/// Sets a header from text, dropping values that are not valid header text.
pub fn set_header(resp: &mut Response<Body>, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(name, v);
    }
}

//! Bucket CORS: PUT / GET / DELETE `?cors`, preflight `OPTIONS`, and CORS headers on responses.
//!
//! The configuration is validated on PUT and kept in its canonical XML form under the bucket's
//! `cors` configuration key. Preflights are answered without authentication (browsers never
//! sign them); actual requests from an allowed origin get the CORS headers of the first
//! matching rule, error responses included, so that pages can read S3 errors.

pub(crate) mod rules;

use http::{HeaderMap, HeaderValue, Response, StatusCode};
use oos_meta::Bucket;

use self::rules::Rule;
use super::Ctx;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;

/// S3's limit on a CORS configuration document.
pub const MAX_CORS_BYTES: u64 = 64 * 1024;
/// The bucket configuration key the document is stored under.
const CONFIG_KEY: &str = "cors";
/// What a CORS answer depends on, for caches.
const VARY: &str = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketCORS", Need::Owner, None)
        .await?;
    ctx.require_integrity_header()?;
    let body = ctx.small_body(MAX_CORS_BYTES).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let rules = rules::parse(text)?;
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KEY, Some(&rules::to_xml(&rules)))
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketCORS", Need::Owner, None)
        .await?;
    let doc = stored(&bucket).ok_or_else(|| s3_error!(NoSuchCORSConfiguration))?;
    Ok(response::xml_text(StatusCode::OK, doc.to_string()))
}

/// 204 whether or not a configuration was set (S3). S3 checks `s3:PutBucketCORS` here.
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:PutBucketCORS", CONFIG_KEY)
        .await
}

/// A preflight `OPTIONS` on a bucket or object URL. Checks in S3's order: the `Origin`
/// header, the bucket, its configuration, the requested method, then the rules.
pub async fn preflight(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    preflight_for(ctx.server, ctx.bucket_name(), &ctx.parts.headers).await
}

/// The preflight answer for `bucket_name` (S3 bucket URLs and website hosts alike).
pub async fn preflight_for(
    server: &crate::state::Server,
    bucket_name: &str,
    request_headers: &http::HeaderMap,
) -> S3Result<Response<Body>> {
    let header = |name: &str| request_headers.get(name).and_then(|v| v.to_str().ok());
    let origin = header("origin").ok_or_else(|| {
        s3_error!(
            BadRequest,
            "Insufficient information. Origin request header needed."
        )
    })?;
    let bucket = server
        .meta
        .get_bucket(bucket_name)
        .await?
        .ok_or_else(|| s3_error!(AccessForbidden, "CORSResponse: Bucket not found"))?;
    let rules = stored(&bucket)
        .and_then(|doc| rules::parse(doc).ok())
        .ok_or_else(|| {
            s3_error!(
                AccessForbidden,
                "CORSResponse: CORS is not enabled for this bucket."
            )
        })?;
    let method = header("access-control-request-method")
        .filter(|m| !m.is_empty())
        .ok_or_else(|| s3_error!(BadRequest, "Invalid Access-Control-Request-Method: null"))?;
    let requested: Vec<String> = request_headers
        .get_all("access-control-request-headers")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    let requested_refs: Vec<&str> = requested.iter().map(String::as_str).collect();
    let rule = rules::find(&rules, origin, method, &requested_refs)
        .ok_or_else(|| s3_error!(AccessForbidden))?;
    let mut resp = response::status(StatusCode::OK);
    let headers = resp.headers_mut();
    allow(headers, rule, origin);
    if !requested.is_empty() {
        put_header(
            headers,
            "access-control-allow-headers",
            &requested.join(", "),
        );
    }
    put_header(headers, "content-length", "0");
    Ok(resp)
}

/// Adds the CORS headers of the matching rule of `info.bucket` to a response to a request
/// that carried an `Origin` header. One metadata read; nothing when the bucket has no
/// configuration. Preflights answer for themselves.
pub async fn decorate(
    server: &crate::state::Server,
    info: &crate::front::RequestInfo,
    resp: &mut Response<Body>,
) {
    let (Some(origin), Some(bucket)) = (&info.origin, &info.bucket) else {
        return;
    };
    if info.method == "OPTIONS" {
        return;
    }
    let bucket = match &info.bucket_row {
        Some(b) if b.name == *bucket => b.clone(),
        _ => match server.meta.get_bucket(bucket).await {
            Ok(Some(b)) => b,
            _ => return,
        },
    };
    let Some(rules) = stored(&bucket).and_then(|doc| rules::parse(doc).ok()) else {
        return;
    };
    let headers = resp.headers_mut();
    let method = info.cors_request_method.as_deref().unwrap_or(&info.method);
    match rules::find(&rules, origin, method, &[]) {
        Some(rule) => allow(headers, rule, origin),
        // The answer still depends on the origin: caches must not reuse it for another.
        None => add_vary(headers),
    }
}

/// The headers that grant `origin` what `rule` allows.
fn allow(headers: &mut HeaderMap, rule: &Rule, origin: &str) {
    let allow_origin = rule.allow_origin(origin);
    put_header(headers, "access-control-allow-origin", allow_origin);
    if allow_origin != "*" {
        put_header(headers, "access-control-allow-credentials", "true");
    }
    put_header(
        headers,
        "access-control-allow-methods",
        &rule.methods.join(", "),
    );
    if !rule.expose.is_empty() {
        put_header(
            headers,
            "access-control-expose-headers",
            &rule.expose.join(", "),
        );
    }
    if let Some(age) = rule.max_age {
        put_header(headers, "access-control-max-age", &age.to_string());
    }
    add_vary(headers);
}

/// Sets `Vary`, keeping what a handler may have put there already.
fn add_vary(headers: &mut HeaderMap) {
    let value = match headers.get("vary").and_then(|v| v.to_str().ok()) {
        Some(old) if !old.is_empty() && !old.contains("Origin") => format!("{old}, {VARY}"),
        Some(old) if !old.is_empty() => old.to_string(),
        _ => VARY.to_string(),
    };
    put_header(headers, "vary", &value);
}

fn put_header(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

/// The stored configuration document of `bucket`, if any.
fn stored(bucket: &Bucket) -> Option<&str> {
    bucket
        .config
        .iter()
        .find(|(k, _)| k == CONFIG_KEY)
        .map(|(_, v)| v.as_str())
}

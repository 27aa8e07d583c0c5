//! The web portal at `/_portal/` (and on `portal_listen`): a page and its script, embedded in
//! the binary, and a small JSON API for sessions. Everything the portal does to buckets,
//! objects, settings and keys goes through the S3, IAM and admin APIs themselves: the script
//! calls `/_portal/s3/…`, `/_portal/iam` and `/_portal/admin/…`, which run the same
//! dispatcher as signed requests with the session's key as the caller. So a portal user can
//! do exactly what that key can do with any S3 client, and nothing else.
//!
//! Sessions are an `HttpOnly; SameSite=Strict` cookie naming a server-side session (the
//! secret never reaches the browser after login); every state change carries the session's
//! CSRF token in `X-OOS-CSRF`; failed logins are throttled per address and per key.

mod session;

use std::net::SocketAddr;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, Method, Response, StatusCode};
use hyper::body::Incoming;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::error::{S3Error, S3Result};
use crate::front::{Caller, RequestInfo};
use crate::response::{self, set_header, Body};
use crate::route::parse_target;
use crate::state::{Principal, Server};

pub use session::Sessions;
use session::{Session, SESSION_TTL};

const COOKIE: &str = "oos_portal";
const CSRF_HEADER: &str = "x-oos-csrf";
/// JSON bodies of the portal API (login, share) and IAM forms.
const MAX_JSON: usize = 16 * 1024;

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

/// Routes one request under `/_portal` (`rest` is the path after that prefix);
/// `portal_listener` says it came on `portal_listen` rather than the S3 listener.
pub async fn handle(
    server: &Server,
    parts: Parts,
    incoming: Incoming,
    remote: SocketAddr,
    info: &mut RequestInfo,
    rest: &str,
    portal_listener: bool,
) -> (&'static str, S3Result<Response<Body>>) {
    let (op, mut result) =
        route(server, parts, incoming, remote, info, rest, portal_listener).await;
    if let Ok(resp) = &mut result {
        harden(resp);
    }
    (op, result)
}

async fn route(
    server: &Server,
    parts: Parts,
    incoming: Incoming,
    remote: SocketAddr,
    info: &mut RequestInfo,
    rest: &str,
    portal_listener: bool,
) -> (&'static str, S3Result<Response<Body>>) {
    let method = parts.method.clone();
    match (&method, rest) {
        (_, "") => ("Portal", Ok(redirect_home())),
        (&Method::GET, "/static/app.js") => (
            "Portal",
            Ok(asset(APP_JS, "text/javascript; charset=utf-8")),
        ),
        (&Method::GET, "/static/app.css") => {
            ("Portal", Ok(asset(APP_CSS, "text/css; charset=utf-8")))
        }
        (&Method::POST, "/api/login") => (
            "PortalLogin",
            login(server, &parts, incoming, remote.ip()).await,
        ),
        (_, r)
            if r.starts_with("/api/")
                || r == "/iam"
                || r.starts_with("/s3/")
                || r.starts_with("/admin/") =>
        {
            let session = match current_session(server, &parts).await {
                Ok(s) => s,
                Err(e) => return ("Portal", Err(e)),
            };
            let (id, session, principal) = session;
            let changes = !matches!(method, Method::GET | Method::HEAD);
            if changes && !session.csrf_matches(header(&parts.headers, CSRF_HEADER)) {
                return (
                    "Portal",
                    Err(crate::s3_error!(
                        AccessDenied,
                        "Missing or wrong CSRF token (X-OOS-CSRF)."
                    )),
                );
            }
            if let Some(s3_path) = r.strip_prefix("/s3") {
                return s3_proxy(server, parts, incoming, remote, info, s3_path, principal).await;
            }
            let result = match (&method, r) {
                (&Method::GET, "/api/session") => {
                    json(StatusCode::OK, &me(server, &session, &principal))
                }
                (&Method::POST, "/api/logout") => {
                    server.portal.remove(&id);
                    let mut resp = response::status(StatusCode::NO_CONTENT);
                    set_cookie(&mut resp, server, "", 0);
                    Ok(resp)
                }
                (&Method::GET, "/api/buckets") => buckets(server, &principal).await,
                (&Method::POST, "/api/share") => {
                    // Links must reach the S3 listener, which the portal's own does not serve.
                    let base = if portal_listener {
                        server.s3_endpoint.clone()
                    } else {
                        let scheme = if server.config.tls.is_some() {
                            "https"
                        } else {
                            "http"
                        };
                        let host = header(&parts.headers, "host")
                            .map(str::to_string)
                            .unwrap_or_else(|| server.config.listen.to_string());
                        format!("{scheme}://{host}")
                    };
                    share(server, &base, incoming, &principal).await
                }
                (&Method::POST, "/iam") => {
                    iam(server, incoming, &principal, &info.request_id).await
                }
                (_, r) if r.starts_with("/admin/") => {
                    let rest = r.trim_start_matches("/admin/").to_string();
                    crate::api::admin::handle(server, Some(&principal), &parts, incoming, &rest)
                        .await
                }
                _ => Err(crate::s3_error!(MethodNotAllowed)),
            };
            ("Portal", result)
        }
        (&Method::GET | &Method::HEAD, _) => ("Portal", Ok(page(server, &parts.headers))),
        _ => ("Portal", Err(crate::s3_error!(MethodNotAllowed))),
    }
}

/// `/` on the portal-only listener, and `/_portal` without the slash.
pub fn redirect_home() -> Response<Body> {
    let mut resp = response::status(StatusCode::FOUND);
    set_header(&mut resp, "location", "/_portal/");
    resp
}

/// Headers every portal response carries: no framing, no sniffing, scripts only from here.
fn harden(resp: &mut Response<Body>) {
    set_header(
        resp,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    );
    set_header(resp, "x-frame-options", "DENY");
    set_header(resp, "x-content-type-options", "nosniff");
    set_header(resp, "referrer-policy", "same-origin");
    if !resp.headers().contains_key("cache-control") {
        set_header(resp, "cache-control", "no-store");
    }
}

fn asset(text: &'static str, content_type: &str) -> Response<Body> {
    let mut resp = Response::new(response::full(Bytes::from_static(text.as_bytes())));
    set_header(&mut resp, "content-type", content_type);
    set_header(&mut resp, "cache-control", "no-cache");
    resp
}

/// The page, in the language of the `oos_lang` cookie or else `Accept-Language`.
fn page(server: &Server, headers: &HeaderMap) -> Response<Body> {
    let lang = language(headers);
    let html = INDEX_HTML
        .replace("{{lang}}", lang)
        .replace("{{version}}", env!("CARGO_PKG_VERSION"))
        .replace(
            "{{region}}",
            &quick_xml::escape::escape(&server.config.region),
        );
    let mut resp = Response::new(response::full(html));
    set_header(&mut resp, "content-type", "text/html; charset=utf-8");
    resp
}

/// `zh-CN` or `en`: the user's switch (a cookie) first, then the browser's preference.
pub fn language(headers: &HeaderMap) -> &'static str {
    if let Some(choice) = cookie(headers, "oos_lang") {
        return if choice.starts_with("zh") {
            "zh-CN"
        } else {
            "en"
        };
    }
    let accept = header(headers, "accept-language").unwrap_or("");
    let mut best = ("en", -1.0f32);
    for item in accept.split(',') {
        let mut pieces = item.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse().ok()))
            .unwrap_or(1.0);
        let lang = if tag.starts_with("zh") {
            "zh-CN"
        } else if tag.starts_with("en") {
            "en"
        } else {
            continue;
        };
        if q > best.1 {
            best = (lang, q);
        }
    }
    best.0
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(resp: &mut Response<Body>, server: &Server, value: &str, max_age: u64) {
    let secure = if server.config.tls.is_some() {
        "; Secure"
    } else {
        ""
    };
    set_header(
        resp,
        "set-cookie",
        &format!(
            "{COOKIE}={value}; Path=/_portal/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
        ),
    );
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> S3Result<Response<Body>> {
    let body = serde_json::to_vec(value).map_err(|e| S3Error::internal("portal JSON", e))?;
    let mut resp = Response::new(response::full(body));
    *resp.status_mut() = status;
    set_header(&mut resp, "content-type", "application/json");
    Ok(resp)
}

async fn read_body(server: &Server, incoming: Incoming) -> S3Result<Bytes> {
    crate::body::read_small(incoming, MAX_JSON, server.config.connections.body_timeout).await
}

async fn read_json<T: serde::de::DeserializeOwned>(
    server: &Server,
    incoming: Incoming,
) -> S3Result<T> {
    let body = read_body(server, incoming).await?;
    serde_json::from_slice(&body).map_err(|e| crate::s3_error!(InvalidArgument, "{e}"))
}

/// The session of the request's cookie, with its key's principal looked up now.
async fn current_session(server: &Server, parts: &Parts) -> S3Result<(String, Session, Principal)> {
    let denied = || crate::s3_error!(AccessDenied, "Please sign in to the portal.");
    let id = cookie(&parts.headers, COOKIE)
        .filter(|v| !v.is_empty())
        .ok_or_else(denied)?;
    let session = server.portal.get(id).ok_or_else(denied)?;
    let (principal, _) = crate::auth::lookup(server, &session.access_key_id)
        .await
        .map_err(|_| denied())?;
    Ok((id.to_string(), session, principal))
}

#[derive(Serialize)]
struct Me {
    account: String,
    canonical_id: String,
    access_key: String,
    primary: bool,
    root: bool,
    csrf: String,
    region: String,
    version: &'static str,
}

fn me(server: &Server, session: &Session, p: &Principal) -> Me {
    Me {
        account: p.account.name.clone(),
        canonical_id: p.account.id.clone(),
        access_key: p.access_key_id.clone(),
        primary: p.primary,
        root: server.is_root(Some(p)),
        csrf: session.csrf.clone(),
        region: server.config.region.clone(),
        version: env!("CARGO_PKG_VERSION"),
    }
}

#[derive(Deserialize)]
struct LoginRequest {
    access_key: String,
    secret_key: String,
}

async fn login(
    server: &Server,
    parts: &Parts,
    incoming: Incoming,
    ip: std::net::IpAddr,
) -> S3Result<Response<Body>> {
    // JSON only: a cross-site form cannot send it without a CORS preflight, so no other
    // site can sign a visitor in to an account of its choosing.
    if !header(&parts.headers, "content-type").is_some_and(|c| c.starts_with("application/json")) {
        return Err(crate::s3_error!(
            InvalidArgument,
            "Sign-in takes a JSON body (Content-Type: application/json)."
        ));
    }
    let req: LoginRequest = read_json(server, incoming).await?;
    let wait = server.portal.throttled_for(ip, &req.access_key);
    if wait > 0 {
        let mut resp = json(
            StatusCode::TOO_MANY_REQUESTS,
            &serde_json::json!({
                "code": "TooManyAttempts",
                "error": format!("Too many failed sign-ins; try again in {wait} s."),
            }),
        )?;
        set_header(&mut resp, "retry-after", &wait.to_string());
        return Ok(resp);
    }
    let verified = match crate::auth::lookup(server, &req.access_key).await {
        Ok((principal, secret)) => {
            bool::from(secret.as_bytes().ct_eq(req.secret_key.as_bytes())).then_some(principal)
        }
        Err(_) => None,
    };
    let Some(principal) = verified else {
        server.portal.record_failure(ip, &req.access_key);
        tracing::warn!(%ip, "portal sign-in failed");
        return json(
            StatusCode::UNAUTHORIZED,
            &serde_json::json!({
                "code": "InvalidCredentials",
                "error": "The access key or secret is wrong, or the key is inactive.",
            }),
        );
    };
    server.portal.record_success(&req.access_key);
    let (id, session) = server.portal.create(&principal.access_key_id);
    let mut resp = json(StatusCode::OK, &me(server, &session, &principal))?;
    set_cookie(&mut resp, server, &id, SESSION_TTL.as_secs());
    Ok(resp)
}

/// `/_portal/s3/{bucket}/{key}?…`: the S3 request as the session's key made it.
async fn s3_proxy(
    server: &Server,
    mut parts: Parts,
    incoming: Incoming,
    remote: SocketAddr,
    info: &mut RequestInfo,
    path: &str,
    principal: Principal,
) -> (&'static str, S3Result<Response<Body>>) {
    let path = if path.is_empty() { "/" } else { path };
    let uri = match parts.uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    parts.uri = match uri.parse() {
        Ok(u) => u,
        Err(_) => return ("Portal", Err(crate::s3_error!(InvalidURI))),
    };
    parts.headers.remove("authorization");
    // Path style, whatever host the portal was reached on.
    let target = parse_target(None, parts.uri.path(), &[]);
    crate::front::dispatch_s3(
        server,
        parts,
        incoming,
        remote,
        info,
        target,
        Caller::Session(principal),
    )
    .await
}

async fn iam(
    server: &Server,
    incoming: Incoming,
    principal: &Principal,
    request_id: &str,
) -> S3Result<Response<Body>> {
    let body = read_body(server, incoming).await?;
    crate::api::iam::handle_as(server, principal, &body, request_id).await
}

#[derive(Serialize)]
struct BucketRow {
    name: String,
    created: String,
    objects: u64,
    bytes: u64,
}

/// The caller's buckets with their object counts and sizes (running totals, so this stays
/// fast for buckets with millions of keys).
async fn buckets(server: &Server, principal: &Principal) -> S3Result<Response<Body>> {
    crate::access::check_key_scope(Some(principal), None, None)?;
    let mut rows = Vec::new();
    for b in server.meta.list_buckets(&principal.account.id).await? {
        let usage = server.meta.bucket_usage(&b.name).await?;
        rows.push(BucketRow {
            created: oos_proto::time_fmt::iso8601_millis(b.created),
            name: b.name,
            objects: usage.objects,
            bytes: usage.bytes,
        });
    }
    json(StatusCode::OK, &rows)
}

#[derive(Deserialize)]
struct ShareRequest {
    bucket: String,
    key: String,
    /// Seconds the link is valid (1 s to 7 days; default 15 minutes, as the SDK guide's).
    #[serde(default)]
    expires: Option<u64>,
    /// Download speed of the link in KiB/s (OOS `x-amz-limit`), signed into it.
    #[serde(default)]
    rate: Option<u64>,
}

/// A presigned GET (SigV4, signed with the session's key) for sharing: the OOS shared link.
async fn share(
    server: &Server,
    base: &str,
    incoming: Incoming,
    principal: &Principal,
) -> S3Result<Response<Body>> {
    let req: ShareRequest = read_json(server, incoming).await?;
    let expires = req.expires.unwrap_or(900);
    if !(1..=oos_sign::MAX_PRESIGN_EXPIRES).contains(&expires) {
        return Err(crate::s3_error!(
            InvalidArgument,
            "The expiry must be between 1 second and 7 days."
        ));
    }
    if req.rate == Some(0) {
        return Err(crate::s3_error!(
            InvalidArgument,
            "x-amz-limit invalid.The input should be positive integer."
        ));
    }
    let (_, secret) = crate::auth::lookup(server, &principal.access_key_id).await?;
    let host = base.split_once("://").map(|(_, h)| h).unwrap_or(base);
    let path = format!(
        "/{}/{}",
        oos_sign::uri_encode(req.bucket.as_bytes(), false),
        oos_sign::uri_encode(req.key.as_bytes(), true)
    );
    let query = req
        .rate
        .map(|r| {
            format!(
                "x-amz-limit={}",
                oos_sign::uri_encode(format!("rate={r}").as_bytes(), false)
            )
        })
        .unwrap_or_default();
    let mut headers = HeaderMap::new();
    headers.insert(
        "host",
        host.parse()
            .map_err(|_| crate::s3_error!(InvalidArgument, "bad Host header"))?,
    );
    let params = oos_sign::SigningParams::new(
        &principal.access_key_id,
        &secret,
        &server.config.region,
        "s3",
        time::OffsetDateTime::now_utc(),
    );
    let signed = oos_sign::presign_v4(&params, "GET", &path, &query, &headers, expires)
        .map_err(|e| crate::s3_error!(InvalidArgument, "{e}"))?;
    json(
        StatusCode::OK,
        &serde_json::json!({ "url": format!("{base}{path}?{signed}") }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn language_from_cookie_then_accept_language() {
        assert_eq!(language(&headers(&[])), "en");
        assert_eq!(
            language(&headers(&[("accept-language", "zh-CN,zh;q=0.9,en;q=0.8")])),
            "zh-CN"
        );
        assert_eq!(
            language(&headers(&[("accept-language", "fr, en;q=0.5, zh;q=0.4")])),
            "en"
        );
        assert_eq!(
            language(&headers(&[
                ("accept-language", "zh-CN"),
                ("cookie", "a=b; oos_lang=en")
            ])),
            "en"
        );
    }

    #[test]
    fn cookies_by_name() {
        let h = headers(&[("cookie", "x=1; oos_portal=abc"), ("cookie", "y=2")]);
        assert_eq!(cookie(&h, "oos_portal"), Some("abc"));
        assert_eq!(cookie(&h, "y"), Some("2"));
        assert_eq!(cookie(&h, "z"), None);
    }
}

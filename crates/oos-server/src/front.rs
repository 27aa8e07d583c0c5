//! The front: listener (plain or TLS), connections, the request pipeline of DESIGN §2 (request
//! id → route → endpoint → authenticate → dispatch → one error mapping), metrics, and
//! graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::api::{self, Ctx};
use crate::auth::authenticate;
use crate::config::IpNet;
use crate::connections::{self, ConnectionGate};
use crate::error::{S3Error, S3Result};
use crate::response::{self, error_response, set_header, Body};
use crate::route::{parse_target, Endpoint, Query, Target};
use crate::s3_error;
use crate::state::Server;

/// How long shutdown waits for in-flight requests.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// Hard bound on the request head that hyper buffers; larger heads get `431`.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// S3's bound on the header section (names and values); larger gets `400`.
const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Bound on the number of request headers.
const MAX_HEADERS: usize = 100;

/// Which API a listener serves: everything (S3, IAM by signing scope, admin), or only the
/// IAM AccessKey API (the optional `iam_listen` address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Main,
    IamOnly,
    /// Only the web portal (the optional `portal_listen` address).
    PortalOnly,
}

pub async fn serve(
    server: Arc<Server>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    role: Role,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let limits = server.config.connections;
    let gate = ConnectionGate::new(limits);
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // A trusted proxy carries many clients: only the listener's total caps it.
        let exempt = IpNet::any_contains(&server.config.trusted_proxies, remote.ip());
        let Some(permit) = gate.admit(remote.ip(), exempt) else {
            metrics::counter!("oos_connections_refused_total").increment(1);
            drop(stream);
            continue;
        };
        // Small responses must not wait for delayed ACKs (Nagle).
        let _ = stream.set_nodelay(true);
        let stream = connections::with_send_deadline(stream, &limits);
        let server = server.clone();
        let service = service_fn(move |req| handle(server.clone(), req, remote, role));
        let mut builder = http1::Builder::new();
        builder
            .max_buf_size(MAX_HEAD_BYTES)
            .max_headers(MAX_HEADERS)
            .keep_alive(true)
            .timer(TokioTimer::new())
            .header_read_timeout(limits.head_timeout);
        match &tls {
            None => {
                let conn = builder.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    let _permit = permit;
                    if let Err(e) = conn.await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let _permit = permit;
                    // The TLS handshake is part of the request head's time.
                    let handshake =
                        tokio::time::timeout(limits.head_timeout, acceptor.accept(stream));
                    let stream = match handshake
                        .await
                        .unwrap_or_else(|_| Err(std::io::Error::from(std::io::ErrorKind::TimedOut)))
                    {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::debug!(error = %e, "TLS handshake failed");
                            return;
                        }
                    };
                    let conn = builder.serve_connection(TokioIo::new(stream), service);
                    if let Err(e) = watcher.watch(conn).await {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                });
            }
        }
    }
    drop(listener);
    tracing::info!("shutting down: finishing in-flight requests");
    tokio::select! {
        _ = graceful.shutdown() => tracing::info!("all connections closed"),
        _ = tokio::time::sleep(DRAIN_TIMEOUT) => tracing::warn!("shutdown timed out with connections open"),
    }
}

/// What the pipeline learned about a request, for the hooks that run on every response
/// (CORS headers, access-log records).
#[derive(Debug, Default, Clone)]
pub struct RequestInfo {
    pub request_id: String,
    pub op: &'static str,
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// Canonical id of the authenticated account.
    pub requester: Option<String>,
    pub access_key_id: Option<String>,
    pub remote: Option<SocketAddr>,
    pub method: String,
    /// Request-URI as sent (path and query).
    pub uri: String,
    pub http_version: String,
    pub host: Option<String>,
    pub origin: Option<String>,
    /// `Access-Control-Request-Method`: on a request that is not a preflight, S3 matches the
    /// CORS rules with it instead of the request's method.
    pub cors_request_method: Option<String>,
    pub user_agent: Option<String>,
    pub referer: Option<String>,
    /// Wall-clock time the request arrived (Unix ms).
    pub received_ms: i64,
    pub tls: bool,
    /// `SigV4` / `SigV2` for header-signed requests (from the Authorization header).
    pub header_signature: Option<&'static str>,
    /// The addressed bucket as the handler loaded it, so the hooks need no second read.
    pub bucket_row: Option<oos_meta::Bucket>,
    /// The S3 error code of a failed request.
    pub error_code: Option<&'static str>,
}

/// The client a request comes from. A peer in `trusted_proxies` (a reverse proxy or CDN)
/// speaks for the client in `X-Forwarded-For`: the rightmost address that is not itself a
/// trusted proxy is the client. Anyone else is judged by the peer address, so a client
/// cannot choose its own address by sending the header.
pub fn client_address(
    trusted: &[IpNet],
    peer: SocketAddr,
    headers: &http::HeaderMap,
) -> SocketAddr {
    let is_trusted = |ip: std::net::IpAddr| IpNet::any_contains(trusted, ip);
    if trusted.is_empty() || !is_trusted(peer.ip()) {
        return peer;
    }
    let mut client = peer.ip();
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<std::net::IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    SocketAddr::new(client, peer.port())
}

fn new_request_id() -> String {
    hex::encode_upper(rand::random::<[u8; 8]>())
}

async fn handle(
    server: Arc<Server>,
    req: Request<Incoming>,
    remote: SocketAddr,
    role: Role,
) -> Result<Response<Body>, Infallible> {
    let request_id = new_request_id();
    let started = Instant::now();
    let remote = client_address(&server.config.trusted_proxies, remote, req.headers());
    let head = req.method() == Method::HEAD;
    let resource = req.uri().path().to_string();
    let bytes_in = content_length(req.headers());
    // aws-cli v1 (botocore before #3755) sends `Expect: 100-continue` on zero-byte PUTs. A
    // final answer without a 100 is valid HTTP, but that client then misreads the next
    // response on the connection and waits out its 60 s read timeout; closing the connection
    // after such a response costs one reconnect instead.
    let close_after = bytes_in == 0
        && req
            .headers()
            .get(http::header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    // A request with a body refused with an error may leave that body unread on the socket;
    // closing the connection keeps it from being parsed as the next request.
    let has_body = bytes_in > 0 || req.headers().contains_key(http::header::TRANSFER_ENCODING);
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut info = RequestInfo {
        request_id: request_id.clone(),
        remote: Some(remote),
        method: req.method().to_string(),
        uri: req.uri().to_string(),
        http_version: format!("{:?}", req.version()),
        host: header("host"),
        origin: header("origin"),
        cors_request_method: header("access-control-request-method"),
        user_agent: header("user-agent"),
        referer: header("referer"),
        received_ms: crate::state::now_millis(),
        tls: server.config.tls.is_some(),
        header_signature: req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                if v.starts_with("AWS4-") {
                    Some("SigV4")
                } else if v.starts_with("AWS ") {
                    Some("SigV2")
                } else {
                    None
                }
            }),
        ..Default::default()
    };
    let (op, result) = if role == Role::IamOnly {
        let (parts, incoming) = req.into_parts();
        (
            "IAM",
            api::iam::handle(&server, parts, incoming, &request_id).await,
        )
    } else if role == Role::PortalOnly {
        let (parts, incoming) = req.into_parts();
        let rest = parts
            .uri
            .path()
            .strip_prefix("/_portal")
            .map(str::to_string);
        match rest {
            Some(rest) => {
                crate::portal::handle(&server, parts, incoming, remote, &mut info, &rest, true)
                    .await
            }
            None => ("Portal", Ok(crate::portal::redirect_home())),
        }
    } else {
        process(&server, req, remote, &request_id, &mut info).await
    };
    info.op = op;
    let mut resp = match result {
        Ok(resp) => resp,
        Err(err) => {
            if err.code.status() >= 500 && err.code != oos_proto::ErrorCode::NotImplemented {
                tracing::warn!(request_id, op, code = err.code.as_str(), "request failed");
            }
            info.error_code = Some(err.code.as_str());
            error_response(&err, &resource, &request_id, head)
        }
    };
    // CORS headers go on every response to a matching origin, errors included.
    if let (Some(_), Some(_)) = (&info.origin, &info.bucket) {
        api::cors::decorate(&server, &info, &mut resp).await;
    }
    set_header(&mut resp, oos_proto::headers::X_AMZ_REQUEST_ID, &request_id);
    set_header(&mut resp, oos_proto::headers::X_AMZ_ID_2, &request_id);
    set_header(&mut resp, "server", "OOS");
    if close_after || (has_body && resp.status().as_u16() >= 400) {
        set_header(&mut resp, "connection", "close");
    }
    let bytes_out = if head {
        0
    } else {
        // Buffered bodies (XML documents, errors) know their size without a header.
        http_body::Body::size_hint(resp.body())
            .exact()
            .unwrap_or_else(|| content_length(resp.headers()))
    };
    server.metrics.record(
        op,
        resp.status().as_u16(),
        started.elapsed(),
        bytes_in,
        bytes_out,
    );
    let status = resp.status().as_u16();
    api::logging::record(&server, &info, status, bytes_out, started.elapsed()).await;
    Ok(resp)
}

fn content_length(headers: &http::HeaderMap) -> u64 {
    headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The pipeline. Returns the operation name (for metrics) with the outcome.
async fn process(
    server: &Server,
    req: Request<Incoming>,
    remote: SocketAddr,
    request_id: &str,
    info: &mut RequestInfo,
) -> (&'static str, S3Result<Response<Body>>) {
    let (parts, incoming) = req.into_parts();
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ("Unknown", Err(s3_error!(RequestHeaderSectionTooLarge)));
    }
    let host = parts
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| parts.uri.host().map(str::to_string));
    if crate::auth::is_iam_request(&parts) {
        return (
            "IAM",
            api::iam::handle(server, parts, incoming, request_id).await,
        );
    }
    if let Some(bucket) = website_bucket(host.as_deref(), &server.config) {
        info.bucket = Some(bucket.clone());
        return (
            "Website",
            Ok(api::website::serve(server, parts, bucket, remote, info).await),
        );
    }
    let target = parse_target(host.as_deref(), parts.uri.path(), &server.config.domains);
    let service_root = matches!(&target, Ok(Target { bucket: None, .. }));
    if service_root && parts.uri.query().is_none() && crate::auth::is_v2_iam_request(&parts) {
        return (
            "IAM",
            api::iam::handle(server, parts, incoming, request_id).await,
        );
    }
    let virtual_host = matches!(
        &target,
        Ok(Target {
            virtual_host: true,
            ..
        })
    );
    if let Some(rest) = parts
        .uri
        .path()
        .strip_prefix("/_portal")
        .filter(|_| !virtual_host)
    {
        let rest = rest.to_string();
        return crate::portal::handle(server, parts, incoming, remote, info, &rest, false).await;
    }
    if let Some(rest) = parts.uri.path().strip_prefix("/_admin/") {
        let fallback = Target {
            bucket: None,
            key: None,
            virtual_host: false,
        };
        let principal = match authenticate(server, &parts, &fallback).await {
            Ok(a) => a.principal,
            Err(e) => return ("Admin", Err(e)),
        };
        let rest = rest.to_string();
        return (
            "Admin",
            api::admin::handle(server, principal.as_ref(), &parts, incoming, &rest).await,
        );
    }

    if let Ok(Target {
        bucket: Some(b),
        key,
        virtual_host: false,
    }) = &target
    {
        match (b.as_str(), key) {
            ("_health", None) => return ("Health", Ok(health(&parts.method))),
            ("_metrics", None) => {
                let auth = authenticate(server, &parts, target.as_ref().expect("matched Ok")).await;
                return (
                    "Metrics",
                    metrics(
                        server,
                        &parts.method,
                        auth.ok().and_then(|a| a.principal),
                        remote,
                    )
                    .await,
                );
            }
            _ => {}
        }
    }

    dispatch_s3(
        server,
        parts,
        incoming,
        remote,
        info,
        target,
        Caller::Signed,
    )
    .await
}

/// Who makes an S3 request.
pub(crate) enum Caller {
    /// Whoever signed it (or anonymous).
    Signed,
    /// A portal session's key: authenticated by the session, the body unsigned.
    Session(crate::state::Principal),
}

/// Routes, authenticates and dispatches an S3 request addressed to `target`.
pub(crate) async fn dispatch_s3(
    server: &Server,
    parts: http::request::Parts,
    incoming: Incoming,
    remote: SocketAddr,
    info: &mut RequestInfo,
    target: Result<Target, S3Error>,
    caller: Caller,
) -> (&'static str, S3Result<Response<Body>>) {
    if let Ok(t) = &target {
        info.bucket = t.bucket.clone();
        info.key = t.key.clone();
    }
    // Routing errors are reported after authentication errors, as S3 does.
    let query = Query::parse(parts.uri.query().unwrap_or(""));
    let routed = match (&target, &query) {
        (Ok(t), Ok(q)) => Endpoint::parse(&parts.method, t, q, &parts.headers),
        (Err(e), _) | (_, Err(e)) => Err(S3Error::with_message(e.code, e.message.clone())),
    };
    let op = routed.as_ref().map(Endpoint::name).unwrap_or("Unknown");
    let fallback = Target {
        bucket: None,
        key: None,
        virtual_host: false,
    };
    let auth = match caller {
        Caller::Session(principal) => crate::auth::Authenticated {
            principal: Some(principal),
            payload: oos_sign::PayloadMode::Unsigned,
        },
        // Browsers never sign preflights; the query of a presigned URL signs the actual request.
        Caller::Signed if matches!(routed, Ok(Endpoint::CorsPreflight)) => {
            crate::auth::Authenticated {
                principal: None,
                payload: oos_sign::PayloadMode::Unsigned,
            }
        }
        Caller::Signed => {
            match authenticate(server, &parts, target.as_ref().unwrap_or(&fallback)).await {
                Ok(a) => a,
                Err(e) => return (op, Err(e)),
            }
        }
    };
    if let Some(p) = &auth.principal {
        info.requester = Some(p.account.id.clone());
        info.access_key_id = Some(p.access_key_id.clone());
    }
    let (endpoint, target, query) = match (routed, target, query) {
        (Ok(e), Ok(t), Ok(q)) => (e, t, q),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return (op, Err(e)),
    };
    let mut ctx = Ctx::new(
        server,
        remote,
        auth.principal,
        target,
        query,
        parts,
        incoming,
        auth.payload,
    );
    let result = api::dispatch(&mut ctx, endpoint).await;
    info.bucket_row = ctx.take_loaded_bucket();
    (op, result)
}

fn health(method: &Method) -> Response<Body> {
    if method == Method::GET || method == Method::HEAD {
        let mut resp = Response::new(response::full("ok\n"));
        set_header(&mut resp, "content-type", "text/plain");
        resp
    } else {
        response::status(StatusCode::METHOD_NOT_ALLOWED)
    }
}

/// `/_metrics` is for the root account or configured scraper addresses only.
async fn metrics(
    server: &Server,
    method: &Method,
    principal: Option<crate::state::Principal>,
    remote: SocketAddr,
) -> S3Result<Response<Body>> {
    if method != Method::GET {
        return Err(s3_error!(MethodNotAllowed));
    }
    let allowed_addr = IpNet::any_contains(&server.config.metrics_allow, remote.ip());
    if !allowed_addr && !server.is_root(principal.as_ref()) {
        return Err(s3_error!(AccessDenied));
    }
    let mut resp = Response::new(response::full(server.metrics.render(server).await));
    set_header(&mut resp, "content-type", "text/plain; version=0.0.4");
    Ok(resp)
}

/// The bucket of a website host: `{bucket}.{website domain}`, or, with `website_cname`, any
/// other host name that is a bucket name (a CNAME of the bucket, as OOS serves them).
fn website_bucket(host: Option<&str>, config: &crate::config::Config) -> Option<String> {
    let host = host?;
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    }
    .to_ascii_lowercase();
    let by_domain = config.website_domains.iter().find_map(|d| {
        host.strip_suffix(d.as_str())
            .and_then(|b| b.strip_suffix('.'))
            .filter(|b| !b.is_empty())
            .map(str::to_string)
    });
    if by_domain.is_some() || !config.website_cname {
        return by_domain;
    }
    // S3 hosts (the configured domains, their buckets, addresses) are never CNAMEs.
    let s3_host = host.parse::<std::net::IpAddr>().is_ok()
        || host.starts_with('[')
        || config
            .domains
            .iter()
            .chain(&config.website_domains)
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    (!s3_host && crate::api::valid_bucket_name(&host)).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use crate::config::IpNet;

    #[test]
    fn forwarded_for_only_from_trusted_proxies() {
        let trusted = [IpNet::parse("10.0.0.0/8").unwrap()];
        let headers = |v: &str| {
            let mut h = http::HeaderMap::new();
            h.insert("x-forwarded-for", v.parse().unwrap());
            h
        };
        let proxy: std::net::SocketAddr = "10.1.1.1:5000".parse().unwrap();
        let stranger: std::net::SocketAddr = "8.8.8.8:5000".parse().unwrap();
        let ip = |a: std::net::SocketAddr| a.ip().to_string();
        assert_eq!(
            ip(client_address(&trusted, proxy, &headers("1.2.3.4"))),
            "1.2.3.4"
        );
        // The rightmost untrusted hop: what the client wrote to the left is not believed.
        assert_eq!(
            ip(client_address(
                &trusted,
                proxy,
                &headers("6.6.6.6, 1.2.3.4, 10.2.2.2")
            )),
            "1.2.3.4"
        );
        assert_eq!(
            ip(client_address(&trusted, stranger, &headers("1.2.3.4"))),
            "8.8.8.8"
        );
        assert_eq!(
            ip(client_address(&[], proxy, &headers("1.2.3.4"))),
            "10.1.1.1"
        );
        assert_eq!(
            ip(client_address(&trusted, proxy, &http::HeaderMap::new())),
            "10.1.1.1"
        );
        assert_eq!(
            ip(client_address(&trusted, proxy, &headers("junk"))),
            "10.1.1.1"
        );
    }
}

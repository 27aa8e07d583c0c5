//! The client and its single request pipeline: build → sign → send → retry → map errors.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, HOST};
use http::{HeaderMap, Method};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::body::{Body, ByteStream, HttpBody};
use crate::config::{Addressing, Config, SignatureVersion};
use crate::connect::Connector;
use crate::error::{service_error, Error, Result};

/// Characters left alone in a query value or key name segment (RFC 3986 unreserved).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Like [`QUERY`] but keeping `/` (object keys in paths).
const PATH: &AsciiSet = &QUERY.remove(b'/');

/// Percent-encodes a query component.
pub(crate) fn enc_query(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

/// Percent-encodes a path (keeps `/`).
pub(crate) fn enc_path(s: &str) -> String {
    utf8_percent_encode(s, PATH).to_string()
}

/// Which API a request belongs to (the SigV4 service).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    S3,
    Iam,
}

/// One request before signing.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: Method,
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// Query parameters; `None` values are bare sub-resources (`?acl`).
    pub query: Vec<(String, Option<String>)>,
    pub headers: HeaderMap,
    pub body: Body,
    pub service: Service,
}

impl Request {
    pub fn new(method: Method) -> Request {
        Request {
            method,
            bucket: None,
            key: None,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Body::empty(),
            service: Service::S3,
        }
    }

    pub fn bucket(mut self, bucket: &str) -> Request {
        self.bucket = Some(bucket.to_string());
        self
    }

    pub fn key(mut self, key: &str) -> Request {
        self.key = Some(key.to_string());
        self
    }

    /// A bare sub-resource such as `acl` or `uploads`.
    pub fn sub(mut self, name: &str) -> Request {
        self.query.push((name.to_string(), None));
        self
    }

    pub fn query(mut self, name: &str, value: impl ToString) -> Request {
        self.query.push((name.to_string(), Some(value.to_string())));
        self
    }

    pub fn query_opt(self, name: &str, value: Option<impl ToString>) -> Request {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Result<Request> {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidArgument(format!("invalid header name {name:?}")))?;
        let v = HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidArgument(format!("invalid value for {name}: {value:?}")))?;
        self.headers.append(n, v);
        Ok(self)
    }

    pub fn header_opt(self, name: &str, value: Option<&str>) -> Result<Request> {
        match value {
            Some(v) => self.header(name, v),
            None => Ok(self),
        }
    }

    pub fn body(mut self, body: impl Into<Body>) -> Request {
        self.body = body.into();
        self
    }

    /// An XML document body with its Content-MD5 (S3 requires it for some documents).
    pub fn xml_body(self, xml: String) -> Result<Request> {
        let md5 = oos_sign::content_md5_base64(xml.as_bytes());
        self.header("content-md5", &md5)?
            .header("content-type", "application/xml")
            .map(|r| r.body(xml))
    }

    fn query_string(&self) -> String {
        let mut parts: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| match v {
                Some(v) => format!("{}={}", enc_query(k), enc_query(v)),
                None => enc_query(k),
            })
            .collect();
        parts.sort();
        parts.join("&")
    }
}

/// A successful response with its body still on the wire.
#[derive(Debug)]
pub(crate) struct Response {
    pub headers: HeaderMap,
    pub body: ByteStream,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        header_str(&self.headers, name)
    }

    pub fn request_id(&self) -> String {
        self.header("x-amz-request-id").unwrap_or("").to_string()
    }
}

pub(crate) fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

struct Inner {
    http: hyper_util::client::legacy::Client<Connector, HttpBody>,
    config: Config,
    scheme: String,
    /// `host[:port]` of the endpoint.
    authority: String,
    region: String,
}

/// The OOS client. Cheap to clone (an `Arc`); clones share one connection pool.
///
/// ```no_run
/// # async fn f() -> oos::Result<()> {
/// let client = oos::Client::new(oos::Config::from_env()?)?;
/// for b in client.list_buckets().await?.buckets {
///     println!("{}", b.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.config.endpoint)
            .finish()
    }
}

impl Client {
    /// A client for `config`. Fails on an endpoint that is not `http[s]://host[:port]`, or
    /// an unreadable `ca_file`.
    pub fn new(config: Config) -> Result<Client> {
        let endpoint = config.endpoint.trim_end_matches('/');
        let (scheme, authority) = match endpoint.split_once("://") {
            Some((s, a)) => (s.to_ascii_lowercase(), a.to_string()),
            None => ("http".to_string(), endpoint.to_string()),
        };
        if scheme != "http" && scheme != "https" {
            return Err(Error::InvalidArgument(format!(
                "endpoint {endpoint}: the scheme must be http or https"
            )));
        }
        if authority.is_empty() || authority.contains('/') {
            return Err(Error::InvalidArgument(format!(
                "endpoint {endpoint}: expected http[s]://host[:port]"
            )));
        }
        let mut tcp = HttpConnector::new();
        tcp.set_nodelay(true);
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(config.connect_timeout));
        let connector = Connector::new(tcp, scheme == "https", config.ca_file.as_deref())?;
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(32)
            .build(connector);
        let region = config.effective_region();
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                config,
                scheme,
                authority,
                region,
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// `http` or `https`, as the endpoint says.
    pub(crate) fn scheme(&self) -> &str {
        &self.inner.scheme
    }

    /// (host header, path as sent, virtual bucket) of a request.
    pub(crate) fn locate(
        &self,
        bucket: Option<&str>,
        key: Option<&str>,
    ) -> (String, String, Option<String>) {
        let inner = &self.inner;
        let key_path = key.map(enc_path).unwrap_or_default();
        match (bucket, inner.config.addressing) {
            (Some(b), Addressing::VirtualHost) => (
                format!("{b}.{}", inner.authority),
                format!("/{key_path}"),
                Some(b.to_string()),
            ),
            (Some(b), Addressing::Path) => {
                let path = if key.is_some() {
                    format!("/{b}/{key_path}")
                } else {
                    format!("/{b}")
                };
                (inner.authority.clone(), path, None)
            }
            (None, _) => (inner.authority.clone(), "/".to_string(), None),
        }
    }

    /// Signs `headers` for a request.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sign(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        headers: &mut HeaderMap,
        payload_hash: &str,
        service: Service,
        virtual_bucket: Option<&str>,
    ) -> Result<()> {
        let cfg = &self.inner.config;
        let creds = &cfg.credentials;
        let svc = match service {
            Service::S3 => "s3",
            Service::Iam => "iam",
        };
        let mut params = oos_sign::SigningParams::new(
            &creds.access_key_id,
            &creds.secret_access_key,
            &self.inner.region,
            svc,
            time::OffsetDateTime::now_utc(),
        );
        params.session_token = creds.session_token.as_deref();
        let signature = if service == Service::Iam {
            SignatureVersion::V4
        } else {
            cfg.signature
        };
        let res = match signature {
            SignatureVersion::V4 => oos_sign::sign_v4_headers(
                &params,
                method.as_str(),
                path,
                query,
                headers,
                payload_hash,
            ),
            SignatureVersion::V2 => oos_sign::sign_v2(
                &params,
                method.as_str(),
                path,
                query,
                headers,
                virtual_bucket,
            ),
        };
        res.map(|_| ())
            .map_err(|e| Error::InvalidArgument(format!("signing: {e}")))
    }

    /// The pipeline: sends `req`, retrying idempotent ones, and maps error statuses to
    /// [`Error::Service`]. The response body is left unread.
    pub(crate) async fn send(&self, mut req: Request) -> Result<Response> {
        let cfg = &self.inner.config;
        let (host, path, virtual_bucket) = self.locate(req.bucket.as_deref(), req.key.as_deref());
        let query = req.query_string();
        let idempotent = req.method != Method::POST || req.query.iter().any(|(k, _)| k == "delete");
        let payload_hash = match req.body.as_bytes() {
            Some(b) => hex::encode(Sha256::digest(b)),
            None => oos_sign::UNSIGNED_PAYLOAD.to_string(),
        };
        let uri = if query.is_empty() {
            format!("{}://{host}{path}", self.inner.scheme)
        } else {
            format!("{}://{host}{path}?{query}", self.inner.scheme)
        };
        let mut attempt = 0u32;
        loop {
            let mut headers = req.headers.clone();
            headers.insert(
                HOST,
                HeaderValue::from_str(&host)
                    .map_err(|_| Error::InvalidArgument(format!("invalid host {host:?}")))?,
            );
            if !req.body.is_empty() || matches!(req.method, Method::PUT | Method::POST) {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(req.body.len()));
            }
            self.sign(
                &req.method,
                &path,
                &query,
                &mut headers,
                &payload_hash,
                req.service,
                virtual_bucket.as_deref(),
            )?;
            let body = req.body.take_http().await?;
            let mut request = http::Request::builder()
                .method(req.method.clone())
                .uri(&uri)
                .body(body)
                .map_err(|e| Error::InvalidArgument(format!("request {uri}: {e}")))?;
            *request.headers_mut() = headers;
            let err = match tokio::time::timeout(cfg.timeout, self.inner.http.request(request))
                .await
            {
                Err(_) => Error::Timeout(cfg.timeout),
                Ok(Err(e)) => Error::Connection {
                    endpoint: format!("{}://{host}", self.inner.scheme),
                    source: Box::new(e),
                },
                Ok(Ok(resp)) => {
                    let (parts, body) = resp.into_parts();
                    if parts.status.is_success() {
                        return Ok(Response {
                            headers: parts.headers,
                            body: ByteStream::new(body, format!("{}://{host}", self.inner.scheme)),
                        });
                    }
                    let rid = header_str(&parts.headers, "x-amz-request-id")
                        .unwrap_or("")
                        .to_string();
                    // Error documents are small; a HEAD has none.
                    let text = ByteStream::new(body, String::new())
                        .collect()
                        .await
                        .unwrap_or_default();
                    service_error(parts.status.as_u16(), &rid, &text)
                        .for_request(req.bucket.as_deref(), req.key.as_deref())
                }
            };
            let retry = attempt < cfg.max_retries
                && idempotent
                && req.body.replayable()
                && err.is_retryable();
            if !retry {
                return Err(err);
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// Sends and reads the whole (small) body.
    pub(crate) async fn send_bytes(&self, req: Request) -> Result<(Bytes, Response)> {
        let mut resp = self.send(req).await?;
        let body = std::mem::replace(&mut resp.body, ByteStream::empty());
        Ok((body.collect().await?, resp))
    }

    /// Sends and parses an XML response document.
    pub(crate) async fn send_xml<T: DeserializeOwned>(
        &self,
        req: Request,
    ) -> Result<(T, Response)> {
        let (body, resp) = self.send_bytes(req).await?;
        let text = std::str::from_utf8(&body)
            .map_err(|_| Error::Response("response document is not UTF-8".into()))?;
        let doc = oos_proto::xml::from_xml(text)
            .map_err(|e| Error::Response(format!("{e} in {}", truncate(text))))?;
        Ok((doc, resp))
    }

    /// Sends and discards the body; returns the headers.
    pub(crate) async fn send_empty(&self, req: Request) -> Result<Response> {
        let (_, resp) = self.send_bytes(req).await?;
        Ok(resp)
    }
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(200) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Exponential backoff with full jitter: up to 100 ms · 2^attempt, at most 5 s.
fn backoff(attempt: u32) -> Duration {
    let cap = 100u64.saturating_mul(1 << attempt.min(6)).min(5_000);
    Duration::from_millis(rand::random::<u64>() % cap.max(1) + 1)
}

/// Serializes a request document with the XML declaration.
pub(crate) fn to_xml<T: serde::Serialize>(root: &str, doc: &T) -> String {
    oos_proto::xml::to_xml(root, doc)
}

/// `ETag` header without quotes.
pub(crate) fn unquote(s: &str) -> String {
    s.trim_matches('"').to_string()
}

//! A minimal S3 client: hyper 1 (hyper-util legacy client, keep-alive pool, TCP_NODELAY) with
//! SigV4 `Authorization` headers from `oos-sign`. Bodies are sent as `UNSIGNED-PAYLOAD`.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, HOST};
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::Result;

/// Bound on one request, head to last body byte.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

pub struct S3Client {
    http: Client<HttpConnector, Full<Bytes>>,
    authority: String,
    host: HeaderValue,
    access_key: String,
    secret: String,
    region: String,
    bucket: String,
}

impl S3Client {
    pub fn new(
        addr: SocketAddr,
        access_key: &str,
        secret: &str,
        region: &str,
        bucket: &str,
    ) -> S3Client {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.enforce_http(true);
        connector.set_connect_timeout(Some(Duration::from_secs(10)));
        let http = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .build(connector);
        let authority = addr.to_string();
        S3Client {
            http,
            host: HeaderValue::from_str(&authority).expect("a socket address is a valid header"),
            authority,
            access_key: access_key.into(),
            secret: secret.into(),
            region: region.into(),
            bucket: bucket.into(),
        }
    }

    pub async fn create_bucket(&self) -> Result<()> {
        let path = format!("/{}", self.bucket);
        self.send(Method::PUT, &path, Bytes::new(), Vec::new())
            .await?;
        Ok(())
    }

    /// `PUT /bucket/key`. `key` must need no percent-encoding. `headers` (such as
    /// `x-amz-storage-class` or `x-amz-server-side-encryption`) are signed with the others.
    pub async fn put(
        &self,
        key: &str,
        body: Bytes,
        headers: &[(&'static str, &str)],
    ) -> Result<()> {
        let extra = headers
            .iter()
            .map(|(name, value)| {
                Ok((
                    HeaderName::from_static(name),
                    HeaderValue::from_str(value)
                        .map_err(|_| format!("invalid {name} {value:?}"))?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.send(Method::PUT, &self.object_path(key), body, extra)
            .await?;
        Ok(())
    }

    fn object_path(&self, key: &str) -> String {
        debug_assert!(key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b)));
        format!("/{}/{key}", self.bucket)
    }

    /// `GET /bucket/key`, comparing the body with `want` frame by frame as it arrives (no copy
    /// of the whole body, so the client costs little next to the server it measures).
    /// `Ok(Err(..))` describes a body that differs.
    pub async fn get_compare(
        &self,
        key: &str,
        want: &[u8],
    ) -> Result<std::result::Result<(), String>> {
        let path = self.object_path(key);
        let request = self.signed(Method::GET, &path, Bytes::new(), Vec::new())?;
        let exchange = async {
            let response = self.http.request(request).await?;
            let status = response.status();
            let mut body = response.into_body();
            if !status.is_success() {
                let text = body.collect().await?.to_bytes();
                return Err::<std::result::Result<(), String>, crate::BoxError>(
                    status_error(&Method::GET, status, &text).into(),
                );
            }
            let mut pos = 0usize;
            let mut differs = None;
            while let Some(frame) = body.frame().await {
                let Ok(data) = frame?.into_data() else {
                    continue;
                };
                let end = pos + data.len();
                if differs.is_none() && (end > want.len() || want[pos..end] != data[..]) {
                    differs = Some(pos);
                }
                pos = end;
            }
            Ok(match differs {
                None if pos == want.len() => Ok(()),
                d => Err(format!(
                    "{key}: body differs from what was written ({pos} bytes read, {} written, first difference in the frame at byte {})",
                    want.len(),
                    d.unwrap_or(pos)
                )),
            })
        };
        Ok(tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| format!("GET {path}: no complete response within {REQUEST_TIMEOUT:?}"))?
            .map_err(|e| format!("GET {path}: {}", error_chain(&*e)))?)
    }

    /// A signed request (SigV4, `UNSIGNED-PAYLOAD`); `extra` is added before signing, so the
    /// signature covers it.
    fn signed(
        &self,
        method: Method,
        path: &str,
        body: Bytes,
        extra: Vec<(HeaderName, HeaderValue)>,
    ) -> Result<Request<Full<Bytes>>> {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, self.host.clone());
        for (name, value) in extra {
            headers.insert(name, value);
        }
        let params = oos_sign::SigningParams::new(
            &self.access_key,
            &self.secret,
            &self.region,
            "s3",
            time::OffsetDateTime::now_utc(),
        );
        oos_sign::sign_v4_headers(
            &params,
            method.as_str(),
            path,
            "",
            &mut headers,
            oos_sign::UNSIGNED_PAYLOAD,
        )
        .map_err(|e| format!("signing: {e}"))?;
        let mut request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.authority))
            .body(Full::new(body))?;
        *request.headers_mut() = headers;
        Ok(request)
    }

    /// Signs and sends one request; a non-2xx status is an error naming the S3 code and message.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Bytes,
        extra: Vec<(HeaderName, HeaderValue)>,
    ) -> Result<Bytes> {
        let request = self.signed(method.clone(), path, body, extra)?;
        let exchange = async {
            let response = self.http.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, crate::BoxError>((status, body))
        };
        let (status, body) = tokio::time::timeout(REQUEST_TIMEOUT, exchange)
            .await
            .map_err(|_| {
                format!("{method} {path}: no complete response within {REQUEST_TIMEOUT:?}")
            })?
            .map_err(|e| format!("{method} {path}: {}", error_chain(&*e)))?;
        if !status.is_success() {
            return Err(status_error(&method, status, &body).into());
        }
        Ok(body)
    }
}

/// `PUT 503 Service Unavailable SlowDown: Please reduce your request rate.` (the key is left
/// out so equal errors count together).
fn status_error(method: &Method, status: StatusCode, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let element = |name: &str| -> Option<String> {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = start + text[start..].find(&format!("</{name}>"))?;
        Some(text[start..end].to_string())
    };
    match (element("Code"), element("Message")) {
        (Some(code), Some(message)) => format!("{method} {status} {code}: {message}"),
        (Some(code), None) => format!("{method} {status} {code}"),
        _ => format!("{method} {status} (body {} bytes)", body.len()),
    }
}

/// `outer: cause: root cause`; hyper's client errors say little without their sources.
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    // Bounded: error chains are short, but a cyclic one must not loop forever.
    for _ in 0..8 {
        let Some(s) = source else { break };
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_errors_name_the_s3_code() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Reduce your rate.</Message></Error>";
        assert_eq!(
            status_error(&Method::PUT, StatusCode::SERVICE_UNAVAILABLE, body),
            "PUT 503 Service Unavailable SlowDown: Reduce your rate."
        );
        assert_eq!(
            status_error(&Method::GET, StatusCode::NOT_FOUND, b""),
            "GET 404 Not Found (body 0 bytes)"
        );
    }
}

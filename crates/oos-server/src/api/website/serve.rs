//! Serving a bucket as a static website on `{bucket}.{website domain}`: index documents,
//! error documents, object and routing-rule redirects, and HTML (never XML) error pages.
//! Requests are anonymous and authorized like an anonymous GetObject.

use http::request::Parts;
use http::{Method, Response, StatusCode};
use oos_meta::{Bucket, Object};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::{stored, Redirect, RoutingRule, WebsiteConfiguration};
use crate::access::{self, Check, Need, RequestFacts};
use crate::api::object_attrs::write_headers;
use crate::api::read::{check_conditions, requested_range, stream_body, Conditions, ObjectStream};
use crate::front::RequestInfo;
use crate::response::{self, set_header, Body};
use crate::state::Server;

/// Characters escaped in a key placed in a `Location` (everything but unreserved and `/`).
const KEY_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Serves a request on a website host: always a response, with HTML error pages.
pub async fn serve(
    server: &Server,
    parts: Parts,
    bucket: String,
    remote: std::net::SocketAddr,
    info: &mut RequestInfo,
) -> Response<Body> {
    let mut page = Pages {
        request_id: info.request_id.clone(),
        head: parts.method == Method::HEAD,
        error_code: None,
    };
    let resp = respond(server, &parts, &bucket, remote, info, &mut page).await;
    if page.error_code.is_some() {
        info.error_code = page.error_code;
    }
    resp
}

async fn respond(
    server: &Server,
    parts: &Parts,
    bucket_name: &str,
    remote: std::net::SocketAddr,
    info: &mut RequestInfo,
    page: &mut Pages,
) -> Response<Body> {
    if parts.method == Method::OPTIONS {
        // Browsers preflight cross-origin requests to website hosts too.
        return match crate::api::cors::preflight_for(server, bucket_name, &parts.headers).await {
            Ok(resp) => resp,
            Err(e) => page.error(
                StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::FORBIDDEN),
                e.code.as_str(),
                &e.message,
                &[],
            ),
        };
    }
    if parts.method != Method::GET && parts.method != Method::HEAD {
        let method = parts.method.to_string();
        let mut resp = page.error(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
            &[("Method", &method), ("ResourceType", "OBJECT")],
        );
        set_header(&mut resp, "allow", "GET, HEAD");
        return resp;
    }
    let Ok(path) = percent_decode_str(parts.uri.path()).decode_utf8() else {
        return page.error(
            StatusCode::BAD_REQUEST,
            "InvalidURI",
            "Couldn't parse the specified URI.",
            &[],
        );
    };
    let key = path.strip_prefix('/').unwrap_or(&path).to_string();
    if !key.is_empty() {
        info.key = Some(key.clone());
    }
    let bucket = match server.meta.get_bucket(bucket_name).await {
        Ok(Some(b)) => b,
        Ok(None) => {
            return page.error(
                StatusCode::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist",
                &[("BucketName", bucket_name)],
            )
        }
        Err(e) => return page.internal(e),
    };
    let Some(config) = stored(&bucket).and_then(WebsiteConfiguration::from_stored) else {
        return page.error(
            StatusCode::NOT_FOUND,
            "NoSuchWebsiteConfiguration",
            "The specified bucket does not have a website configuration",
            &[("BucketName", bucket_name)],
        );
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let site = Site {
        server,
        parts,
        facts: RequestFacts {
            source_ip: remote.ip(),
            secure_transport: server.config.tls.is_some(),
            referer: header("referer"),
            user_agent: header("user-agent"),
            prefix: None,
            delimiter: None,
            max_keys: None,
            existing_object_tags: None,
            request_object_tags: None,
            headers: Vec::new(),
        },
        request_host: header("host").unwrap_or_default(),
        scheme: if server.config.tls.is_some() {
            "https"
        } else {
            "http"
        },
        bucket,
        config,
    };
    site.respond(&key, info, page).await
}

/// What a lookup of one key found, as an anonymous reader sees it.
enum Lookup {
    Found(Box<Object>),
    Missing,
    Denied,
    Failed(crate::error::S3Error),
}

struct Site<'a> {
    server: &'a Server,
    parts: &'a Parts,
    facts: RequestFacts,
    /// The `Host` header as sent (with its port), for redirects that keep the host.
    request_host: String,
    scheme: &'static str,
    bucket: Bucket,
    config: WebsiteConfiguration,
}

impl Site<'_> {
    async fn respond(&self, key: &str, info: &mut RequestInfo, page: &mut Pages) -> Response<Body> {
        if let Some(all) = &self.config.redirect_all {
            let scheme = all.protocol.as_deref().unwrap_or(self.scheme);
            let host = all.host_name.as_deref().unwrap_or_default();
            return redirect(
                StatusCode::MOVED_PERMANENTLY,
                &format!("{scheme}://{host}/{}", encode_key(key)),
            );
        }
        // Rules without an error-code condition apply before the object is looked up.
        if let Some(rule) = self
            .config
            .rules()
            .iter()
            .find(|r| matches_request(r, key, None))
        {
            return self.rule_redirect(rule, key);
        }
        let target = if key.is_empty() || key.ends_with('/') {
            format!("{key}{}", self.config.suffix())
        } else {
            key.to_string()
        };
        match self.lookup(&target).await {
            Lookup::Found(object) => {
                if target != key {
                    info.key = Some(target.clone());
                }
                self.object(&object, page).await
            }
            Lookup::Missing => {
                // `dir` without its slash: S3 redirects to `dir/` when `dir/{suffix}` exists.
                if target == key && !key.is_empty() {
                    let index = format!("{key}/{}", self.config.suffix());
                    if let Lookup::Found(_) = self.lookup(&index).await {
                        return redirect(StatusCode::FOUND, &format!("/{}/", encode_key(key)));
                    }
                }
                self.error(
                    key,
                    StatusCode::NOT_FOUND,
                    "NoSuchKey",
                    "The specified key does not exist.",
                    &target,
                    page,
                )
                .await
            }
            Lookup::Denied => {
                self.error(
                    key,
                    StatusCode::FORBIDDEN,
                    "AccessDenied",
                    "Access Denied",
                    &target,
                    page,
                )
                .await
            }
            Lookup::Failed(e) => page.internal(e.message),
        }
    }

    /// The object at `key` if an anonymous reader may read it (the object's own ACL may grant
    /// what the bucket's does not). A missing key is reported only to readers allowed to know.
    async fn lookup(&self, key: &str) -> Lookup {
        let object = match self.server.meta.get_object(&self.bucket.name, key).await {
            Ok(o) => o,
            Err(e) => return Lookup::Failed(e.into()),
        };
        let check = Check {
            action: "s3:GetObject",
            need: Need::Read,
            key: Some(key),
            list_prefix: None,
        };
        if access::authorize_object(None, &self.bucket, &check, &self.facts, object.as_ref())
            .is_err()
        {
            return Lookup::Denied;
        }
        match object {
            Some(o) => Lookup::Found(Box::new(o)),
            None => Lookup::Missing,
        }
    }

    /// An object as the site serves it: its redirect, or its bytes (conditions and ranges
    /// honoured).
    async fn object(&self, object: &Object, page: &mut Pages) -> Response<Body> {
        if let Some(location) = &object.attrs.website_redirect {
            return redirect(StatusCode::MOVED_PERMANENTLY, location);
        }
        if let Err(e) = check_conditions(&self.parts.headers, object, Conditions::plain()) {
            if e.code == oos_proto::ErrorCode::NotModified {
                let mut resp = response::status(StatusCode::NOT_MODIFIED);
                set_header(&mut resp, "etag", &format!("\"{}\"", object.etag));
                return resp;
            }
            return page.error(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold",
                &[],
            );
        }
        let range = match requested_range(&self.parts.headers, object.size) {
            Ok(r) => r,
            Err(_) => {
                let mut resp = page.error(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    "InvalidRange",
                    "The requested range is not satisfiable",
                    &[],
                );
                set_header(
                    &mut resp,
                    "content-range",
                    &format!("bytes */{}", object.size),
                );
                return resp;
            }
        };
        let mut resp = match self.body(object, range, page.head).await {
            Ok(r) => r,
            Err(e) => return page.internal(e.message),
        };
        if let Some((s, e)) = range {
            *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
            set_header(
                &mut resp,
                "content-range",
                &format!("bytes {}-{}/{}", s, e.saturating_sub(1), object.size),
            );
        }
        if let Some(expiration) =
            crate::api::lifecycle::expiration(self.server, &self.bucket, object).await
        {
            set_header(&mut resp, "x-amz-expiration", &expiration);
        }
        resp
    }

    /// A response with the object's headers and the bytes `range` (all when `None`).
    async fn body(
        &self,
        object: &Object,
        range: Option<(u64, u64)>,
        head: bool,
    ) -> crate::error::S3Result<Response<Body>> {
        let (start, end) = range.unwrap_or((0, object.size));
        let key = crate::sse::without_customer_key(self.server, &object.attrs).await?;
        let body = if head || start == end {
            response::empty()
        } else {
            let mut source =
                ObjectStream::open(self.server, object, start, end, key.as_ref()).await?;
            let first = source.next().await?.unwrap_or_default();
            if first.len() as u64 == end - start {
                response::full(first)
            } else {
                stream_body(first, source)
            }
        };
        let mut resp = Response::new(body);
        write_headers(&mut resp, object);
        set_header(&mut resp, "content-length", &(end - start).to_string());
        Ok(resp)
    }

    /// An error: a routing rule on the error code redirects; else the error document (if it
    /// exists and may be read) is served with the error's status; else a generated page.
    async fn error(
        &self,
        key: &str,
        status: StatusCode,
        code: &'static str,
        message: &str,
        target: &str,
        page: &mut Pages,
    ) -> Response<Body> {
        if let Some(rule) = self
            .config
            .rules()
            .iter()
            .find(|r| matches_request(r, key, Some(status.as_u16())))
        {
            return self.rule_redirect(rule, key);
        }
        page.error_code = Some(code);
        if let Some(error_key) = self.config.error_key() {
            if let Lookup::Found(doc) = self.lookup(error_key).await {
                if doc.attrs.website_redirect.is_none() {
                    if let Ok(mut resp) = self.body(&doc, None, page.head).await {
                        *resp.status_mut() = status;
                        // Validators of the error document would make caches keep the error.
                        resp.headers_mut().remove("etag");
                        resp.headers_mut().remove("last-modified");
                        return resp;
                    }
                }
            }
        }
        page.error(status, code, message, &[("Key", target)])
    }

    fn rule_redirect(&self, rule: &RoutingRule, key: &str) -> Response<Body> {
        let default = Redirect::default();
        let r = rule.redirect.as_ref().unwrap_or(&default);
        let prefix = rule
            .condition
            .as_ref()
            .and_then(|c| c.key_prefix.as_deref())
            .unwrap_or_default();
        let new_key = match (&r.replace_key_with, &r.replace_key_prefix_with) {
            (Some(k), _) => k.clone(),
            (None, Some(p)) => format!("{p}{}", key.strip_prefix(prefix).unwrap_or(key)),
            (None, None) => key.to_string(),
        };
        let scheme = r.protocol.as_deref().unwrap_or(self.scheme);
        let host = r.host_name.as_deref().unwrap_or(&self.request_host);
        let status = r
            .http_redirect_code
            .as_deref()
            .and_then(|c| c.parse::<u16>().ok())
            .and_then(|c| StatusCode::from_u16(c).ok())
            .unwrap_or(StatusCode::MOVED_PERMANENTLY);
        redirect(
            status,
            &format!("{scheme}://{host}/{}", encode_key(&new_key)),
        )
    }
}

/// Whether `rule` applies to a request for `key`: before the lookup (`error` is `None`) only
/// rules without an error-code condition; after an error, only rules naming its code.
fn matches_request(rule: &RoutingRule, key: &str, error: Option<u16>) -> bool {
    let (prefix, code) = match &rule.condition {
        None => (None, None),
        Some(c) => (c.key_prefix.as_deref(), c.http_error_code.as_deref()),
    };
    let code_ok = match (code, error) {
        (None, None) => true,
        (Some(c), Some(e)) => c.parse::<u16>().ok() == Some(e),
        _ => false,
    };
    code_ok && prefix.is_none_or(|p| key.starts_with(p))
}

fn encode_key(key: &str) -> String {
    utf8_percent_encode(key, KEY_ESCAPE).to_string()
}

fn redirect(status: StatusCode, location: &str) -> Response<Body> {
    let mut resp = response::status(status);
    set_header(&mut resp, "location", location);
    set_header(&mut resp, "content-length", "0");
    resp
}

/// The generated HTML pages of a request.
struct Pages {
    request_id: String,
    head: bool,
    /// The S3 error code answered, for the access log.
    error_code: Option<&'static str>,
}

impl Pages {
    fn error(
        &mut self,
        status: StatusCode,
        code: &'static str,
        message: &str,
        extra: &[(&str, &str)],
    ) -> Response<Body> {
        self.error_code = Some(code);
        let title = format!(
            "{} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("Error")
        );
        let mut items = vec![("Code", code), ("Message", message)];
        items.extend_from_slice(extra);
        items.push(("RequestId", &self.request_id));
        items.push(("HostId", &self.request_id));
        let list: String = items
            .iter()
            .map(|(n, v)| format!("<li>{n}: {}</li>\n", quick_xml::escape::escape(*v)))
            .collect();
        let html = format!(
            "<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n{list}</ul>\n<hr/>\n</body>\n</html>\n"
        );
        let len = html.len();
        let mut resp = Response::new(if self.head {
            response::empty()
        } else {
            response::full(html)
        });
        *resp.status_mut() = status;
        set_header(&mut resp, "content-type", "text/html; charset=utf-8");
        set_header(&mut resp, "content-length", &len.to_string());
        resp
    }

    fn internal(&mut self, detail: impl std::fmt::Display) -> Response<Body> {
        tracing::error!(%detail, "website request failed");
        self.error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
            &[],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::website::Condition;

    fn rule(prefix: Option<&str>, code: Option<&str>) -> RoutingRule {
        RoutingRule {
            condition: (prefix.is_some() || code.is_some()).then(|| Condition {
                key_prefix: prefix.map(str::to_string),
                http_error_code: code.map(str::to_string),
            }),
            redirect: Some(Redirect::default()),
        }
    }

    #[test]
    fn rules_match_before_and_after_lookup() {
        let docs = rule(Some("docs/"), None);
        assert!(matches_request(&docs, "docs/a.html", None));
        assert!(!matches_request(&docs, "doc/a.html", None));
        assert!(!matches_request(&docs, "docs/a.html", Some(404)));
        let on_404 = rule(None, Some("404"));
        assert!(!matches_request(&on_404, "x", None));
        assert!(matches_request(&on_404, "x", Some(404)));
        assert!(!matches_request(&on_404, "x", Some(403)));
        let both = rule(Some("img/"), Some("404"));
        assert!(matches_request(&both, "img/a.png", Some(404)));
        assert!(!matches_request(&both, "css/a.css", Some(404)));
        assert!(matches_request(&rule(None, None), "anything", None));
    }

    #[test]
    fn keys_in_locations_are_escaped() {
        assert_eq!(encode_key("a b/ü?.html"), "a%20b/%C3%BC%3F.html");
    }
}

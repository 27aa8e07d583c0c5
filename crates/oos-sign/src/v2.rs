//! AWS Signature Version 2 (HMAC-SHA1): `Authorization: AWS AK:sig` and
//! presigned `AWSAccessKeyId`/`Expires`/`Signature` queries.

use std::borrow::Cow;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION};
use http::HeaderMap;
use time::{Duration, OffsetDateTime};

use crate::canonical::{ct_eq, header_str, hmac_sha1, percent_decode, query_param, uri_encode};
use crate::date::{format_http_date, parse_any_date};
use crate::error::SignError;
use crate::v4::SigningParams;
use crate::{PayloadMode, RequestView, Verified};

/// Query parameters that are part of the canonical resource (S3's list).
pub const SUB_RESOURCES: [&str; 25] = [
    "acl",
    "cors",
    "delete",
    "lifecycle",
    "location",
    "logging",
    "notification",
    "partNumber",
    "policy",
    "requestPayment",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "restore",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// Sub-resources newer signers (botocore) add; tried only when the standard list fails.
const EXTRA_SUB_RESOURCES: [&str; 14] = [
    "accelerate",
    "analytics",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "metrics",
    "object-lock",
    "ownershipControls",
    "publicAccessBlock",
    "replication",
    "retention",
    "select",
    "select-type",
];

const MAX_SKEW: Duration = Duration::minutes(15);

/// A parsed SigV2 header or presigned query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Auth {
    pub presigned: bool,
    pub access_key_id: String,
    /// Base64 signature as sent (query value decoded).
    pub signature: String,
    /// `Expires`, seconds since the epoch (presigned only).
    pub expires: Option<i64>,
    pub security_token: Option<String>,
}

/// Parses what follows `AWS ` in an `Authorization` header.
pub(crate) fn parse_header(rest: &str, req: &RequestView<'_>) -> Result<V2Auth, SignError> {
    let (ak, sig) = rest
        .trim()
        .rsplit_once(':')
        .filter(|(a, s)| !a.is_empty() && !s.is_empty())
        .ok_or_else(|| {
            SignError::InvalidArgument(
                "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature".into(),
            )
        })?;
    Ok(V2Auth {
        presigned: false,
        access_key_id: ak.to_string(),
        signature: sig.to_string(),
        expires: None,
        security_token: header_str(req.headers, "x-amz-security-token").map(str::to_string),
    })
}

/// Parses `AWSAccessKeyId`, `Expires`, `Signature`.
pub(crate) fn parse_query(req: &RequestView<'_>) -> Result<V2Auth, SignError> {
    let p = |n: &str| query_param(req.query, n);
    let (Some(ak), Some(expires), Some(sig)) = (p("AWSAccessKeyId"), p("Expires"), p("Signature"))
    else {
        return Err(SignError::AccessDenied(
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters".into(),
        ));
    };
    let expires_at: i64 = expires.trim().parse().map_err(|_| {
        SignError::AccessDenied(format!(
            "Invalid date (should be seconds since epoch): {expires}"
        ))
    })?;
    Ok(V2Auth {
        presigned: true,
        access_key_id: ak,
        // A '+' decoded as a space by some client still means '+' in base64.
        signature: sig.replace(' ', "+"),
        expires: Some(expires_at),
        security_token: p("x-amz-security-token")
            .or_else(|| header_str(req.headers, "x-amz-security-token").map(str::to_string)),
    })
}

pub(crate) fn is_presigned(query: &str) -> bool {
    query_param(query, "AWSAccessKeyId").is_some()
        || (query_param(query, "Signature").is_some() && query_param(query, "Expires").is_some())
}

/// A header value for the V2 string to sign: outer whitespace trimmed only.
fn v2_value(headers: &HeaderMap, name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, v) in headers.get_all(name).iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(v.as_bytes().trim_ascii());
    }
    out
}

/// `x-amz-*` headers: lower-case, sorted, `name:v1,v2\n` each.
fn canonical_amz_headers(headers: &HeaderMap) -> Vec<u8> {
    let mut names: Vec<&str> = headers
        .keys()
        .map(HeaderName::as_str)
        .filter(|n| n.starts_with("x-amz-"))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::new();
    for n in names {
        out.extend_from_slice(n.as_bytes());
        out.push(b':');
        out.extend_from_slice(&v2_value(headers, n));
        out.push(b'\n');
    }
    out
}

/// A sub-resource: decoded name, and decoded value when there was a `=`.
type SubResource<'a> = (Cow<'a, [u8]>, Option<Cow<'a, [u8]>>);

/// `[/bucket]path[?sub-resources]`. Sub-resource values are decoded, sorted by name.
fn canonical_resource(bucket: Option<&str>, path: &[u8], query: &str, extra: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if let Some(b) = bucket {
        out.push(b'/');
        out.extend_from_slice(b.as_bytes());
    }
    if path.is_empty() {
        out.push(b'/');
    } else {
        out.extend_from_slice(path);
    }
    let mut subs: Vec<SubResource<'_>> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|p| {
            let (k, v) = match p.split_once('=') {
                Some((k, v)) => (k, Some(v)),
                None => (p, None),
            };
            let key = percent_decode(k);
            let name = std::str::from_utf8(&key).ok()?;
            let wanted =
                SUB_RESOURCES.contains(&name) || (extra && EXTRA_SUB_RESOURCES.contains(&name));
            wanted.then(|| (key.clone(), v.map(percent_decode)))
        })
        .collect();
    subs.sort_by(|a, b| a.0.cmp(&b.0));
    for (i, (k, v)) in subs.iter().enumerate() {
        out.push(if i == 0 { b'?' } else { b'&' });
        out.extend_from_slice(k);
        if let Some(v) = v {
            out.push(b'=');
            out.extend_from_slice(v);
        }
    }
    out
}

fn string_to_sign(method: &str, headers: &HeaderMap, date: &[u8], resource: &[u8]) -> Vec<u8> {
    let mut s = Vec::with_capacity(128 + resource.len());
    s.extend_from_slice(method.as_bytes());
    s.push(b'\n');
    s.extend_from_slice(&v2_value(headers, "content-md5"));
    s.push(b'\n');
    s.extend_from_slice(&v2_value(headers, "content-type"));
    s.push(b'\n');
    s.extend_from_slice(date);
    s.push(b'\n');
    s.extend_from_slice(&canonical_amz_headers(headers));
    s.extend_from_slice(resource);
    s
}

/// The Date position: `Expires` when presigned, empty when `x-amz-date` is
/// present (it is signed among the amz headers), else the `Date` header.
fn date_field(headers: &HeaderMap, expires: Option<i64>) -> Vec<u8> {
    match expires {
        Some(e) => e.to_string().into_bytes(),
        None if headers.contains_key("x-amz-date") => Vec::new(),
        None => v2_value(headers, "date"),
    }
}

pub(crate) fn verify(
    auth: &V2Auth,
    req: &RequestView<'_>,
    secret: &str,
    now: OffsetDateTime,
) -> Result<Verified, SignError> {
    match auth.expires {
        Some(e) => {
            if now.unix_timestamp() > e {
                return Err(SignError::ExpiredRequest);
            }
        }
        None => {
            // A date before the epoch is no valid date to S3 (AccessDenied, not a skew).
            let date = header_str(req.headers, "x-amz-date")
                .or_else(|| header_str(req.headers, "date"))
                .and_then(parse_any_date)
                .filter(|d| d.unix_timestamp() >= 0)
                .ok_or_else(|| {
                    SignError::AccessDenied(
                        "AWS authentication requires a valid Date or x-amz-date header".into(),
                    )
                })?;
            if (now - date).abs() > MAX_SKEW {
                return Err(SignError::RequestTimeTooSkewed);
            }
        }
    }
    let provided = B64.decode(auth.signature.trim()).ok();
    let date = date_field(req.headers, auth.expires);
    // Signers differ: boto3 signs the path as sent, others the decoded one.
    let raw_path = req.path.as_bytes();
    let decoded_path = percent_decode(req.path);
    let mut paths: Vec<&[u8]> = vec![raw_path];
    if decoded_path.as_ref() != raw_path {
        paths.push(&decoded_path);
    }
    // botocore signs a path-style bucket request as "/bucket/" while it sends "/bucket".
    let with_slash = [raw_path, b"/"].concat();
    let bare_bucket =
        req.v2_virtual_bucket.is_none() && raw_path.len() > 1 && !raw_path[1..].contains(&b'/');
    if bare_bucket {
        paths.push(&with_slash);
    }
    let extra_lists: &[bool] = if has_extra_sub_resource(req.query) {
        &[false, true]
    } else {
        &[false]
    };
    for &extra in extra_lists {
        for path in &paths {
            let resource = canonical_resource(req.v2_virtual_bucket, path, req.query, extra);
            let sig = hmac_sha1(
                secret.as_bytes(),
                &string_to_sign(req.method, req.headers, &date, &resource),
            );
            if provided.as_deref().is_some_and(|p| ct_eq(p, &sig)) {
                return Ok(Verified {
                    access_key_id: Some(auth.access_key_id.clone()),
                    payload: PayloadMode::Unsigned,
                    presigned: auth.presigned,
                    region: None,
                    service: None,
                    security_token: auth.security_token.clone(),
                });
            }
        }
    }
    Err(SignError::SignatureDoesNotMatch)
}

fn has_extra_sub_resource(query: &str) -> bool {
    crate::canonical::query_pairs(query).any(|(k, _)| EXTRA_SUB_RESOURCES.contains(&k))
}

fn sign(
    params: &SigningParams<'_>,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    date: &[u8],
    bucket: Option<&str>,
) -> String {
    let resource = canonical_resource(bucket, path.as_bytes(), query, false);
    B64.encode(hmac_sha1(
        params.secret.as_bytes(),
        &string_to_sign(method, headers, date, &resource),
    ))
}

/// Signs with `Authorization: AWS AK:sig`. Adds a `Date` header when neither
/// `Date` nor `x-amz-date` is present. `virtual_bucket`: the bucket when it
/// is addressed through the host name. Returns the signature.
pub fn sign_v2(
    params: &SigningParams<'_>,
    method: &str,
    path: &str,
    query: &str,
    headers: &mut HeaderMap,
    virtual_bucket: Option<&str>,
) -> Result<String, SignError> {
    headers.remove(AUTHORIZATION);
    if let Some(token) = params.session_token {
        let v = HeaderValue::from_str(token)
            .map_err(|_| SignError::InvalidArgument("invalid session token".into()))?;
        headers.insert(HeaderName::from_static("x-amz-security-token"), v);
    }
    if !headers.contains_key("date") && !headers.contains_key("x-amz-date") {
        let v = HeaderValue::from_str(&format_http_date(params.time)).expect("dates are ASCII");
        headers.insert(http::header::DATE, v);
    }
    let sig = sign(
        params,
        method,
        path,
        query,
        headers,
        &date_field(headers, None),
        virtual_bucket,
    );
    let auth = HeaderValue::from_str(&format!("AWS {}:{sig}", params.access_key))
        .map_err(|_| SignError::InvalidArgument("invalid access key".into()))?;
    headers.insert(AUTHORIZATION, auth);
    Ok(sig)
}

/// Presigns: returns the full query string (`query` then `AWSAccessKeyId`,
/// `Expires`, `Signature`). `expires` is in seconds since the epoch.
pub fn presign_v2(
    params: &SigningParams<'_>,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    expires: i64,
    virtual_bucket: Option<&str>,
) -> String {
    let sig = sign(
        params,
        method,
        path,
        query,
        headers,
        expires.to_string().as_bytes(),
        virtual_bucket,
    );
    let mut out = query.to_string();
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(&format!(
        "AWSAccessKeyId={}&Expires={expires}&Signature={}",
        uri_encode(params.access_key.as_bytes(), false),
        uri_encode(sig.as_bytes(), false)
    ));
    out
}

//! Object attributes: request headers → stored [`ObjectAttrs`] and stored attributes →
//! response headers.

use http::{HeaderMap, Response};
use oos_meta::{Object, ObjectAttrs};
use oos_proto::headers::{X_AMZ_META_PREFIX, X_AMZ_STORAGE_CLASS, X_AMZ_WEBSITE_REDIRECT_LOCATION};
use oos_proto::time_fmt::http_date;
use oos_proto::StorageClass;

use crate::error::S3Result;
use crate::response::{set_header, Body};
use crate::s3_error;

/// S3 limit on user metadata: names and values together, in bytes.
pub const MAX_USER_META: usize = 2 * 1024;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Reads the content headers and `x-amz-meta-*` of a PutObject/CopyObject(REPLACE)/
/// CreateMultipartUpload request.
pub fn attrs_from_headers(headers: &HeaderMap) -> S3Result<ObjectAttrs> {
    let own = |name: &str| header(headers, name).map(str::to_string);
    let mut user_meta = Vec::new();
    let mut user_meta_bytes = Vec::new();
    let mut meta_size = 0;
    for (name, value) in headers {
        if let Some(meta_name) = name.as_str().strip_prefix(X_AMZ_META_PREFIX) {
            // Non-ASCII values arrive as raw bytes; keep them byte for byte: UTF-8 as text,
            // anything else (Latin-1 from most HTTP stacks) one char per byte, marked.
            let raw = value.as_bytes();
            let value = match std::str::from_utf8(raw) {
                Ok(text) => text.to_string(),
                Err(_) => {
                    user_meta_bytes.push(meta_name.to_string());
                    raw.iter().map(|&b| char::from(b)).collect()
                }
            };
            meta_size += meta_name.len() + raw.len();
            user_meta.push((meta_name.to_string(), value));
        }
    }
    if meta_size > MAX_USER_META {
        return Err(s3_error!(
            MetadataTooLarge,
            "Your metadata headers exceed the maximum allowed metadata size of {MAX_USER_META} bytes."
        ));
    }
    let website_redirect = own(X_AMZ_WEBSITE_REDIRECT_LOCATION);
    if let Some(r) = &website_redirect {
        let ok = (r.starts_with('/') || r.starts_with("http://") || r.starts_with("https://"))
            && r.len() <= 2048;
        if !ok {
            return Err(s3_error!(InvalidRedirectLocation));
        }
    }
    Ok(ObjectAttrs {
        content_type: own("content-type"),
        content_encoding: own("content-encoding")
            .map(|e| strip_aws_chunked(&e))
            .filter(|e| !e.is_empty()),
        content_disposition: own("content-disposition"),
        content_language: own("content-language"),
        cache_control: own("cache-control"),
        expires: own("expires"),
        website_redirect,
        user_meta,
        user_meta_bytes,
        checksum: None,
        checksum_type: None,
        checksum_algorithm: None,
        // Set by the write path (`ownership::apply_to_new_object`), which knows the bucket.
        acl: None,
        // Set by the write path once placement has chosen the region.
        data_region: None,
        tags: super::tagging::from_header(headers)?.unwrap_or_default(),
        completed_upload: None,
        // Object Lock is applied by the write path, which knows the bucket.
        retention: None,
        legal_hold: None,
        // Chosen by the write path (`sse::for_write`), which knows the bucket's default.
        sse: None,
    })
}

/// `aws-chunked` describes the transfer, not the object: S3 does not store it.
/// The rest is kept as the client wrote it, spacing included.
fn strip_aws_chunked(encoding: &str) -> String {
    encoding
        .split(',')
        .filter(|e| !e.trim().eq_ignore_ascii_case("aws-chunked"))
        .collect::<Vec<_>>()
        .join(",")
        .trim_start()
        .to_string()
}

/// The storage class named by `x-amz-storage-class` (default STANDARD). Responses echo the
/// class the client asked for (oos-api A5); placement by class comes with the data plane.
pub fn storage_class(headers: &HeaderMap) -> S3Result<String> {
    match header(headers, X_AMZ_STORAGE_CLASS) {
        None => Ok("STANDARD".to_string()),
        Some(s) => StorageClass::parse(s)
            .map(|c| c.to_string())
            .ok_or_else(|| s3_error!(InvalidStorageClass)),
    }
}

/// GET/HEAD response headers of an object.
pub fn write_headers(resp: &mut Response<Body>, o: &Object) {
    let a = &o.attrs;
    set_header(resp, "etag", &format!("\"{}\"", o.etag));
    set_header(resp, "last-modified", &http_date(o.last_modified));
    set_header(resp, "accept-ranges", "bytes");
    set_header(
        resp,
        "content-type",
        a.content_type.as_deref().unwrap_or("binary/octet-stream"),
    );
    let optional = [
        ("content-encoding", &a.content_encoding),
        ("content-disposition", &a.content_disposition),
        ("content-language", &a.content_language),
        ("cache-control", &a.cache_control),
        ("expires", &a.expires),
        (X_AMZ_WEBSITE_REDIRECT_LOCATION, &a.website_redirect),
    ];
    for (name, value) in optional {
        if let Some(v) = value {
            set_header(resp, name, v);
        }
    }
    for (name, value) in &a.user_meta {
        let bytes: Vec<u8> = if a.user_meta_bytes.contains(name) {
            value.chars().map(|c| c as u32 as u8).collect()
        } else {
            value.as_bytes().to_vec()
        };
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(format!("{X_AMZ_META_PREFIX}{name}").as_bytes()),
            http::HeaderValue::from_bytes(&bytes),
        ) {
            resp.headers_mut().insert(n, v);
        }
    }
    if o.storage_class != "STANDARD" {
        set_header(resp, X_AMZ_STORAGE_CLASS, &o.storage_class);
    }
    if !a.tags.is_empty() {
        set_header(resp, "x-amz-tagging-count", &a.tags.len().to_string());
    }
    super::object_lock::write_headers(resp, a);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_chunked_is_dropped_and_the_rest_kept_verbatim() {
        assert_eq!(strip_aws_chunked("aws-chunked, gzip"), "gzip");
        assert_eq!(strip_aws_chunked("gzip, br,aws-chunked"), "gzip, br");
        assert_eq!(strip_aws_chunked("gzip,  AWS-Chunked ,br"), "gzip,br");
        assert_eq!(strip_aws_chunked("aws-chunked"), "");
        assert_eq!(strip_aws_chunked("gzip;q=1,  br"), "gzip;q=1,  br");
    }

    #[test]
    fn user_metadata_limit_is_2kib() {
        let mut h = HeaderMap::new();
        h.insert("x-amz-meta-a", "x".repeat(2047).parse().unwrap());
        assert_eq!(attrs_from_headers(&h).unwrap().user_meta.len(), 1);
        h.insert("x-amz-meta-bb", "x".parse().unwrap());
        assert_eq!(
            attrs_from_headers(&h).unwrap_err().code,
            oos_proto::ErrorCode::MetadataTooLarge
        );
    }

    #[test]
    fn aws_chunked_is_not_stored() {
        let mut h = HeaderMap::new();
        h.insert("content-encoding", "aws-chunked,gzip".parse().unwrap());
        assert_eq!(
            attrs_from_headers(&h).unwrap().content_encoding.as_deref(),
            Some("gzip")
        );
        h.insert("content-encoding", "aws-chunked".parse().unwrap());
        assert_eq!(attrs_from_headers(&h).unwrap().content_encoding, None);
    }
}

//! One access-log record in the Amazon S3 server access log format: space-separated fields in
//! the documented order, `-` for anything unknown or not applicable, the request line, referer
//! and user agent in double quotes, the time in brackets.

use std::time::Duration;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::front::RequestInfo;

/// Keys are logged URL-encoded, `/` and the unreserved characters as they are.
const KEY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What the response said, besides what [`RequestInfo`] knows.
pub struct Outcome {
    pub status: u16,
    pub bytes_sent: u64,
    pub elapsed: Duration,
}

/// The record of one request to `bucket` (owned by `owner`), without the trailing newline.
pub fn format(owner: &str, bucket: &str, info: &RequestInfo, out: &Outcome) -> String {
    let ms = out.elapsed.as_millis().to_string();
    let (signature, auth_type) = signature_and_auth(info);
    let fields: [String; 27] = [
        plain(owner),
        plain(bucket),
        format!("[{}]", log_time(info.received_ms)),
        info.remote
            .map(|r| r.ip().to_string())
            .unwrap_or_else(|| "-".into()),
        opt(info.requester.as_deref()),
        plain(&info.request_id),
        operation(info),
        info.key
            .as_deref()
            .filter(|k| !k.is_empty())
            .map(|k| utf8_percent_encode(k, KEY_ENCODE).to_string())
            .unwrap_or_else(|| "-".into()),
        quoted(Some(&format!(
            "{} {} {}",
            info.method, info.uri, info.http_version
        ))),
        out.status.to_string(),
        opt(info.error_code),
        if out.bytes_sent == 0 {
            "-".into()
        } else {
            out.bytes_sent.to_string()
        },
        // Object size: the pipeline does not report it.
        "-".into(),
        // Total time and turn-around time: both measured up to the response head.
        ms.clone(),
        ms,
        quoted(info.referer.as_deref()),
        quoted(info.user_agent.as_deref()),
        // Version id: no versioning.
        "-".into(),
        // Host id: what x-amz-id-2 carries.
        plain(&info.request_id),
        signature.into(),
        // Cipher suite: not reported by the TLS layer.
        "-".into(),
        auth_type.into(),
        opt(info.host.as_deref()),
        // TLS version: not reported by the TLS layer.
        "-".into(),
        // Access point ARN, aclRequired, source region: not applicable.
        "-".into(),
        "-".into(),
        "-".into(),
    ];
    fields.join(" ")
}

/// `06/Feb/2019:00:00:38 +0000`.
pub fn log_time(unix_millis: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp_nanos(unix_millis as i128 * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    ))
    .unwrap_or_default()
}

/// `REST.GET.OBJECT` style: the HTTP method and the resource the operation works on.
pub fn operation(info: &RequestInfo) -> String {
    let method = if info.method.is_empty() {
        "-"
    } else {
        info.method.as_str()
    };
    let (prefix, verb, resource) = match info.op {
        "GetObject" => ("REST", "GET", "OBJECT"),
        "HeadObject" => ("REST", "HEAD", "OBJECT"),
        "PutObject" => ("REST", "PUT", "OBJECT"),
        "DeleteObject" => ("REST", "DELETE", "OBJECT"),
        "CopyObject" => ("REST", "COPY", "OBJECT"),
        "GetObjectAcl" | "GetBucketAcl" => ("REST", "GET", "ACL"),
        "PutBucketAcl" => ("REST", "PUT", "ACL"),
        "ListObjects" | "ListObjectsV2" => ("REST", "GET", "BUCKET"),
        "ListObjectVersions" => ("REST", "GET", "BUCKETVERSIONS"),
        "ListMultipartUploads" => ("REST", "GET", "UPLOADS"),
        "CreateBucket" => ("REST", "PUT", "BUCKET"),
        "DeleteBucket" => ("REST", "DELETE", "BUCKET"),
        "HeadBucket" => ("REST", "HEAD", "BUCKET"),
        "GetBucketLocation" => ("REST", "GET", "LOCATION"),
        "GetBucketVersioning" => ("REST", "GET", "VERSIONING"),
        "DeleteObjects" => ("REST", "POST", "MULTI_OBJECT_DELETE"),
        "GetBucketPolicy" => ("REST", "GET", "BUCKETPOLICY"),
        "PutBucketPolicy" => ("REST", "PUT", "BUCKETPOLICY"),
        "DeleteBucketPolicy" => ("REST", "DELETE", "BUCKETPOLICY"),
        "GetBucketWebsite" => ("REST", "GET", "WEBSITE"),
        "PutBucketWebsite" => ("REST", "PUT", "WEBSITE"),
        "DeleteBucketWebsite" => ("REST", "DELETE", "WEBSITE"),
        "GetBucketCors" => ("REST", "GET", "CORS"),
        "PutBucketCors" => ("REST", "PUT", "CORS"),
        "DeleteBucketCors" => ("REST", "DELETE", "CORS"),
        "CorsPreflight" => ("REST", "OPTIONS", "PREFLIGHT"),
        "GetBucketLifecycle" => ("REST", "GET", "LIFECYCLE"),
        "PutBucketLifecycle" => ("REST", "PUT", "LIFECYCLE"),
        "DeleteBucketLifecycle" => ("REST", "DELETE", "LIFECYCLE"),
        "GetBucketLogging" => ("REST", "GET", "LOGGING_STATUS"),
        "PutBucketLogging" => ("REST", "PUT", "LOGGING_STATUS"),
        "CreateMultipartUpload" => ("REST", "POST", "UPLOADS"),
        "UploadPart" => ("REST", "PUT", "PART"),
        "UploadPartCopy" => ("REST", "COPY", "PART"),
        "CompleteMultipartUpload" => ("REST", "POST", "UPLOAD"),
        "AbortMultipartUpload" => ("REST", "DELETE", "UPLOAD"),
        "ListParts" => ("REST", "GET", "UPLOAD"),
        "Website" => ("WEBSITE", method, "OBJECT"),
        _ => (
            "REST",
            method,
            if info.key.as_deref().is_some_and(|k| !k.is_empty()) {
                "OBJECT"
            } else {
                "BUCKET"
            },
        ),
    };
    format!("{prefix}.{verb}.{resource}")
}

/// Signature version and authentication type: presigned URLs show theirs in the query,
/// header-signed requests in the Authorization header.
fn signature_and_auth(info: &RequestInfo) -> (&'static str, &'static str) {
    if info.requester.is_none() {
        return ("-", "-");
    }
    let query = info.uri.split_once('?').map(|(_, q)| q).unwrap_or("");
    let has = |name: &str| {
        query
            .split('&')
            .any(|p| p.split('=').next().is_some_and(|n| n == name))
    };
    if has("X-Amz-Signature") || has("X-Amz-Algorithm") {
        ("SigV4", "QueryString")
    } else if has("Signature") || has("AWSAccessKeyId") {
        ("SigV2", "QueryString")
    } else {
        (info.header_signature.unwrap_or("-"), "AuthHeader")
    }
}

fn plain(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        sanitize(s).replace(' ', "+")
    }
}

fn opt(s: Option<&str>) -> String {
    s.map(plain).unwrap_or_else(|| "-".into())
}

/// A double-quoted field; quotes and backslashes inside are escaped.
fn quoted(s: Option<&str>) -> String {
    match s.filter(|s| !s.is_empty()) {
        None => "\"-\"".into(),
        Some(s) => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('"');
            for c in sanitize(s).chars() {
                if c == '"' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('"');
            out
        }
    }
}

/// No control characters: a record is one line. (Unquoted fields also lose their spaces.)
fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> RequestInfo {
        RequestInfo {
            request_id: "3E57427F3EXAMPLE".into(),
            op: "GetObject",
            bucket: Some("b".into()),
            key: Some("dir/a b.txt".into()),
            requester: Some("owner1".into()),
            access_key_id: Some("AK".into()),
            remote: Some("192.0.2.3:1234".parse().unwrap()),
            method: "GET".into(),
            uri: "/b/dir/a%20b.txt".into(),
            http_version: "HTTP/1.1".into(),
            host: Some("localhost:9000".into()),
            user_agent: Some("ua \"x\"".into()),
            received_ms: 1_549_411_238_000,
            ..Default::default()
        }
    }

    #[test]
    fn formats_every_field_in_order() {
        let out = Outcome {
            status: 200,
            bytes_sent: 113,
            elapsed: Duration::from_millis(7),
        };
        let line = format("owner1", "b", &info(), &out);
        assert_eq!(
            line,
            "owner1 b [06/Feb/2019:00:00:38 +0000] 192.0.2.3 owner1 3E57427F3EXAMPLE \
             REST.GET.OBJECT dir/a%20b.txt \"GET /b/dir/a%20b.txt HTTP/1.1\" 200 - 113 - 7 7 \
             \"-\" \"ua \\\"x\\\"\" - 3E57427F3EXAMPLE - - AuthHeader localhost:9000 - - - -"
        );
    }

    #[test]
    fn anonymous_errors_and_presigned() {
        let mut i = info();
        i.requester = None;
        i.error_code = Some("AccessDenied");
        i.uri = "/b/k".into();
        let out = Outcome {
            status: 403,
            bytes_sent: 0,
            elapsed: Duration::ZERO,
        };
        let f: Vec<String> = format("o", "b", &i, &out)
            .split(' ')
            .map(str::to_string)
            .collect();
        assert_eq!(f[5], "-");
        assert_eq!(&f[12..15], ["403", "AccessDenied", "-"]);
        i.requester = Some("o".into());
        i.uri = "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab".into();
        assert_eq!(signature_and_auth(&i), ("SigV4", "QueryString"));
        i.uri = "/b/k?AWSAccessKeyId=a&Expires=1&Signature=x".into();
        assert_eq!(signature_and_auth(&i), ("SigV2", "QueryString"));
    }

    #[test]
    fn operations() {
        let mut i = info();
        i.op = "Unknown";
        i.method = "PATCH".into();
        assert_eq!(operation(&i), "REST.PATCH.OBJECT");
        i.key = None;
        assert_eq!(operation(&i), "REST.PATCH.BUCKET");
        i.op = "PutBucketLogging";
        assert_eq!(operation(&i), "REST.PUT.LOGGING_STATUS");
    }
}

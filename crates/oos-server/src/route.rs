//! Routing: Host and path → bucket and key (path or virtual-host style), then method + query
//! keyword + key + guard headers → one [`Endpoint`].

use http::{HeaderMap, Method};
use percent_encoding::percent_decode_str;

use crate::error::{S3Error, S3Result};
use crate::s3_error;

/// Longest key S3 accepts, in bytes of UTF-8.
pub const MAX_KEY_LEN: usize = 1024;

/// What a request addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub bucket: Option<String>,
    pub key: Option<String>,
    /// The bucket came from the Host header (SigV2 signs it as part of the resource).
    pub virtual_host: bool,
}

/// Splits Host + raw path into bucket and key. `domains` are the lower-cased domains of
/// virtual-host style; any other Host is path style.
pub fn parse_target(host: Option<&str>, raw_path: &str, domains: &[String]) -> S3Result<Target> {
    let path = percent_decode_str(raw_path)
        .decode_utf8()
        .map_err(|_| s3_error!(InvalidURI))?;
    let path = path.strip_prefix('/').unwrap_or(&path);
    let host = host.map(host_without_port).map(|h| h.to_ascii_lowercase());
    let vhost_bucket = host.as_deref().and_then(|h| {
        domains.iter().find_map(|d| {
            h.strip_suffix(d.as_str())
                .and_then(|b| b.strip_suffix('.'))
                .filter(|b| !b.is_empty())
                .map(str::to_string)
        })
    });
    let (bucket, key, virtual_host) = match vhost_bucket {
        Some(b) => (Some(b), path.to_string(), true),
        None => match path.split_once('/') {
            Some((b, k)) => (Some(b.to_string()), k.to_string(), false),
            None if path.is_empty() => (None, String::new(), false),
            None => (Some(path.to_string()), String::new(), false),
        },
    };
    if key.len() > MAX_KEY_LEN {
        return Err(s3_error!(KeyTooLongError));
    }
    Ok(Target {
        bucket,
        key: (!key.is_empty()).then_some(key),
        virtual_host,
    })
}

fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split(']').next().map(|h| &h[1..]).unwrap_or(host);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
}

/// Decoded query parameters in request order.
#[derive(Debug, Default, Clone)]
pub struct Query(pub Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> S3Result<Query> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(raw)
            .map(Query)
            .map_err(|_| s3_error!(InvalidArgument, "The query string could not be parsed."))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }
}

/// Every operation the S3 front end knows. Operations of later issues are listed too, so the
/// gap is visible here and they answer `501 NotImplemented` until built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    // service
    ListBuckets,
    GetRegions,
    // bucket
    CreateBucket,
    DeleteBucket,
    HeadBucket,
    GetBucketLocation,
    ListObjects,
    ListObjectsV2,
    ListObjectVersions,
    GetBucketVersioning,
    PutBucketVersioning,
    ListMultipartUploads,
    DeleteObjects,
    /// A browser form upload (`POST /bucket`, multipart/form-data).
    PostObject,
    GetBucketAcl,
    PutBucketAcl,
    GetBucketPolicy,
    PutBucketPolicy,
    DeleteBucketPolicy,
    GetBucketWebsite,
    PutBucketWebsite,
    DeleteBucketWebsite,
    GetBucketCors,
    PutBucketCors,
    DeleteBucketCors,
    GetBucketLifecycle,
    PutBucketLifecycle,
    DeleteBucketLifecycle,
    GetBucketLogging,
    PutBucketLogging,
    GetBucketAccelerate,
    PutBucketAccelerate,
    /// A CORS preflight (`OPTIONS`) on a bucket or object URL.
    CorsPreflight,
    // object
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    DeleteObject,
    CreateMultipartUpload,
    UploadPart {
        part_number: u32,
        upload_id: String,
    },
    UploadPartCopy {
        part_number: u32,
        upload_id: String,
    },
    CompleteMultipartUpload {
        upload_id: String,
    },
    AbortMultipartUpload {
        upload_id: String,
    },
    ListParts {
        upload_id: String,
    },
    GetObjectAcl,
    PutObjectAcl,
    GetObjectTagging,
    PutObjectTagging,
    DeleteObjectTagging,
    GetBucketTagging,
    PutBucketTagging,
    DeleteBucketTagging,
    GetObjectAttributes,
    GetObjectLockConfiguration,
    PutObjectLockConfiguration,
    GetObjectRetention,
    PutObjectRetention,
    GetObjectLegalHold,
    PutObjectLegalHold,
    GetBucketEncryption,
    PutBucketEncryption,
    DeleteBucketEncryption,
    GetPublicAccessBlock,
    PutPublicAccessBlock,
    DeletePublicAccessBlock,
    GetBucketPolicyStatus,
    GetBucketOwnershipControls,
    PutBucketOwnershipControls,
    DeleteBucketOwnershipControls,
    /// A known S3/OOS operation that a later issue builds (named for the log and metrics).
    NotImplemented(&'static str),
}

/// Sub-resources of later issues: present in the query → `501 NotImplemented`.
const LATER_SUBRESOURCES: &[(&str, &str)] = &[
    ("notification", "Notification"),
    ("replication", "Replication"),
    ("requestPayment", "RequestPayment"),
    ("analytics", "Analytics"),
    ("inventory", "Inventory"),
    ("metrics", "Metrics"),
    ("intelligent-tiering", "IntelligentTiering"),
    ("torrent", "Torrent"),
    ("restore", "Restore"),
    ("select", "Select"),
    ("subresource", "Subresource"),
];

impl Endpoint {
    pub fn parse(
        method: &Method,
        target: &Target,
        q: &Query,
        headers: &HeaderMap,
    ) -> S3Result<Endpoint> {
        let Some(_) = &target.bucket else {
            return match *method {
                Method::GET if q.has("regions") => Ok(Endpoint::GetRegions),
                Method::GET => Ok(Endpoint::ListBuckets),
                _ => Err(s3_error!(MethodNotAllowed)),
            };
        };
        if target.key.is_none() && *method != Method::POST && asks_for_encryption(headers) {
            // Encryption is chosen per object (or by a bucket's default): on a bucket request
            // the headers would claim a protection nothing applies.
            return Ok(Endpoint::NotImplemented("ServerSideEncryption"));
        }
        if target.key.is_none() {
            Self::parse_bucket(method, q)
        } else {
            Self::parse_object(method, q, headers)
        }
    }

    fn parse_bucket(method: &Method, q: &Query) -> S3Result<Endpoint> {
        if let Some(name) = later_subresource(q) {
            return Ok(Endpoint::NotImplemented(name));
        }
        Ok(match *method {
            Method::GET if q.has("acl") => Endpoint::GetBucketAcl,
            Method::PUT if q.has("acl") => Endpoint::PutBucketAcl,
            Method::GET if q.has("policy") => Endpoint::GetBucketPolicy,
            Method::PUT if q.has("policy") => Endpoint::PutBucketPolicy,
            Method::DELETE if q.has("policy") => Endpoint::DeleteBucketPolicy,
            Method::GET if q.has("website") => Endpoint::GetBucketWebsite,
            Method::PUT if q.has("website") => Endpoint::PutBucketWebsite,
            Method::DELETE if q.has("website") => Endpoint::DeleteBucketWebsite,
            Method::GET if q.has("cors") => Endpoint::GetBucketCors,
            Method::PUT if q.has("cors") => Endpoint::PutBucketCors,
            Method::DELETE if q.has("cors") => Endpoint::DeleteBucketCors,
            Method::GET if q.has("lifecycle") => Endpoint::GetBucketLifecycle,
            Method::PUT if q.has("lifecycle") => Endpoint::PutBucketLifecycle,
            Method::DELETE if q.has("lifecycle") => Endpoint::DeleteBucketLifecycle,
            Method::GET if q.has("logging") => Endpoint::GetBucketLogging,
            Method::GET if q.has("accelerate") => Endpoint::GetBucketAccelerate,
            Method::PUT if q.has("accelerate") => Endpoint::PutBucketAccelerate,
            Method::PUT if q.has("logging") => Endpoint::PutBucketLogging,
            Method::GET if q.has("tagging") => Endpoint::GetBucketTagging,
            Method::PUT if q.has("tagging") => Endpoint::PutBucketTagging,
            Method::DELETE if q.has("tagging") => Endpoint::DeleteBucketTagging,
            Method::GET if q.has("object-lock") => Endpoint::GetObjectLockConfiguration,
            Method::PUT if q.has("object-lock") => Endpoint::PutObjectLockConfiguration,
            Method::GET if q.has("encryption") => Endpoint::GetBucketEncryption,
            Method::PUT if q.has("encryption") => Endpoint::PutBucketEncryption,
            Method::DELETE if q.has("encryption") => Endpoint::DeleteBucketEncryption,
            Method::GET if q.has("publicAccessBlock") => Endpoint::GetPublicAccessBlock,
            Method::PUT if q.has("publicAccessBlock") => Endpoint::PutPublicAccessBlock,
            Method::DELETE if q.has("publicAccessBlock") => Endpoint::DeletePublicAccessBlock,
            Method::GET if q.has("policyStatus") => Endpoint::GetBucketPolicyStatus,
            Method::GET if q.has("ownershipControls") => Endpoint::GetBucketOwnershipControls,
            Method::PUT if q.has("ownershipControls") => Endpoint::PutBucketOwnershipControls,
            Method::DELETE if q.has("ownershipControls") => Endpoint::DeleteBucketOwnershipControls,
            Method::OPTIONS => Endpoint::CorsPreflight,
            _ if [
                "acl",
                "policy",
                "website",
                "cors",
                "lifecycle",
                "logging",
                "accelerate",
                "tagging",
                "object-lock",
                "publicAccessBlock",
                "policyStatus",
                "ownershipControls",
                // Object sub-resources, meaningless on a bucket.
                "retention",
                "legal-hold",
                "attributes",
            ]
            .iter()
            .any(|k| q.has(k)) =>
            {
                return Err(s3_error!(MethodNotAllowed))
            }
            Method::PUT if q.has("versioning") => Endpoint::PutBucketVersioning,
            Method::PUT => Endpoint::CreateBucket,
            Method::DELETE => Endpoint::DeleteBucket,
            Method::HEAD => Endpoint::HeadBucket,
            Method::GET if q.has("location") => Endpoint::GetBucketLocation,
            Method::GET if q.has("versioning") => Endpoint::GetBucketVersioning,
            Method::GET if q.has("uploads") => Endpoint::ListMultipartUploads,
            Method::GET if q.has("versions") => Endpoint::ListObjectVersions,
            Method::GET if q.get("list-type") == Some("2") => Endpoint::ListObjectsV2,
            Method::GET => Endpoint::ListObjects,
            Method::POST if q.has("delete") => Endpoint::DeleteObjects,
            Method::POST => Endpoint::PostObject,
            _ => return Err(s3_error!(MethodNotAllowed)),
        })
    }

    fn parse_object(method: &Method, q: &Query, headers: &HeaderMap) -> S3Result<Endpoint> {
        if let Some(name) = later_subresource(q) {
            return Ok(Endpoint::NotImplemented(name));
        }
        if *method == Method::OPTIONS {
            return Ok(Endpoint::CorsPreflight);
        }
        if q.has("acl") {
            return match *method {
                Method::GET => Ok(Endpoint::GetObjectAcl),
                Method::PUT => Ok(Endpoint::PutObjectAcl),
                _ => Err(s3_error!(MethodNotAllowed)),
            };
        }
        if q.has("tagging") {
            return match *method {
                Method::GET => Ok(Endpoint::GetObjectTagging),
                Method::PUT => Ok(Endpoint::PutObjectTagging),
                Method::DELETE => Ok(Endpoint::DeleteObjectTagging),
                _ => Err(s3_error!(MethodNotAllowed)),
            };
        }
        if q.has("attributes") {
            return match *method {
                Method::GET => Ok(Endpoint::GetObjectAttributes),
                _ => Err(s3_error!(MethodNotAllowed)),
            };
        }
        if q.has("retention") {
            return match *method {
                Method::GET => Ok(Endpoint::GetObjectRetention),
                Method::PUT => Ok(Endpoint::PutObjectRetention),
                _ => Err(s3_error!(MethodNotAllowed)),
            };
        }
        if q.has("legal-hold") {
            return match *method {
                Method::GET => Ok(Endpoint::GetObjectLegalHold),
                Method::PUT => Ok(Endpoint::PutObjectLegalHold),
                _ => Err(s3_error!(MethodNotAllowed)),
            };
        }
        let upload_id = q.get("uploadId").map(str::to_string);
        let copy = headers.contains_key(oos_proto::headers::X_AMZ_COPY_SOURCE);
        Ok(match (method, upload_id) {
            (&Method::PUT, Some(upload_id)) => {
                let part_number = part_number(q)?;
                if copy {
                    Endpoint::UploadPartCopy {
                        part_number,
                        upload_id,
                    }
                } else {
                    Endpoint::UploadPart {
                        part_number,
                        upload_id,
                    }
                }
            }
            (&Method::PUT, None) if copy => Endpoint::CopyObject,
            (&Method::PUT, None) => Endpoint::PutObject,
            (&Method::GET, Some(upload_id)) => Endpoint::ListParts { upload_id },
            (&Method::GET, None) => Endpoint::GetObject,
            (&Method::HEAD, _) => Endpoint::HeadObject,
            (&Method::DELETE, Some(upload_id)) => Endpoint::AbortMultipartUpload { upload_id },
            (&Method::DELETE, None) => Endpoint::DeleteObject,
            (&Method::POST, Some(upload_id)) => Endpoint::CompleteMultipartUpload { upload_id },
            (&Method::POST, None) if q.has("uploads") => Endpoint::CreateMultipartUpload,
            _ => return Err(s3_error!(MethodNotAllowed)),
        })
    }

    /// The operation name used in metrics and logs (the S3 API name).
    pub fn name(&self) -> &'static str {
        match self {
            Endpoint::ListBuckets => "ListBuckets",
            Endpoint::GetRegions => "GetRegions",
            Endpoint::CreateBucket => "CreateBucket",
            Endpoint::DeleteBucket => "DeleteBucket",
            Endpoint::HeadBucket => "HeadBucket",
            Endpoint::GetBucketLocation => "GetBucketLocation",
            Endpoint::ListObjects => "ListObjects",
            Endpoint::ListObjectsV2 => "ListObjectsV2",
            Endpoint::ListObjectVersions => "ListObjectVersions",
            Endpoint::GetBucketVersioning => "GetBucketVersioning",
            Endpoint::PutBucketVersioning => "PutBucketVersioning",
            Endpoint::ListMultipartUploads => "ListMultipartUploads",
            Endpoint::DeleteObjects => "DeleteObjects",
            Endpoint::PostObject => "PostObject",
            Endpoint::GetBucketAcl => "GetBucketAcl",
            Endpoint::PutBucketAcl => "PutBucketAcl",
            Endpoint::GetBucketPolicy => "GetBucketPolicy",
            Endpoint::PutBucketPolicy => "PutBucketPolicy",
            Endpoint::DeleteBucketPolicy => "DeleteBucketPolicy",
            Endpoint::GetBucketWebsite => "GetBucketWebsite",
            Endpoint::PutBucketWebsite => "PutBucketWebsite",
            Endpoint::DeleteBucketWebsite => "DeleteBucketWebsite",
            Endpoint::GetBucketCors => "GetBucketCors",
            Endpoint::PutBucketCors => "PutBucketCors",
            Endpoint::DeleteBucketCors => "DeleteBucketCors",
            Endpoint::GetBucketLifecycle => "GetBucketLifecycle",
            Endpoint::PutBucketLifecycle => "PutBucketLifecycle",
            Endpoint::DeleteBucketLifecycle => "DeleteBucketLifecycle",
            Endpoint::GetBucketLogging => "GetBucketLogging",
            Endpoint::PutBucketLogging => "PutBucketLogging",
            Endpoint::CorsPreflight => "CorsPreflight",
            Endpoint::GetBucketAccelerate => "GetBucketAccelerate",
            Endpoint::PutBucketAccelerate => "PutBucketAccelerate",
            Endpoint::GetObjectAcl => "GetObjectAcl",
            Endpoint::PutObjectAcl => "PutObjectAcl",
            Endpoint::GetObjectTagging => "GetObjectTagging",
            Endpoint::PutObjectTagging => "PutObjectTagging",
            Endpoint::DeleteObjectTagging => "DeleteObjectTagging",
            Endpoint::GetBucketTagging => "GetBucketTagging",
            Endpoint::PutBucketTagging => "PutBucketTagging",
            Endpoint::DeleteBucketTagging => "DeleteBucketTagging",
            Endpoint::GetObjectAttributes => "GetObjectAttributes",
            Endpoint::GetObjectLockConfiguration => "GetObjectLockConfiguration",
            Endpoint::PutObjectLockConfiguration => "PutObjectLockConfiguration",
            Endpoint::GetObjectRetention => "GetObjectRetention",
            Endpoint::PutObjectRetention => "PutObjectRetention",
            Endpoint::GetObjectLegalHold => "GetObjectLegalHold",
            Endpoint::PutObjectLegalHold => "PutObjectLegalHold",
            Endpoint::GetBucketEncryption => "GetBucketEncryption",
            Endpoint::PutBucketEncryption => "PutBucketEncryption",
            Endpoint::DeleteBucketEncryption => "DeleteBucketEncryption",
            Endpoint::GetPublicAccessBlock => "GetPublicAccessBlock",
            Endpoint::PutPublicAccessBlock => "PutPublicAccessBlock",
            Endpoint::DeletePublicAccessBlock => "DeletePublicAccessBlock",
            Endpoint::GetBucketPolicyStatus => "GetBucketPolicyStatus",
            Endpoint::GetBucketOwnershipControls => "GetBucketOwnershipControls",
            Endpoint::PutBucketOwnershipControls => "PutBucketOwnershipControls",
            Endpoint::DeleteBucketOwnershipControls => "DeleteBucketOwnershipControls",
            Endpoint::PutObject => "PutObject",
            Endpoint::CopyObject => "CopyObject",
            Endpoint::GetObject => "GetObject",
            Endpoint::HeadObject => "HeadObject",
            Endpoint::DeleteObject => "DeleteObject",
            Endpoint::CreateMultipartUpload => "CreateMultipartUpload",
            Endpoint::UploadPart { .. } => "UploadPart",
            Endpoint::UploadPartCopy { .. } => "UploadPartCopy",
            Endpoint::CompleteMultipartUpload { .. } => "CompleteMultipartUpload",
            Endpoint::AbortMultipartUpload { .. } => "AbortMultipartUpload",
            Endpoint::ListParts { .. } => "ListParts",
            Endpoint::NotImplemented(name) => name,
        }
    }
}

/// Whether the request names a server-side encryption mode: SSE-S3, SSE-KMS, SSE-C (for the
/// object or, on copies, for the source).
pub fn asks_for_encryption(headers: &HeaderMap) -> bool {
    headers.keys().any(|name| {
        let name = name.as_str();
        name.starts_with("x-amz-server-side-encryption")
            || name.starts_with("x-amz-copy-source-server-side-encryption")
    })
}

fn later_subresource(q: &Query) -> Option<&'static str> {
    LATER_SUBRESOURCES
        .iter()
        .find(|(key, _)| q.has(key))
        .map(|(_, name)| *name)
}

fn part_number(q: &Query) -> S3Result<u32> {
    let raw = q.get("partNumber").ok_or_else(|| {
        s3_error!(
            InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive"
        )
    })?;
    match raw.parse::<u32>() {
        Ok(n) if (1..=10000).contains(&n) => Ok(n),
        _ => Err(S3Error::with_message(
            oos_proto::ErrorCode::InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(line: &str) -> Result<Endpoint, oos_proto::ErrorCode> {
        let (method, rest) = line.split_once(' ').unwrap();
        let (uri, header) = rest.split_once(' ').unwrap_or((rest, ""));
        let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
        let mut headers = HeaderMap::new();
        if !header.is_empty() {
            headers.insert(
                http::HeaderName::from_bytes(header.as_bytes()).unwrap(),
                "x".parse().unwrap(),
            );
        }
        let target = parse_target(Some("127.0.0.1:9000"), path, &[]).map_err(|e| e.code)?;
        let q = Query::parse(query).map_err(|e| e.code)?;
        Endpoint::parse(&method.parse().unwrap(), &target, &q, &headers).map_err(|e| e.code)
    }

    /// METHOD /uri [guard-header] → Endpoint, from the S3 API reference.
    #[test]
    fn routing_table() {
        use Endpoint::*;
        let up = || "2~x".to_string();
        let table: Vec<(&str, Endpoint)> = vec![
            ("GET /", ListBuckets),
            ("GET /?regions", GetRegions),
            ("PUT /b", CreateBucket),
            ("PUT /b/", CreateBucket),
            ("DELETE /b", DeleteBucket),
            ("HEAD /b", HeadBucket),
            ("GET /b?location", GetBucketLocation),
            ("GET /b", ListObjects),
            ("GET /b?list-type=2&prefix=a", ListObjectsV2),
            ("GET /b?versions", ListObjectVersions),
            ("GET /b?versioning", GetBucketVersioning),
            ("PUT /b?versioning", PutBucketVersioning),
            ("GET /b?uploads", ListMultipartUploads),
            ("POST /b?delete", DeleteObjects),
            ("GET /b?policy", GetBucketPolicy),
            ("PUT /b?policy", PutBucketPolicy),
            ("DELETE /b?policy", DeleteBucketPolicy),
            ("GET /b?acl", GetBucketAcl),
            ("PUT /b?acl", PutBucketAcl),
            ("GET /b?cors", GetBucketCors),
            ("PUT /b?website", PutBucketWebsite),
            ("DELETE /b?lifecycle", DeleteBucketLifecycle),
            ("GET /b?logging", GetBucketLogging),
            ("OPTIONS /b", CorsPreflight),
            ("OPTIONS /b/k", CorsPreflight),
            ("PUT /b/k", PutObject),
            ("PUT /b/k x-amz-copy-source", CopyObject),
            // Encryption is per object: the headers route as the request would without them,
            // except on bucket requests, where nothing would apply them.
            ("PUT /b/k x-amz-server-side-encryption", PutObject),
            (
                "GET /b/k x-amz-server-side-encryption-customer-key",
                GetObject,
            ),
            (
                "POST /b/k?uploads x-amz-server-side-encryption-aws-kms-key-id",
                CreateMultipartUpload,
            ),
            (
                "GET /b x-amz-server-side-encryption",
                NotImplemented("ServerSideEncryption"),
            ),
            ("GET /b?encryption", GetBucketEncryption),
            ("PUT /b?encryption", PutBucketEncryption),
            ("DELETE /b?encryption", DeleteBucketEncryption),
            ("GET /b/k", GetObject),
            ("GET /b/k?response-content-type=a", GetObject),
            ("HEAD /b/k", HeadObject),
            ("DELETE /b/k", DeleteObject),
            ("POST /b/k?uploads", CreateMultipartUpload),
            (
                "PUT /b/k?partNumber=3&uploadId=2~x",
                UploadPart {
                    part_number: 3,
                    upload_id: up(),
                },
            ),
            (
                "PUT /b/k?partNumber=3&uploadId=2~x x-amz-copy-source",
                UploadPartCopy {
                    part_number: 3,
                    upload_id: up(),
                },
            ),
            (
                "POST /b/k?uploadId=2~x",
                CompleteMultipartUpload { upload_id: up() },
            ),
            (
                "DELETE /b/k?uploadId=2~x",
                AbortMultipartUpload { upload_id: up() },
            ),
            ("GET /b/k?uploadId=2~x", ListParts { upload_id: up() }),
            ("GET /b/k?acl", GetObjectAcl),
            ("PUT /b/k?acl", PutObjectAcl),
            ("PUT /b/k?tagging", PutObjectTagging),
            ("GET /b/k?tagging", GetObjectTagging),
            ("DELETE /b/k?tagging", DeleteObjectTagging),
            ("GET /b?tagging", GetBucketTagging),
            ("PUT /b?tagging", PutBucketTagging),
            ("DELETE /b?tagging", DeleteBucketTagging),
            ("GET /b?publicAccessBlock", GetPublicAccessBlock),
            ("PUT /b?publicAccessBlock", PutPublicAccessBlock),
            ("DELETE /b?publicAccessBlock", DeletePublicAccessBlock),
            ("GET /b?policyStatus", GetBucketPolicyStatus),
            ("GET /b?ownershipControls", GetBucketOwnershipControls),
            ("PUT /b?ownershipControls", PutBucketOwnershipControls),
            ("DELETE /b?ownershipControls", DeleteBucketOwnershipControls),
        ];
        for (line, want) in table {
            assert_eq!(route(line), Ok(want), "{line}");
        }
        use oos_proto::ErrorCode as C;
        assert_eq!(route("PUT /"), Err(C::MethodNotAllowed));
        assert_eq!(
            route("PUT /b/k?partNumber=0&uploadId=u"),
            Err(C::InvalidArgument)
        );
        assert_eq!(
            route("PUT /b/k?partNumber=10001&uploadId=u"),
            Err(C::InvalidArgument)
        );
        assert_eq!(route("PATCH /b/k"), Err(C::MethodNotAllowed));
        assert_eq!(route("POST /b?policyStatus"), Err(C::MethodNotAllowed));
        assert_eq!(route("PUT /b?policyStatus"), Err(C::MethodNotAllowed));
    }

    #[test]
    fn path_and_virtual_host_targets() {
        let domains = vec!["oos.example".to_string()];
        let t = parse_target(Some("b1.oos.example:9000"), "/a/b%20c", &domains).unwrap();
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref(), t.virtual_host),
            (Some("b1"), Some("a/b c"), true)
        );
        let t = parse_target(Some("oos.example"), "/b1/k", &domains).unwrap();
        assert_eq!(
            (t.bucket.as_deref(), t.key.as_deref(), t.virtual_host),
            (Some("b1"), Some("k"), false)
        );
        let t = parse_target(Some("[::1]:80"), "/", &domains).unwrap();
        assert_eq!(t.bucket, None);
        let long = format!("/b/{}", "k".repeat(1025));
        assert_eq!(
            parse_target(None, &long, &domains).unwrap_err().code,
            oos_proto::ErrorCode::KeyTooLongError
        );
        assert!(parse_target(None, &format!("/b/{}", "k".repeat(1024)), &domains).is_ok());
    }
}

//! The one error type of the SDK.

use std::fmt;
use std::path::PathBuf;

/// A boxed error from the HTTP stack or a body stream.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Result with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error answered by the server: the S3 error document, or for bodiless responses
/// (HEAD, 304) a code derived from the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    /// HTTP status code.
    pub status: u16,
    /// S3 error code, e.g. `NoSuchKey`.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The `x-amz-request-id` of the failed request (or the document's `RequestId`).
    pub request_id: String,
    /// The resource named by the error document, if any.
    pub resource: String,
    /// The bucket of the failed request, if it named one.
    pub bucket: Option<String>,
    /// The key of the failed request, if it named one.
    pub key: Option<String>,
}

impl ServiceError {
    /// What the failed request was about: `s3://bucket/key`, `s3://bucket`, or `None` for
    /// requests of the service (ListBuckets, the AccessKey API).
    pub fn location(&self) -> Option<String> {
        let bucket = self.bucket.as_deref()?;
        Some(match self.key.as_deref() {
            Some(key) => format!("s3://{bucket}/{key}"),
            None => format!("s3://{bucket}"),
        })
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        let location = self.location();
        match (location, self.request_id.is_empty()) {
            (Some(l), false) => write!(f, " ({l}, request id {})", self.request_id),
            (Some(l), true) => write!(f, " ({l})"),
            (None, false) => write!(f, " (request id {})", self.request_id),
            (None, true) => Ok(()),
        }
    }
}

/// An error and its sources, `: `-separated (`connection to http://h:1 failed: … Connection
/// refused (os error 111)`); a source whose text the message already shows (errors that print
/// their cause themselves) is not repeated.
pub fn with_causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let part = cause.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = cause.source();
    }
    text
}

/// Everything that can go wrong in an SDK call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with an error status.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// The connection to `endpoint` failed or broke (after the configured retries); the
    /// message ends with the underlying causes (`Connection refused (os error 111)`).
    #[error("connection to {endpoint} failed: {}", with_causes(source.as_ref()))]
    Connection {
        /// `scheme://host[:port]` the request went to.
        endpoint: String,
        /// What the HTTP stack reported.
        #[source]
        source: BoxError,
    },
    /// No response within the configured timeout.
    #[error("timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// A local file failed: opening, reading or writing `path`.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// A local stream failed (stdin, stdout, a writer given to the SDK).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// An argument the SDK cannot send (bad header value, bad endpoint, …).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The server's answer could not be understood.
    #[error("unexpected response: {0}")]
    Response(String),
    /// A transfer's data did not match its ETag or checksum.
    #[error("integrity check failed: {0}")]
    Integrity(String),
    /// Configuration missing or malformed (profile file, environment).
    #[error("configuration error: {0}")]
    Config(String),
}

impl Error {
    /// The server's error, if it was one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The S3 error code (`NoSuchKey`, `AccessDenied`, …) of a server error.
    pub fn code(&self) -> Option<&str> {
        self.service().map(|e| e.code.as_str())
    }

    /// The HTTP status of a server error.
    pub fn status(&self) -> Option<u16> {
        self.service().map(|e| e.status)
    }

    /// The request id of a server error.
    pub fn request_id(&self) -> Option<&str> {
        self.service().map(|e| e.request_id.as_str())
    }

    /// The request's bucket and key on a server error (the SDK's send pipeline knows them).
    pub(crate) fn for_request(mut self, bucket: Option<&str>, key: Option<&str>) -> Error {
        if let Error::Service(e) = &mut self {
            e.bucket = bucket.map(str::to_string);
            e.key = key.map(str::to_string);
        }
        self
    }

    /// Whether the server said 404 (no such bucket, key, upload, configuration…).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether a retry may succeed: 5xx, throttling, connection errors and timeouts.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.status >= 500 || e.code == "SlowDown",
            Error::Connection { .. } | Error::Timeout(_) => true,
            _ => false,
        }
    }
}

/// The code S3 uses for a bodiless error response with this status.
pub(crate) fn code_for_status(status: u16) -> &'static str {
    match status {
        304 => "NotModified",
        400 => "BadRequest",
        403 => "AccessDenied",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        416 => "InvalidRange",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        _ => "Unknown",
    }
}

/// Builds the service error from a status, the `x-amz-request-id` header and a body.
pub(crate) fn service_error(status: u16, header_request_id: &str, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let doc: Option<oos_proto::xml::sdk::ErrorDocument> = if text.contains("<ErrorResponse") {
        oos_proto::xml::from_xml::<oos_proto::xml::sdk::IamErrorResponse>(&text)
            .ok()
            .map(|r| {
                let mut e = r.error;
                if e.request_id.is_empty() {
                    e.request_id = r.request_id;
                }
                e
            })
    } else {
        oos_proto::xml::from_xml(&text).ok()
    };
    let doc = doc.filter(|d| !d.code.is_empty());
    let (code, message, resource, doc_request_id) = match doc {
        Some(d) => (d.code, d.message, d.resource, d.request_id),
        // A HEAD (or a proxy) answers with the status alone: its reason is the message.
        None => (
            code_for_status(status).to_string(),
            http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or_default()
                .to_string(),
            String::new(),
            String::new(),
        ),
    };
    let request_id = if header_request_id.is_empty() {
        doc_request_id
    } else {
        header_request_id.to_string()
    };
    Error::Service(Box::new(ServiceError {
        status,
        code,
        message,
        request_id,
        resource,
        bucket: None,
        key: None,
    }))
}

/// A `map_err` for operations on the local file `path`.
pub(crate) fn file_error(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::File {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_s3_and_iam_error_documents() {
        let e = service_error(
            404,
            "",
            b"<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>gone</Message>\
<Resource>/b/k</Resource><RequestId>R1</RequestId></Error>",
        );
        assert_eq!(e.code(), Some("NoSuchKey"));
        assert_eq!(e.request_id(), Some("R1"));
        assert!(e.is_not_found());
        assert_eq!(e.to_string(), "404 NoSuchKey: gone (request id R1)");
        let e = service_error(
            400,
            "H",
            b"<ErrorResponse><Error><Code>ValidationError</Code><Message>m</Message></Error>\
<RequestId>R2</RequestId></ErrorResponse>",
        );
        assert_eq!(e.code(), Some("ValidationError"));
        assert_eq!(e.request_id(), Some("H"));
        let e = service_error(412, "X", b"");
        assert_eq!(e.code(), Some("PreconditionFailed"));
        assert_eq!(e.service().unwrap().message, "Precondition Failed");
        let e = service_error(404, "R3", b"").for_request(Some("b"), Some("dir/k"));
        assert_eq!(
            e.service().unwrap().location().as_deref(),
            Some("s3://b/dir/k")
        );
        assert_eq!(
            e.to_string(),
            "404 NotFound: Not Found (s3://b/dir/k, request id R3)"
        );
        assert!(!e.is_retryable());
        assert!(service_error(503, "", b"").is_retryable());
    }

    #[test]
    fn connection_and_file_errors_name_their_endpoint_path_and_cause() {
        #[derive(Debug, thiserror::Error)]
        #[error("client error (Connect)")]
        struct Outer(#[source] std::io::Error);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let cause = refused.to_string();
        let e = Error::Connection {
            endpoint: "http://127.0.0.1:1".into(),
            source: Box::new(Outer(refused)),
        };
        assert_eq!(
            e.to_string(),
            format!("connection to http://127.0.0.1:1 failed: client error (Connect): {cause}")
        );
        let e = Error::File {
            path: "/no/such".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert!(e.to_string().starts_with("/no/such: "), "{e}");
    }
}

//! The one error type of the SDK.

use std::fmt;

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
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if !self.request_id.is_empty() {
            write!(f, " (request id {})", self.request_id)?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in an SDK call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server answered with an error status.
    #[error("{0}")]
    Service(Box<ServiceError>),
    /// The connection failed or broke (after the configured retries).
    #[error("connection error: {0}")]
    Connection(#[source] BoxError),
    /// No response within the configured timeout.
    #[error("timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// A local file or stream failed.
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

    /// Whether the server said 404 (no such bucket, key, upload, configuration…).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether a retry may succeed: 5xx, throttling, connection errors and timeouts.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Service(e) => e.status >= 500 || e.code == "SlowDown",
            Error::Connection(_) | Error::Timeout(_) => true,
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
        None => (
            code_for_status(status).to_string(),
            String::new(),
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
    }))
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
        assert!(!e.is_retryable());
        assert!(service_error(503, "", b"").is_retryable());
    }
}

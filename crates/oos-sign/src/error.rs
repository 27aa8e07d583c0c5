//! Errors of authentication, payload verification and aws-chunked decoding.
//!
//! Each variant becomes exactly one S3 error: [`SignError::s3_code`] and
//! [`SignError::http_status`] are the single place where the server maps them.

/// Why a request failed authentication or its payload failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// S3 `SignatureDoesNotMatch` (403).
    #[error("The request signature we calculated does not match the signature you provided. Check your key and signing method.")]
    SignatureDoesNotMatch,

    /// S3 `AuthorizationHeaderMalformed` (400).
    #[error("The authorization header is malformed; {0}")]
    AuthorizationHeaderMalformed(String),

    /// S3 `AuthorizationQueryParametersError` (400).
    #[error("{0}")]
    AuthorizationQueryParametersError(String),

    /// S3 `RequestTimeTooSkewed` (403): header auth more than 15 minutes off the server clock.
    #[error("The difference between the request time and the current time is too large.")]
    RequestTimeTooSkewed,

    /// S3 `AccessDenied` (403) "Request has expired": presigned URL past its expiry.
    #[error("Request has expired")]
    ExpiredRequest,

    /// S3 `AccessDenied` (403): presigned URL dated more than 15 minutes in the future.
    #[error("Request is not valid yet")]
    RequestNotYetValid,

    /// S3 `AccessDenied` (403) with a message (missing date, incomplete V2 query auth, ...).
    #[error("{0}")]
    AccessDenied(String),

    /// S3 `InvalidAccessKeyId` (403): the server found no secret for the key id.
    #[error("The AWS Access Key Id you provided does not exist in our records.")]
    InvalidAccessKeyId,

    /// S3 `InvalidRequest` (400): header auth without `x-amz-content-sha256`.
    #[error("Missing required header for this request: x-amz-content-sha256")]
    MissingContentSha256,

    /// S3 `InvalidArgument` (400), e.g. a bad `x-amz-content-sha256` value or an unsupported algorithm.
    #[error("{0}")]
    InvalidArgument(String),

    /// S3 `XAmzContentSHA256Mismatch` (400): the body does not hash to `x-amz-content-sha256`.
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    XAmzContentSha256Mismatch,

    /// S3 `IncompleteBody` (400): the body ended before the declared end.
    #[error(
        "You did not provide the number of bytes specified by the Content-Length HTTP header."
    )]
    IncompleteBody,

    /// S3 `InvalidRequest` (400): an aws-chunked body that does not parse.
    #[error("Malformed aws-chunked body: {0}")]
    InvalidChunk(String),

    /// S3 `InvalidDigest` (400): a `Content-MD5` or checksum value that does not decode.
    #[error("{0}")]
    InvalidDigest(String),

    /// S3 `BadDigest` (400): the body does not match `Content-MD5` or an `x-amz-checksum-*` value.
    #[error("{0}")]
    BadDigest(String),
}

impl SignError {
    /// The S3 error code this error is reported as.
    pub fn s3_code(&self) -> &'static str {
        match self {
            SignError::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            SignError::AuthorizationHeaderMalformed(_) => "AuthorizationHeaderMalformed",
            SignError::AuthorizationQueryParametersError(_) => "AuthorizationQueryParametersError",
            SignError::RequestTimeTooSkewed => "RequestTimeTooSkewed",
            SignError::ExpiredRequest
            | SignError::RequestNotYetValid
            | SignError::AccessDenied(_) => "AccessDenied",
            SignError::InvalidAccessKeyId => "InvalidAccessKeyId",
            SignError::MissingContentSha256 | SignError::InvalidChunk(_) => "InvalidRequest",
            SignError::InvalidArgument(_) => "InvalidArgument",
            SignError::XAmzContentSha256Mismatch => "XAmzContentSHA256Mismatch",
            SignError::IncompleteBody => "IncompleteBody",
            SignError::InvalidDigest(_) => "InvalidDigest",
            SignError::BadDigest(_) => "BadDigest",
        }
    }

    /// The HTTP status this error is reported with.
    pub fn http_status(&self) -> u16 {
        match self {
            SignError::SignatureDoesNotMatch
            | SignError::RequestTimeTooSkewed
            | SignError::ExpiredRequest
            | SignError::RequestNotYetValid
            | SignError::AccessDenied(_)
            | SignError::InvalidAccessKeyId => 403,
            SignError::AuthorizationHeaderMalformed(_)
            | SignError::AuthorizationQueryParametersError(_)
            | SignError::MissingContentSha256
            | SignError::InvalidArgument(_)
            | SignError::XAmzContentSha256Mismatch
            | SignError::IncompleteBody
            | SignError::InvalidChunk(_)
            | SignError::InvalidDigest(_)
            | SignError::BadDigest(_) => 400,
        }
    }
}

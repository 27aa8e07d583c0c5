//! S3 errors: the one place where every internal error becomes `(status, code, message)`.

use oos_meta::MetaError;
use oos_proto::ErrorCode;
use oos_sign::SignError;
use oos_store::StoreError;

/// An error answered to the client as an S3 `<Error>` document.
#[derive(Debug)]
pub struct S3Error {
    pub code: ErrorCode,
    pub message: String,
    /// Extra headers some errors carry (`Retry-After`, ...).
    pub headers: Vec<(&'static str, String)>,
}

pub type S3Result<T> = Result<T, S3Error>;

impl S3Error {
    pub fn new(code: ErrorCode) -> S3Error {
        S3Error {
            code,
            message: code.default_message().to_string(),
            headers: Vec::new(),
        }
    }

    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> S3Error {
        S3Error {
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// Logs an internal failure with its details and answers a bare `InternalError`:
    /// internal details never reach the client.
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> S3Error {
        tracing::error!(%detail, "{context}");
        S3Error::new(ErrorCode::InternalError)
    }
}

/// `s3_error!(NoSuchKey)` or `s3_error!(InvalidArgument, "max-keys must be ...")`.
#[macro_export]
macro_rules! s3_error {
    ($code:ident) => {
        $crate::error::S3Error::new(oos_proto::ErrorCode::$code)
    };
    ($code:ident, $($fmt:tt)+) => {
        $crate::error::S3Error::with_message(oos_proto::ErrorCode::$code, format!($($fmt)+))
    };
}

impl From<MetaError> for S3Error {
    fn from(e: MetaError) -> S3Error {
        match e {
            MetaError::NoSuchBucket => S3Error::new(ErrorCode::NoSuchBucket),
            MetaError::BucketOwnedByOther => S3Error::new(ErrorCode::BucketAlreadyExists),
            MetaError::BucketNotEmpty => S3Error::new(ErrorCode::BucketNotEmpty),
            MetaError::NoSuchUpload => S3Error::new(ErrorCode::NoSuchUpload),
            MetaError::NoSuchKey => S3Error::new(ErrorCode::NoSuchKey),
            MetaError::PreconditionFailed => S3Error::new(ErrorCode::PreconditionFailed),
            // S3 answers a delete or retention change that Object Lock forbids with 403.
            MetaError::ObjectLocked => S3Error::with_message(
                ErrorCode::AccessDenied,
                "Access Denied because object protected by object lock.",
            ),
            MetaError::NotFound => S3Error::new(ErrorCode::NoSuchEntity),
            MetaError::AlreadyExists => {
                S3Error::with_message(ErrorCode::InvalidArgument, "It exists already.")
            }
            MetaError::LimitExceeded => S3Error::new(ErrorCode::LimitExceeded),
            MetaError::LastPrimaryKey => S3Error::new(ErrorCode::DeleteConflict),
            MetaError::Backend(detail) => S3Error::internal("metadata store failure", detail),
        }
    }
}

impl From<StoreError> for S3Error {
    fn from(e: StoreError) -> S3Error {
        match e {
            StoreError::DiskFull => S3Error::with_message(
                ErrorCode::InsufficientStorage,
                "There is not enough space left on the pool's disks to store the object.",
            ),
            StoreError::CannotPlace(why) => {
                S3Error::with_message(ErrorCode::InvalidStorageClass, why)
            }
            StoreError::QuorumLost(why) => {
                tracing::warn!(%why, "write quorum lost");
                S3Error::with_message(
                    ErrorCode::SlowDown,
                    "Too few disks are available to store the object durably; please retry.",
                )
            }
            other => S3Error::internal("data store failure", other),
        }
    }
}

/// Encrypted data that does not decrypt is damaged (or was altered): an error, never bytes.
impl From<oos_sse::SseError> for S3Error {
    fn from(e: oos_sse::SseError) -> S3Error {
        S3Error::internal("encrypted data does not decrypt", e)
    }
}

impl From<SignError> for S3Error {
    fn from(e: SignError) -> S3Error {
        let code = match e.s3_code() {
            "SignatureDoesNotMatch" => ErrorCode::SignatureDoesNotMatch,
            "AuthorizationHeaderMalformed" => ErrorCode::AuthorizationHeaderMalformed,
            "AuthorizationQueryParametersError" => ErrorCode::AuthorizationQueryParametersError,
            "RequestTimeTooSkewed" => ErrorCode::RequestTimeTooSkewed,
            "AccessDenied" => ErrorCode::AccessDenied,
            "XAmzContentSHA256Mismatch" => ErrorCode::XAmzContentSHA256Mismatch,
            "IncompleteBody" => ErrorCode::IncompleteBody,
            "BadDigest" => ErrorCode::BadDigest,
            "InvalidDigest" => ErrorCode::InvalidDigest,
            "MissingSecurityHeader" => ErrorCode::MissingSecurityHeader,
            "InvalidChunkSizeError" => ErrorCode::InvalidChunkSizeError,
            "InvalidRequest" => ErrorCode::InvalidRequest,
            _ => ErrorCode::InvalidArgument,
        };
        S3Error::with_message(code, e.to_string())
    }
}

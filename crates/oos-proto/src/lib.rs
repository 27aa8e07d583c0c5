//! The OOS wire contract shared by the server and the SDK: the error-code table, XML documents,
//! header names, storage classes and the time formats S3 uses.

pub mod error;
pub mod headers;
pub mod storage_class;
pub mod time_fmt;
pub mod xml;

pub use error::ErrorCode;
pub use storage_class::StorageClass;

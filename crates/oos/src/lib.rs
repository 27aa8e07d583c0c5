//! # oos — the Rust SDK for OOS
//!
//! An async client for China Telecom's S3-compatible object storage (and the `oosd` server of
//! this workspace). It signs with `oos-sign` (SigV4 or SigV2) and speaks the XML of
//! `oos-proto`, the same code the server uses.
//!
//! * [`Client`] / [`Config`]: one cheap-to-clone client per endpoint; credentials from
//!   arguments, the environment ([`Config::from_env`]) or a profile file
//!   ([`Config::from_profile`]).
//! * Every operation of the OOS SDK guide, named as there: service (`list_buckets`,
//!   `get_regions`), buckets (`create_bucket`, `list_objects_v2`, ACL, policy, website,
//!   lifecycle, CORS, logging, accelerate, tagging…), objects (`put_object` with conditional
//!   writes, `get_object`, `copy_object`, `delete_objects`, ACL, tagging…), versioning
//!   (`put_bucket_versioning`, `list_object_versions`, `delete_object_version`, a
//!   `version_id` on reads and copies), Object Lock (`put_object_lock_configuration`,
//!   `put_object_retention`, `put_object_legal_hold`…), Block Public Access and Object
//!   Ownership (`put_public_access_block`, `get_bucket_policy_status`,
//!   `put_bucket_ownership_controls`…), multipart, presigned URLs
//!   ([`Client::presign`]), presigned browser form uploads ([`Client::presign_post`]) and the
//!   AccessKey API (`create_access_key`…).
//! * The transfer manager ([`Client::upload_file`], [`Client::upload_stream`],
//!   [`Client::download_file`]): parallel multipart and ranged GETs with progress and
//!   integrity checks.
//! * One [`Error`] with the S3 code, message, status and request id; idempotent requests are
//!   retried with backoff on 5xx and connection errors.
//!
//! `https://` endpoints use rustls with the system's roots (plus [`Config::ca_file`]).
//!
//! ```no_run
//! # async fn f() -> oos::Result<()> {
//! use oos::{Client, Config, PutObjectOptions};
//! let client = Client::new(Config::new("http://127.0.0.1:8080", "AK", "SK"))?;
//! client.create_bucket("demo", Default::default()).await?;
//! client.put_object("demo", "hello.txt", "hello", PutObjectOptions::default()).await?;
//! let text = client.get_object("demo", "hello.txt", Default::default()).await?.body.collect().await?;
//! assert_eq!(&text[..], b"hello");
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod body;
mod bucket;
mod client;
mod config;
mod connect;
mod encryption;
mod error;
mod iam;
mod multipart;
mod object;
mod object_lock;
mod presign;
mod public_access;
mod service;
mod tagging;
mod transfer;
mod versioning;

/// The XML documents of requests and responses (shared with the server through `oos-proto`).
pub mod model {
    pub use oos_proto::xml::sdk::*;
    pub use oos_proto::xml::{
        BucketConfiguration, DataLocationConstraint, DefaultRetention, EncryptionByDefault,
        EncryptionRule, LocationList, MetadataLocation, ObjectLegalHold, ObjectLockConfiguration,
        ObjectLockRule, ObjectRetention, OwnershipControls, OwnershipControlsRule, PolicyStatus,
        PublicAccessBlockConfiguration, ServerSideEncryptionConfiguration,
    };
}

pub use body::{Body, ByteStream};
pub use bucket::{
    Acl, CreateBucketOptions, DataLocation, ListObjectsOptions, ListObjectsV2Options, ListPaginator,
};
pub use client::Client;
pub use config::{
    region_from_endpoint, Addressing, Config, Credentials, Profile, ProfileFile, SignatureVersion,
};
pub use encryption::{BucketEncryption, CustomerKey, Encryption};
pub use error::{with_causes, BoxError, Error, Result, ServiceError};
pub use http::Method;
pub use iam::ListAccessKeysOptions;
pub use multipart::{CompleteMultipartUploadOptions, ListPartsOptions, ListUploadsOptions};
pub use object::{
    CopyObjectOptions, GetObjectOptions, GetObjectOutput, ObjectMeta, PutObjectOptions,
    PutObjectOutput, Range,
};
pub use presign::{PostCondition, PresignOptions, PresignPost, PresignedPost, FILENAME_VARIABLE};
pub use service::ListBucketsOutput;
pub use transfer::{
    multipart_etag, Progress, ProgressFn, TransferOptions, TransferOutput, MAX_PARTS, MIN_PART_SIZE,
};
pub use versioning::{DeleteObjectOutput, ListVersionsOptions};

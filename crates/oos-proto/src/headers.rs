//! Header names that are not in `http::header`.

pub const X_AMZ_REQUEST_ID: &str = "x-amz-request-id";
pub const X_AMZ_ID_2: &str = "x-amz-id-2";
pub const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";
pub const X_AMZ_DECODED_CONTENT_LENGTH: &str = "x-amz-decoded-content-length";
pub const X_AMZ_STORAGE_CLASS: &str = "x-amz-storage-class";
pub const X_AMZ_META_PREFIX: &str = "x-amz-meta-";
pub const X_AMZ_COPY_SOURCE: &str = "x-amz-copy-source";
pub const X_AMZ_COPY_SOURCE_RANGE: &str = "x-amz-copy-source-range";
pub const X_AMZ_METADATA_DIRECTIVE: &str = "x-amz-metadata-directive";
pub const X_AMZ_WEBSITE_REDIRECT_LOCATION: &str = "x-amz-website-redirect-location";
pub const X_AMZ_BUCKET_REGION: &str = "x-amz-bucket-region";
pub const X_AMZ_ACL: &str = "x-amz-acl";
pub const X_AMZ_MP_PARTS_COUNT: &str = "x-amz-mp-parts-count";
pub const X_AMZ_CHECKSUM_PREFIX: &str = "x-amz-checksum-";
pub const X_AMZ_SDK_CHECKSUM_ALGORITHM: &str = "x-amz-sdk-checksum-algorithm";
pub const X_AMZ_CHECKSUM_ALGORITHM: &str = "x-amz-checksum-algorithm";
pub const X_AMZ_CHECKSUM_TYPE: &str = "x-amz-checksum-type";
pub const X_AMZ_TRAILER: &str = "x-amz-trailer";
pub const X_CTYUN_DATA_LOCATION: &str = "x-ctyun-data-location";
pub const X_CTYUN_METADATA_LOCATION: &str = "x-ctyun-metadata-location";

/// The S3 document namespace used by most response bodies.
pub const S3_XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
/// The XML declaration S3 puts before every document.
pub const XML_DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

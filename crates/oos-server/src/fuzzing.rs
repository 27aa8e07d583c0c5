//! Entry points for the fuzz targets (`fuzz/`, through `crates/oos-fuzz-checks`): the parsers
//! of request headers, routes and documents that are private to their API module, re-exported
//! or wrapped as they are, so the fuzzers run exactly the code requests run. Not an API:
//! nothing but the fuzz checks uses it.

pub use crate::access::acl::{Acl, AclTarget, RequestedAcl};
pub use crate::api::cors::rules::{
    parse as parse_cors, to_xml as cors_to_xml, wildcard as cors_wildcard, Rule as CorsRule,
};
pub use crate::api::data_location::{parse as parse_data_location, DataLocation};
pub use crate::api::lifecycle::rules::{
    parse as parse_lifecycle, to_xml as lifecycle_to_xml, Rule as LifecycleRule,
};
pub use crate::api::post_object::policy::{Condition as PostCondition, PostPolicy};
pub use crate::api::read::{check_conditions, parse_range, requested_range, Conditions, RangeSpec};
pub use crate::api::tagging::{
    from_document as tags_from_document, from_header as tags_from_header, Tags, MAX_OBJECT_TAGS,
};
pub use crate::api::website::WebsiteConfiguration;
pub use crate::config::IpNet;
pub use crate::error::{S3Error, S3Result};
pub use crate::route::{parse_target, Endpoint, Query, Target, MAX_KEY_LEN};
pub use crate::speed::{requested as requested_limit, Limit, MIN_RATE_KIB};

/// `PutBucketAccelerate`'s document: whether it is enabled, and its addresses.
pub fn parse_accelerate(text: &str) -> S3Result<(bool, Vec<String>)> {
    crate::api::accelerate::parse(text).map(|a| (a.enabled, a.ips))
}

/// `PutBucketLogging`'s document: `None` disables logging, else the target bucket and prefix.
pub fn parse_logging(body: &[u8]) -> S3Result<Option<(String, String)>> {
    crate::api::logging::parse_status(body).map(|c| c.map(|c| (c.target_bucket, c.target_prefix)))
}

/// `CompleteMultipartUpload`'s document, parts ordered and deduplicated.
pub fn parse_complete_multipart(text: &str) -> S3Result<oos_proto::xml::CompleteMultipartUpload> {
    crate::api::multipart::parse_complete(text)
}

/// The multipart ETag a completion request names (`None`: a part ETag that is not hex).
pub fn requested_etag(request: &oos_proto::xml::CompleteMultipartUpload) -> Option<String> {
    crate::api::multipart::requested_etag(request)
}

/// `DeleteObjects`' document.
pub fn parse_delete(text: &str) -> S3Result<oos_proto::xml::Delete> {
    crate::api::delete::parse_delete(text)
}

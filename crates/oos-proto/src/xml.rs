//! XML documents of the S3 and OOS APIs, both directions, through quick-xml's serde support.
//! Response types serialize with [`to_xml`]; request types parse with [`from_xml`].

use serde::{Deserialize, Serialize};

use crate::headers::{S3_XMLNS, XML_DECL};

/// Serializes a response document under `root`, with the XML declaration S3 sends.
pub fn to_xml<T: Serialize>(root: &str, value: &T) -> String {
    let mut out = String::from(XML_DECL);
    let mut ser = quick_xml::se::Serializer::with_root(&mut out, Some(root))
        .expect("root element names are static and valid");
    ser.expand_empty_elements(false);
    value
        .serialize(ser)
        .expect("response documents always serialize");
    out
}

/// Parses a request document. Any error means the client sent malformed XML.
pub fn from_xml<'de, T: Deserialize<'de>>(body: &'de str) -> Result<T, quick_xml::DeError> {
    quick_xml::de::from_str(body)
}

fn s3_ns() -> &'static str {
    S3_XMLNS
}

#[derive(Debug, Serialize)]
pub struct Owner {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "DisplayName")]
    pub display_name: String,
}

// ---------- service ----------

#[derive(Debug, Serialize)]
pub struct ListAllMyBucketsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "Buckets")]
    pub buckets: BucketList,
}

#[derive(Debug, Serialize)]
pub struct BucketList {
    #[serde(rename = "Bucket", default)]
    pub bucket: Vec<BucketEntry>,
}

#[derive(Debug, Serialize)]
pub struct BucketEntry {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "CreationDate")]
    pub creation_date: String,
}

// ---------- bucket location (OOS BucketConfiguration) ----------

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BucketConfiguration {
    #[serde(rename = "@xmlns", default = "default_ns_string", skip_deserializing)]
    pub xmlns: String,
    #[serde(
        rename = "MetadataLocationConstraint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub metadata_location: Option<MetadataLocation>,
    #[serde(
        rename = "DataLocationConstraint",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub data_location: Option<DataLocationConstraint>,
}

fn default_ns_string() -> String {
    s3_ns().to_string()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MetadataLocation {
    #[serde(rename = "Location")]
    pub location: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataLocationConstraint {
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(
        rename = "LocationList",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub location_list: Option<LocationList>,
    #[serde(
        rename = "ScheduleStrategy",
        skip_serializing_if = "Option::is_none",
        default
    )]
    pub schedule_strategy: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LocationList {
    #[serde(rename = "Location", default)]
    pub location: Vec<String>,
}

/// The body of CreateBucket. Both the OOS fields and the AWS `LocationConstraint` are accepted.
#[derive(Debug, Default, Deserialize)]
pub struct CreateBucketConfiguration {
    #[serde(rename = "LocationConstraint", default)]
    pub location_constraint: Option<String>,
    #[serde(rename = "MetadataLocationConstraint", default)]
    pub metadata_location: Option<MetadataLocation>,
    #[serde(rename = "DataLocationConstraint", default)]
    pub data_location: Option<DataLocationConstraint>,
}

// ---------- listing ----------

#[derive(Debug, Serialize)]
pub struct ListObjectEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "Size")]
    pub size: u64,
    #[serde(rename = "Owner", skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
}

#[derive(Debug, Serialize)]
pub struct CommonPrefix {
    #[serde(rename = "Prefix")]
    pub prefix: String,
}

/// ListObjects (v1) result.
#[derive(Debug, Serialize)]
pub struct ListBucketResultV1 {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "Marker")]
    pub marker: String,
    #[serde(rename = "NextMarker", skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Contents")]
    pub contents: Vec<ListObjectEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

/// ListObjectsV2 result.
#[derive(Debug, Serialize)]
pub struct ListBucketResultV2 {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "KeyCount")]
    pub key_count: usize,
    #[serde(rename = "ContinuationToken", skip_serializing_if = "Option::is_none")]
    pub continuation_token: Option<String>,
    #[serde(
        rename = "NextContinuationToken",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_continuation_token: Option<String>,
    #[serde(rename = "StartAfter", skip_serializing_if = "Option::is_none")]
    pub start_after: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Contents")]
    pub contents: Vec<ListObjectEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

#[derive(Debug, Serialize)]
pub struct VersionEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId")]
    pub version_id: &'static str,
    #[serde(rename = "IsLatest")]
    pub is_latest: bool,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "Size")]
    pub size: u64,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
}

/// ListObjectVersions result for an unversioned bucket: every object is version `null`.
#[derive(Debug, Serialize)]
pub struct ListVersionsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "KeyMarker")]
    pub key_marker: String,
    #[serde(rename = "VersionIdMarker")]
    pub version_id_marker: String,
    #[serde(rename = "NextKeyMarker", skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    #[serde(
        rename = "NextVersionIdMarker",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_version_id_marker: Option<&'static str>,
    #[serde(rename = "MaxKeys")]
    pub max_keys: usize,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Version")]
    pub versions: Vec<VersionEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

#[derive(Debug, Serialize)]
pub struct VersioningConfiguration {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
}

// ---------- multipart ----------

#[derive(Debug, Serialize)]
pub struct InitiateMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
}

#[derive(Debug, Deserialize)]
pub struct CompleteMultipartUpload {
    #[serde(rename = "Part", default)]
    pub parts: Vec<CompletedPart>,
}

#[derive(Debug, Deserialize)]
pub struct CompletedPart {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "ETag")]
    pub etag: String,
}

#[derive(Debug, Serialize)]
pub struct CompleteMultipartUploadResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Location")]
    pub location: String,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "ETag")]
    pub etag: String,
}

#[derive(Debug, Serialize)]
pub struct PartEntry {
    #[serde(rename = "PartNumber")]
    pub part_number: u32,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
    #[serde(rename = "Size")]
    pub size: u64,
}

#[derive(Debug, Serialize)]
pub struct ListPartsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    #[serde(rename = "Initiator")]
    pub initiator: Owner,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    #[serde(rename = "PartNumberMarker")]
    pub part_number_marker: u32,
    #[serde(
        rename = "NextPartNumberMarker",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_part_number_marker: Option<u32>,
    #[serde(rename = "MaxParts")]
    pub max_parts: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Part")]
    pub parts: Vec<PartEntry>,
}

#[derive(Debug, Serialize)]
pub struct UploadEntry {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "UploadId")]
    pub upload_id: String,
    #[serde(rename = "Initiator")]
    pub initiator: Owner,
    #[serde(rename = "Owner")]
    pub owner: Owner,
    #[serde(rename = "StorageClass")]
    pub storage_class: String,
    #[serde(rename = "Initiated")]
    pub initiated: String,
}

#[derive(Debug, Serialize)]
pub struct ListMultipartUploadsResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "KeyMarker")]
    pub key_marker: String,
    #[serde(rename = "UploadIdMarker")]
    pub upload_id_marker: String,
    #[serde(rename = "NextKeyMarker", skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    #[serde(rename = "NextUploadIdMarker", skip_serializing_if = "Option::is_none")]
    pub next_upload_id_marker: Option<String>,
    #[serde(rename = "Delimiter", skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(rename = "Prefix")]
    pub prefix: String,
    #[serde(rename = "EncodingType", skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    #[serde(rename = "MaxUploads")]
    pub max_uploads: usize,
    #[serde(rename = "IsTruncated")]
    pub is_truncated: bool,
    #[serde(rename = "Upload")]
    pub uploads: Vec<UploadEntry>,
    #[serde(rename = "CommonPrefixes")]
    pub common_prefixes: Vec<CommonPrefix>,
}

// ---------- copy ----------

/// `CopyObjectResult` and `CopyPartResult` share this shape.
#[derive(Debug, Serialize)]
pub struct CopyResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "LastModified")]
    pub last_modified: String,
    #[serde(rename = "ETag")]
    pub etag: String,
}

// ---------- delete objects ----------

#[derive(Debug, Deserialize)]
pub struct Delete {
    #[serde(rename = "Quiet", default)]
    pub quiet: Option<bool>,
    #[serde(rename = "Object", default)]
    pub objects: Vec<DeleteObject>,
}

#[derive(Debug, Deserialize)]
pub struct DeleteObject {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "VersionId", default)]
    pub version_id: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DeleteResult {
    #[serde(rename = "@xmlns")]
    pub xmlns: &'static str,
    #[serde(rename = "Deleted")]
    pub deleted: Vec<Deleted>,
    #[serde(rename = "Error")]
    pub errors: Vec<DeleteError>,
}

#[derive(Debug, Serialize)]
pub struct Deleted {
    #[serde(rename = "Key")]
    pub key: String,
}

#[derive(Debug, Serialize)]
pub struct DeleteError {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Code")]
    pub code: String,
    #[serde(rename = "Message")]
    pub message: String,
}

// ---------- errors ----------

#[derive(Debug, Serialize)]
pub struct ErrorDocument<'a> {
    #[serde(rename = "Code")]
    pub code: &'a str,
    #[serde(rename = "Message")]
    pub message: &'a str,
    #[serde(rename = "Resource")]
    pub resource: &'a str,
    #[serde(rename = "RequestId")]
    pub request_id: &'a str,
    #[serde(rename = "HostId")]
    pub host_id: &'a str,
}

/// The namespace value for response documents.
pub const XMLNS: &str = S3_XMLNS;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_document_exact() {
        let doc = ErrorDocument {
            code: "NoSuchKey",
            message: "The specified key does not exist.",
            resource: "/b/k",
            request_id: "R1",
            host_id: "h",
        };
        assert_eq!(
            to_xml("Error", &doc),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
<Message>The specified key does not exist.</Message><Resource>/b/k</Resource>\
<RequestId>R1</RequestId><HostId>h</HostId></Error>"
        );
    }

    #[test]
    fn list_v1_exact() {
        let doc = ListBucketResultV1 {
            xmlns: XMLNS,
            name: "b".into(),
            prefix: String::new(),
            marker: String::new(),
            next_marker: None,
            max_keys: 1000,
            delimiter: Some("/".into()),
            encoding_type: None,
            is_truncated: false,
            contents: vec![ListObjectEntry {
                key: "a&b".into(),
                last_modified: "2009-10-12T17:50:30.000Z".into(),
                etag: "\"x\"".into(),
                size: 3,
                owner: None,
                storage_class: "STANDARD".into(),
            }],
            common_prefixes: vec![CommonPrefix {
                prefix: "d/".into(),
            }],
        };
        assert_eq!(
            to_xml("ListBucketResult", &doc),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult \
xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name><Prefix/><Marker/>\
<MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>\
<Contents><Key>a&amp;b</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>\
<ETag>\"x\"</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>\
<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes></ListBucketResult>"
        );
    }

    #[test]
    fn parses_delete_and_complete() {
        let d: Delete = from_xml(
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>\
<Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>",
        )
        .unwrap();
        assert_eq!(d.quiet, Some(true));
        assert_eq!(d.objects.len(), 2);
        let c: CompleteMultipartUpload = from_xml(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part>\
</CompleteMultipartUpload>",
        )
        .unwrap();
        assert_eq!(c.parts[0].part_number, 1);
        assert_eq!(c.parts[0].etag, "\"e\"");
        assert!(from_xml::<Delete>("<Delete><Object>").is_err());
    }

    #[test]
    fn bucket_configuration_round_trip() {
        let c: CreateBucketConfiguration = from_xml(
            "<CreateBucketConfiguration><MetadataLocationConstraint><Location>ChengDu</Location>\
</MetadataLocationConstraint><DataLocationConstraint><Type>Specified</Type><LocationList>\
<Location>ChengDu</Location><Location>LaSa</Location></LocationList>\
<ScheduleStrategy>Allowed</ScheduleStrategy></DataLocationConstraint></CreateBucketConfiguration>",
        )
        .unwrap();
        let data = c.data_location.unwrap();
        assert_eq!(
            data.location_list.unwrap().location,
            vec!["ChengDu", "LaSa"]
        );
        assert_eq!(c.metadata_location.unwrap().location, "ChengDu");
    }
}

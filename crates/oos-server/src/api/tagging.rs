//! Object and bucket tags: PUT / GET / DELETE `?tagging`, the `x-amz-tagging` header on
//! writes and `x-amz-tagging-count` on reads. Limits and messages as S3's.

use http::{HeaderMap, Response, StatusCode};
use quick_xml::escape::escape;
use serde::Deserialize;

use super::Ctx;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;

pub type Tags = Vec<(String, String)>;

/// S3's limits: 10 tags on an object, 50 on a bucket; keys ≤ 128 characters, values ≤ 256.
pub const MAX_OBJECT_TAGS: usize = 10;
pub const MAX_BUCKET_TAGS: usize = 50;
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;
const MAX_TAGGING_BODY: u64 = 64 * 1024;
const CONFIG_KEY: &str = "tagging";

#[derive(Deserialize)]
struct Tagging {
    #[serde(rename = "TagSet", default)]
    tag_set: TagSet,
}

#[derive(Deserialize, Default)]
struct TagSet {
    #[serde(rename = "Tag", default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tag {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Value", default)]
    value: String,
}

/// Letters, digits, spaces and `+ - = . _ : / @` (S3's tag alphabet).
fn allowed(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || "+-=._:/@".contains(c))
}

/// Checks a tag set against S3's rules.
pub fn validate(tags: &Tags, max: usize) -> S3Result<()> {
    if tags.len() > max {
        return Err(if max == MAX_OBJECT_TAGS {
            s3_error!(InvalidTag, "Object tags cannot be greater than {max}")
        } else {
            s3_error!(InvalidTag, "Bucket tag count cannot be greater than {max}")
        });
    }
    for (i, (key, value)) in tags.iter().enumerate() {
        let key_chars = key.chars().count();
        if key_chars == 0 || key_chars > MAX_KEY_CHARS || !allowed(key) {
            return Err(s3_error!(
                InvalidTag,
                "The TagKey you have provided is invalid"
            ));
        }
        if key.starts_with("aws:") {
            return Err(s3_error!(
                InvalidTag,
                "Your TagKey cannot be prefixed with aws:"
            ));
        }
        if value.chars().count() > MAX_VALUE_CHARS || !allowed(value) {
            return Err(s3_error!(
                InvalidTag,
                "The TagValue you have provided is invalid"
            ));
        }
        if tags[..i].iter().any(|(k, _)| k == key) {
            return Err(s3_error!(
                InvalidTag,
                "Cannot provide multiple Tags with the same key"
            ));
        }
    }
    Ok(())
}

/// The `x-amz-tagging` header of PutObject, CreateMultipartUpload and CopyObject
/// (`k1=v1&k2=v2`, URL-encoded).
pub fn from_header(headers: &HeaderMap) -> S3Result<Option<Tags>> {
    let Some(raw) = headers.get("x-amz-tagging") else {
        return Ok(None);
    };
    let text = raw
        .to_str()
        .map_err(|_| s3_error!(InvalidArgument, "The x-amz-tagging header is not valid."))?;
    let tags: Tags = serde_urlencoded::from_str(text)
        .map_err(|_| s3_error!(InvalidArgument, "The x-amz-tagging header is not valid."))?;
    validate(&tags, MAX_OBJECT_TAGS)?;
    Ok(Some(tags))
}

async fn tags_from_body(ctx: &mut Ctx<'_>, max: usize) -> S3Result<Tags> {
    let body = ctx.small_body(MAX_TAGGING_BODY).await?;
    from_document(&body, max)
}

/// A `<Tagging>` document (a PutObjectTagging body or a POST form's `tagging` field).
pub fn from_document(body: &[u8], max: usize) -> S3Result<Tags> {
    let text = std::str::from_utf8(body).map_err(|_| s3_error!(MalformedXML))?;
    let doc: Tagging = oos_proto::xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    let tags: Tags = doc
        .tag_set
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect();
    validate(&tags, max)?;
    Ok(tags)
}

fn tagging_xml(tags: &Tags) -> Response<Body> {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><TagSet>",
    );
    // S3 lists a tag set in key order, whatever order it was written in.
    let mut sorted: Vec<&(String, String)> = tags.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    for (k, v) in sorted {
        xml.push_str(&format!(
            "<Tag><Key>{}</Key><Value>{}</Value></Tag>",
            escape(k.as_str()),
            escape(v.as_str())
        ));
    }
    xml.push_str("</TagSet></Tagging>");
    response::xml_text(StatusCode::OK, xml)
}

pub async fn put_object(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    // The body is read first: its tags are the request's `s3:RequestObjectTag/…` keys. A
    // bad one is reported only after the caller was authorized.
    let body = ctx.small_body(MAX_TAGGING_BODY).await?;
    let tags = from_document(&body, MAX_OBJECT_TAGS);
    ctx.body_tags = Some(tags.as_ref().cloned().unwrap_or_default());
    let (bucket, object) = ctx.object_for("s3:PutObjectTagging", Need::Write).await?;
    let tags = tags?;
    ctx.server
        .meta
        .set_object_tags(
            &bucket.name,
            &object.key,
            Some(object.version_label()),
            tags,
        )
        .await?;
    let mut resp = response::status(StatusCode::OK);
    super::set_version_header(&mut resp, &bucket, object.version_id.as_deref());
    Ok(resp)
}

pub async fn get_object(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (bucket, object) = ctx.object_for("s3:GetObjectTagging", Need::Read).await?;
    let mut resp = tagging_xml(&object.attrs.tags);
    super::set_version_header(&mut resp, &bucket, object.version_id.as_deref());
    Ok(resp)
}

pub async fn delete_object(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (bucket, object) = ctx
        .object_for("s3:DeleteObjectTagging", Need::Write)
        .await?;
    ctx.server
        .meta
        .set_object_tags(
            &bucket.name,
            &object.key,
            Some(object.version_label()),
            Vec::new(),
        )
        .await?;
    let mut resp = response::status(StatusCode::NO_CONTENT);
    super::set_version_header(&mut resp, &bucket, object.version_id.as_deref());
    Ok(resp)
}

pub async fn put_bucket(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketTagging", Need::Owner, None)
        .await?;
    let tags = tags_from_body(ctx, MAX_BUCKET_TAGS).await?;
    let stored =
        serde_json::to_string(&tags).map_err(|e| crate::error::S3Error::internal("tags", e))?;
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KEY, Some(&stored))
        .await?;
    Ok(response::status(StatusCode::NO_CONTENT))
}

pub async fn get_bucket(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketTagging", Need::Owner, None)
        .await?;
    let tags: Tags = bucket
        .config
        .iter()
        .find(|(k, _)| k == CONFIG_KEY)
        .and_then(|(_, v)| serde_json::from_str(v).ok())
        .ok_or_else(|| s3_error!(NoSuchTagSet))?;
    Ok(tagging_xml(&tags))
}

pub async fn delete_bucket(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:PutBucketTagging", CONFIG_KEY)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn tag_rules() {
        assert!(validate(&tags(&[("project", "oos"), ("empty", "")]), 10).is_ok());
        assert!(validate(&tags(&[("名字", "值 with spaces+-=._:/@")]), 10).is_ok());
        let many: Tags = (0..11).map(|i| (format!("k{i}"), String::new())).collect();
        assert!(validate(&many, 10).is_err());
        assert!(validate(&many, 50).is_ok());
        for bad in [
            tags(&[("", "v")]),
            tags(&[(&"k".repeat(129), "v")]),
            tags(&[("k", &"v".repeat(257))]),
            tags(&[("aws:reserved", "v")]),
            tags(&[("a", "1"), ("a", "2")]),
            tags(&[("semi;colon", "v")]),
        ] {
            assert!(validate(&bad, 10).is_err(), "{bad:?}");
        }
        assert!(validate(&tags(&[(&"k".repeat(128), &"v".repeat(256))]), 10).is_ok());
    }
}

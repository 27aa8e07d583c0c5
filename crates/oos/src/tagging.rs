//! Object and bucket tags (PUT / GET / DELETE `?tagging`), and the `x-amz-tagging` header
//! that sets an object's tags as it is written.
//!
//! Tags are a `BTreeMap` of key → value, like user metadata: S3 allows each key once, 10 tags
//! on an object and 50 on a bucket.

use std::collections::BTreeMap;

use http::Method;

use crate::client::{enc_query, to_xml, Client, Request};
use crate::error::Result;
use crate::model::{Tag, TagSet, Tagging};

/// The `x-amz-tagging` header value: `k1=v1&k2=v2`, each part percent-encoded.
pub(crate) fn header_value(tags: &BTreeMap<String, String>) -> String {
    tags.iter()
        .map(|(k, v)| format!("{}={}", enc_query(k), enc_query(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn document(tags: &BTreeMap<String, String>) -> String {
    let doc = Tagging {
        tag_set: TagSet {
            tag: tags
                .iter()
                .map(|(k, v)| Tag {
                    key: k.clone(),
                    value: v.clone(),
                })
                .collect(),
        },
    };
    to_xml("Tagging", &doc)
}

fn tags_of(doc: Tagging) -> BTreeMap<String, String> {
    doc.tag_set
        .tag
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect()
}

impl Client {
    /// Replaces the object's tags with `tags` (an empty map removes them all).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let tags = [("project".to_string(), "oos".to_string())].into();
    /// client.put_object_tagging("photos", "a.jpg", &tags).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_object_tagging(
        &self,
        bucket: &str,
        key: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<()> {
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .key(key)
            .sub("tagging")
            .xml_body(document(tags))?;
        self.send_empty(req).await.map(|_| ())
    }

    /// The object's tags (empty when it has none).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let tags = client.get_object_tagging("photos", "a.jpg").await?;
    /// println!("{:?}", tags.get("project"));
    /// # Ok(()) }
    /// ```
    pub async fn get_object_tagging(
        &self,
        bucket: &str,
        key: &str,
    ) -> Result<BTreeMap<String, String>> {
        self.object_tags(bucket, key, None).await
    }

    /// The tags of one version (`None`: the current one).
    pub(crate) async fn object_tags(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<BTreeMap<String, String>> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .key(key)
            .sub("tagging")
            .query_opt("versionId", version_id);
        Ok(tags_of(self.send_xml(req).await?.0))
    }

    /// Removes all of the object's tags.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_object_tagging("photos", "a.jpg").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_object_tagging(&self, bucket: &str, key: &str) -> Result<()> {
        let req = Request::new(Method::DELETE)
            .bucket(bucket)
            .key(key)
            .sub("tagging");
        self.send_empty(req).await.map(|_| ())
    }

    /// Replaces the bucket's tags with `tags`.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let tags = [("team".to_string(), "storage".to_string())].into();
    /// client.put_bucket_tagging("photos", &tags).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_tagging(
        &self,
        bucket: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<()> {
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub("tagging")
            .xml_body(document(tags))?;
        self.send_empty(req).await.map(|_| ())
    }

    /// The bucket's tags; a bucket that never had any is an error with status 404 and code
    /// `NoSuchTagSet`.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// match client.get_bucket_tagging("photos").await {
    ///     Ok(tags) => println!("{tags:?}"),
    ///     Err(e) if e.code() == Some("NoSuchTagSet") => println!("no tags"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_tagging(&self, bucket: &str) -> Result<BTreeMap<String, String>> {
        let req = Request::new(Method::GET).bucket(bucket).sub("tagging");
        Ok(tags_of(self.send_xml(req).await?.0))
    }

    /// Removes the bucket's tags.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket_tagging("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket_tagging(&self, bucket: &str) -> Result<()> {
        let req = Request::new(Method::DELETE).bucket(bucket).sub("tagging");
        self.send_empty(req).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_percent_encoded_pairs() {
        let tags: BTreeMap<String, String> = [
            ("a b".to_string(), "x=y&z".to_string()),
            ("k".to_string(), String::new()),
        ]
        .into();
        assert_eq!(header_value(&tags), "a%20b=x%3Dy%26z&k=");
    }

    #[test]
    fn document_round_trips() {
        let tags: BTreeMap<String, String> = [("project".to_string(), "oos".to_string())].into();
        let xml = document(&tags);
        assert!(
            xml.contains("<Tagging><TagSet><Tag><Key>project</Key><Value>oos</Value></Tag>"),
            "{xml}"
        );
        let back: Tagging = oos_proto::xml::from_xml(&xml).unwrap();
        assert_eq!(tags_of(back), tags);
    }
}

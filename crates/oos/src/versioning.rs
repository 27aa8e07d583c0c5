//! Versioning: the bucket's state (`?versioning`), ListObjectVersions, and deletes of one
//! version. Reads and copies of one version go through [`crate::GetObjectOptions::version_id`]
//! and [`crate::CopyObjectOptions::source_version_id`].

use http::Method;

use crate::client::{Client, Request};
use crate::error::Result;
use crate::model::{DeleteResult, ListVersionsResult, ObjectIdentifier};

/// Options of [`Client::list_object_versions`].
#[derive(Debug, Clone, Default)]
pub struct ListVersionsOptions {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Group keys up to this into common prefixes.
    pub delimiter: Option<String>,
    /// Start after this key (or, with `version_id_marker`, after that version of it).
    pub key_marker: Option<String>,
    /// See `key_marker`.
    pub version_id_marker: Option<String>,
    /// At most this many entries (1..=1000).
    pub max_keys: Option<u32>,
}

/// What DeleteObject did on a versioned bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteObjectOutput {
    /// The version removed, or the delete marker made.
    pub version_id: Option<String>,
    /// A delete marker was made, or the version removed was one.
    pub delete_marker: bool,
}

impl Client {
    /// Turns versioning on (`enabled`) or suspends it. A bucket never returns to unversioned.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.put_bucket_versioning("photos", true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_versioning(&self, bucket: &str, enabled: bool) -> Result<()> {
        let status = if enabled { "Enabled" } else { "Suspended" };
        let xml = format!(
            "<VersioningConfiguration xmlns=\"{}\"><Status>{status}</Status></VersioningConfiguration>",
            oos_proto::xml::XMLNS
        );
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub("versioning")
            .xml_body(xml)?;
        self.send_empty(req).await.map(|_| ())
    }

    /// `Enabled`, `Suspended`, or `None` for a bucket that was never versioned.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// assert_eq!(client.get_bucket_versioning("photos").await?.as_deref(), Some("Enabled"));
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_versioning(&self, bucket: &str) -> Result<Option<String>> {
        #[derive(serde::Deserialize, Default)]
        #[serde(default, rename_all = "PascalCase")]
        struct Doc {
            status: Option<String>,
        }
        let req = Request::new(Method::GET).bucket(bucket).sub("versioning");
        let (doc, _): (Doc, _) = self.send_xml(req).await?;
        Ok(doc.status.filter(|s| !s.is_empty()))
    }

    /// One page of every version and delete marker, by key and newest first within a key;
    /// the next page starts at `next_key_marker` / `next_version_id_marker`.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::VersionListItem;
    /// let page = client.list_object_versions("photos", &Default::default()).await?;
    /// for e in &page.entries {
    ///     if let VersionListItem::Version(v) = e {
    ///         println!("{} {} latest={}", v.key, v.version_id, v.is_latest);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list_object_versions(
        &self,
        bucket: &str,
        options: &ListVersionsOptions,
    ) -> Result<ListVersionsResult> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .sub("versions")
            .query_opt("prefix", options.prefix.as_deref())
            .query_opt("delimiter", options.delimiter.as_deref())
            .query_opt("key-marker", options.key_marker.as_deref())
            .query_opt("version-id-marker", options.version_id_marker.as_deref())
            .query_opt("max-keys", options.max_keys);
        Ok(self.send_xml(req).await?.0)
    }

    /// Removes exactly one version (or delete marker) of a key; the previous version becomes
    /// current. `bypass_governance` lifts a GOVERNANCE retention (for callers allowed to).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_object_version("photos", "a.jpg", "3sL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY", false).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_object_version(
        &self,
        bucket: &str,
        key: &str,
        version_id: &str,
        bypass_governance: bool,
    ) -> Result<DeleteObjectOutput> {
        let mut req = Request::new(Method::DELETE)
            .bucket(bucket)
            .key(key)
            .query("versionId", version_id);
        if bypass_governance {
            req = req.header("x-amz-bypass-governance-retention", "true")?;
        }
        let resp = self.send_empty(req).await?;
        Ok(DeleteObjectOutput {
            version_id: resp.header("x-amz-version-id").map(str::to_string),
            delete_marker: resp.header("x-amz-delete-marker") == Some("true"),
        })
    }

    /// DeleteObjects naming versions: each `(key, Some(version))` removes that version,
    /// `(key, None)` deletes the key as [`Client::delete_object`] does.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let r = client
    ///     .delete_object_versions("photos", &[("a.jpg".into(), Some("v1".into()))], false, false)
    ///     .await?;
    /// assert!(r.error.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn delete_object_versions(
        &self,
        bucket: &str,
        objects: &[(String, Option<String>)],
        quiet: bool,
        bypass_governance: bool,
    ) -> Result<DeleteResult> {
        let objects = objects
            .iter()
            .map(|(key, version_id)| ObjectIdentifier {
                key: key.clone(),
                version_id: version_id.clone(),
            })
            .collect();
        self.delete_batch(
            bucket,
            objects,
            quiet,
            bypass_governance,
            "delete_object_versions",
        )
        .await
    }
}

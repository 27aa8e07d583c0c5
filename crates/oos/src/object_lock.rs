//! Object Lock: the bucket's configuration (`?object-lock`), and each version's retention
//! (`?retention`) and legal hold (`?legal-hold`). A bucket gets Object Lock at creation
//! ([`crate::CreateBucketOptions::object_lock_enabled`]) or, once versioning is enabled,
//! through [`Client::put_object_lock_configuration`]; it cannot be turned off.

use http::Method;

use crate::client::{to_xml, Client, Request};
use crate::error::Result;
use crate::model::{ObjectLegalHold, ObjectLockConfiguration, ObjectRetention};

/// The version addressed (`None`: the current one).
fn version_req(req: Request, version_id: Option<&str>) -> Request {
    req.query_opt("versionId", version_id)
}

fn bypass(req: Request, bypass_governance: bool) -> Result<Request> {
    if bypass_governance {
        req.header("x-amz-bypass-governance-retention", "true")
    } else {
        Ok(req)
    }
}

impl Client {
    /// Turns Object Lock on (on a versioning-enabled bucket) and sets or clears the default
    /// retention new versions get.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::{DefaultRetention, ObjectLockConfiguration};
    /// let conf = ObjectLockConfiguration::enabled(Some(DefaultRetention {
    ///     mode: Some("GOVERNANCE".into()), days: Some(30), years: None,
    /// }));
    /// client.put_object_lock_configuration("records", &conf).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_object_lock_configuration(
        &self,
        bucket: &str,
        config: &ObjectLockConfiguration,
    ) -> Result<()> {
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub("object-lock")
            .xml_body(to_xml("ObjectLockConfiguration", config))?;
        self.send_empty(req).await.map(|_| ())
    }

    /// The bucket's Object Lock configuration (404 `ObjectLockConfigurationNotFoundError`
    /// when it has none).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let conf = client.get_object_lock_configuration("records").await?;
    /// println!("{:?}", conf.rule);
    /// # Ok(()) }
    /// ```
    pub async fn get_object_lock_configuration(
        &self,
        bucket: &str,
    ) -> Result<ObjectLockConfiguration> {
        let req = Request::new(Method::GET).bucket(bucket).sub("object-lock");
        Ok(self.send_xml(req).await?.0)
    }

    /// Sets a version's retention: `mode` (`GOVERNANCE` or `COMPLIANCE`) until `until` (ISO
    /// 8601), or with `None` removes it. Shortening or removing needs `bypass_governance` on
    /// GOVERNANCE and is never allowed on COMPLIANCE.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client
    ///     .put_object_retention("records", "2026.csv", None, Some(("COMPLIANCE", "2030-01-01T00:00:00Z")), false)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_object_retention(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        retention: Option<(&str, &str)>,
        bypass_governance: bool,
    ) -> Result<()> {
        let doc = ObjectRetention {
            xmlns: oos_proto::xml::XMLNS.to_string(),
            mode: retention.map(|r| r.0.to_string()),
            retain_until_date: retention.map(|r| r.1.to_string()),
        };
        let req = version_req(
            Request::new(Method::PUT)
                .bucket(bucket)
                .key(key)
                .sub("retention"),
            version_id,
        )
        .xml_body(to_xml("Retention", &doc))?;
        self.send_empty(bypass(req, bypass_governance)?)
            .await
            .map(|_| ())
    }

    /// A version's retention (404 `NoSuchObjectLockConfiguration` when it has none).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let r = client.get_object_retention("records", "2026.csv", None).await?;
    /// println!("{:?} until {:?}", r.mode, r.retain_until_date);
    /// # Ok(()) }
    /// ```
    pub async fn get_object_retention(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<ObjectRetention> {
        let req = version_req(
            Request::new(Method::GET)
                .bucket(bucket)
                .key(key)
                .sub("retention"),
            version_id,
        );
        Ok(self.send_xml(req).await?.0)
    }

    /// Puts a version on legal hold (`on`) or lifts it.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.put_object_legal_hold("records", "2026.csv", None, true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_object_legal_hold(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
        on: bool,
    ) -> Result<()> {
        let doc = ObjectLegalHold {
            xmlns: oos_proto::xml::XMLNS.to_string(),
            status: Some(if on { "ON" } else { "OFF" }.to_string()),
        };
        let req = version_req(
            Request::new(Method::PUT)
                .bucket(bucket)
                .key(key)
                .sub("legal-hold"),
            version_id,
        )
        .xml_body(to_xml("LegalHold", &doc))?;
        self.send_empty(req).await.map(|_| ())
    }

    /// Whether a version is on legal hold (404 `NoSuchObjectLockConfiguration` when a hold
    /// was never set).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// assert!(client.get_object_legal_hold("records", "2026.csv", None).await?);
    /// # Ok(()) }
    /// ```
    pub async fn get_object_legal_hold(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<bool> {
        let req = version_req(
            Request::new(Method::GET)
                .bucket(bucket)
                .key(key)
                .sub("legal-hold"),
            version_id,
        );
        let (doc, _): (ObjectLegalHold, _) = self.send_xml(req).await?;
        Ok(doc.status.as_deref() == Some("ON"))
    }
}

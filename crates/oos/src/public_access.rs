//! Block Public Access (`?publicAccessBlock`), the bucket policy's public status
//! (`?policyStatus`) and Object Ownership (`?ownershipControls`). A bucket can also be created
//! with an ownership: [`crate::CreateBucketOptions::object_ownership`].

use http::Method;

use crate::client::{to_xml, Client, Request};
use crate::error::Result;
use crate::model::{OwnershipControls, PolicyStatus, PublicAccessBlockConfiguration};

impl Client {
    /// Sets the bucket's Block Public Access flags (all four; `false` for those left at
    /// their default).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::PublicAccessBlockConfiguration;
    /// let all = PublicAccessBlockConfiguration {
    ///     block_public_acls: true, ignore_public_acls: true,
    ///     block_public_policy: true, restrict_public_buckets: true,
    ///     ..Default::default()
    /// };
    /// client.put_public_access_block("photos", &all).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_public_access_block(
        &self,
        bucket: &str,
        config: &PublicAccessBlockConfiguration,
    ) -> Result<()> {
        let mut config = config.clone();
        config.xmlns = oos_proto::xml::XMLNS.to_string();
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub("publicAccessBlock")
            .xml_body(to_xml("PublicAccessBlockConfiguration", &config))?;
        self.send_empty(req).await.map(|_| ())
    }

    /// The bucket's Block Public Access flags (404 `NoSuchPublicAccessBlockConfiguration`
    /// when none were set).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let flags = client.get_public_access_block("photos").await?;
    /// println!("public ACLs blocked: {}", flags.block_public_acls);
    /// # Ok(()) }
    /// ```
    pub async fn get_public_access_block(
        &self,
        bucket: &str,
    ) -> Result<PublicAccessBlockConfiguration> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .sub("publicAccessBlock");
        Ok(self.send_xml(req).await?.0)
    }

    /// Removes the bucket's Block Public Access flags (nothing is blocked afterwards).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_public_access_block("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_public_access_block(&self, bucket: &str) -> Result<()> {
        self.delete_sub(bucket, "publicAccessBlock").await
    }

    /// Whether the bucket policy is public (404 `NoSuchBucketPolicy` without a policy).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// if client.get_bucket_policy_status("photos").await? {
    ///     println!("anyone can reach photos through its policy");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_policy_status(&self, bucket: &str) -> Result<bool> {
        let req = Request::new(Method::GET).bucket(bucket).sub("policyStatus");
        let (doc, _): (PolicyStatus, _) = self.send_xml(req).await?;
        Ok(doc.is_public)
    }

    /// Sets the bucket's Object Ownership: `BucketOwnerEnforced` (ACLs disabled),
    /// `BucketOwnerPreferred` or `ObjectWriter`.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.put_bucket_ownership_controls("photos", "BucketOwnerEnforced").await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_ownership_controls(
        &self,
        bucket: &str,
        object_ownership: &str,
    ) -> Result<()> {
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub("ownershipControls")
            .xml_body(to_xml(
                "OwnershipControls",
                &OwnershipControls::of(object_ownership),
            ))?;
        self.send_empty(req).await.map(|_| ())
    }

    /// The bucket's Object Ownership (404 `OwnershipControlsNotFoundError` when none was set;
    /// such a bucket behaves as `ObjectWriter`).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let ownership = client.get_bucket_ownership_controls("photos").await?;
    /// assert_eq!(ownership, "BucketOwnerEnforced");
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_ownership_controls(&self, bucket: &str) -> Result<String> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .sub("ownershipControls");
        let (doc, _): (OwnershipControls, _) = self.send_xml(req).await?;
        Ok(doc
            .rules
            .into_iter()
            .next()
            .map(|r| r.object_ownership)
            .unwrap_or_default())
    }

    /// Removes the bucket's Object Ownership setting (it behaves as `ObjectWriter` again).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket_ownership_controls("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket_ownership_controls(&self, bucket: &str) -> Result<()> {
        self.delete_sub(bucket, "ownershipControls").await
    }
}

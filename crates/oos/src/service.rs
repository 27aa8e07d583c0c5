//! Service operations: ListBuckets and the OOS GetRegions.

use http::Method;

use crate::client::{Client, Request};
use crate::error::Result;
use crate::model::{Bucket, BucketRegions, ListAllMyBucketsResult, Owner};

/// ListBuckets output.
#[derive(Debug, Clone)]
pub struct ListBucketsOutput {
    /// The account.
    pub owner: Owner,
    /// Its buckets.
    pub buckets: Vec<Bucket>,
}

impl Client {
    /// Lists the caller's buckets (`GET /`).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let out = client.list_buckets().await?;
    /// println!("{} buckets", out.buckets.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_buckets(&self) -> Result<ListBucketsOutput> {
        let (doc, _): (ListAllMyBucketsResult, _) =
            self.send_xml(Request::new(Method::GET)).await?;
        Ok(ListBucketsOutput {
            owner: doc.owner,
            buckets: doc.buckets.bucket,
        })
    }

    /// The regions the account may put metadata and data in (OOS `GET /?regions`).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let regions = client.get_regions().await?;
    /// println!("{:?}", regions.data_regions.region);
    /// # Ok(()) }
    /// ```
    pub async fn get_regions(&self) -> Result<BucketRegions> {
        let (doc, _) = self
            .send_xml(Request::new(Method::GET).sub("regions"))
            .await?;
        Ok(doc)
    }
}

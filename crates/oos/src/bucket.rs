//! Bucket operations: create, delete, head, location, listings with paginators, and the
//! bucket sub-resources (ACL, policy, website, lifecycle, CORS, logging, accelerate).

use futures_util::Stream;
use http::Method;

use crate::client::{to_xml, Client, Request};
use crate::error::{Error, Result};
use crate::model::{
    AccelerateConfiguration, AccessControlPolicy, BucketConfiguration, BucketLoggingStatus,
    CorsConfiguration, DataLocationConstraint, LifecycleConfiguration, ListBucketResult,
    LocationList, MetadataLocation, Object, WebsiteConfiguration,
};

/// Where OOS keeps an object's data (`x-ctyun-data-location`, `DataLocationConstraint`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLocation {
    /// `Specified` regions, or empty for `Local` (the region nearest the client).
    pub regions: Vec<String>,
    /// Whether OOS may place data elsewhere when the chosen regions are unavailable.
    pub schedule_allowed: bool,
}

impl DataLocation {
    /// `type=Local`.
    pub fn local(schedule_allowed: bool) -> DataLocation {
        DataLocation {
            regions: Vec::new(),
            schedule_allowed,
        }
    }

    /// `type=Specified` with these regions, in order of preference.
    pub fn specified(
        regions: impl IntoIterator<Item = impl Into<String>>,
        schedule_allowed: bool,
    ) -> DataLocation {
        DataLocation {
            regions: regions.into_iter().map(Into::into).collect(),
            schedule_allowed,
        }
    }

    fn strategy(&self) -> &'static str {
        if self.schedule_allowed {
            "Allowed"
        } else {
            "NotAllowed"
        }
    }

    /// The `x-ctyun-data-location` header value,
    /// e.g. `type=Specified,location=ChengDu,LaSa,scheduleStrategy=Allowed`.
    pub fn header_value(&self) -> String {
        if self.regions.is_empty() {
            format!("type=Local,scheduleStrategy={}", self.strategy())
        } else {
            format!(
                "type=Specified,location={},scheduleStrategy={}",
                self.regions.join(","),
                self.strategy()
            )
        }
    }

    /// Parses a header value as [`DataLocation::header_value`] writes it.
    pub fn parse(s: &str) -> Option<DataLocation> {
        let rest = s.strip_prefix("type=")?;
        let (kind, rest) = rest.split_once(',')?;
        let (locs, strategy) = rest.rsplit_once("scheduleStrategy=")?;
        let schedule_allowed = match strategy {
            "Allowed" => true,
            "NotAllowed" => false,
            _ => return None,
        };
        let regions: Vec<String> = match kind {
            "Local" if locs.is_empty() => Vec::new(),
            "Specified" => locs
                .strip_prefix("location=")?
                .trim_end_matches(',')
                .split(',')
                .filter(|r| !r.is_empty())
                .map(str::to_string)
                .collect(),
            _ => return None,
        };
        if kind == "Specified" && regions.is_empty() {
            return None;
        }
        Some(DataLocation {
            regions,
            schedule_allowed,
        })
    }

    /// The `DataLocationConstraint` element of CreateBucketConfiguration.
    pub fn constraint(&self) -> DataLocationConstraint {
        DataLocationConstraint {
            kind: if self.regions.is_empty() {
                "Local".into()
            } else {
                "Specified".into()
            },
            location_list: (!self.regions.is_empty()).then(|| LocationList {
                location: self.regions.clone(),
            }),
            schedule_strategy: Some(self.strategy().into()),
        }
    }
}

/// Options of [`Client::create_bucket`].
#[derive(Debug, Clone, Default)]
pub struct CreateBucketOptions {
    /// Canned ACL: `private` (default), `public-read` or `public-read-write`.
    pub acl: Option<String>,
    /// The region that keeps the bucket's metadata.
    pub metadata_location: Option<String>,
    /// Where the bucket's data goes by default.
    pub data_location: Option<DataLocation>,
    /// Create the bucket with Object Lock (which turns versioning on for good).
    pub object_lock_enabled: bool,
    /// Object Ownership from the start (`x-amz-object-ownership`): `BucketOwnerEnforced`,
    /// `BucketOwnerPreferred` or `ObjectWriter`.
    pub object_ownership: Option<String>,
}

/// Options of [`Client::list_objects`] (ListObjects v1).
#[derive(Debug, Clone, Default)]
pub struct ListObjectsOptions {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Group keys up to this into common prefixes (usually `/`).
    pub delimiter: Option<String>,
    /// Start after this key.
    pub marker: Option<String>,
    /// Page size (server maximum 1000).
    pub max_keys: Option<u32>,
}

/// Options of [`Client::list_objects_v2`].
#[derive(Debug, Clone, Default)]
pub struct ListObjectsV2Options {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Group keys up to this into common prefixes.
    pub delimiter: Option<String>,
    /// The previous page's `next_continuation_token`.
    pub continuation_token: Option<String>,
    /// Start after this key.
    pub start_after: Option<String>,
    /// Page size.
    pub max_keys: Option<u32>,
}

/// A bucket or object ACL to set: a canned name, grant headers or a full policy document.
#[derive(Debug, Clone)]
pub enum Acl {
    /// `private`, `public-read`, `public-read-write`, `authenticated-read`.
    Canned(String),
    /// Grant headers: pairs of a permission (`READ`, `WRITE`, `READ_ACP`, `WRITE_ACP` or
    /// `FULL_CONTROL`) and its grantees as S3 writes them, e.g. `id="<canonical id>"` or
    /// `uri="http://acs.amazonaws.com/groups/global/AllUsers"` (several separated by commas).
    Grants(Vec<(String, String)>),
    /// An `AccessControlPolicy` document.
    Policy(AccessControlPolicy),
}

impl Acl {
    /// The request with this ACL as its header(s) or body.
    pub(crate) fn apply(self, req: Request) -> Result<Request> {
        match self {
            Acl::Canned(name) => req.header("x-amz-acl", &name),
            Acl::Grants(grants) => {
                if grants.is_empty() {
                    return Err(Error::InvalidArgument("Acl::Grants with no grant".into()));
                }
                let mut req = req;
                for (permission, grantees) in grants {
                    let header = match permission.as_str() {
                        "READ" => "x-amz-grant-read",
                        "WRITE" => "x-amz-grant-write",
                        "READ_ACP" => "x-amz-grant-read-acp",
                        "WRITE_ACP" => "x-amz-grant-write-acp",
                        "FULL_CONTROL" => "x-amz-grant-full-control",
                        other => {
                            return Err(Error::InvalidArgument(format!(
                                "unknown ACL permission {other:?}"
                            )))
                        }
                    };
                    req = req.header(header, &grantees)?;
                }
                Ok(req)
            }
            Acl::Policy(doc) => req.xml_body(to_xml("AccessControlPolicy", &doc)),
        }
    }
}

impl Client {
    /// Creates a bucket, with an optional ACL and OOS metadata / data location.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::{CreateBucketOptions, DataLocation};
    /// client.create_bucket("photos", CreateBucketOptions {
    ///     acl: Some("private".into()),
    ///     data_location: Some(DataLocation::local(true)),
    ///     ..Default::default()
    /// }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_bucket(&self, bucket: &str, options: CreateBucketOptions) -> Result<()> {
        let mut req = Request::new(Method::PUT)
            .bucket(bucket)
            .header_opt("x-amz-acl", options.acl.as_deref())?;
        if options.object_lock_enabled {
            req = req.header("x-amz-bucket-object-lock-enabled", "true")?;
        }
        if let Some(ownership) = &options.object_ownership {
            req = req.header("x-amz-object-ownership", ownership)?;
        }
        if options.metadata_location.is_some() || options.data_location.is_some() {
            let doc = BucketConfiguration {
                xmlns: oos_proto::xml::XMLNS.to_string(),
                metadata_location: options
                    .metadata_location
                    .map(|location| MetadataLocation { location }),
                data_location: options.data_location.as_ref().map(DataLocation::constraint),
            };
            req = req.xml_body(to_xml("CreateBucketConfiguration", &doc))?;
        }
        self.send_empty(req).await.map(|_| ())
    }

    /// Deletes an empty bucket.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket(&self, bucket: &str) -> Result<()> {
        self.send_empty(Request::new(Method::DELETE).bucket(bucket))
            .await
            .map(|_| ())
    }

    /// Whether the bucket exists and the caller may use it (`HEAD /bucket`); a missing
    /// bucket is `Ok(false)`.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// assert!(client.head_bucket("photos").await?);
    /// # Ok(()) }
    /// ```
    pub async fn head_bucket(&self, bucket: &str) -> Result<bool> {
        match self
            .send_empty(Request::new(Method::HEAD).bucket(bucket))
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The bucket's OOS location document (metadata and data location).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let loc = client.get_bucket_location("photos").await?;
    /// println!("{:?}", loc.metadata_location);
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_location(&self, bucket: &str) -> Result<BucketConfiguration> {
        let (doc, _) = self
            .send_xml(Request::new(Method::GET).bucket(bucket).sub("location"))
            .await?;
        Ok(doc)
    }

    /// One page of ListObjects (v1). See [`Client::list_objects_paginator`] for all pages.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let page = client.list_objects("photos", Default::default()).await?;
    /// for o in page.contents { println!("{} {}", o.key, o.size); }
    /// # Ok(()) }
    /// ```
    pub async fn list_objects(
        &self,
        bucket: &str,
        options: ListObjectsOptions,
    ) -> Result<ListBucketResult> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .query_opt("prefix", options.prefix)
            .query_opt("delimiter", options.delimiter)
            .query_opt("marker", options.marker)
            .query_opt("max-keys", options.max_keys);
        Ok(self.send_xml(req).await?.0)
    }

    /// One page of ListObjectsV2. See [`Client::list_objects_v2_paginator`] for all pages.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let opts = oos::ListObjectsV2Options { prefix: Some("2024/".into()), ..Default::default() };
    /// let page = client.list_objects_v2("photos", opts).await?;
    /// println!("{} keys", page.contents.len());
    /// # Ok(()) }
    /// ```
    pub async fn list_objects_v2(
        &self,
        bucket: &str,
        options: ListObjectsV2Options,
    ) -> Result<ListBucketResult> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .query("list-type", 2)
            .query_opt("prefix", options.prefix)
            .query_opt("delimiter", options.delimiter)
            .query_opt("continuation-token", options.continuation_token)
            .query_opt("start-after", options.start_after)
            .query_opt("max-keys", options.max_keys);
        Ok(self.send_xml(req).await?.0)
    }

    /// Every page of ListObjects (v1), following markers.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let mut pages = client.list_objects_paginator("photos", Default::default());
    /// while let Some(page) = pages.next_page().await? {
    ///     println!("{} keys", page.contents.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list_objects_paginator(
        &self,
        bucket: &str,
        options: ListObjectsOptions,
    ) -> ListPaginator {
        ListPaginator {
            client: self.clone(),
            bucket: bucket.to_string(),
            state: PageState::V1(options),
            done: false,
        }
    }

    /// Every page of ListObjectsV2, following continuation tokens.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let keys: Vec<String> = client
    ///     .list_objects_v2_paginator("photos", Default::default())
    ///     .into_objects()
    ///     .map_ok(|o| o.key)
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn list_objects_v2_paginator(
        &self,
        bucket: &str,
        options: ListObjectsV2Options,
    ) -> ListPaginator {
        ListPaginator {
            client: self.clone(),
            bucket: bucket.to_string(),
            state: PageState::V2(options),
            done: false,
        }
    }

    /// Sets the bucket ACL (canned header, grant headers or `AccessControlPolicy` document).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.put_bucket_acl("photos", oos::Acl::Canned("public-read".into())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_acl(&self, bucket: &str, acl: Acl) -> Result<()> {
        let req = Request::new(Method::PUT).bucket(bucket).sub("acl");
        self.send_empty(acl.apply(req)?).await.map(|_| ())
    }

    /// The bucket ACL.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let acl = client.get_bucket_acl("photos").await?;
    /// for g in acl.access_control_list.grant { println!("{}", g.permission); }
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_acl(&self, bucket: &str) -> Result<AccessControlPolicy> {
        Ok(self
            .send_xml(Request::new(Method::GET).bucket(bucket).sub("acl"))
            .await?
            .0)
    }

    /// Sets the bucket policy (a JSON document).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::photos/*"]}]}"#;
    /// client.put_bucket_policy("photos", policy).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_policy(&self, bucket: &str, policy: &str) -> Result<()> {
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub("policy")
            .header("content-type", "application/json")?
            .body(policy.to_string());
        self.send_empty(req).await.map(|_| ())
    }

    /// The bucket policy (JSON text).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// println!("{}", client.get_bucket_policy("photos").await?);
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_policy(&self, bucket: &str) -> Result<String> {
        let (body, _) = self
            .send_bytes(Request::new(Method::GET).bucket(bucket).sub("policy"))
            .await?;
        String::from_utf8(body.to_vec()).map_err(|_| Error::Response("policy is not UTF-8".into()))
    }

    /// Deletes the bucket policy.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket_policy("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket_policy(&self, bucket: &str) -> Result<()> {
        self.delete_sub(bucket, "policy").await
    }

    /// Sets the website configuration.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::{IndexDocument, WebsiteConfiguration};
    /// let cfg = WebsiteConfiguration {
    ///     index_document: Some(IndexDocument { suffix: "index.html".into() }),
    ///     ..Default::default()
    /// };
    /// client.put_bucket_website("photos", &cfg).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_website(
        &self,
        bucket: &str,
        config: &WebsiteConfiguration,
    ) -> Result<()> {
        self.put_sub(bucket, "website", to_xml("WebsiteConfiguration", config))
            .await
    }

    /// The website configuration.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let cfg = client.get_bucket_website("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_website(&self, bucket: &str) -> Result<WebsiteConfiguration> {
        self.get_sub(bucket, "website").await
    }

    /// Deletes the website configuration.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket_website("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket_website(&self, bucket: &str) -> Result<()> {
        self.delete_sub(bucket, "website").await
    }

    /// Sets the lifecycle rules.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::{LifecycleConfiguration, LifecycleExpiration, LifecycleRule};
    /// let cfg = LifecycleConfiguration { rule: vec![LifecycleRule {
    ///     id: Some("logs".into()), prefix: Some("logs/".into()), status: "Enabled".into(),
    ///     expiration: Some(LifecycleExpiration { days: Some(30), date: None }),
    ///     ..Default::default()
    /// }] };
    /// client.put_bucket_lifecycle("photos", &cfg).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_lifecycle(
        &self,
        bucket: &str,
        config: &LifecycleConfiguration,
    ) -> Result<()> {
        self.put_sub(
            bucket,
            "lifecycle",
            to_xml("LifecycleConfiguration", config),
        )
        .await
    }

    /// The lifecycle rules.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let cfg = client.get_bucket_lifecycle("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_lifecycle(&self, bucket: &str) -> Result<LifecycleConfiguration> {
        self.get_sub(bucket, "lifecycle").await
    }

    /// Deletes the lifecycle rules.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket_lifecycle("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket_lifecycle(&self, bucket: &str) -> Result<()> {
        self.delete_sub(bucket, "lifecycle").await
    }

    /// Sets the CORS rules.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::{CorsConfiguration, CorsRule};
    /// let cfg = CorsConfiguration { rules: vec![CorsRule {
    ///     allowed_origin: vec!["*".into()], allowed_method: vec!["GET".into()],
    ///     ..Default::default()
    /// }] };
    /// client.put_bucket_cors("photos", &cfg).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_cors(&self, bucket: &str, config: &CorsConfiguration) -> Result<()> {
        self.put_sub(bucket, "cors", to_xml("CORSConfiguration", config))
            .await
    }

    /// The CORS rules.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let cfg = client.get_bucket_cors("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_cors(&self, bucket: &str) -> Result<CorsConfiguration> {
        self.get_sub(bucket, "cors").await
    }

    /// Deletes the CORS rules.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_bucket_cors("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_bucket_cors(&self, bucket: &str) -> Result<()> {
        self.delete_sub(bucket, "cors").await
    }

    /// Turns access logging on (with `logging_enabled`) or off (without).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::{BucketLoggingStatus, LoggingEnabled};
    /// let status = BucketLoggingStatus { logging_enabled: Some(LoggingEnabled {
    ///     target_bucket: "logs".into(), target_prefix: "photos/".into() }) };
    /// client.put_bucket_logging("photos", &status).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_logging(
        &self,
        bucket: &str,
        status: &BucketLoggingStatus,
    ) -> Result<()> {
        self.put_sub(bucket, "logging", to_xml("BucketLoggingStatus", status))
            .await
    }

    /// The logging status.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let status = client.get_bucket_logging("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_logging(&self, bucket: &str) -> Result<BucketLoggingStatus> {
        self.get_sub(bucket, "logging").await
    }

    /// Sets OOS acceleration (status and IP white list).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::model::{AccelerateConfiguration, IpWhiteLists};
    /// let cfg = AccelerateConfiguration { status: "Enabled".into(),
    ///     ip_white_lists: Some(IpWhiteLists { ip: vec!["192.0.2.0/24".into()] }) };
    /// client.put_bucket_accelerate("photos", &cfg).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_bucket_accelerate(
        &self,
        bucket: &str,
        config: &AccelerateConfiguration,
    ) -> Result<()> {
        self.put_sub(
            bucket,
            "accelerate",
            to_xml("AccelerateConfiguration", config),
        )
        .await
    }

    /// The acceleration settings.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let cfg = client.get_bucket_accelerate("photos").await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_bucket_accelerate(&self, bucket: &str) -> Result<AccelerateConfiguration> {
        self.get_sub(bucket, "accelerate").await
    }

    async fn put_sub(&self, bucket: &str, sub: &str, xml: String) -> Result<()> {
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .sub(sub)
            .xml_body(xml)?;
        self.send_empty(req).await.map(|_| ())
    }

    async fn get_sub<T: serde::de::DeserializeOwned>(&self, bucket: &str, sub: &str) -> Result<T> {
        Ok(self
            .send_xml(Request::new(Method::GET).bucket(bucket).sub(sub))
            .await?
            .0)
    }

    pub(crate) async fn delete_sub(&self, bucket: &str, sub: &str) -> Result<()> {
        self.send_empty(Request::new(Method::DELETE).bucket(bucket).sub(sub))
            .await
            .map(|_| ())
    }
}

#[derive(Debug)]
enum PageState {
    V1(ListObjectsOptions),
    V2(ListObjectsV2Options),
}

/// Pages of a listing; made by [`Client::list_objects_paginator`] and
/// [`Client::list_objects_v2_paginator`].
#[derive(Debug)]
pub struct ListPaginator {
    client: Client,
    bucket: String,
    state: PageState,
    done: bool,
}

impl ListPaginator {
    /// The next page, or `None` after the last.
    pub async fn next_page(&mut self) -> Result<Option<ListBucketResult>> {
        if self.done {
            return Ok(None);
        }
        let page = match &mut self.state {
            PageState::V1(opts) => {
                let page = self.client.list_objects(&self.bucket, opts.clone()).await?;
                // NextMarker comes only with a delimiter; else the last key is the marker.
                let next = page
                    .next_marker
                    .clone()
                    .filter(|m| !m.is_empty())
                    .or_else(|| {
                        let last_key = page.contents.last().map(|o| o.key.clone());
                        let last_prefix = page.common_prefixes.last().map(|p| p.prefix.clone());
                        last_key.into_iter().chain(last_prefix).max()
                    });
                match next {
                    Some(m) if page.is_truncated => opts.marker = Some(m),
                    _ => self.done = true,
                }
                page
            }
            PageState::V2(opts) => {
                let page = self
                    .client
                    .list_objects_v2(&self.bucket, opts.clone())
                    .await?;
                match page.next_continuation_token.clone() {
                    Some(t) if page.is_truncated && !t.is_empty() => {
                        opts.continuation_token = Some(t)
                    }
                    _ => self.done = true,
                }
                page
            }
        };
        Ok(Some(page))
    }

    /// Every object of every page, in key order.
    pub fn into_objects(self) -> impl Stream<Item = Result<Object>> + Send {
        futures_util::stream::try_unfold(
            (self, std::collections::VecDeque::<Object>::new()),
            |(mut pages, mut buffered)| async move {
                loop {
                    if let Some(o) = buffered.pop_front() {
                        return Ok(Some((o, (pages, buffered))));
                    }
                    match pages.next_page().await? {
                        Some(page) => buffered.extend(page.contents),
                        None => return Ok(None),
                    }
                }
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_location_header_round_trip() {
        let d = DataLocation::specified(["ChengDu", "LaSa"], false);
        assert_eq!(
            d.header_value(),
            "type=Specified,location=ChengDu,LaSa,scheduleStrategy=NotAllowed"
        );
        assert_eq!(DataLocation::parse(&d.header_value()), Some(d));
        let l = DataLocation::local(true);
        assert_eq!(l.header_value(), "type=Local,scheduleStrategy=Allowed");
        assert_eq!(DataLocation::parse(&l.header_value()), Some(l));
        assert_eq!(
            DataLocation::parse("type=Specified,scheduleStrategy=Allowed"),
            None
        );
        assert_eq!(
            DataLocation::parse("type=Local,scheduleStrategy=Maybe"),
            None
        );
    }
}

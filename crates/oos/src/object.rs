//! Object operations: put, get (streaming, ranges, conditions), head, delete, copy and
//! DeleteObjects.

use std::collections::BTreeMap;

use http::{HeaderMap, Method};

use crate::body::{Body, ByteStream};
use crate::bucket::{Acl, DataLocation};
use crate::client::{enc_path, header_str, to_xml, unquote, Client, Request};
use crate::encryption::{CustomerKey, Encryption};
use crate::error::{Error, Result};
use crate::model::{AccessControlPolicy, CopyResult, Delete, DeleteResult, ObjectIdentifier};

/// Options of [`Client::put_object`] (also used by multipart and the transfer manager).
#[derive(Debug, Clone, Default)]
pub struct PutObjectOptions {
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Expires` (an HTTP date).
    pub expires: Option<String>,
    /// User metadata, sent as `x-amz-meta-<name>`.
    pub metadata: BTreeMap<String, String>,
    /// `STANDARD`, `REDUCED_REDUNDANCY`, `STANDARD_IA` or an OOS `EC_N_M`.
    pub storage_class: Option<String>,
    /// Where OOS keeps the data.
    pub data_location: Option<DataLocation>,
    /// Canned ACL.
    pub acl: Option<String>,
    /// Upload speed limit in KiB/s (`x-amz-limit: rate=N`).
    pub limit_rate: Option<u64>,
    /// `Content-MD5` (base64) the server must check the body against. A bucket with a
    /// default Object Lock retention refuses writes without it (or a checksum); the transfer
    /// manager always sends it, and [`Client::put_object`] computes it for in-memory bodies
    /// when the options themselves ask for a lock.
    pub content_md5: Option<String>,
    /// Tags to give the object (`x-amz-tagging`); see [`Client::put_object_tagging`].
    pub tags: BTreeMap<String, String>,
    /// `If-None-Match`: only `*`, to write only if the key is free (else 412
    /// `PreconditionFailed`). Sent by [`Client::put_object`], and by the transfer manager
    /// when it completes a multipart upload; [`Client::create_multipart_upload`] ignores it
    /// (see [`Client::complete_multipart_upload_with`]).
    pub if_none_match: Option<String>,
    /// `If-Match`: write only over the object with this ETag (else 412
    /// `PreconditionFailed`, or 404 `NoSuchKey` when there is none). Sent like
    /// `if_none_match`. With either condition, a request retried after a lost answer may
    /// be refused because its own first attempt wrote the object.
    pub if_match: Option<String>,
    /// Object Lock retention of the new version: `GOVERNANCE` or `COMPLIANCE`, with
    /// `object_lock_retain_until` (both or neither; the bucket needs Object Lock, and the
    /// server then wants `content_md5` or a checksum, which [`Client::put_object`] adds).
    pub object_lock_mode: Option<String>,
    /// Until when (ISO 8601, as `2030-01-01T00:00:00Z`).
    pub object_lock_retain_until: Option<String>,
    /// Put the new version on legal hold (`Some(true)`).
    pub object_lock_legal_hold: Option<bool>,
    /// Server-side encryption (without it, the bucket's default applies). With
    /// [`Encryption::Customer`], the transfer manager sends the key with every part too.
    pub encryption: Option<Encryption>,
}

impl PutObjectOptions {
    pub(crate) fn apply(&self, req: Request) -> Result<Request> {
        let mut req = req
            .header_opt("content-type", self.content_type.as_deref())?
            .header_opt("content-encoding", self.content_encoding.as_deref())?
            .header_opt("content-disposition", self.content_disposition.as_deref())?
            .header_opt("cache-control", self.cache_control.as_deref())?
            .header_opt("expires", self.expires.as_deref())?
            .header_opt("x-amz-storage-class", self.storage_class.as_deref())?
            .header_opt("x-amz-acl", self.acl.as_deref())?;
        if let Some(d) = &self.data_location {
            req = req.header("x-ctyun-data-location", &d.header_value())?;
        }
        for (k, v) in &self.metadata {
            req = req.header(&format!("x-amz-meta-{}", k.to_ascii_lowercase()), v)?;
        }
        if !self.tags.is_empty() {
            req = req.header("x-amz-tagging", &crate::tagging::header_value(&self.tags))?;
        }
        if let Some(e) = &self.encryption {
            req = e.apply(req)?;
        }
        let hold = self
            .object_lock_legal_hold
            .map(|on| if on { "ON" } else { "OFF" });
        req.header_opt("x-amz-object-lock-mode", self.object_lock_mode.as_deref())?
            .header_opt(
                "x-amz-object-lock-retain-until-date",
                self.object_lock_retain_until.as_deref(),
            )?
            .header_opt("x-amz-object-lock-legal-hold", hold)
    }

    /// Whether the write asks for Object Lock (the server then requires an integrity header).
    fn locks(&self) -> bool {
        self.object_lock_mode.is_some() || self.object_lock_legal_hold.is_some()
    }

    /// Adds the write conditions (`If-None-Match` / `If-Match`) of a PutObject.
    fn apply_conditions(&self, req: Request) -> Result<Request> {
        write_conditions(req, self.if_none_match.as_deref(), self.if_match.as_deref())
    }
}

/// The `If-None-Match` / `If-Match` headers of a conditional write.
pub(crate) fn write_conditions(
    req: Request,
    if_none_match: Option<&str>,
    if_match: Option<&str>,
) -> Result<Request> {
    req.header_opt("if-none-match", if_none_match)?
        .header_opt("if-match", quoted(if_match).as_deref())
}

/// An ETag as a condition header wants it: quoted, unless it already is or is `*`.
fn quoted(etag: Option<&str>) -> Option<String> {
    etag.map(|e| {
        if e.starts_with('"') || e == "*" {
            e.to_string()
        } else {
            format!("\"{e}\"")
        }
    })
}

/// PutObject output.
#[derive(Debug, Clone)]
pub struct PutObjectOutput {
    /// ETag without quotes (the MD5 of the body, hex).
    pub etag: String,
    /// The new version's id, on a bucket with versioning (`null` when suspended).
    pub version_id: Option<String>,
    /// `AES256` or `aws:kms` when the object was encrypted that way.
    pub server_side_encryption: Option<String>,
    /// Request id.
    pub request_id: String,
}

/// A byte range: `start..=end`, or from `start` to the end, or the last `n` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// `bytes=start-end` (inclusive).
    Inclusive(u64, u64),
    /// `bytes=start-`.
    From(u64),
    /// `bytes=-n`.
    Suffix(u64),
}

impl Range {
    /// The `Range` header value.
    pub fn header_value(&self) -> String {
        match self {
            Range::Inclusive(a, b) => format!("bytes={a}-{b}"),
            Range::From(a) => format!("bytes={a}-"),
            Range::Suffix(n) => format!("bytes=-{n}"),
        }
    }
}

/// Options of [`Client::get_object`] and [`Client::head_object`].
#[derive(Debug, Clone, Default)]
pub struct GetObjectOptions {
    /// Only these bytes.
    pub range: Option<Range>,
    /// `If-Match`: fail with 412 unless the ETag matches.
    pub if_match: Option<String>,
    /// `If-None-Match`: 304 when the ETag matches.
    pub if_none_match: Option<String>,
    /// `If-Modified-Since` (an HTTP date).
    pub if_modified_since: Option<String>,
    /// `If-Unmodified-Since` (an HTTP date).
    pub if_unmodified_since: Option<String>,
    /// Download speed limit in KiB/s.
    pub limit_rate: Option<u64>,
    /// This version instead of the current one.
    pub version_id: Option<String>,
    /// The key of an SSE-C object (needed by GET and HEAD alike).
    pub customer_key: Option<CustomerKey>,
}

impl GetObjectOptions {
    fn apply(&self, req: Request) -> Result<Request> {
        let range = self.range.map(|r| r.header_value());
        let mut req = req
            .query_opt("versionId", self.version_id.as_deref())
            .header_opt("range", range.as_deref())?
            .header_opt("if-match", quoted(self.if_match.as_deref()).as_deref())?
            .header_opt(
                "if-none-match",
                quoted(self.if_none_match.as_deref()).as_deref(),
            )?
            .header_opt("if-modified-since", self.if_modified_since.as_deref())?
            .header_opt("if-unmodified-since", self.if_unmodified_since.as_deref())?;
        if let Some(rate) = self.limit_rate {
            req = req.header("x-amz-limit", &format!("rate={rate}"))?;
        }
        if let Some(k) = &self.customer_key {
            req = k.apply(req)?;
        }
        Ok(req)
    }
}

/// What HEAD and GET say about an object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectMeta {
    /// `Content-Length` of this response (the range length for a ranged GET).
    pub content_length: u64,
    /// Whole object size (from `Content-Range` when ranged).
    pub size: u64,
    /// `Content-Range`, when ranged.
    pub content_range: Option<String>,
    /// ETag without quotes.
    pub etag: String,
    /// `Last-Modified` (HTTP date).
    pub last_modified: String,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Content-Encoding`.
    pub content_encoding: Option<String>,
    /// `Content-Disposition`.
    pub content_disposition: Option<String>,
    /// `Cache-Control`.
    pub cache_control: Option<String>,
    /// `Expires`.
    pub expires: Option<String>,
    /// Storage class (`STANDARD` when the header is absent).
    pub storage_class: String,
    /// User metadata (`x-amz-meta-*`, names lower-case without the prefix).
    pub metadata: BTreeMap<String, String>,
    /// OOS `x-ctyun-data-location`, when the owner has several data regions.
    pub data_location: Option<String>,
    /// How many tags the object has (`x-amz-tagging-count`; 0 when absent). Read them with
    /// [`Client::get_object_tagging`].
    pub tag_count: u32,
    /// The version's id (`null` for the null version), on buckets that have versioning.
    pub version_id: Option<String>,
    /// Object Lock retention mode of this version (`GOVERNANCE` or `COMPLIANCE`).
    pub object_lock_mode: Option<String>,
    /// Until when the retention holds (ISO 8601).
    pub object_lock_retain_until: Option<String>,
    /// The version's legal hold, when one was ever set.
    pub object_lock_legal_hold: Option<bool>,
    /// `AES256` or `aws:kms` for SSE-S3 and SSE-KMS objects.
    pub server_side_encryption: Option<String>,
    /// The KMS key of an SSE-KMS object.
    pub sse_kms_key_id: Option<String>,
    /// The MD5 (base64) of an SSE-C object's key.
    pub sse_customer_key_md5: Option<String>,
    /// Request id.
    pub request_id: String,
}

impl ObjectMeta {
    pub(crate) fn from_headers(h: &HeaderMap) -> ObjectMeta {
        let s = |n: &str| header_str(h, n).map(str::to_string);
        let content_length = s("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let content_range = s("content-range");
        let size = content_range
            .as_deref()
            .and_then(|r| r.rsplit('/').next())
            .and_then(|t| t.parse().ok())
            .unwrap_or(content_length);
        let metadata = h
            .iter()
            .filter_map(|(k, v)| {
                let name = k.as_str().strip_prefix("x-amz-meta-")?;
                Some((name.to_string(), v.to_str().ok()?.to_string()))
            })
            .collect();
        ObjectMeta {
            content_length,
            size,
            content_range,
            etag: s("etag").map(|e| unquote(&e)).unwrap_or_default(),
            last_modified: s("last-modified").unwrap_or_default(),
            content_type: s("content-type"),
            content_encoding: s("content-encoding"),
            content_disposition: s("content-disposition"),
            cache_control: s("cache-control"),
            expires: s("expires"),
            storage_class: s("x-amz-storage-class").unwrap_or_else(|| "STANDARD".into()),
            metadata,
            data_location: s("x-ctyun-data-location"),
            tag_count: s("x-amz-tagging-count")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            version_id: s("x-amz-version-id"),
            object_lock_mode: s("x-amz-object-lock-mode"),
            object_lock_retain_until: s("x-amz-object-lock-retain-until-date"),
            object_lock_legal_hold: s("x-amz-object-lock-legal-hold").map(|v| v == "ON"),
            server_side_encryption: s("x-amz-server-side-encryption"),
            sse_kms_key_id: s("x-amz-server-side-encryption-aws-kms-key-id"),
            sse_customer_key_md5: s("x-amz-server-side-encryption-customer-key-md5"),
            request_id: s("x-amz-request-id").unwrap_or_default(),
        }
    }
}

/// GetObject output: the metadata and the body, still streaming.
#[derive(Debug)]
pub struct GetObjectOutput {
    /// Headers of the object.
    pub meta: ObjectMeta,
    /// The body; read it with [`ByteStream`]'s methods or as a `Stream`.
    pub body: ByteStream,
}

/// Options of [`Client::copy_object`].
#[derive(Debug, Clone, Default)]
pub struct CopyObjectOptions {
    /// Replace the metadata and content headers with these (`x-amz-metadata-directive:
    /// REPLACE`); `None` copies them.
    pub replace: Option<PutObjectOptions>,
    /// New storage class (also allowed without `replace`).
    pub storage_class: Option<String>,
    /// New data location.
    pub data_location: Option<DataLocation>,
    /// `x-amz-copy-source-if-match`.
    pub if_match: Option<String>,
    /// `x-amz-copy-source-if-none-match`.
    pub if_none_match: Option<String>,
    /// New tags for the copy (`x-amz-tagging-directive: REPLACE`, an empty map for none);
    /// `None` copies the source's tags.
    pub tags: Option<BTreeMap<String, String>>,
    /// Copy this version of the source (copying an old version over its own key is how a
    /// version is restored).
    pub source_version_id: Option<String>,
    /// Encryption of the copy (a copy is not encrypted because its source was: without this,
    /// the target bucket's default applies).
    pub encryption: Option<Encryption>,
    /// The key of an SSE-C source.
    pub source_customer_key: Option<CustomerKey>,
}

/// `x-amz-copy-source` value: `/bucket/key`, percent-encoded.
pub(crate) fn copy_source(bucket: &str, key: &str) -> String {
    format!("/{bucket}/{}", enc_path(key))
}

/// `x-amz-copy-source` of one version: `/bucket/key?versionId=…`.
pub(crate) fn versioned_copy_source(bucket: &str, key: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!(
            "{}?versionId={}",
            copy_source(bucket, key),
            crate::client::enc_query(v)
        ),
        None => copy_source(bucket, key),
    }
}

impl Client {
    /// Uploads an object in one request. `body` may be bytes, a file ([`Body::from_file`]) or
    /// a stream of known length; it is streamed, never copied whole.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let out = client
    ///     .put_object("photos", "hello.txt", "hello", oos::PutObjectOptions::default())
    ///     .await?;
    /// println!("etag {}", out.etag);
    /// # Ok(()) }
    /// ```
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Body>,
        options: PutObjectOptions,
    ) -> Result<PutObjectOutput> {
        let body = body.into();
        // A locked version needs an integrity header: Content-MD5, when the body is in memory.
        let md5 = match (&options.content_md5, body.as_bytes()) {
            (None, Some(bytes)) if options.locks() => Some(oos_sign::content_md5_base64(bytes)),
            (given, _) => given.clone(),
        };
        let req = options.apply(Request::new(Method::PUT).bucket(bucket).key(key))?;
        let mut req = options
            .apply_conditions(req)?
            .header_opt("content-md5", md5.as_deref())?
            .body(body);
        if let Some(rate) = options.limit_rate {
            req = req.header("x-amz-limit", &format!("rate={rate}"))?;
        }
        let resp = self.send_empty(req).await?;
        Ok(PutObjectOutput {
            etag: resp.header("etag").map(unquote).unwrap_or_default(),
            version_id: resp.header("x-amz-version-id").map(str::to_string),
            server_side_encryption: resp
                .header("x-amz-server-side-encryption")
                .map(str::to_string),
            request_id: resp.request_id(),
        })
    }

    /// Downloads an object; the body streams from the socket.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use oos::{GetObjectOptions, Range};
    /// let out = client.get_object("photos", "hello.txt", GetObjectOptions {
    ///     range: Some(Range::Inclusive(0, 3)), ..Default::default()
    /// }).await?;
    /// let first4 = out.body.collect().await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        options: GetObjectOptions,
    ) -> Result<GetObjectOutput> {
        let req = options.apply(Request::new(Method::GET).bucket(bucket).key(key))?;
        let resp = self.send(req).await?;
        Ok(GetObjectOutput {
            meta: ObjectMeta::from_headers(&resp.headers),
            body: resp.body,
        })
    }

    /// The object's metadata (`HEAD`); a missing key is an error with status 404.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let meta = client.head_object("photos", "hello.txt", Default::default()).await?;
    /// println!("{} bytes", meta.size);
    /// # Ok(()) }
    /// ```
    pub async fn head_object(
        &self,
        bucket: &str,
        key: &str,
        options: GetObjectOptions,
    ) -> Result<ObjectMeta> {
        let req = options.apply(Request::new(Method::HEAD).bucket(bucket).key(key))?;
        let resp = self.send_empty(req).await?;
        Ok(ObjectMeta::from_headers(&resp.headers))
    }

    /// Deletes an object (no error when it does not exist).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.delete_object("photos", "hello.txt").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<()> {
        self.send_empty(Request::new(Method::DELETE).bucket(bucket).key(key))
            .await
            .map(|_| ())
    }

    /// Copies an object on the server (up to 5 GiB; larger ones through multipart copy).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let r = client
    ///     .copy_object("photos", "a.jpg", "backup", "a.jpg", Default::default())
    ///     .await?;
    /// println!("{}", r.etag);
    /// # Ok(()) }
    /// ```
    pub async fn copy_object(
        &self,
        src_bucket: &str,
        src_key: &str,
        bucket: &str,
        key: &str,
        options: CopyObjectOptions,
    ) -> Result<CopyResult> {
        let mut req = Request::new(Method::PUT)
            .bucket(bucket)
            .key(key)
            .header(
                "x-amz-copy-source",
                &versioned_copy_source(src_bucket, src_key, options.source_version_id.as_deref()),
            )?
            .header_opt("x-amz-copy-source-if-match", options.if_match.as_deref())?
            .header_opt(
                "x-amz-copy-source-if-none-match",
                options.if_none_match.as_deref(),
            )?;
        if let Some(replace) = &options.replace {
            // Tags go by their own directive, encryption by `options.encryption`, below.
            let replace = PutObjectOptions {
                tags: BTreeMap::new(),
                encryption: None,
                ..replace.clone()
            };
            req = replace
                .apply(req)?
                .header("x-amz-metadata-directive", "REPLACE")?;
        }
        if let Some(tags) = &options.tags {
            req = req.header("x-amz-tagging-directive", "REPLACE")?;
            if !tags.is_empty() {
                req = req.header("x-amz-tagging", &crate::tagging::header_value(tags))?;
            }
        }
        if replace_storage(&options) {
            req = req.header_opt("x-amz-storage-class", options.storage_class.as_deref())?;
        }
        if let Some(d) = &options.data_location {
            req = req.header("x-ctyun-data-location", &d.header_value())?;
        }
        if let Some(e) = options
            .encryption
            .as_ref()
            .or(options.replace.as_ref().and_then(|r| r.encryption.as_ref()))
        {
            req = e.apply(req)?;
        }
        if let Some(k) = &options.source_customer_key {
            req = k.apply_to_source(req)?;
        }
        let (mut doc, _): (CopyResult, _) = self.send_xml(req).await?;
        doc.etag = unquote(&doc.etag);
        Ok(doc)
    }

    /// Sets the object's own grants (`PUT key?acl`): a canned ACL, grant headers or an
    /// `AccessControlPolicy` document. The bucket owner keeps FULL_CONTROL; the object's data
    /// and metadata are untouched.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// client.put_object_acl("photos", "a.jpg", oos::Acl::Canned("public-read".into())).await?;
    /// # Ok(()) }
    /// ```
    pub async fn put_object_acl(&self, bucket: &str, key: &str, acl: Acl) -> Result<()> {
        let req = Request::new(Method::PUT).bucket(bucket).key(key).sub("acl");
        self.send_empty(acl.apply(req)?).await.map(|_| ())
    }

    /// The object's ACL (`GET key?acl`): the owner's FULL_CONTROL and the object's own grants.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let acl = client.get_object_acl("photos", "a.jpg").await?;
    /// println!("{}", acl.access_control_list.grant[0].permission);
    /// # Ok(()) }
    /// ```
    pub async fn get_object_acl(&self, bucket: &str, key: &str) -> Result<AccessControlPolicy> {
        let req = Request::new(Method::GET).bucket(bucket).key(key).sub("acl");
        Ok(self.send_xml(req).await?.0)
    }

    /// Deletes up to 1000 keys in one request. `quiet` leaves deleted keys out of the answer.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let r = client.delete_objects("photos", &["a.jpg", "b.jpg"], false).await?;
    /// assert!(r.error.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn delete_objects<K: AsRef<str>>(
        &self,
        bucket: &str,
        keys: &[K],
        quiet: bool,
    ) -> Result<DeleteResult> {
        let objects = keys
            .iter()
            .map(|k| ObjectIdentifier {
                key: k.as_ref().to_string(),
                version_id: None,
            })
            .collect();
        self.delete_batch(bucket, objects, quiet, false, "delete_objects")
            .await
    }

    /// One DeleteObjects request (`what` names the calling method in the size error).
    pub(crate) async fn delete_batch(
        &self,
        bucket: &str,
        objects: Vec<ObjectIdentifier>,
        quiet: bool,
        bypass_governance: bool,
        what: &str,
    ) -> Result<DeleteResult> {
        if objects.is_empty() || objects.len() > 1000 {
            return Err(Error::InvalidArgument(format!(
                "{what} takes 1 to 1000 keys, not {}",
                objects.len()
            )));
        }
        let doc = Delete { quiet, objects };
        let mut req = Request::new(Method::POST)
            .bucket(bucket)
            .sub("delete")
            .xml_body(to_xml("Delete", &doc))?;
        if bypass_governance {
            req = req.header("x-amz-bypass-governance-retention", "true")?;
        }
        Ok(self.send_xml(req).await?.0)
    }
}

/// A storage class given outside `replace` is sent on its own (unless `replace` has one).
fn replace_storage(options: &CopyObjectOptions) -> bool {
    options.storage_class.is_some()
        && options
            .replace
            .as_ref()
            .is_none_or(|r| r.storage_class.is_none())
}

//! Multipart uploads: create, upload part, upload part copy, complete, abort, list parts and
//! list uploads.

use http::Method;

use crate::body::Body;
use crate::client::{to_xml, unquote, Client, Request};
use crate::error::Result;
use crate::model::{
    CompleteMultipartUpload, CompleteMultipartUploadResult, CompletedPart, CopyResult,
    InitiateMultipartUploadResult, ListMultipartUploadsResult, ListPartsResult,
};
use crate::object::{copy_source, PutObjectOptions};

/// Options of [`Client::list_parts`].
#[derive(Debug, Clone, Default)]
pub struct ListPartsOptions {
    /// Page size.
    pub max_parts: Option<u32>,
    /// Parts after this number.
    pub part_number_marker: Option<u32>,
}

/// Options of [`Client::list_multipart_uploads`].
#[derive(Debug, Clone, Default)]
pub struct ListUploadsOptions {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Group keys into common prefixes.
    pub delimiter: Option<String>,
    /// Start after this key.
    pub key_marker: Option<String>,
    /// With `key_marker`: start after this upload.
    pub upload_id_marker: Option<String>,
    /// Page size.
    pub max_uploads: Option<u32>,
}

/// Options of [`Client::complete_multipart_upload_with`]: S3 conditional writes.
#[derive(Debug, Clone, Default)]
pub struct CompleteMultipartUploadOptions {
    /// `If-None-Match: *`: complete only if the key is free (else 412 `PreconditionFailed`).
    pub if_none_match: Option<String>,
    /// `If-Match`: complete only over the object with this ETag (else 412
    /// `PreconditionFailed`, or 404 `NoSuchKey` when there is none).
    pub if_match: Option<String>,
}

impl Client {
    /// Starts a multipart upload; returns its upload id. `options` are the object's headers.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let id = client.create_multipart_upload("b", "big", Default::default()).await?;
    /// let e1 = client.upload_part("b", "big", &id, 1, vec![0u8; 5 << 20]).await?;
    /// let e2 = client.upload_part("b", "big", &id, 2, "tail").await?;
    /// client.complete_multipart_upload("b", "big", &id, vec![
    ///     oos::model::CompletedPart { part_number: 1, etag: e1 },
    ///     oos::model::CompletedPart { part_number: 2, etag: e2 },
    /// ]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        options: PutObjectOptions,
    ) -> Result<String> {
        let req = options.apply(
            Request::new(Method::POST)
                .bucket(bucket)
                .key(key)
                .sub("uploads"),
        )?;
        let (doc, _): (InitiateMultipartUploadResult, _) = self.send_xml(req).await?;
        Ok(doc.upload_id)
    }

    /// Uploads one part (1..=10000; all but the last at least 5 MiB); returns its ETag
    /// (quoted, as CompleteMultipartUpload wants it).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client, id: String) -> oos::Result<()> {
    /// let etag = client.upload_part("b", "big", &id, 1, "data").await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: impl Into<Body>,
    ) -> Result<String> {
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .key(key)
            .query("partNumber", part_number)
            .query("uploadId", upload_id)
            .body(body);
        let resp = self.send_empty(req).await?;
        Ok(resp.header("etag").unwrap_or("").to_string())
    }

    /// Copies (a range of) an existing object into a part. `range` is inclusive.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client, id: String) -> oos::Result<()> {
    /// let r = client
    ///     .upload_part_copy("b", "big", &id, 1, "src", "obj", Some((0, 5 * 1024 * 1024 - 1)))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub async fn upload_part_copy(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        src_bucket: &str,
        src_key: &str,
        range: Option<(u64, u64)>,
    ) -> Result<CopyResult> {
        let range = range.map(|(a, b)| format!("bytes={a}-{b}"));
        let req = Request::new(Method::PUT)
            .bucket(bucket)
            .key(key)
            .query("partNumber", part_number)
            .query("uploadId", upload_id)
            .header("x-amz-copy-source", &copy_source(src_bucket, src_key))?
            .header_opt("x-amz-copy-source-range", range.as_deref())?;
        Ok(self.send_xml(req).await?.0)
    }

    /// Completes an upload from its parts (sorted here by number).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client, id: String, parts: Vec<oos::model::CompletedPart>) -> oos::Result<()> {
    /// let done = client.complete_multipart_upload("b", "big", &id, parts).await?;
    /// println!("{}", done.etag);
    /// # Ok(()) }
    /// ```
    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Vec<CompletedPart>,
    ) -> Result<CompleteMultipartUploadResult> {
        self.complete_multipart_upload_with(bucket, key, upload_id, parts, &Default::default())
            .await
    }

    /// [`Client::complete_multipart_upload`] with conditions on the object it replaces. A
    /// refused condition leaves the upload in place: complete it later or abort it.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client, id: String, parts: Vec<oos::model::CompletedPart>) -> oos::Result<()> {
    /// let only_if_new = oos::CompleteMultipartUploadOptions {
    ///     if_none_match: Some("*".into()),
    ///     ..Default::default()
    /// };
    /// match client.complete_multipart_upload_with("b", "big", &id, parts, &only_if_new).await {
    ///     Err(e) if e.status() == Some(412) => println!("someone else wrote b/big first"),
    ///     other => { other?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn complete_multipart_upload_with(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        mut parts: Vec<CompletedPart>,
        options: &CompleteMultipartUploadOptions,
    ) -> Result<CompleteMultipartUploadResult> {
        parts.sort_by_key(|p| p.part_number);
        let doc = CompleteMultipartUpload { parts };
        let req = Request::new(Method::POST)
            .bucket(bucket)
            .key(key)
            .query("uploadId", upload_id)
            .xml_body(to_xml("CompleteMultipartUpload", &doc))?;
        let req = crate::object::write_conditions(
            req,
            options.if_none_match.as_deref(),
            options.if_match.as_deref(),
        )?;
        let (body, _) = self.send_bytes(req).await?;
        // A 200 may still carry an <Error> document (S3's late failure).
        let text = String::from_utf8_lossy(&body);
        if text.contains("<Error>") {
            return Err(
                crate::error::service_error(500, "", &body).for_request(Some(bucket), Some(key))
            );
        }
        let mut out: CompleteMultipartUploadResult =
            oos_proto::xml::from_xml(&text).map_err(|e| crate::Error::Response(e.to_string()))?;
        out.etag = unquote(&out.etag);
        Ok(out)
    }

    /// Aborts an upload and frees its parts.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client, id: String) -> oos::Result<()> {
    /// client.abort_multipart_upload("b", "big", &id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<()> {
        let req = Request::new(Method::DELETE)
            .bucket(bucket)
            .key(key)
            .query("uploadId", upload_id);
        self.send_empty(req).await.map(|_| ())
    }

    /// The parts uploaded so far.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client, id: String) -> oos::Result<()> {
    /// let parts = client.list_parts("b", "big", &id, Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        options: ListPartsOptions,
    ) -> Result<ListPartsResult> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .key(key)
            .query("uploadId", upload_id)
            .query_opt("max-parts", options.max_parts)
            .query_opt("part-number-marker", options.part_number_marker);
        Ok(self.send_xml(req).await?.0)
    }

    /// Uploads in progress in a bucket.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let ups = client.list_multipart_uploads("b", Default::default()).await?;
    /// for u in ups.uploads { println!("{} {}", u.key, u.upload_id); }
    /// # Ok(()) }
    /// ```
    pub async fn list_multipart_uploads(
        &self,
        bucket: &str,
        options: ListUploadsOptions,
    ) -> Result<ListMultipartUploadsResult> {
        let req = Request::new(Method::GET)
            .bucket(bucket)
            .sub("uploads")
            .query_opt("prefix", options.prefix)
            .query_opt("delimiter", options.delimiter)
            .query_opt("key-marker", options.key_marker)
            .query_opt("upload-id-marker", options.upload_id_marker)
            .query_opt("max-uploads", options.max_uploads);
        Ok(self.send_xml(req).await?.0)
    }
}

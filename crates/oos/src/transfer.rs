//! The transfer manager: [`Client::upload_file`] and [`Client::upload_stream`] switch to
//! parallel multipart above a threshold (aborting the upload on failure);
//! [`Client::download_file`] fetches parallel ranges; [`Client::copy`] copies on the server
//! with parallel UploadPartCopy ranges above the threshold. All report progress and check integrity:
//! every request body carries its `Content-MD5`, and the final ETag (plain MD5 or the
//! multipart `md5-of-md5s-N`) is compared with what was sent or received.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use base64::Engine;
use bytes::{Bytes, BytesMut};
use futures_util::{StreamExt, TryStreamExt};
use http::Method;
use md5::{Digest, Md5};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::body::{Body, ChunkObserver};
use crate::client::{Client, Request};
use crate::error::{file_error, Error, Result};
use crate::model::CompletedPart;
use crate::object::{GetObjectOptions, PutObjectOptions, Range};

/// S3's smallest part (except the last).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's largest part count.
pub const MAX_PARTS: u64 = 10_000;

/// Progress of a transfer: bytes moved so far of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes sent or received so far (retried bytes count again).
    pub transferred: u64,
    /// Bytes of the whole transfer (0 for a stream of unknown length).
    pub total: u64,
}

/// A progress callback; called from the transfer's tasks, so keep it quick.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Options of the transfer manager.
#[derive(Clone)]
pub struct TransferOptions {
    /// Objects at least this big go multipart (default 16 MiB).
    pub multipart_threshold: u64,
    /// Part size (default 8 MiB, at least 5 MiB; raised when 10000 parts would not do).
    pub part_size: u64,
    /// Parts or ranges in flight at once (default 4).
    pub concurrency: usize,
    /// Headers and tags of the uploaded object. Its write conditions (`if_none_match`,
    /// `if_match`) hold for uploads, single or multipart, and for multipart copies (a
    /// single-request copy has none).
    pub put: PutObjectOptions,
    /// Download speed limit per request in KiB/s (uploads use `put.limit_rate`, also per
    /// request, parts included).
    pub limit_rate: Option<u64>,
    /// Called as bytes move.
    pub progress: Option<ProgressFn>,
    /// Downloads and copies read this version of the source instead of the current one.
    pub source_version_id: Option<String>,
}

impl Default for TransferOptions {
    fn default() -> Self {
        TransferOptions {
            multipart_threshold: 16 * 1024 * 1024,
            part_size: 8 * 1024 * 1024,
            concurrency: 4,
            put: PutObjectOptions::default(),
            limit_rate: None,
            progress: None,
            source_version_id: None,
        }
    }
}

impl std::fmt::Debug for TransferOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransferOptions")
            .field("multipart_threshold", &self.multipart_threshold)
            .field("part_size", &self.part_size)
            .field("concurrency", &self.concurrency)
            .finish()
    }
}

/// Result of a transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferOutput {
    /// ETag of the object, without quotes.
    pub etag: String,
    /// Bytes transferred.
    pub size: u64,
    /// Parts (uploads) or ranges (downloads); 1 for a single request.
    pub parts: u32,
}

/// Counts bytes and reports them.
#[derive(Clone)]
struct Meter {
    done: Arc<AtomicU64>,
    total: u64,
    progress: Option<ProgressFn>,
}

impl Meter {
    fn new(total: u64, progress: Option<ProgressFn>) -> Meter {
        Meter {
            done: Arc::new(AtomicU64::new(0)),
            total,
            progress,
        }
    }

    fn observer(&self) -> Option<ChunkObserver> {
        let meter = self.clone();
        self.progress.as_ref()?;
        Some(Arc::new(move |chunk: &[u8]| meter.add(chunk.len() as u64)))
    }

    fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(p) = &self.progress {
            p(Progress {
                transferred: done,
                total: self.total,
            });
        }
    }
}

fn observed(body: Body, meter: &Meter) -> Body {
    match meter.observer() {
        Some(o) => body.with_observer(o),
        None => body,
    }
}

/// HEAD of the version a transfer reads (an SSE-C source with its key).
fn source_version(options: &TransferOptions) -> GetObjectOptions {
    GetObjectOptions {
        version_id: options.source_version_id.clone(),
        customer_key: customer_key(options).cloned(),
        ..Default::default()
    }
}

/// The SSE-C key of a transfer (`put.encryption`): parts are written and ranges read with it.
fn customer_key(options: &TransferOptions) -> Option<&crate::CustomerKey> {
    options
        .put
        .encryption
        .as_ref()
        .and_then(|e| e.customer_key())
}

/// `md5(concat(part md5s))-N`, the ETag S3 gives a multipart object.
pub fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let mut h = Md5::new();
    for m in part_md5s {
        h.update(m);
    }
    format!("{}-{}", hex::encode(h.finalize()), part_md5s.len())
}

fn is_plain_md5(etag: &str) -> bool {
    etag.len() == 32 && etag.bytes().all(|b| b.is_ascii_hexdigit())
}

async fn md5_of_file_range(path: &Path, offset: u64, len: u64) -> Result<[u8; 16]> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(file_error(path))?;
    file.seek(std::io::SeekFrom::Start(offset))
        .await
        .map_err(file_error(path))?;
    let mut reader = file.take(len);
    let mut h = Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut seen = 0u64;
    loop {
        let n = reader.read(&mut buf).await.map_err(file_error(path))?;
        if n == 0 {
            break;
        }
        seen += n as u64;
        h.update(&buf[..n]);
    }
    if seen != len {
        return Err(Error::Integrity(format!(
            "{}: read {seen} bytes at {offset}, expected {len} (file changed?)",
            path.display()
        )));
    }
    Ok(h.finalize().into())
}

fn b64(md5: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5)
}

fn check_etag(what: &str, got: &str, want: &str) -> Result<()> {
    if got.trim_matches('"') != want {
        return Err(Error::Integrity(format!(
            "{what}: server ETag {got} differs from the data's {want}"
        )));
    }
    Ok(())
}

/// The part size to use for `size` bytes: at least the configured one and 5 MiB, and big
/// enough for 10000 parts.
fn part_size_for(size: u64, configured: u64) -> u64 {
    let mut part = configured.max(MIN_PART_SIZE);
    while size.div_ceil(part) > MAX_PARTS {
        part *= 2;
    }
    part
}

impl Client {
    #[allow(clippy::too_many_arguments)]
    async fn put_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u32,
        body: Body,
        md5: &[u8; 16],
        put: &PutObjectOptions,
    ) -> Result<CompletedPart> {
        let limit = put.limit_rate.map(|r| format!("rate={r}"));
        let mut req = Request::new(Method::PUT)
            .bucket(bucket)
            .key(key)
            .query("partNumber", part_number)
            .query("uploadId", upload_id)
            .header("content-md5", &b64(md5))?
            .header_opt("x-amz-limit", limit.as_deref())?
            .body(body);
        // An SSE-C upload wants its key with every part.
        if let Some(k) = put.encryption.as_ref().and_then(|e| e.customer_key()) {
            req = k.apply(req)?;
        }
        let resp = self.send_empty(req).await?;
        let etag = resp.header("etag").unwrap_or("").to_string();
        check_etag(&format!("part {part_number}"), &etag, &hex::encode(md5))?;
        Ok(CompletedPart { part_number, etag })
    }

    async fn finish_multipart(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: Result<Vec<(CompletedPart, [u8; 16])>>,
        put: &PutObjectOptions,
    ) -> Result<TransferOutput> {
        let result = async {
            let mut parts = parts?;
            parts.sort_by_key(|(p, _)| p.part_number);
            let md5s: Vec<[u8; 16]> = parts.iter().map(|(_, m)| *m).collect();
            let conditions = crate::multipart::CompleteMultipartUploadOptions {
                if_none_match: put.if_none_match.clone(),
                if_match: put.if_match.clone(),
            };
            let done = self
                .complete_multipart_upload_with(
                    bucket,
                    key,
                    upload_id,
                    parts.into_iter().map(|(p, _)| p).collect(),
                    &conditions,
                )
                .await?;
            let want = multipart_etag(&md5s);
            check_etag("multipart upload", &done.etag, &want)?;
            Ok((done.etag, md5s.len() as u32))
        }
        .await;
        match result {
            Ok((etag, parts)) => Ok(TransferOutput {
                etag,
                size: 0,
                parts,
            }),
            Err(e) => {
                // Best effort: the upload's parts must not linger.
                let _ = self.abort_multipart_upload(bucket, key, upload_id).await;
                Err(e)
            }
        }
    }

    /// Uploads a file: one PUT below the threshold, else parallel multipart (parts are read
    /// straight from the file, nothing is buffered whole).
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// use std::sync::Arc;
    /// let opts = oos::TransferOptions {
    ///     progress: Some(Arc::new(|p: oos::Progress| eprintln!("{}/{}", p.transferred, p.total))),
    ///     ..Default::default()
    /// };
    /// let out = client.upload_file("b", "big.iso", "/tmp/big.iso", &opts).await?;
    /// println!("{} in {} parts", out.etag, out.parts);
    /// # Ok(()) }
    /// ```
    pub async fn upload_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<TransferOutput> {
        let path = path.as_ref().to_path_buf();
        let size = tokio::fs::metadata(&path)
            .await
            .map_err(file_error(&path))?
            .len();
        let meter = Meter::new(size, options.progress.clone());
        if size < options.multipart_threshold.max(1) {
            let md5 = md5_of_file_range(&path, 0, size).await?;
            let mut put = options.put.clone();
            put.content_md5 = Some(b64(&md5));
            let body = observed(Body::from_file_range(&path, 0, size), &meter);
            let out = self.put_object(bucket, key, body, put).await?;
            check_etag(key, &out.etag, &hex::encode(md5))?;
            return Ok(TransferOutput {
                etag: out.etag,
                size,
                parts: 1,
            });
        }
        let part_size = part_size_for(size, options.part_size);
        let count = size.div_ceil(part_size);
        let upload_id = self
            .create_multipart_upload(bucket, key, options.put.clone())
            .await?;
        let parts = futures_util::stream::iter(0..count)
            .map(|i| {
                let path: PathBuf = path.clone();
                let meter = meter.clone();
                let upload_id = upload_id.clone();
                async move {
                    let offset = i * part_size;
                    let len = part_size.min(size - offset);
                    let md5 = md5_of_file_range(&path, offset, len).await?;
                    let body = observed(Body::from_file_range(&path, offset, len), &meter);
                    let part = self
                        .put_part(
                            bucket,
                            key,
                            &upload_id,
                            i as u32 + 1,
                            body,
                            &md5,
                            &options.put,
                        )
                        .await?;
                    Ok::<_, Error>((part, md5))
                }
            })
            .buffer_unordered(options.concurrency.max(1))
            .try_collect::<Vec<_>>()
            .await;
        let mut out = self
            .finish_multipart(bucket, key, &upload_id, parts, &options.put)
            .await?;
        out.size = size;
        Ok(out)
    }

    /// Uploads everything `reader` yields: one PUT when it ends below the threshold, else
    /// parallel multipart. Memory stays below `part_size × (concurrency + 1)` plus the
    /// threshold.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let stdin = tokio::io::stdin();
    /// client.upload_stream("b", "from-stdin", stdin, &Default::default()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_stream<R>(
        &self,
        bucket: &str,
        key: &str,
        mut reader: R,
        options: &TransferOptions,
    ) -> Result<TransferOutput>
    where
        R: AsyncRead + Unpin + Send,
    {
        let meter = Meter::new(0, options.progress.clone());
        let threshold = options.multipart_threshold.max(1) as usize;
        let mut pending = BytesMut::new();
        let eof = fill(&mut reader, &mut pending, threshold).await?;
        if eof && pending.len() < threshold {
            let data = pending.freeze();
            let md5: [u8; 16] = Md5::digest(&data).into();
            let mut put = options.put.clone();
            put.content_md5 = Some(b64(&md5));
            let size = data.len() as u64;
            let out = self
                .put_object(bucket, key, observed(Body::from(data), &meter), put)
                .await?;
            check_etag(key, &out.etag, &hex::encode(md5))?;
            return Ok(TransferOutput {
                etag: out.etag,
                size,
                parts: 1,
            });
        }
        let part_size = options.part_size.max(MIN_PART_SIZE) as usize;
        let upload_id = self
            .create_multipart_upload(bucket, key, options.put.clone())
            .await?;
        let concurrency = options.concurrency.max(1);
        let mut in_flight = futures_util::stream::FuturesUnordered::new();
        let mut parts = Vec::new();
        let mut next_number = 1u32;
        let mut size = 0u64;
        let mut eof = eof;
        let result: Result<()> = async {
            loop {
                if !eof && pending.len() < part_size {
                    eof = fill(&mut reader, &mut pending, part_size).await?;
                }
                let take = if pending.len() >= part_size {
                    part_size
                } else if eof && (!pending.is_empty() || next_number == 1) {
                    pending.len()
                } else {
                    break;
                };
                let data: Bytes = pending.split_to(take).freeze();
                size += data.len() as u64;
                let number = next_number;
                next_number += 1;
                if u64::from(number) > MAX_PARTS {
                    return Err(Error::InvalidArgument(
                        "stream needs more than 10000 parts: raise part_size".into(),
                    ));
                }
                let md5: [u8; 16] = Md5::digest(&data).into();
                let body = observed(Body::from(data), &meter);
                let upload_id = upload_id.clone();
                in_flight.push(async move {
                    self.put_part(bucket, key, &upload_id, number, body, &md5, &options.put)
                        .await
                        .map(|p| (p, md5))
                });
                while in_flight.len() >= concurrency {
                    parts.push(in_flight.next().await.expect("non-empty")?);
                }
            }
            while let Some(p) = in_flight.next().await {
                parts.push(p?);
            }
            Ok(())
        }
        .await;
        drop(in_flight);
        let mut out = self
            .finish_multipart(
                bucket,
                key,
                &upload_id,
                result.map(|()| parts),
                &options.put,
            )
            .await?;
        out.size = size;
        Ok(out)
    }

    /// Downloads an object into a file, with parallel ranged GETs above the threshold. Every
    /// range is fetched `If-Match` the ETag seen first, so a changing object fails the
    /// download instead of mixing versions; a plain-MD5 ETag is checked against the file.
    /// The data lands in `<path>.oos-partial` and is renamed on success.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let out = client.download_file("b", "big.iso", "/tmp/big.iso", &Default::default()).await?;
    /// println!("{} bytes", out.size);
    /// # Ok(()) }
    /// ```
    pub async fn download_file(
        &self,
        bucket: &str,
        key: &str,
        path: impl AsRef<Path>,
        options: &TransferOptions,
    ) -> Result<TransferOutput> {
        let path = path.as_ref();
        let head = self
            .head_object(bucket, key, source_version(options))
            .await?;
        let size = head.size;
        let etag = head.etag.clone();
        let meter = Meter::new(size, options.progress.clone());
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".oos-partial");
        let tmp = PathBuf::from(tmp);
        let part_size = part_size_for(size, options.part_size);
        let count = if size < options.multipart_threshold.max(1) {
            1
        } else {
            size.div_ceil(part_size).max(1)
        };
        let result = async {
            let file = tokio::fs::File::create(&tmp)
                .await
                .map_err(file_error(&tmp))?;
            file.set_len(size).await.map_err(file_error(&tmp))?;
            drop(file);
            futures_util::stream::iter(0..count)
                .map(|i| {
                    let tmp = tmp.clone();
                    let etag = etag.clone();
                    let meter = meter.clone();
                    async move {
                        let offset = i * part_size;
                        let len = if count == 1 {
                            size
                        } else {
                            part_size.min(size - offset)
                        };
                        self.fetch_range(
                            bucket,
                            key,
                            &tmp,
                            offset,
                            len,
                            count > 1,
                            &etag,
                            &meter,
                            options,
                        )
                        .await
                    }
                })
                .buffer_unordered(options.concurrency.max(1))
                .try_collect::<Vec<()>>()
                .await?;
            if is_plain_md5(&etag) {
                let md5 = md5_of_file_range(&tmp, 0, size).await?;
                check_etag(key, &etag, &hex::encode(md5))?;
            }
            tokio::fs::rename(&tmp, path)
                .await
                .map_err(file_error(path))?;
            Ok(())
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result.map(|()| TransferOutput {
            etag,
            size,
            parts: count as u32,
        })
    }

    /// Copies an object on the server: one CopyObject below the threshold, else a multipart
    /// upload whose parts are parallel UploadPartCopy ranges (the way past CopyObject's 5 GiB
    /// limit). The source's content headers and metadata are carried over; `options.put`'s
    /// storage class and data location apply to the copy. Every part is copied only while the
    /// source still has the ETag seen first.
    ///
    /// ```no_run
    /// # async fn f(client: oos::Client) -> oos::Result<()> {
    /// let out = client.copy("b", "big.iso", "backup", "big.iso", &Default::default()).await?;
    /// println!("{} parts", out.parts);
    /// # Ok(()) }
    /// ```
    pub async fn copy(
        &self,
        src_bucket: &str,
        src_key: &str,
        bucket: &str,
        key: &str,
        options: &TransferOptions,
    ) -> Result<TransferOutput> {
        let src = self
            .head_object(src_bucket, src_key, source_version(options))
            .await?;
        let version = options.source_version_id.as_deref();
        let size = src.size;
        let meter = Meter::new(size, options.progress.clone());
        if size < options.multipart_threshold.max(1) {
            let copy = crate::CopyObjectOptions {
                storage_class: options.put.storage_class.clone(),
                data_location: options.put.data_location.clone(),
                if_match: (!src.etag.is_empty()).then(|| src.etag.clone()),
                tags: (!options.put.tags.is_empty()).then(|| options.put.tags.clone()),
                source_version_id: options.source_version_id.clone(),
                encryption: options.put.encryption.clone(),
                source_customer_key: customer_key(options).cloned(),
                ..Default::default()
            };
            let out = self
                .copy_object(src_bucket, src_key, bucket, key, copy)
                .await?;
            meter.add(size);
            return Ok(TransferOutput {
                etag: out.etag,
                size,
                parts: 1,
            });
        }
        let put = PutObjectOptions {
            content_type: src.content_type.clone(),
            content_encoding: src.content_encoding.clone(),
            content_disposition: src.content_disposition.clone(),
            cache_control: src.cache_control.clone(),
            expires: src.expires.clone(),
            metadata: src.metadata.clone(),
            storage_class: options
                .put
                .storage_class
                .clone()
                .or_else(|| Some(src.storage_class.clone()).filter(|c| c != "STANDARD")),
            data_location: options.put.data_location.clone(),
            // As CopyObject does: the source's tags unless new ones are given.
            tags: if !options.put.tags.is_empty() {
                options.put.tags.clone()
            } else if src.tag_count > 0 {
                self.object_tags(src_bucket, src_key, version).await?
            } else {
                Default::default()
            },
            encryption: options.put.encryption.clone(),
            ..Default::default()
        };
        let part_size = part_size_for(size, options.part_size);
        let count = size.div_ceil(part_size);
        let upload_id = self.create_multipart_upload(bucket, key, put).await?;
        let source = crate::object::versioned_copy_source(src_bucket, src_key, version);
        let parts = futures_util::stream::iter(0..count)
            .map(|i| {
                let (meter, upload_id, source, etag) = (
                    meter.clone(),
                    upload_id.clone(),
                    source.clone(),
                    src.etag.clone(),
                );
                async move {
                    let offset = i * part_size;
                    let len = part_size.min(size - offset);
                    let req = Request::new(Method::PUT)
                        .bucket(bucket)
                        .key(key)
                        .query("partNumber", i + 1)
                        .query("uploadId", &upload_id)
                        .header("x-amz-copy-source", &source)?
                        .header(
                            "x-amz-copy-source-range",
                            &format!("bytes={offset}-{}", offset + len - 1),
                        )?
                        .header_opt(
                            "x-amz-copy-source-if-match",
                            (!etag.is_empty()).then_some(etag.as_str()),
                        )?;
                    // An SSE-C source is read, and the SSE-C copy written, with the one key.
                    let req = match customer_key(options) {
                        Some(k) => k.apply(k.apply_to_source(req)?)?,
                        None => req,
                    };
                    let (done, _): (crate::model::CopyResult, _) = self.send_xml(req).await?;
                    meter.add(len);
                    let md5: [u8; 16] = hex::decode(done.etag.trim_matches('"'))
                        .ok()
                        .and_then(|v| v.try_into().ok())
                        .ok_or_else(|| {
                            Error::Response(format!("part copy ETag {:?} is not an MD5", done.etag))
                        })?;
                    Ok::<_, Error>((
                        CompletedPart {
                            part_number: i as u32 + 1,
                            etag: done.etag,
                        },
                        md5,
                    ))
                }
            })
            .buffer_unordered(options.concurrency.max(1))
            .try_collect::<Vec<_>>()
            .await;
        let mut out = self
            .finish_multipart(bucket, key, &upload_id, parts, &options.put)
            .await?;
        out.size = size;
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    async fn fetch_range(
        &self,
        bucket: &str,
        key: &str,
        file: &Path,
        offset: u64,
        len: u64,
        ranged: bool,
        etag: &str,
        meter: &Meter,
        options: &TransferOptions,
    ) -> Result<()> {
        let opts = GetObjectOptions {
            range: (ranged && len > 0).then_some(Range::Inclusive(offset, offset + len - 1)),
            if_match: (!etag.is_empty()).then(|| etag.to_string()),
            limit_rate: options.limit_rate,
            version_id: options.source_version_id.clone(),
            customer_key: customer_key(options).cloned(),
            ..Default::default()
        };
        let out = self.get_object(bucket, key, opts).await?;
        let mut body = match meter.observer() {
            Some(o) => out.body.with_observer(o),
            None => out.body,
        };
        let mut f = tokio::fs::OpenOptions::new()
            .write(true)
            .open(file)
            .await
            .map_err(file_error(file))?;
        f.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(file_error(file))?;
        let mut got = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            got += chunk.len() as u64;
            if got > len {
                break;
            }
            f.write_all(&chunk).await.map_err(file_error(file))?;
        }
        f.flush().await.map_err(file_error(file))?;
        if got != len {
            return Err(Error::Integrity(format!(
                "{key}: got {got} bytes at offset {offset}, expected {len}"
            )));
        }
        Ok(())
    }
}

/// Reads until `buf` holds `want` bytes or the reader ends; returns whether it ended.
async fn fill<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut BytesMut,
    want: usize,
) -> Result<bool> {
    while buf.len() < want {
        buf.reserve((want - buf.len()).min(1 << 20));
        let n = reader.read_buf(buf).await?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_etag_and_part_sizes() {
        let a: [u8; 16] = Md5::digest(b"a").into();
        let b: [u8; 16] = Md5::digest(b"b").into();
        let mut cat = a.to_vec();
        cat.extend_from_slice(&b);
        assert_eq!(
            multipart_etag(&[a, b]),
            format!("{}-2", hex::encode(Md5::digest(&cat)))
        );
        assert_eq!(part_size_for(1, 1), MIN_PART_SIZE);
        let big = MIN_PART_SIZE * MAX_PARTS * 3;
        assert!(big.div_ceil(part_size_for(big, MIN_PART_SIZE)) <= MAX_PARTS);
        assert!(is_plain_md5("0123456789abcdef0123456789abcdef"));
        assert!(!is_plain_md5("0123456789abcdef0123456789abcdef-2"));
    }
}

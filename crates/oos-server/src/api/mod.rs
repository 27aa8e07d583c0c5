//! The S3 API: one module per family, dispatched by one `match` over [`Endpoint`].

pub(crate) mod accelerate;
mod acl;
pub mod admin;
mod attributes;

mod bucket;
mod copy;
pub mod cors;
pub mod data_location;
pub(crate) mod delete;
mod encryption;
pub mod iam;
pub mod lifecycle;
mod list;
pub mod logging;
pub(crate) mod multipart;
mod object;
mod object_attrs;
pub mod object_lock;
mod ownership;
mod policy;
pub(crate) mod post_object;
mod public_access;
pub(crate) mod read;
mod service;
pub(crate) mod tagging;
pub mod website;

use http::request::Parts;
use http::Response;
use hyper::body::Incoming;
use oos_meta::Bucket;
use oos_sign::PayloadMode;

use crate::access::{self, Check, Need, RequestFacts};
use crate::body::RequestBody;
use crate::error::{S3Error, S3Result};
use crate::response::Body;
use crate::route::{Endpoint, Query, Target};
use crate::s3_error;
use crate::state::{Principal, Server};

/// Everything a handler may look at.
pub struct Ctx<'a> {
    pub server: &'a Server,
    pub remote: std::net::SocketAddr,
    pub principal: Option<Principal>,
    pub target: Target,
    pub query: Query,
    pub parts: Parts,
    incoming: Option<Incoming>,
    payload: Option<PayloadMode>,
    /// The addressed bucket once a handler loaded it (for the per-response hooks).
    loaded_bucket: std::sync::Mutex<Option<Bucket>>,
    /// Tags the request sets from its body (PutObjectTagging), for `s3:RequestObjectTag/…`;
    /// otherwise the `x-amz-tagging` header's are used.
    pub body_tags: Option<Vec<(String, String)>>,
}

impl<'a> Ctx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        server: &'a Server,
        remote: std::net::SocketAddr,
        principal: Option<Principal>,
        target: Target,
        query: Query,
        parts: Parts,
        incoming: Incoming,
        payload: PayloadMode,
    ) -> Ctx<'a> {
        Ctx {
            server,
            remote,
            principal,
            target,
            query,
            parts,
            incoming: Some(incoming),
            payload: Some(payload),
            loaded_bucket: std::sync::Mutex::new(None),
            body_tags: None,
        }
    }

    pub fn bucket_name(&self) -> &str {
        self.target.bucket.as_deref().unwrap_or_default()
    }

    pub fn key(&self) -> &str {
        self.target.key.as_deref().unwrap_or_default()
    }

    /// The encryption this request's write asks for (its headers, else the bucket's
    /// default); `None`: stored as sent.
    pub async fn sealing(&self, bucket: &Bucket) -> S3Result<Option<crate::sse::Sealing>> {
        crate::sse::for_write(self.server, self.remote, bucket, &self.parts.headers).await
    }

    /// The key that opens data with these attributes for this request (see
    /// [`crate::sse::for_read`]).
    pub async fn object_key(
        &self,
        attrs: &oos_meta::ObjectAttrs,
        read_as: crate::sse::ReadAs,
    ) -> S3Result<Option<oos_sse::ObjectKey>> {
        crate::sse::for_read(
            self.server,
            self.remote,
            &self.parts.headers,
            attrs,
            read_as,
        )
        .await
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The speed limit the request asked for (`x-amz-limit`), with its transfer slot when it
    /// caps concurrency: one per object and link (a presigned URL's signature) or key. The
    /// slot must live as long as the transfer.
    pub fn speed_limit(&self) -> S3Result<(Option<u64>, Option<crate::speed::TransferSlot>)> {
        let limit = crate::speed::requested(&self.parts.headers, &self.query)?;
        Ok((limit.rate, self.transfer_slot(&limit)?))
    }

    /// The transfer slot a parsed limit asks for (`None` without `concurrency=`).
    pub fn transfer_slot(
        &self,
        limit: &crate::speed::Limit,
    ) -> S3Result<Option<crate::speed::TransferSlot>> {
        let Some(max) = limit.concurrency else {
            return Ok(None);
        };
        let link = self
            .query
            .get("X-Amz-Signature")
            .or_else(|| self.query.get("Signature"))
            .map(|s| format!("link:{s}"))
            .or_else(|| {
                self.principal
                    .as_ref()
                    .map(|p| format!("key:{}", p.access_key_id))
            })
            .unwrap_or_else(|| "anonymous".to_string());
        let key = format!("{}\n{}\n{link}", self.bucket_name(), self.key());
        Ok(Some(self.server.transfers.acquire(key, max)?))
    }

    /// DELETE of a bucket configuration document (policy, website, CORS, lifecycle, tags):
    /// the owner's alone, authorized as `action`, and `204` whether or not one was set (S3).
    pub async fn delete_bucket_config(
        &self,
        action: &'static str,
        kind: &str,
    ) -> S3Result<Response<crate::response::Body>> {
        let bucket = self.bucket_for(action, Need::Owner, None).await?;
        self.server
            .meta
            .set_bucket_config(&bucket.name, kind, None)
            .await?;
        Ok(crate::response::status(http::StatusCode::NO_CONTENT))
    }

    /// The authenticated caller; anonymous callers are refused.
    pub fn principal(&self) -> S3Result<&Principal> {
        self.principal
            .as_ref()
            .ok_or_else(|| s3_error!(AccessDenied))
    }

    /// The addressed bucket, after checking that the caller may do `action` with `need`
    /// on it (and on `key`, for object operations).
    pub async fn bucket_for(
        &self,
        action: &'static str,
        need: Need,
        key: Option<&str>,
    ) -> S3Result<Bucket> {
        self.bucket_named(self.bucket_name(), action, need, key, None)
            .await
    }

    /// Like [`Ctx::bucket_for`] for list operations confined to `prefix`.
    pub async fn bucket_for_list(&self, action: &'static str, prefix: &str) -> S3Result<Bucket> {
        self.bucket_named(self.bucket_name(), action, Need::Read, None, Some(prefix))
            .await
    }

    pub async fn bucket_named(
        &self,
        name: &str,
        action: &'static str,
        need: Need,
        key: Option<&str>,
        list_prefix: Option<&str>,
    ) -> S3Result<Bucket> {
        let bucket = self.bucket_unchecked(name).await?;
        self.authorize(&bucket, action, need, key, list_prefix)?;
        Ok(bucket)
    }

    /// Checks that the caller may do `action` with `need` on a bucket already loaded.
    pub fn authorize(
        &self,
        bucket: &Bucket,
        action: &'static str,
        need: Need,
        key: Option<&str>,
        list_prefix: Option<&str>,
    ) -> S3Result<()> {
        let check = Check {
            action,
            need,
            key,
            list_prefix,
        };
        access::authorize(self.principal.as_ref(), bucket, &check, &self.facts(), None)
    }

    /// The bucket without any access check: the caller authorizes itself. The expected
    /// owner headers are checked here, so every bucket and object request honours them.
    pub async fn bucket_unchecked(&self, name: &str) -> S3Result<Bucket> {
        let bucket = self
            .server
            .meta
            .get_bucket(name)
            .await?
            .ok_or_else(|| s3_error!(NoSuchBucket))?;
        if name == self.bucket_name() {
            self.check_expected_owner("x-amz-expected-bucket-owner", &bucket)?;
        }
        if self.copy_source_bucket().as_deref() == Some(name) {
            self.check_expected_owner("x-amz-source-expected-bucket-owner", &bucket)?;
        }
        if name == self.bucket_name() {
            *self.loaded_bucket.lock().unwrap_or_else(|e| e.into_inner()) = Some(bucket.clone());
        }
        Ok(bucket)
    }

    /// `x-amz-expected-bucket-owner` (or the copy source's header): when given, the bucket's
    /// owner must be that account (its canonical id), else S3 answers 403.
    fn check_expected_owner(&self, header: &str, bucket: &Bucket) -> S3Result<()> {
        match self.parts.headers.get(header) {
            Some(v) if v.as_bytes() != bucket.owner.as_bytes() => Err(s3_error!(AccessDenied)),
            _ => Ok(()),
        }
    }

    /// The bucket named by `x-amz-copy-source` (`[/]bucket/key[?versionId=…]`), if any.
    fn copy_source_bucket(&self) -> Option<String> {
        let raw = self.header(oos_proto::headers::X_AMZ_COPY_SOURCE)?;
        let (bucket, _) = raw.trim_start_matches('/').split_once('/')?;
        percent_encoding::percent_decode_str(bucket)
            .decode_utf8()
            .ok()
            .map(|b| b.into_owned())
    }

    /// The addressed bucket as a handler loaded it, if one did.
    pub fn take_loaded_bucket(&self) -> Option<Bucket> {
        self.loaded_bucket
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The `versionId` the request addresses, if any: `null` or an id this server issued.
    pub fn version_id(&self) -> S3Result<Option<&str>> {
        match self.query.get("versionId") {
            None => Ok(None),
            Some("") => Err(s3_error!(
                InvalidArgument,
                "Version id cannot be the empty string"
            )),
            Some(v) if valid_version_id(v) => Ok(Some(v)),
            Some(_) => Err(s3_error!(InvalidArgument, "Invalid version id specified")),
        }
    }

    /// The addressed bucket and object version (the current one unless `versionId` names
    /// another), after checking `action` with `need` (its `…Version…` form with a version
    /// id); the object's own ACL may grant what the bucket's does not. A missing object is
    /// reported only to callers allowed to know (after authorization), and a delete marker
    /// answers as S3 does: `404` when current, `405` when addressed by id.
    pub async fn object_for(
        &self,
        action: &'static str,
        need: Need,
    ) -> S3Result<(Bucket, oos_meta::Object)> {
        let version = self.version_id()?;
        let action = match version {
            Some(_) => versioned_action(action),
            None => action,
        };
        let bucket = self.bucket_unchecked(self.bucket_name()).await?;
        let object = self
            .server
            .meta
            .get_object_version(&bucket.name, self.key(), version)
            .await?;
        let facts = self.authorize_object(&bucket, action, need, self.key(), object.as_ref())?;
        // GET and HEAD tell a missing key (or a current delete marker) only to callers who
        // may list the bucket; to the others it is 403 AccessDenied, as in S3.
        let missing = object.as_ref().is_none_or(|o| o.delete_marker);
        if missing && version.is_none() && action == "s3:GetObject" {
            self.may_list(&bucket, &facts)?;
        }
        match object {
            None if version.is_some() => Err(s3_error!(NoSuchVersion)),
            None => Err(s3_error!(NoSuchKey)),
            Some(marker) if marker.delete_marker => Err(delete_marker_error(&marker, version)),
            Some(object) => Ok((bucket, object)),
        }
    }

    /// Checks `action` with `need` on `key` of `bucket`, whose current state is `object`: its
    /// ACL may grant what the bucket's does not, and its tags are `s3:ExistingObjectTag/…`.
    /// Returns the request's facts, for a further check.
    pub fn authorize_object(
        &self,
        bucket: &Bucket,
        action: &'static str,
        need: Need,
        key: &str,
        object: Option<&oos_meta::Object>,
    ) -> S3Result<RequestFacts> {
        let check = Check {
            action,
            need,
            key: Some(key),
            list_prefix: None,
        };
        let facts = self.facts();
        access::authorize_object(self.principal.as_ref(), bucket, &check, &facts, object)?;
        Ok(facts)
    }

    /// Whether the caller holds `s3:ListBucket` on `bucket` (by policy, ownership or an ACL
    /// READ grant); non-primary keys only within their own prefix, here the addressed key.
    fn may_list(&self, bucket: &Bucket, facts: &RequestFacts) -> S3Result<()> {
        let check = Check {
            action: "s3:ListBucket",
            need: Need::Read,
            key: None,
            list_prefix: Some(self.key()),
        };
        access::authorize(self.principal.as_ref(), bucket, &check, facts, None)
    }

    /// What bucket policy conditions may test about this request.
    pub fn facts(&self) -> RequestFacts {
        let q = |name: &str| self.query.get(name).map(str::to_string);
        RequestFacts {
            source_ip: self.remote.ip(),
            secure_transport: self.server.config.tls.is_some(),
            referer: self.header("referer").map(str::to_string),
            user_agent: self.header("user-agent").map(str::to_string),
            prefix: q("prefix"),
            delimiter: q("delimiter"),
            max_keys: self.query.get("max-keys").and_then(|v| v.parse().ok()),
            existing_object_tags: None,
            request_object_tags: self
                .body_tags
                .clone()
                .or_else(|| tagging::from_header(&self.parts.headers).ok().flatten()),
            headers: self.condition_headers(),
        }
    }

    /// The request headers that bucket policies test as `s3:<header>` condition keys. The
    /// copy source is given as S3 gives it: `bucket/key`, decoded, without a leading slash.
    fn condition_headers(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for name in oos_policy::HEADER_KEYS {
            for value in self.parts.headers.get_all(*name) {
                let Ok(value) = value.to_str() else { continue };
                let value = if *name == oos_proto::headers::X_AMZ_COPY_SOURCE {
                    let raw = value.trim_start_matches('/');
                    percent_encoding::percent_decode_str(raw)
                        .decode_utf8_lossy()
                        .into_owned()
                } else {
                    value.to_string()
                };
                out.push((name.to_string(), value));
            }
        }
        out
    }

    /// The request body as a verifying stream of at most `limit` bytes.
    pub fn body(&mut self, limit: u64) -> S3Result<RequestBody> {
        let incoming = self.incoming.take().expect("the body is taken once");
        let payload = self.payload.take().expect("the body is taken once");
        Ok(
            RequestBody::new(incoming, payload, &self.parts.headers, limit)?
                .stall_after(self.server.config.connections.body_timeout),
        )
    }

    /// S3 requires an integrity header on some writes (DeleteObjects, CORS, lifecycle, Object
    /// Lock): Content-MD5, or any `x-amz-checksum-*` header or trailer.
    pub fn require_integrity_header(&self) -> S3Result<()> {
        if crate::body::has_integrity_header(&self.parts.headers) {
            Ok(())
        } else {
            Err(s3_error!(
                InvalidRequest,
                "Missing required header for this request: Content-MD5"
            ))
        }
    }

    /// A small configuration body, read whole.
    pub async fn small_body(&mut self, limit: u64) -> S3Result<bytes::Bytes> {
        Ok(self.body(limit)?.collect().await?.0)
    }

    /// A small request document whose `x-amz-checksum-*` headers describe something else
    /// (CompleteMultipartUpload: the object), so they are not checked against it.
    pub async fn document_body(&mut self, limit: u64) -> S3Result<bytes::Bytes> {
        let mut headers = self.parts.headers.clone();
        let checksum_headers: Vec<_> = headers
            .keys()
            .filter(|k| {
                k.as_str()
                    .starts_with(oos_proto::headers::X_AMZ_CHECKSUM_PREFIX)
            })
            .cloned()
            .collect();
        for name in checksum_headers {
            headers.remove(name);
        }
        let incoming = self.incoming.take().expect("the body is taken once");
        let payload = self.payload.take().expect("the body is taken once");
        let body = RequestBody::new(incoming, payload, &headers, limit)?
            .stall_after(self.server.config.connections.body_timeout);
        Ok(body.collect().await?.0)
    }
}

pub use bucket::valid_bucket_name;

/// Whether a `versionId` can name a version here: `null`, or the form this server issues.
pub fn valid_version_id(v: &str) -> bool {
    v == oos_meta::NULL_VERSION || (v.len() == 32 && v.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// The policy action S3 checks when a request names a version (`s3:GetObjectVersion`, …).
fn versioned_action(action: &'static str) -> &'static str {
    match action {
        "s3:GetObject" => "s3:GetObjectVersion",
        "s3:DeleteObject" => "s3:DeleteObjectVersion",
        "s3:GetObjectAcl" => "s3:GetObjectVersionAcl",
        "s3:PutObjectAcl" => "s3:PutObjectVersionAcl",
        "s3:GetObjectTagging" => "s3:GetObjectVersionTagging",
        "s3:PutObjectTagging" => "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging" => "s3:DeleteObjectVersionTagging",
        "s3:GetObjectAttributes" => "s3:GetObjectVersionAttributes",
        other => other,
    }
}

/// The answer to a request that reached a delete marker: `404 NoSuchKey` when it is the
/// current version, `405 MethodNotAllowed` when the request named it; both say what it is.
pub fn delete_marker_error(marker: &oos_meta::Object, version: Option<&str>) -> S3Error {
    let mut e = match version {
        Some(_) => s3_error!(MethodNotAllowed),
        None => s3_error!(NoSuchKey),
    };
    e.headers.push(("x-amz-delete-marker", "true".into()));
    e.headers
        .push(("x-amz-version-id", marker.version_label().to_string()));
    if version.is_some() {
        e.headers.push((
            "last-modified",
            oos_proto::time_fmt::http_date(marker.last_modified),
        ));
        e.headers.push(("allow", "DELETE".into()));
    }
    e
}

/// `x-amz-version-id` as S3 sends it: on buckets that have (had) versioning, `null` for the
/// null version; never on a bucket that was never versioned.
pub fn set_version_header(resp: &mut Response<Body>, bucket: &Bucket, version: Option<&str>) {
    if bucket.versioning != oos_meta::Versioning::Unversioned || version.is_some() {
        crate::response::set_header(
            resp,
            "x-amz-version-id",
            version.unwrap_or(oos_meta::NULL_VERSION),
        );
    }
}

/// Whether the bucket's accelerate white list admits an anonymous read from `ip`.
pub fn accelerate_admits(bucket: &Bucket, ip: std::net::IpAddr) -> bool {
    accelerate::Accelerate::from_bucket(bucket).is_some_and(|a| a.admits(ip))
}

pub async fn dispatch(ctx: &mut Ctx<'_>, endpoint: Endpoint) -> S3Result<Response<Body>> {
    match endpoint {
        Endpoint::ListBuckets => service::list_buckets(ctx).await,
        Endpoint::GetRegions => service::get_regions(ctx).await,
        Endpoint::CreateBucket => bucket::create(ctx).await,
        Endpoint::DeleteBucket => bucket::delete(ctx).await,
        Endpoint::HeadBucket => bucket::head(ctx).await,
        Endpoint::GetBucketLocation => bucket::location(ctx).await,
        Endpoint::GetBucketVersioning => bucket::versioning(ctx).await,
        Endpoint::PutBucketVersioning => bucket::put_versioning(ctx).await,
        Endpoint::ListObjects => list::objects_v1(ctx).await,
        Endpoint::ListObjectsV2 => list::objects_v2(ctx).await,
        Endpoint::ListObjectVersions => list::versions(ctx).await,
        Endpoint::ListMultipartUploads => list::uploads(ctx).await,
        Endpoint::DeleteObjects => delete::delete_objects(ctx).await,
        Endpoint::PostObject => post_object::post(ctx).await,
        Endpoint::GetBucketAcl => acl::get_bucket_acl(ctx).await,
        Endpoint::PutBucketAcl => acl::put_bucket_acl(ctx).await,
        Endpoint::GetObjectAcl => acl::get_object_acl(ctx).await,
        Endpoint::PutObjectAcl => acl::put_object_acl(ctx).await,
        Endpoint::GetObjectTagging => tagging::get_object(ctx).await,
        Endpoint::PutObjectTagging => tagging::put_object(ctx).await,
        Endpoint::DeleteObjectTagging => tagging::delete_object(ctx).await,
        Endpoint::GetBucketTagging => tagging::get_bucket(ctx).await,
        Endpoint::PutBucketTagging => tagging::put_bucket(ctx).await,
        Endpoint::DeleteBucketTagging => tagging::delete_bucket(ctx).await,
        Endpoint::GetBucketPolicy => policy::get(ctx).await,
        Endpoint::PutBucketPolicy => policy::put(ctx).await,
        Endpoint::DeleteBucketPolicy => policy::delete(ctx).await,
        Endpoint::GetBucketWebsite => website::get(ctx).await,
        Endpoint::PutBucketWebsite => website::put(ctx).await,
        Endpoint::DeleteBucketWebsite => website::delete(ctx).await,
        Endpoint::GetBucketCors => cors::get(ctx).await,
        Endpoint::PutBucketCors => cors::put(ctx).await,
        Endpoint::DeleteBucketCors => cors::delete(ctx).await,
        Endpoint::CorsPreflight => cors::preflight(ctx).await,
        Endpoint::GetBucketAccelerate => accelerate::get(ctx).await,
        Endpoint::PutBucketAccelerate => accelerate::put(ctx).await,
        Endpoint::GetBucketLifecycle => lifecycle::get(ctx).await,
        Endpoint::PutBucketLifecycle => lifecycle::put(ctx).await,
        Endpoint::DeleteBucketLifecycle => lifecycle::delete(ctx).await,
        Endpoint::GetBucketLogging => logging::get(ctx).await,
        Endpoint::PutBucketLogging => logging::put(ctx).await,
        Endpoint::GetObjectAttributes => attributes::get(ctx).await,
        Endpoint::GetObjectLockConfiguration => object_lock::get_config(ctx).await,
        Endpoint::PutObjectLockConfiguration => object_lock::put_config(ctx).await,
        Endpoint::GetObjectRetention => object_lock::get_retention(ctx).await,
        Endpoint::PutObjectRetention => object_lock::put_retention(ctx).await,
        Endpoint::GetObjectLegalHold => object_lock::get_legal_hold(ctx).await,
        Endpoint::PutObjectLegalHold => object_lock::put_legal_hold(ctx).await,
        Endpoint::GetBucketEncryption => encryption::get(ctx).await,
        Endpoint::PutBucketEncryption => encryption::put(ctx).await,
        Endpoint::DeleteBucketEncryption => encryption::delete(ctx).await,
        Endpoint::GetPublicAccessBlock => public_access::get(ctx).await,
        Endpoint::PutPublicAccessBlock => public_access::put(ctx).await,
        Endpoint::DeletePublicAccessBlock => public_access::delete(ctx).await,
        Endpoint::GetBucketPolicyStatus => public_access::policy_status(ctx).await,
        Endpoint::GetBucketOwnershipControls => ownership::get(ctx).await,
        Endpoint::PutBucketOwnershipControls => ownership::put(ctx).await,
        Endpoint::DeleteBucketOwnershipControls => ownership::delete(ctx).await,
        Endpoint::PutObject => object::put(ctx).await,
        Endpoint::GetObject => read::get(ctx, false).await,
        Endpoint::HeadObject => read::get(ctx, true).await,
        Endpoint::DeleteObject => object::delete(ctx).await,
        Endpoint::CopyObject => copy::copy_object(ctx).await,
        Endpoint::CreateMultipartUpload => multipart::create(ctx).await,
        Endpoint::UploadPart {
            part_number,
            upload_id,
        } => multipart::upload_part(ctx, part_number, &upload_id).await,
        Endpoint::UploadPartCopy {
            part_number,
            upload_id,
        } => copy::upload_part_copy(ctx, part_number, &upload_id).await,
        Endpoint::CompleteMultipartUpload { upload_id } => {
            multipart::complete(ctx, &upload_id).await
        }
        Endpoint::AbortMultipartUpload { upload_id } => multipart::abort(ctx, &upload_id).await,
        Endpoint::ListParts { upload_id } => multipart::list_parts(ctx, &upload_id).await,
        Endpoint::NotImplemented(name) => {
            Err(s3_error!(NotImplemented, "{name} is not implemented yet."))
        }
    }
}

/// The Owner element for an account id: the canonical id and the account name.
pub async fn owner_of(server: &Server, account_id: &str) -> S3Result<oos_proto::xml::Owner> {
    let name = server
        .meta
        .get_account(account_id)
        .await?
        .map(|a| a.name)
        .unwrap_or_default();
    Ok(oos_proto::xml::Owner {
        id: account_id.to_string(),
        display_name: name,
    })
}

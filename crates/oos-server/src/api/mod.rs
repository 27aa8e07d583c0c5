//! The S3 API: one module per family, dispatched by one `match` over [`Endpoint`].

mod bucket;
mod copy;
mod delete;
mod list;
mod multipart;
mod object;
mod object_attrs;
mod read;
mod service;

use http::request::Parts;
use http::Response;
use hyper::body::Incoming;
use oos_meta::Bucket;
use oos_sign::PayloadMode;

use crate::body::RequestBody;
use crate::error::S3Result;
use crate::response::Body;
use crate::route::{Endpoint, Query, Target};
use crate::s3_error;
use crate::state::{Principal, Server};

/// Everything a handler may look at.
pub struct Ctx<'a> {
    pub server: &'a Server,
    pub principal: Option<Principal>,
    pub target: Target,
    pub query: Query,
    pub parts: Parts,
    incoming: Option<Incoming>,
    payload: Option<PayloadMode>,
}

impl<'a> Ctx<'a> {
    pub fn new(
        server: &'a Server,
        principal: Option<Principal>,
        target: Target,
        query: Query,
        parts: Parts,
        incoming: Incoming,
        payload: PayloadMode,
    ) -> Ctx<'a> {
        Ctx {
            server,
            principal,
            target,
            query,
            parts,
            incoming: Some(incoming),
            payload: Some(payload),
        }
    }

    pub fn bucket_name(&self) -> &str {
        self.target.bucket.as_deref().unwrap_or_default()
    }

    pub fn key(&self) -> &str {
        self.target.key.as_deref().unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.parts.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The authenticated caller; anonymous callers are refused (access grants come later).
    pub fn principal(&self) -> S3Result<&Principal> {
        self.principal
            .as_ref()
            .ok_or_else(|| s3_error!(AccessDenied))
    }

    /// The addressed bucket, which the caller must own.
    pub async fn owned_bucket(&self) -> S3Result<Bucket> {
        let principal = self.principal()?;
        let bucket = self
            .server
            .meta
            .get_bucket(self.bucket_name())
            .await?
            .ok_or_else(|| s3_error!(NoSuchBucket))?;
        if bucket.owner != principal.account.id {
            return Err(s3_error!(AccessDenied));
        }
        Ok(bucket)
    }

    /// The request body as a verifying stream of at most `limit` bytes.
    pub fn body(&mut self, limit: u64) -> S3Result<RequestBody> {
        let incoming = self.incoming.take().expect("the body is taken once");
        let payload = self.payload.take().expect("the body is taken once");
        RequestBody::new(incoming, payload, &self.parts.headers, limit)
    }

    /// A small configuration body, read whole.
    pub async fn small_body(&mut self, limit: u64) -> S3Result<bytes::Bytes> {
        Ok(self.body(limit)?.collect().await?.0)
    }
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
        Endpoint::ListObjects => list::objects_v1(ctx).await,
        Endpoint::ListObjectsV2 => list::objects_v2(ctx).await,
        Endpoint::ListObjectVersions => list::versions(ctx).await,
        Endpoint::ListMultipartUploads => list::uploads(ctx).await,
        Endpoint::DeleteObjects => delete::delete_objects(ctx).await,
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

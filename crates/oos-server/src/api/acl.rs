//! Bucket and object ACLs (GET / PUT `?acl`).

use std::collections::HashMap;

use http::{Response, StatusCode};

use super::{ownership, Ctx};
use crate::access::acl::{self, Acl, AclTarget, Grantee, RequestedAcl};
use crate::access::ownership::acls_disabled;
use crate::access::Need;
use crate::error::S3Result;
use crate::response::{self, Body};
use crate::s3_error;
use crate::state::Server;

/// An AccessControlPolicy document is small; this bounds what we read.
const MAX_ACL_BODY: u64 = 64 * 1024;

pub async fn get_bucket_acl(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketAcl", Need::ReadAcp, None)
        .await?;
    // With ACLs disabled S3 shows the owner's FULL_CONTROL alone.
    let acl = if acls_disabled(&bucket) {
        Acl::default()
    } else {
        Acl::from_stored(&bucket.acl)
    };
    acl_response(ctx.server, &acl, &bucket.owner).await
}

pub async fn put_bucket_acl(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketAcl", Need::WriteAcp, None)
        .await?;
    let requested = requested_acl(ctx, &bucket.owner).await?;
    let acl = ownership::acl_to_store(&bucket, &requested, &bucket.owner, AclTarget::Bucket)?;
    ctx.server
        .meta
        .set_bucket_acl(&bucket.name, &acl.to_stored())
        .await?;
    Ok(response::status(StatusCode::OK))
}

/// PutObjectAcl: the object's own grants (canned, grant headers or a body), beside the
/// bucket's. The object's data and metadata are untouched.
pub async fn put_object_acl(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (bucket, object) = ctx.object_for("s3:PutObjectAcl", Need::WriteAcp).await?;
    let current = stored_object_acl(&object);
    let owner = ownership::object_owner(&bucket, &current).to_string();
    let requested = requested_acl(ctx, &owner).await?;
    let mut acl = ownership::acl_to_store(&bucket, &requested, &owner, AclTarget::Object)?;
    // A new ACL never changes who owns the object.
    acl.owner = current.owner;
    ctx.server
        .meta
        .set_object_acl(
            &bucket.name,
            &object.key,
            Some(object.version_label()),
            (acl != Acl::default()).then(|| acl.to_stored()),
        )
        .await?;
    let mut resp = response::status(StatusCode::OK);
    super::set_version_header(&mut resp, &bucket, object.version_id.as_deref());
    Ok(resp)
}

/// The ACL a PUT `?acl` asks for: `x-amz-acl` / `x-amz-grant-*` headers or an
/// `AccessControlPolicy` body (not both, and a body's Owner must be `owner`), granting only
/// accounts that exist.
async fn requested_acl(ctx: &mut Ctx<'_>, owner: &str) -> S3Result<RequestedAcl> {
    let from_headers = Acl::from_headers(&ctx.parts.headers)?;
    let body = ctx.small_body(MAX_ACL_BODY).await?;
    let acl = match (from_headers, body.is_empty()) {
        (Some(_), false) => {
            return Err(s3_error!(
                UnexpectedContent,
                "This request does not support content together with ACL headers."
            ))
        }
        (Some(acl), true) => acl,
        (None, false) => {
            let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedACLError))?;
            Acl::from_xml(text, owner)?
        }
        (None, true) => {
            return Err(s3_error!(
            MissingSecurityHeader,
            "Your request was missing a required header: x-amz-acl or an AccessControlPolicy body."
        ))
        }
    };
    for g in acl.listed_grants() {
        if let Grantee::CanonicalUser { id } = &g.grantee {
            if ctx.server.meta.get_account(id).await?.is_none() {
                return Err(s3_error!(InvalidArgument, "Invalid id: {id}"));
            }
        }
    }
    Ok(acl)
}

/// The object's owner (its writer, or the bucket owner: see `ownership`) with FULL_CONTROL,
/// plus the object's own grants; with ACLs disabled, the bucket owner alone.
pub async fn get_object_acl(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let (bucket, object) = ctx.object_for("s3:GetObjectAcl", Need::ReadAcp).await?;
    let stored = stored_object_acl(&object);
    let owner = ownership::object_owner(&bucket, &stored).to_string();
    let acl = if acls_disabled(&bucket) {
        Acl::default()
    } else {
        stored
    };
    let mut resp = acl_response(ctx.server, &acl, &owner).await?;
    super::set_version_header(&mut resp, &bucket, object.version_id.as_deref());
    Ok(resp)
}

fn stored_object_acl(object: &oos_meta::Object) -> Acl {
    object
        .attrs
        .acl
        .as_deref()
        .map(Acl::from_stored)
        .unwrap_or_default()
}

async fn acl_response(server: &Server, acl: &Acl, owner: &str) -> S3Result<Response<Body>> {
    let mut names = HashMap::new();
    for id in std::iter::once(owner).chain(acl.grants.iter().filter_map(|g| match &g.grantee {
        Grantee::CanonicalUser { id } if id == acl::EC2_EXEC_READ_ID => None,
        Grantee::CanonicalUser { id } => Some(id.as_str()),
        Grantee::Group { .. } => None,
    })) {
        if !names.contains_key(id) {
            let name = server
                .meta
                .get_account(id)
                .await?
                .map(|a| a.name)
                .unwrap_or_default();
            names.insert(id.to_string(), name);
        }
    }
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();
    let xml = acl.to_xml(owner, &name_of(owner), &name_of);
    Ok(response::xml_text(StatusCode::OK, xml))
}

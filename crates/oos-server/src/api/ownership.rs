//! Object Ownership (`?ownershipControls`), and who owns a new object and which ACLs a bucket
//! accepts under it. `BucketOwnerEnforced` disables ACLs: setting one other than the bucket
//! owner's FULL_CONTROL answers `400 AccessControlListNotSupported`, reading one shows the
//! owner's FULL_CONTROL, and `access` no longer consults them.

use http::{Response, StatusCode};
use oos_meta::{Bucket, ObjectAttrs};
use oos_proto::xml::{self, OwnershipControls};

use super::Ctx;
use crate::access::acl::{Acl, AclTarget, RequestedAcl};
use crate::access::ownership::{ObjectOwnership, CONFIG_KEY};
use crate::access::public_access::PublicAccessBlock;
use crate::access::Need;
use crate::error::{S3Error, S3Result};
use crate::response::{self, Body};
use crate::s3_error;

/// An OwnershipControls document is one short rule.
const MAX_BODY: u64 = 16 * 1024;

pub async fn put(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketOwnershipControls", Need::Owner, None)
        .await?;
    let body = ctx.small_body(MAX_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let doc: OwnershipControls = xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    // S3 takes exactly one rule with one of the three values.
    let ownership = match doc.rules.as_slice() {
        [rule] => ObjectOwnership::parse(&rule.object_ownership),
        _ => None,
    }
    .ok_or_else(|| s3_error!(MalformedXML))?;
    if ownership == ObjectOwnership::BucketOwnerEnforced && bucket_acl_grants_others(&bucket) {
        return Err(s3_error!(InvalidBucketAclWithObjectOwnership));
    }
    ctx.server
        .meta
        .set_bucket_config(&bucket.name, CONFIG_KEY, Some(ownership.as_str()))
        .await?;
    Ok(response::status(StatusCode::OK))
}

pub async fn get(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketOwnershipControls", Need::Owner, None)
        .await?;
    let ownership = ObjectOwnership::configured(&bucket)
        .ok_or_else(|| s3_error!(OwnershipControlsNotFoundError))?;
    Ok(response::xml(
        "OwnershipControls",
        &OwnershipControls::of(ownership.as_str()),
    ))
}

/// 204 whether or not a setting was there (S3); the bucket is `ObjectWriter` again.
pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.delete_bucket_config("s3:PutBucketOwnershipControls", CONFIG_KEY)
        .await
}

/// S3 disables ACLs only on a bucket whose ACL grants its owner alone.
fn bucket_acl_grants_others(bucket: &Bucket) -> bool {
    !Acl::from_stored(&bucket.acl)
        .without_grants_to(&bucket.owner)
        .grants
        .is_empty()
}

fn acls_not_supported() -> S3Error {
    s3_error!(AccessControlListNotSupported)
}

/// Checks an ACL a request sets on `bucket` or one of its objects (PUT `?acl`, CreateBucket,
/// object writes) against Object Ownership and Block Public Access, and returns what to store:
/// the whole grant list AWS keeps for it, `owner` being the resource's owner. With ACLs
/// disabled only the bucket owner's FULL_CONTROL is accepted, and nothing is stored.
pub fn acl_to_store(
    bucket: &Bucket,
    requested: &RequestedAcl,
    owner: &str,
    target: AclTarget,
) -> S3Result<Acl> {
    if ObjectOwnership::of(bucket) == ObjectOwnership::BucketOwnerEnforced {
        return if requested.is_bucket_owner_full_control(&bucket.owner) {
            Ok(Acl::default())
        } else {
            Err(acls_not_supported())
        };
    }
    let acl = requested.resolve(owner, &bucket.owner, target);
    PublicAccessBlock::of(bucket).check_acl(&acl)?;
    Ok(acl)
}

/// The owner and ACL of a new object (PutObject, CopyObject, CreateMultipartUpload): the
/// writer owns it, unless the bucket enforces its owner's ownership, or prefers it and the
/// writer granted `bucket-owner-full-control`. A copy never keeps its source's ACL (S3).
pub fn apply_to_new_object(
    ctx: &Ctx<'_>,
    bucket: &Bucket,
    attrs: &mut ObjectAttrs,
) -> S3Result<()> {
    let requested = Acl::from_headers(&ctx.parts.headers)?;
    let ownership = ObjectOwnership::of(bucket);
    let to_bucket_owner = match ownership {
        ObjectOwnership::BucketOwnerEnforced => true,
        ObjectOwnership::BucketOwnerPreferred => {
            ctx.header("x-amz-acl") == Some("bucket-owner-full-control")
        }
        ObjectOwnership::ObjectWriter => false,
    };
    // Anonymous writes (a public-read-write bucket) belong to the bucket owner.
    let owner = ctx
        .principal
        .as_ref()
        .map(|p| p.account.id.as_str())
        .filter(|writer| !to_bucket_owner && *writer != bucket.owner);
    let mut acl = match requested {
        Some(requested) => acl_to_store(
            bucket,
            &requested,
            owner.unwrap_or(&bucket.owner),
            AclTarget::Object,
        )?,
        None => Acl::default(),
    };
    acl.owner = owner.map(str::to_string);
    attrs.acl = (acl != Acl::default()).then(|| acl.to_stored());
    Ok(())
}

/// The owner of an object as S3 reports it: the bucket owner when ACLs are disabled or the
/// object records no other owner.
pub fn object_owner<'a>(bucket: &'a Bucket, acl: &'a Acl) -> &'a str {
    match &acl.owner {
        Some(owner) if ObjectOwnership::of(bucket) != ObjectOwnership::BucketOwnerEnforced => owner,
        _ => &bucket.owner,
    }
}

/// The account that owns `object` (see [`object_owner`]).
pub fn owner_id(bucket: &Bucket, object: &oos_meta::Object) -> String {
    match object.attrs.acl.as_deref().map(Acl::from_stored) {
        Some(acl) => object_owner(bucket, &acl).to_string(),
        None => bucket.owner.clone(),
    }
}

/// The `Owner` elements of a listing: each listed object's owner, looked up once per account.
pub struct ListedOwners {
    bucket: Bucket,
    owners: std::collections::HashMap<String, oos_proto::xml::Owner>,
}

impl ListedOwners {
    pub async fn of<'a>(
        server: &crate::state::Server,
        bucket: &Bucket,
        objects: impl IntoIterator<Item = &'a oos_meta::Object>,
    ) -> S3Result<ListedOwners> {
        let mut ids: Vec<String> = objects.into_iter().map(|o| owner_id(bucket, o)).collect();
        ids.push(bucket.owner.clone());
        ids.sort();
        ids.dedup();
        let mut owners = std::collections::HashMap::new();
        for id in ids {
            let owner = super::owner_of(server, &id).await?;
            owners.insert(id, owner);
        }
        Ok(ListedOwners {
            bucket: bucket.clone(),
            owners,
        })
    }

    pub fn get(&self, object: &oos_meta::Object) -> oos_proto::xml::Owner {
        let id = owner_id(&self.bucket, object);
        self.owners
            .get(&id)
            .cloned()
            .unwrap_or(oos_proto::xml::Owner {
                id,
                display_name: String::new(),
            })
    }
}

//! Bucket operations: create, delete, head, location, versioning.

use http::{Response, StatusCode};
use oos_meta::{Bucket, Versioning};
use oos_proto::headers::X_AMZ_BUCKET_REGION;
use oos_proto::xml::{
    self, BucketConfiguration, CreateBucketConfiguration, DataLocationConstraint, MetadataLocation,
    VersioningConfiguration, VersioningConfigurationIn,
};

use super::{object_lock, ownership, Ctx};
use crate::access::acl::{Acl, AclTarget};
use crate::access::ownership::ObjectOwnership;
use crate::access::Need;
use crate::error::S3Result;
use crate::placement::{AccountRegions, BucketLocation};
use crate::response::{self, set_header, Body};
use crate::s3_error;
use crate::state::now_millis;

/// Largest CreateBucketConfiguration body accepted.
const MAX_CONFIG_BODY: u64 = 64 * 1024;

/// S3 bucket naming rules (also OOS's, B 1.2).
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    if !(3..=63).contains(&b.len()) {
        return false;
    }
    let ok_char = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'.';
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !b.iter().all(ok_char) || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    if name.contains("..") || name.contains(".-") || name.contains("-.") {
        return false;
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return false;
    }
    // Reserved by AWS, and `_portal`-style names can never collide with our own paths.
    !(name.starts_with("xn--") || name.ends_with("-s3alias") || name.ends_with("--ol-s3"))
}

pub async fn create(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let principal = ctx.principal()?;
    crate::access::check_key_scope(Some(principal), None, None)?;
    let account = principal.account.clone();
    let name = ctx.bucket_name().to_string();
    if !valid_bucket_name(&name) {
        return Err(s3_error!(
            InvalidBucketName,
            "The specified bucket is not valid: {name}"
        ));
    }
    let acl = Acl::from_headers(&ctx.parts.headers)?;
    let object_ownership = match ctx.header("x-amz-object-ownership") {
        None => None,
        Some(v) => Some(ObjectOwnership::parse(v).ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "Invalid x-amz-object-ownership header: {v}"
            )
        })?),
    };
    let body = ctx.small_body(MAX_CONFIG_BODY).await?;
    let requested = if body.is_empty() {
        None
    } else {
        let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
        Some(
            xml::from_xml::<CreateBucketConfiguration>(text)
                .map_err(|_| s3_error!(MalformedXML))?,
        )
    };
    let regions = AccountRegions::of(&ctx.server.config, &account).require_usable()?;
    let existing = ctx.server.meta.get_bucket(&name).await?;
    if let Some(existing) = existing.filter(|b| b.owner == account.id) {
        // PUT Bucket on an own bucket (OOS, B 3.1) updates its ACL and data location; the
        // metadata location is fixed at creation.
        if let Some(c) = &requested {
            let current = BucketLocation::of(&existing);
            if let Some(m) = &c.metadata_location {
                if m.location != current.metadata_region(&ctx.server.config) {
                    return Err(s3_error!(CanNotModifyMetadataLocation));
                }
            }
            if let Some(d) = &c.data_location {
                let (kind, list, schedule) = data_location(&regions, d)?;
                let updated = BucketLocation {
                    metadata: Some(current.metadata_region(&ctx.server.config)),
                    kind,
                    list,
                    schedule: Some(schedule),
                };
                let stored = serde_json::to_string(&updated)
                    .map_err(|e| crate::error::S3Error::internal("location", e))?;
                ctx.server
                    .meta
                    .set_bucket_config(&name, BucketLocation::KEY, Some(&stored))
                    .await?;
            }
        }
        if let Some(acl) = acl {
            let acl = ownership::acl_to_store(&existing, &acl, &existing.owner, AclTarget::Bucket)?;
            ctx.server
                .meta
                .set_bucket_acl(&name, &acl.to_stored())
                .await?;
        }
        let mut resp = response::status(StatusCode::OK);
        set_header(&mut resp, "location", &format!("/{name}"));
        return Ok(resp);
    }
    let acl = acl.map_or_else(Acl::default, |a| {
        a.resolve(&account.id, &account.id, AclTarget::Bucket)
    });
    // ACLs disabled from the start: the bucket ACL may grant its owner alone (S3).
    if object_ownership == Some(ObjectOwnership::BucketOwnerEnforced)
        && !acl.clone().without_grants_to(&account.id).grants.is_empty()
    {
        return Err(s3_error!(InvalidBucketAclWithObjectOwnership));
    }
    let location = new_location(ctx, &regions, requested.as_ref())?;
    let mut config = vec![(
        BucketLocation::KEY.to_string(),
        serde_json::to_string(&location)
            .map_err(|e| crate::error::S3Error::internal("location", e))?,
    )];
    // Object Lock at creation turns versioning on for good, in the same transaction.
    let object_lock = ctx
        .header("x-amz-bucket-object-lock-enabled")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if let Some(o) = object_ownership {
        config.push((
            crate::access::ownership::CONFIG_KEY.to_string(),
            o.as_str().to_string(),
        ));
    }
    if object_lock {
        config.push((
            object_lock::CONFIG_KEY.to_string(),
            object_lock::BucketLock::default().stored()?,
        ));
    }
    let bucket = Bucket {
        name: name.clone(),
        owner: account.id,
        created: now_millis(),
        acl: acl.to_stored(),
        config,
        versioning: if object_lock {
            Versioning::Enabled
        } else {
            Versioning::Unversioned
        },
    };
    // A race with another creator of the same name: the store decides, and an existing
    // bucket of another owner is BucketAlreadyExists.
    ctx.server.meta.create_bucket(bucket).await?;
    let mut resp = response::status(StatusCode::OK);
    set_header(&mut resp, "location", &format!("/{name}"));
    Ok(resp)
}

/// The location of a new bucket (oos-api A4, B 3.1): a metadata region of the account
/// (default: the local one), and a data location whose regions the account may use.
fn new_location(
    ctx: &Ctx<'_>,
    regions: &AccountRegions,
    c: Option<&CreateBucketConfiguration>,
) -> S3Result<BucketLocation> {
    let metadata = match c.and_then(|c| c.metadata_location.as_ref()) {
        Some(m) if regions.metadata.contains(&m.location) => m.location.clone(),
        Some(m) => {
            return Err(s3_error!(
                InvalidLocationConstraint,
                "The specified location constraint is not valid: {} is not a metadata region of this account",
                m.location
            ))
        }
        None => regions
            .default_metadata(&ctx.server.config)
            .ok_or_else(|| s3_error!(InvalidLocationConstraint))?,
    };
    // The AWS `LocationConstraint` is whatever region name the client is configured with
    // (aws-cli sends its default region): it says nothing here and is accepted as is.
    let (kind, list, schedule) = match c.and_then(|c| c.data_location.as_ref()) {
        Some(d) => data_location(regions, d)?,
        None => ("Local".to_string(), Vec::new(), "Allowed".to_string()),
    };
    Ok(BucketLocation {
        metadata: Some(metadata),
        kind,
        list,
        schedule: Some(schedule),
    })
}

/// Checks a `DataLocationConstraint`: `Local` (any list is dropped) or `Specified` with a
/// non-empty list of distinct data regions of the account; `ScheduleStrategy` defaults to
/// `Allowed`.
fn data_location(
    regions: &AccountRegions,
    d: &DataLocationConstraint,
) -> S3Result<(String, Vec<String>, String)> {
    let invalid = |why: String| {
        s3_error!(
            InvalidLocationConstraint,
            "The specified location constraint is not valid: {why}"
        )
    };
    let schedule = match d.schedule_strategy.as_deref() {
        None => "Allowed",
        Some(s @ ("Allowed" | "NotAllowed")) => s,
        Some(other) => return Err(invalid(format!("unknown ScheduleStrategy {other}"))),
    };
    let list = match d.kind.as_str() {
        "Local" => Vec::new(),
        "Specified" => {
            let list = d
                .location_list
                .as_ref()
                .map(|l| l.location.clone())
                .unwrap_or_default();
            if list.is_empty() {
                return Err(invalid("Type Specified needs a LocationList".into()));
            }
            for (i, r) in list.iter().enumerate() {
                if list[..i].contains(r) {
                    return Err(invalid(format!("{r} is listed twice")));
                }
                if !regions.data.contains(r) {
                    return Err(invalid(format!("{r} is not a data region of this account")));
                }
            }
            list
        }
        other => return Err(invalid(format!("unknown Type {other}"))),
    };
    Ok((d.kind.clone(), list, schedule.to_string()))
}

pub async fn delete(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx.bucket_for("s3:DeleteBucket", Need::Owner, None).await?;
    ctx.server.meta.delete_bucket(&bucket.name).await?;
    Ok(response::status(StatusCode::NO_CONTENT))
}

pub async fn head(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.bucket_for("s3:ListBucket", Need::Read, None).await?;
    let mut resp = response::status(StatusCode::OK);
    set_header(&mut resp, X_AMZ_BUCKET_REGION, &ctx.server.config.region);
    Ok(resp)
}

/// OOS GetBucketLocation answers the `BucketConfiguration` document (B 3.4).
pub async fn location(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketLocation", Need::Owner, None)
        .await?;
    let location = BucketLocation::of(&bucket);
    let specified = location.kind == "Specified";
    let doc = BucketConfiguration {
        xmlns: xml::XMLNS.to_string(),
        metadata_location: Some(MetadataLocation {
            location: location.metadata_region(&ctx.server.config),
        }),
        data_location: Some(DataLocationConstraint {
            location_list: specified.then(|| xml::LocationList {
                // A bucket from before regions were configurable was in the local region.
                location: if location.list.is_empty() {
                    vec![ctx.server.config.region.clone()]
                } else {
                    location.list.clone()
                },
            }),
            schedule_strategy: Some(
                if location.schedule_allowed() {
                    "Allowed"
                } else {
                    "NotAllowed"
                }
                .to_string(),
            ),
            kind: location.kind,
        }),
    };
    Ok(response::xml("BucketConfiguration", &doc))
}

/// GetBucketVersioning: `Enabled`, `Suspended`, or no status for a bucket never versioned.
pub async fn versioning(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:GetBucketVersioning", Need::Owner, None)
        .await?;
    let status = Some(bucket.versioning.as_str()).filter(|s| !s.is_empty());
    Ok(response::xml(
        "VersioningConfiguration",
        &VersioningConfiguration {
            xmlns: xml::XMLNS,
            status,
        },
    ))
}

/// PutBucketVersioning: `Enabled` or `Suspended` (a bucket never returns to unversioned).
/// MFA delete needs MFA devices, which this server does not have: enabling it is refused.
pub async fn put_versioning(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    let bucket = ctx
        .bucket_for("s3:PutBucketVersioning", Need::Owner, None)
        .await?;
    let body = ctx.small_body(MAX_VERSIONING_BODY).await?;
    let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
    let doc: VersioningConfigurationIn =
        xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
    match doc.mfa_delete.as_deref() {
        None | Some("Disabled") => {}
        Some("Enabled") if ctx.header("x-amz-mfa").is_none() => {
            return Err(s3_error!(
                AccessDenied,
                "Mfa Authentication must be used for this request"
            ))
        }
        Some("Enabled") => {
            return Err(s3_error!(
                NotImplemented,
                "MFA delete is not supported: this server has no MFA devices."
            ))
        }
        Some(_) => return Err(s3_error!(MalformedXML)),
    }
    let state = match doc.status.as_deref() {
        // No status: the state stays as it is (S3).
        None => return Ok(response::status(StatusCode::OK)),
        Some("Enabled") => Versioning::Enabled,
        Some("Suspended") => Versioning::Suspended,
        Some(_) => return Err(s3_error!(MalformedXML)),
    };
    if state != Versioning::Enabled && object_lock::BucketLock::of(&bucket).is_some() {
        return Err(s3_error!(
            InvalidBucketState,
            "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed."
        ));
    }
    ctx.server
        .meta
        .set_bucket_versioning(&bucket.name, state)
        .await?;
    Ok(response::status(StatusCode::OK))
}

/// A VersioningConfiguration is a few dozen bytes.
const MAX_VERSIONING_BODY: u64 = 16 * 1024;

#[cfg(test)]
mod tests {
    use super::valid_bucket_name;

    #[test]
    fn bucket_names() {
        for ok in ["abc", "my-bucket.v2", "a1b", &"a".repeat(63)] {
            assert!(valid_bucket_name(ok), "{ok}");
        }
        for bad in [
            "ab",
            "Abc",
            "-abc",
            "abc-",
            "a..b",
            "a.-b",
            "a-.b",
            "192.168.1.1",
            "a_b",
            "xn--abc",
            &"a".repeat(64),
        ] {
            assert!(!valid_bucket_name(bad), "{bad}");
        }
    }
}

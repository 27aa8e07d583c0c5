//! Bucket operations: create, delete, head, location, versioning status.

use http::{Response, StatusCode};
use oos_meta::Bucket;
use oos_proto::headers::X_AMZ_BUCKET_REGION;
use oos_proto::xml::{
    self, BucketConfiguration, CreateBucketConfiguration, DataLocationConstraint, MetadataLocation,
    VersioningConfiguration,
};

use super::Ctx;
use crate::access::acl::Acl;
use crate::access::Need;
use crate::error::S3Result;
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
    let owner = principal.account.id.clone();
    let name = ctx.bucket_name().to_string();
    if !valid_bucket_name(&name) {
        return Err(s3_error!(
            InvalidBucketName,
            "The specified bucket is not valid: {name}"
        ));
    }
    let acl = Acl::from_headers(&ctx.parts.headers)?;
    let body = ctx.small_body(MAX_CONFIG_BODY).await?;
    let mut config = Vec::new();
    if !body.is_empty() {
        let text = std::str::from_utf8(&body).map_err(|_| s3_error!(MalformedXML))?;
        let parsed: CreateBucketConfiguration =
            xml::from_xml(text).map_err(|_| s3_error!(MalformedXML))?;
        config.push(("location".to_string(), location_json(ctx, &parsed)?));
    }
    let bucket = Bucket {
        name: name.clone(),
        owner,
        created: now_millis(),
        acl: acl.clone().unwrap_or_default().to_stored(),
        config,
    };
    // An existing bucket of the same owner answers 200, as OOS does (B 3.1), and PUT Bucket
    // on it updates its ACL (and data location) when given.
    let created = ctx.server.meta.create_bucket(bucket).await?;
    if !created {
        if let Some(acl) = acl {
            ctx.server
                .meta
                .set_bucket_acl(&name, &acl.to_stored())
                .await?;
        }
    }
    let mut resp = response::status(StatusCode::OK);
    set_header(&mut resp, "location", &format!("/{name}"));
    Ok(resp)
}

/// Validates the location constraint against the one region of the embedded default.
/// (Multi-region placement is a later issue; the document is stored as given.)
fn location_json(ctx: &Ctx<'_>, c: &CreateBucketConfiguration) -> S3Result<String> {
    let region = &ctx.server.config.region;
    // The AWS `LocationConstraint` is whatever region name the client is configured with
    // (aws-cli sends its default region): any value is accepted on this one-region server.
    if let Some(m) = &c.metadata_location {
        if m.location != *region {
            return Err(s3_error!(
                InvalidLocationConstraint,
                "Unknown metadata region {}",
                m.location
            ));
        }
    }
    if let Some(d) = &c.data_location {
        match d.kind.as_str() {
            "Local" => {}
            "Specified" => {
                let list = d
                    .location_list
                    .as_ref()
                    .map(|l| l.location.as_slice())
                    .unwrap_or(&[]);
                if list.is_empty() || list.iter().any(|r| r != region) || list.len() > 1 {
                    return Err(s3_error!(
                        InvalidLocationConstraint,
                        "Invalid data location list"
                    ));
                }
            }
            other => {
                return Err(s3_error!(
                    InvalidLocationConstraint,
                    "Invalid data location type {other}"
                ))
            }
        }
        if let Some(s) = &d.schedule_strategy {
            if s != "Allowed" && s != "NotAllowed" {
                return Err(s3_error!(
                    InvalidLocationConstraint,
                    "Invalid ScheduleStrategy {s}"
                ));
            }
        }
    }
    Ok(serde_json::json!({
        "type": c.data_location.as_ref().map(|d| d.kind.clone()).unwrap_or_else(|| "Local".into()),
        "schedule": c.data_location.as_ref().and_then(|d| d.schedule_strategy.clone()),
    })
    .to_string())
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
    let region = ctx.server.config.region.clone();
    let stored = bucket
        .config
        .iter()
        .find(|(k, _)| k == "location")
        .and_then(|(_, v)| serde_json::from_str::<serde_json::Value>(v).ok());
    let kind = stored
        .as_ref()
        .and_then(|v| v["type"].as_str().map(str::to_string))
        .unwrap_or_else(|| "Local".to_string());
    let schedule = stored
        .as_ref()
        .and_then(|v| v["schedule"].as_str().map(str::to_string))
        .unwrap_or_else(|| "Allowed".to_string());
    let doc = BucketConfiguration {
        xmlns: xml::XMLNS.to_string(),
        metadata_location: Some(MetadataLocation {
            location: region.clone(),
        }),
        data_location: Some(DataLocationConstraint {
            location_list: (kind == "Specified").then(|| xml::LocationList {
                location: vec![region],
            }),
            kind,
            schedule_strategy: Some(schedule),
        }),
    };
    Ok(response::xml("BucketConfiguration", &doc))
}

/// Versioning is not built yet: every bucket is unversioned, which S3 shows as an empty
/// `VersioningConfiguration`. Backup and sync tools ask before they start.
pub async fn versioning(ctx: &mut Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.bucket_for("s3:GetBucketVersioning", Need::Owner, None)
        .await?;
    Ok(response::xml(
        "VersioningConfiguration",
        &VersioningConfiguration { xmlns: xml::XMLNS },
    ))
}

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

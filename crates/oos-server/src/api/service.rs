//! Service operations: ListBuckets and the OOS GetRegions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::Response;
use oos_proto::time_fmt::iso8601_millis;
use oos_proto::xml::{self, BucketEntry, BucketList, ListAllMyBucketsResult};
use serde::Serialize;

use super::{owner_of, Ctx};
use crate::error::S3Result;
use crate::placement::AccountRegions;
use crate::response::{self, Body};
use crate::s3_error;

/// ListBuckets' largest page (S3).
const MAX_BUCKETS: usize = 10_000;

/// ListBuckets, paged by `max-buckets` and `continuation-token` and filtered by `prefix`. An
/// account's buckets are few (a bounded number each), so a page is cut from the whole list.
pub async fn list_buckets(ctx: &Ctx<'_>) -> S3Result<Response<Body>> {
    let principal = ctx.principal()?;
    crate::access::check_key_scope(Some(principal), None, None)?;
    let max = match ctx.query.get("max-buckets") {
        None => MAX_BUCKETS,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_BUCKETS).contains(n))
            .ok_or_else(|| {
                s3_error!(
                    InvalidArgument,
                    "Argument max-buckets must be an integer between 1 and {MAX_BUCKETS}"
                )
            })?,
    };
    let prefix = ctx.query.get("prefix").filter(|p| !p.is_empty());
    // The token is the last name of the previous page, in a form clients treat as opaque.
    let after = match ctx.query.get("continuation-token") {
        None | Some("") => None,
        Some(t) => Some(
            URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .ok_or_else(|| {
                    s3_error!(
                        InvalidArgument,
                        "The continuation token provided is incorrect"
                    )
                })?,
        ),
    };
    let mut buckets: Vec<_> = ctx
        .server
        .meta
        .list_buckets(&principal.account.id)
        .await?
        .into_iter()
        .filter(|b| prefix.is_none_or(|p| b.name.starts_with(p)))
        .filter(|b| after.as_ref().is_none_or(|a| b.name.as_str() > a.as_str()))
        .collect();
    buckets.sort_by(|a, b| a.name.cmp(&b.name));
    let more = buckets.len() > max;
    buckets.truncate(max);
    let doc = ListAllMyBucketsResult {
        xmlns: xml::XMLNS,
        owner: owner_of(ctx.server, &principal.account.id).await?,
        continuation_token: buckets
            .last()
            .filter(|_| more)
            .map(|b| URL_SAFE_NO_PAD.encode(&b.name)),
        prefix: prefix.map(str::to_string),
        buckets: BucketList {
            bucket: buckets
                .into_iter()
                .map(|b| BucketEntry {
                    name: b.name,
                    creation_date: iso8601_millis(b.created),
                })
                .collect(),
        },
    };
    Ok(response::xml("ListAllMyBucketsResult", &doc))
}

#[derive(Serialize)]
struct BucketRegions {
    #[serde(rename = "MetadataRegions", skip_serializing_if = "Option::is_none")]
    metadata: Option<Regions>,
    #[serde(rename = "DataRegions", skip_serializing_if = "Option::is_none")]
    data: Option<Regions>,
}

#[derive(Serialize)]
struct Regions {
    #[serde(rename = "Region")]
    region: Vec<String>,
}

/// OOS GetRegions (B 2.2): the regions the account may use, each container omitted when
/// empty.
pub async fn get_regions(ctx: &Ctx<'_>) -> S3Result<Response<Body>> {
    let principal = ctx.principal()?;
    let regions = AccountRegions::of(&ctx.server.config, &principal.account);
    let doc = BucketRegions {
        metadata: (!regions.metadata.is_empty()).then_some(Regions {
            region: regions.metadata,
        }),
        data: (!regions.data.is_empty()).then_some(Regions {
            region: regions.data,
        }),
    };
    Ok(response::xml("BucketRegions", &doc))
}

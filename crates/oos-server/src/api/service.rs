//! Service operations: ListBuckets and the OOS GetRegions.

use http::Response;
use oos_proto::time_fmt::iso8601_millis;
use oos_proto::xml::{self, BucketEntry, BucketList, ListAllMyBucketsResult};
use serde::Serialize;

use super::{owner_of, Ctx};
use crate::error::S3Result;
use crate::placement::AccountRegions;
use crate::response::{self, Body};

pub async fn list_buckets(ctx: &Ctx<'_>) -> S3Result<Response<Body>> {
    let principal = ctx.principal()?;
    crate::access::check_key_scope(Some(principal), None, None)?;
    let buckets = ctx.server.meta.list_buckets(&principal.account.id).await?;
    let doc = ListAllMyBucketsResult {
        xmlns: xml::XMLNS,
        owner: owner_of(ctx.server, &principal.account.id).await?,
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

//! Service operations: ListBuckets and the OOS GetRegions.

use http::Response;
use oos_proto::time_fmt::iso8601_millis;
use oos_proto::xml::{self, BucketEntry, BucketList, ListAllMyBucketsResult};
use serde::Serialize;

use super::{owner_of, Ctx};
use crate::error::S3Result;
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
    #[serde(rename = "MetadataRegions")]
    metadata: Regions,
    #[serde(rename = "DataRegions")]
    data: Regions,
}

#[derive(Serialize)]
struct Regions {
    #[serde(rename = "Region")]
    region: Vec<String>,
}

/// OOS GetRegions (B 2.2): the regions the account may use. The embedded default has one
/// region that holds both metadata and data.
pub async fn get_regions(ctx: &Ctx<'_>) -> S3Result<Response<Body>> {
    ctx.principal()?;
    let region = ctx.server.config.region.clone();
    let doc = BucketRegions {
        metadata: Regions {
            region: vec![region.clone()],
        },
        data: Regions {
            region: vec![region],
        },
    };
    Ok(response::xml("BucketRegions", &doc))
}

//! OOS regions (oos-api A4, B 2.2, B 3.1, B 5): which regions an account may use, where a
//! bucket's index and data belong, and which pool takes an object's bytes.
//!
//! Every region is served by this process (the metadata store is shared; a data region is
//! one of our pools), so a metadata region is a label a bucket carries, and a data region is
//! the pool its objects' bytes go to. A write tries the regions of its data location in
//! order; with `scheduleStrategy=Allowed` the account's other data regions follow, so a pool
//! that is below write quorum or full is skipped instead of failing the request.

use http::HeaderMap;
use oos_meta::{Account, Bucket, Object, ObjectAttrs, Upload};
use oos_store::{DataStore, Layout};
use serde::{Deserialize, Serialize};

use crate::api::data_location::{self, DataLocation};
use crate::config::Config;
use crate::error::{S3Error, S3Result};
use crate::s3_error;
use crate::state::Server;

/// The regions of the server that an account may use, in configuration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRegions {
    pub metadata: Vec<String>,
    pub data: Vec<String>,
}

impl AccountRegions {
    pub fn of(config: &Config, account: &Account) -> AccountRegions {
        let allowed = |name: &str| {
            account
                .regions
                .as_ref()
                .is_none_or(|list| list.iter().any(|r| r == name))
        };
        AccountRegions {
            metadata: config
                .regions
                .iter()
                .filter(|r| r.metadata && allowed(&r.name))
                .map(|r| r.name.clone())
                .collect(),
            data: config
                .regions
                .iter()
                .filter(|r| r.is_data() && allowed(&r.name))
                .map(|r| r.name.clone())
                .collect(),
        }
    }

    /// OOS refuses an account without a metadata or a data region (`403 InvalidUser`).
    pub fn require_usable(self) -> S3Result<AccountRegions> {
        if self.metadata.is_empty() || self.data.is_empty() {
            return Err(s3_error!(InvalidUser));
        }
        Ok(self)
    }

    /// The metadata region a new bucket gets when the request names none: the local region
    /// if the account may use it, else the account's first.
    pub fn default_metadata(&self, config: &Config) -> Option<String> {
        self.metadata
            .iter()
            .find(|r| **r == config.region)
            .or(self.metadata.first())
            .cloned()
    }
}

/// The regions of the bucket owner's account. Servers with one region skip the lookup: every
/// account has that region (`oosd account` refuses limits that leave none).
pub async fn owner_regions(server: &Server, owner: &str) -> S3Result<AccountRegions> {
    if server.config.regions.len() == 1 {
        return Ok(AccountRegions::of(&server.config, &Account::default()));
    }
    let account = server
        .meta
        .get_account(owner)
        .await?
        .ok_or_else(|| S3Error::internal("bucket owner", format!("no account {owner}")))?;
    Ok(AccountRegions::of(&server.config, &account))
}

/// A bucket's location, stored as its `location` config document (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketLocation {
    /// The metadata region; `None` for buckets created before regions were configurable,
    /// which belong to the local region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// `Local` or `Specified`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub list: Vec<String>,
    /// `Allowed` (the default) or `NotAllowed`.
    #[serde(default)]
    pub schedule: Option<String>,
}

impl BucketLocation {
    pub const KEY: &'static str = "location";

    /// The stored location, or the OOS default (`Local`, `Allowed`) for a bucket created
    /// without one.
    pub fn of(bucket: &Bucket) -> BucketLocation {
        bucket
            .config
            .iter()
            .find(|(k, _)| k == Self::KEY)
            .and_then(|(_, v)| serde_json::from_str(v).ok())
            .unwrap_or(BucketLocation {
                metadata: None,
                kind: "Local".into(),
                list: Vec::new(),
                schedule: None,
            })
    }

    pub fn metadata_region(&self, config: &Config) -> String {
        self.metadata
            .clone()
            .unwrap_or_else(|| config.region.clone())
    }

    pub fn schedule_allowed(&self) -> bool {
        self.schedule.as_deref() != Some("NotAllowed")
    }

    fn data(&self) -> DataLocation {
        DataLocation {
            specified: self.kind == "Specified",
            regions: self.list.clone(),
            schedule_allowed: self.schedule_allowed(),
        }
    }
}

/// Where a write goes: the region, its pool and the layout of the storage class there.
#[derive(Debug, Clone)]
pub struct Placement {
    pub region: String,
    pub pool: usize,
    pub layout: Layout,
}

impl Placement {
    pub fn store<'a>(&self, server: &'a Server) -> &'a DataStore {
        server.pools.get(self.pool)
    }
}

/// Chooses the region and pool for a new object (or upload) of `class` with about `size`
/// bytes in `bucket`: the `x-ctyun-data-location` header when given, else the bucket's data
/// location; then the first region that can take the write now.
pub async fn place(
    server: &Server,
    bucket: &Bucket,
    headers: &HeaderMap,
    class: &str,
    size: u64,
) -> S3Result<Placement> {
    let requested = data_location::from_headers(headers)?;
    let regions = owner_regions(server, &bucket.owner)
        .await?
        .require_usable()?;
    if let Some(location) = &requested {
        if let Some(bad) = location.regions.iter().find(|r| !regions.data.contains(r)) {
            return Err(s3_error!(
                InvalidLocationConstraint,
                "The specified location constraint is not valid: {bad} is not a data region of this account"
            ));
        }
    }
    let location = requested.unwrap_or_else(|| BucketLocation::of(bucket).data());
    let candidates = candidates(&server.config, &regions, &location);
    if candidates.is_empty() {
        return Err(s3_error!(
            AccessDenied,
            "The account may not store data in the local region {}.",
            server.config.region
        ));
    }
    let probe = candidates.len() > 1;
    let mut last_error = None;
    for region in &candidates {
        let Some(pool) = server.config.region_named(region).and_then(|r| r.pool) else {
            continue;
        };
        let layout = match crate::storage::layout_of(server, pool, class) {
            Ok(l) => l,
            Err(e) => {
                last_error = Some(e);
                continue;
            }
        };
        // One candidate: just write (its errors are the answer). Several: skip pools that
        // cannot take the write now, before the body is committed to one.
        if !probe || server.pools.get(pool).can_take(layout, size) {
            return Ok(Placement {
                region: region.clone(),
                pool,
                layout,
            });
        }
        tracing::warn!(
            region,
            "data region cannot take a write now; trying the next"
        );
        last_error = Some(s3_error!(
            SlowDown,
            "No data region of this location can take the write now; please retry."
        ));
    }
    Err(last_error.unwrap_or_else(|| s3_error!(SlowDown)))
}

/// The regions to try, in order: the location's own (`Local` = this server's region), then,
/// if the strategy allows, the account's other data regions.
fn candidates(config: &Config, regions: &AccountRegions, location: &DataLocation) -> Vec<String> {
    let mut out: Vec<String> = if location.specified {
        location.regions.clone()
    } else {
        vec![config.region.clone()]
    };
    out.retain(|r| regions.data.contains(r));
    if location.schedule_allowed {
        for r in &regions.data {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
    }
    out
}

/// The data region recorded in an object's (or upload's) attributes; data written before
/// regions existed is in the local region.
pub fn stored_region<'a>(config: &'a Config, attrs: &'a ObjectAttrs) -> &'a str {
    attrs
        .data_region
        .as_deref()
        .unwrap_or(config.region.as_str())
}

/// The pool of a recorded data region.
fn stored_pool(config: &Config, region: &str) -> S3Result<usize> {
    config
        .region_named(region)
        .and_then(|r| r.pool)
        .ok_or_else(|| {
            S3Error::internal(
                "stored data region",
                format!("region {region} is not a data region of this server"),
            )
        })
}

/// The index of the pool holding a stored object's bytes.
pub fn object_pool(server: &Server, object: &Object) -> S3Result<usize> {
    stored_pool(&server.config, stored_region(&server.config, &object.attrs))
}

/// The pool holding a stored object's bytes.
pub fn object_store<'a>(server: &'a Server, object: &Object) -> S3Result<&'a DataStore> {
    Ok(server.pools.get(object_pool(server, object)?))
}

/// Where an upload's parts go: the region chosen at initiation, in the layout of its storage
/// class there.
pub fn upload_placement(server: &Server, upload: &Upload) -> S3Result<Placement> {
    let region = stored_region(&server.config, &upload.attrs).to_string();
    let pool = stored_pool(&server.config, &region)?;
    Ok(Placement {
        layout: crate::storage::layout_of(server, pool, &upload.storage_class)?,
        region,
        pool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Overrides};

    fn two_regions() -> Config {
        let text = "[[pool]]\nname = \"cd\"\ndisks = [\"/a\"]\n[[pool]]\nname = \"ls\"\ndisks = [\"/b\"]\n\
                    [[pool]]\nname = \"wh\"\ndisks = [\"/c\"]\n\
                    [[region]]\nname = \"ChengDu\"\nmetadata = true\ndata = true\npool = \"cd\"\nlocal = true\n\
                    [[region]]\nname = \"LaSa\"\ndata = true\npool = \"ls\"\n\
                    [[region]]\nname = \"WuHu\"\nmetadata = true\ndata = true\npool = \"wh\"\n";
        Config::resolve_for_tests(text, &Overrides::default())
    }

    fn loc(specified: bool, regions: &[&str], allowed: bool) -> DataLocation {
        DataLocation {
            specified,
            regions: regions.iter().map(|s| s.to_string()).collect(),
            schedule_allowed: allowed,
        }
    }

    #[test]
    fn account_regions_follow_limits() {
        let config = two_regions();
        let all = AccountRegions::of(&config, &Account::default());
        assert_eq!(all.metadata, ["ChengDu", "WuHu"]);
        assert_eq!(all.data, ["ChengDu", "LaSa", "WuHu"]);
        let limited = AccountRegions::of(
            &config,
            &Account {
                regions: Some(vec!["LaSa".into(), "WuHu".into(), "Gone".into()]),
                ..Account::default()
            },
        );
        assert_eq!(limited.metadata, ["WuHu"]);
        assert_eq!(limited.data, ["LaSa", "WuHu"]);
        assert_eq!(limited.default_metadata(&config).as_deref(), Some("WuHu"));
        assert_eq!(all.default_metadata(&config).as_deref(), Some("ChengDu"));
        let none = AccountRegions::of(
            &config,
            &Account {
                regions: Some(vec!["LaSa".into()]),
                ..Account::default()
            },
        );
        assert!(none.require_usable().is_err(), "no metadata region");
    }

    #[test]
    fn candidate_order_and_fallback() {
        let config = two_regions();
        let all = AccountRegions::of(&config, &Account::default());
        assert_eq!(
            candidates(&config, &all, &loc(false, &[], false)),
            ["ChengDu"]
        );
        assert_eq!(
            candidates(&config, &all, &loc(false, &[], true)),
            ["ChengDu", "LaSa", "WuHu"]
        );
        assert_eq!(
            candidates(&config, &all, &loc(true, &["WuHu", "LaSa"], false)),
            ["WuHu", "LaSa"]
        );
        assert_eq!(
            candidates(&config, &all, &loc(true, &["WuHu"], true)),
            ["WuHu", "ChengDu", "LaSa"]
        );
        // An account without the local region: Local has nowhere to go unless allowed.
        let far = AccountRegions {
            metadata: vec!["WuHu".into()],
            data: vec!["LaSa".into()],
        };
        assert!(candidates(&config, &far, &loc(false, &[], false)).is_empty());
        assert_eq!(candidates(&config, &far, &loc(false, &[], true)), ["LaSa"]);
    }

    #[test]
    fn stored_bucket_locations() {
        let old = Bucket {
            name: "b".into(),
            owner: "o".into(),
            created: 0,
            acl: String::new(),
            config: vec![(
                "location".into(),
                r#"{"type":"Specified","schedule":null}"#.into(),
            )],
            versioning: Default::default(),
        };
        let l = BucketLocation::of(&old);
        assert_eq!(l.metadata, None);
        assert!(l.schedule_allowed());
        let none = Bucket {
            config: Vec::new(),
            ..old
        };
        assert_eq!(BucketLocation::of(&none).kind, "Local");
    }
}

//! The admin API (root account only), JSON over `/_admin/…`:
//!
//! - `GET  /_admin/accounts` → every account
//! - `POST /_admin/accounts` with `{"name": "…", "regions": ["ChengDu", …]}` (regions
//!   optional: all) → the new account with its secret (once)
//! - `GET  /_admin/accounts/{name}` → one account
//! - `PUT  /_admin/accounts/{name}/regions` with `{"regions": […]}` (`null`: all regions)
//! - `POST /_admin/accounts/{name}/disable` and `…/enable`
//! - `GET  /_admin/kms/keys` → every SSE-KMS key (never its material)
//! - `POST /_admin/kms/keys` with `{"alias": "alias/…", "description": "…"}` (both optional)
//!   → the new key
//! - `POST /_admin/kms/keys/{id or alias}/disable` and `…/enable`
//! - `GET  /_admin/pool` → every pool's disks (state, space) and the heal queue
//! - `GET  /_admin/server` → version, uptime and the configured regions
//! - `POST /_admin/scrub` → verifies every data id now, queues damage for healing
//! - `POST /_admin/clock` with `{"advance_seconds": N}` → advances the server clock (only with
//!   `test_clock = true`, for tests of lifecycle and log delivery)

use http::request::Parts;
use http::{Method, Response, StatusCode};
use hyper::body::Incoming;
use serde::Serialize;

use crate::accounts;
use crate::error::{S3Error, S3Result};
use crate::response::{self, set_header, Body};
use crate::s3_error;
use crate::sse::kms;
use crate::state::{Principal, Server};

const MAX_BODY: usize = 4 * 1024;

pub async fn handle(
    server: &Server,
    principal: Option<&Principal>,
    parts: &Parts,
    incoming: Incoming,
    rest: &str,
) -> S3Result<Response<Body>> {
    if !server.is_root(principal) {
        return Err(s3_error!(
            AccessDenied,
            "The admin API is for the root account."
        ));
    }
    let meta = server.meta.as_ref();
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let fail = |e: String| s3_error!(InvalidArgument, "{e}");
    match (&parts.method, segments.as_slice()) {
        (&Method::GET, ["accounts"]) => json(
            StatusCode::OK,
            &accounts::list_accounts(meta).await.map_err(fail)?,
        ),
        (&Method::POST, ["accounts"]) => {
            #[derive(serde::Deserialize)]
            struct Create {
                name: String,
                #[serde(default)]
                regions: Option<Vec<String>>,
            }
            let req: Create =
                read_json(server, incoming, r#"{"name": "…", "regions": […]}"#).await?;
            let created = accounts::create_account(
                meta,
                &server.secrets,
                &server.config,
                &req.name,
                req.regions,
            )
            .await
            .map_err(fail)?;
            json(StatusCode::OK, &created)
        }
        (&Method::PUT, ["accounts", name, "regions"]) => {
            #[derive(serde::Deserialize)]
            struct Regions {
                regions: Option<Vec<String>>,
            }
            let req: Regions = read_json(server, incoming, r#"{"regions": […] or null}"#).await?;
            let info = accounts::set_regions(meta, &server.config, name, req.regions)
                .await
                .map_err(fail)?;
            json(StatusCode::OK, &info)
        }
        (&Method::GET, ["accounts", name]) => json(
            StatusCode::OK,
            &accounts::account_info(meta, name)
                .await
                .map_err(not_found)?,
        ),
        (&Method::POST, ["accounts", name, action @ ("disable" | "enable")]) => {
            let info = accounts::set_disabled(meta, name, *action == "disable")
                .await
                .map_err(not_found)?;
            json(StatusCode::OK, &info)
        }
        (&Method::GET, ["kms", "keys"]) => {
            json(StatusCode::OK, &kms::list_keys(meta).await.map_err(fail)?)
        }
        (&Method::POST, ["kms", "keys"]) => {
            #[derive(serde::Deserialize)]
            struct Create {
                #[serde(default)]
                alias: Option<String>,
                #[serde(default)]
                description: Option<String>,
            }
            let req: Create = read_json(
                server,
                incoming,
                r#"{"alias": "alias/…", "description": "…"}"#,
            )
            .await?;
            let key = kms::create_key(meta, &server.secrets, req.alias, req.description)
                .await
                .map_err(fail)?;
            json(StatusCode::OK, &key)
        }
        (&Method::POST, ["kms", "keys", id @ .., action @ ("disable" | "enable")]) => {
            // An alias (`alias/app`) spans path segments.
            let id = id.join("/");
            let key = kms::set_enabled(meta, &id, *action == "enable")
                .await
                .map_err(not_found)?;
            json(StatusCode::OK, &key)
        }
        (&Method::POST, ["clock"]) if server.config.test_clock => {
            #[derive(serde::Deserialize)]
            struct Advance {
                advance_seconds: u64,
            }
            let req: Advance = read_json(server, incoming, r#"{"advance_seconds": N}"#).await?;
            server
                .clock
                .advance(std::time::Duration::from_secs(req.advance_seconds));
            json(
                StatusCode::OK,
                &serde_json::json!({ "now_ms": server.clock.now_millis() }),
            )
        }
        (&Method::GET, ["pool"]) => json(StatusCode::OK, &pool_status(server)),
        (&Method::GET, ["server"]) => json(StatusCode::OK, &server_info(server)),
        (&Method::POST, ["scrub"]) => {
            json(StatusCode::OK, &crate::storage::scrub_all(server).await?)
        }
        _ => Err(s3_error!(MethodNotAllowed)),
    }
}

#[derive(Serialize)]
struct ServerInfo {
    version: &'static str,
    uptime_seconds: u64,
    regions: Vec<RegionInfo>,
}

#[derive(Serialize)]
struct RegionInfo {
    name: String,
    metadata: bool,
    /// The pool of a data region.
    pool: Option<String>,
    local: bool,
}

fn server_info(server: &Server) -> ServerInfo {
    ServerInfo {
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: server.started.elapsed().as_secs(),
        regions: server
            .config
            .regions
            .iter()
            .map(|r| RegionInfo {
                name: r.name.clone(),
                metadata: r.metadata,
                pool: r.pool.map(|p| server.config.pools[p].name.clone()),
                local: r.name == server.config.region,
            })
            .collect(),
    }
}

#[derive(Serialize)]
struct PoolsStatus {
    pools: Vec<PoolStatus>,
    heal_queue: usize,
}

#[derive(Serialize)]
struct PoolStatus {
    pool: String,
    /// The region whose data the pool holds.
    region: Option<String>,
    disks: Vec<DiskStatus>,
}

#[derive(Serialize)]
struct DiskStatus {
    path: String,
    state: String,
    total_bytes: Option<u64>,
    free_bytes: Option<u64>,
}

fn pool_status(server: &Server) -> PoolsStatus {
    let pools = server
        .pools
        .iter()
        .map(|(i, store)| PoolStatus {
            pool: server.config.pools[i].name.clone(),
            region: server
                .config
                .regions
                .iter()
                .find(|r| r.pool == Some(i))
                .map(|r| r.name.clone()),
            disks: store
                .disks()
                .into_iter()
                .map(|d| DiskStatus {
                    path: d.path.display().to_string(),
                    state: format!("{:?}", d.state),
                    total_bytes: d.total_bytes,
                    free_bytes: d.free_bytes,
                })
                .collect(),
        })
        .collect();
    PoolsStatus {
        pools,
        heal_queue: server.heal.len(),
    }
}

/// A small JSON request body of the shape `expected` describes.
async fn read_json<T: serde::de::DeserializeOwned>(
    server: &Server,
    incoming: Incoming,
    expected: &str,
) -> S3Result<T> {
    let body =
        crate::body::read_small(incoming, MAX_BODY, server.config.connections.body_timeout).await?;
    serde_json::from_slice(&body)
        .map_err(|e| s3_error!(InvalidArgument, "expected {expected}: {e}"))
}

fn not_found(e: String) -> S3Error {
    s3_error!(NoSuchEntity, "{e}")
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> S3Result<Response<Body>> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| S3Error::internal("admin json", e))?;
    let mut resp = Response::new(response::full(text));
    *resp.status_mut() = status;
    set_header(&mut resp, "content-type", "application/json");
    Ok(resp)
}

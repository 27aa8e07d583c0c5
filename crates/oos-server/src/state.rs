//! The shared state of a running server.

use std::sync::Arc;
use std::time::Instant;

use oos_meta::{Account, MetaStore};

use crate::config::Config;
use crate::metrics::Metrics;

pub struct Server {
    pub config: Config,
    pub meta: Arc<dyn MetaStore>,
    pub pools: crate::storage::Pools,
    pub metrics: Metrics,
    pub secrets: crate::secrets::SecretBox,
    pub heal: crate::storage::HealQueue,
    /// Transfers in flight per object and link, for `x-amz-limit: concurrency=`.
    pub transfers: crate::speed::Transfers,
    /// Web portal sessions and sign-in throttling.
    pub portal: crate::portal::Sessions,
    /// Time for lifecycle, log batches and other schedules; tests can advance it.
    pub clock: Clock,
    pub root_account_id: String,
    /// `scheme://address` of the main (S3) listener, for links made elsewhere (the portal's
    /// own listener does not serve S3).
    pub s3_endpoint: String,
    pub started: Instant,
}

/// Who is asking: an account through one of its access keys. Anonymous requests have none.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account: Account,
    pub access_key_id: String,
    /// Non-primary keys are confined to keys that start with their id (OOS).
    pub primary: bool,
}

impl Server {
    pub fn is_root(&self, principal: Option<&Principal>) -> bool {
        principal.is_some_and(|p| p.account.id == self.root_account_id)
    }
}

/// A clock that tests can advance (DESIGN §3.8): real time plus an offset that only the
/// admin API changes, and only when the config enables `test_clock`.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl Clock {
    pub fn now_millis(&self) -> i64 {
        now_millis() + self.offset_ms.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn advance(&self, by: std::time::Duration) {
        self.offset_ms
            .fetch_add(by.as_millis() as i64, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Milliseconds since the Unix epoch, the unit of every stored time.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

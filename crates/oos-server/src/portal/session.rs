//! Portal sessions and login throttling, in memory: a restart signs everyone out, which is
//! the safe direction. A session names an access key, never holds its secret, and is checked
//! against the metadata store on every request (a disabled key or account ends it at once).

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use subtle::ConstantTimeEq;

/// How long a session lives after login.
pub const SESSION_TTL: Duration = Duration::from_secs(8 * 3600);
/// Failed logins allowed per client address and per access key within `FAILURE_WINDOW`.
pub const MAX_FAILURES: usize = 5;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(600);
/// Bounds on what strangers can make us remember.
const MAX_SESSIONS: usize = 100_000;
const MAX_TRACKED: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Session {
    pub access_key_id: String,
    pub csrf: String,
    pub expires: Instant,
}

impl Session {
    /// Constant-time check of the CSRF token a state-changing request carries.
    pub fn csrf_matches(&self, token: Option<&str>) -> bool {
        token.is_some_and(|t| bool::from(t.as_bytes().ct_eq(self.csrf.as_bytes())))
    }
}

#[derive(Debug, Default)]
pub struct Sessions {
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

fn random_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

impl Sessions {
    /// Starts a session for `access_key_id`; returns its id (the cookie value).
    pub fn create(&self, access_key_id: &str) -> (String, Session) {
        let id = random_token();
        let session = Session {
            access_key_id: access_key_id.to_string(),
            csrf: random_token(),
            expires: Instant::now() + SESSION_TTL,
        };
        let mut map = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS {
            // Drop the oldest rather than refuse the login.
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(id.clone(), session.clone());
        (id, session)
    }

    pub fn get(&self, id: &str) -> Option<Session> {
        let map = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        map.get(id).filter(|s| s.expires > Instant::now()).cloned()
    }

    pub fn remove(&self, id: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }

    /// Seconds until another login attempt from `ip` or for `key` is allowed (0 = now).
    pub fn throttled_for(&self, ip: IpAddr, key: &str) -> u64 {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        [format!("ip:{ip}"), format!("key:{key}")]
            .iter()
            .filter_map(|k| map.get(k))
            .filter_map(|times| {
                let recent: Vec<&Instant> = times
                    .iter()
                    .filter(|t| now.duration_since(**t) < FAILURE_WINDOW)
                    .collect();
                (recent.len() >= MAX_FAILURES).then(|| {
                    let oldest = recent[recent.len() - MAX_FAILURES];
                    (FAILURE_WINDOW - now.duration_since(*oldest)).as_secs() + 1
                })
            })
            .max()
            .unwrap_or(0)
    }

    pub fn record_failure(&self, ip: IpAddr, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if map.len() >= MAX_TRACKED {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < FAILURE_WINDOW)
            });
        }
        for k in [format!("ip:{ip}"), format!("key:{key}")] {
            let times = map.entry(k).or_default();
            times.push_back(now);
            while times.len() > MAX_FAILURES {
                times.pop_front();
            }
        }
    }

    /// A successful login forgets the key's failures (the address keeps its own).
    pub fn record_success(&self, key: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&format!("key:{key}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_and_csrf() {
        let s = Sessions::default();
        let (id, session) = s.create("AK");
        assert_eq!(s.get(&id).unwrap().access_key_id, "AK");
        assert!(session.csrf_matches(Some(&session.csrf)));
        assert!(!session.csrf_matches(Some("nope")));
        assert!(!session.csrf_matches(None));
        s.remove(&id);
        assert!(s.get(&id).is_none());
    }

    #[test]
    fn failures_throttle_per_address_and_key() {
        let s = Sessions::default();
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..MAX_FAILURES {
            assert_eq!(s.throttled_for(ip, "AK"), 0);
            s.record_failure(ip, "AK");
        }
        assert!(s.throttled_for(ip, "AK") > 0);
        // The same key from elsewhere is throttled too, and the address for any key.
        assert!(s.throttled_for("10.0.0.2".parse().unwrap(), "AK") > 0);
        assert!(s.throttled_for(ip, "OTHER") > 0);
        assert_eq!(s.throttled_for("10.0.0.2".parse().unwrap(), "OTHER"), 0);
    }
}

//! The checks of the host and the data directory: the directory itself, the metadata store
//! and the clock against it, the server key, the file-descriptor limit, the listen addresses.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oos_meta::{SqliteStore, StoreSummary};

use super::disk::{write_fix, write_probe};
use super::Finding;
use crate::config::Config;
use crate::secrets::MASTER_KEY_FILE;

pub const META_FILE: &str = "meta.sqlite";

/// A clock behind the newest recorded write by more than this has gone backwards (or the
/// data came from a host whose clock runs ahead); less is ordinary filesystem timestamp noise.
const CLOCK_TOLERANCE: Duration = Duration::from_secs(5);

/// Descriptors beyond the connections: per disk, directories opened for fsync and the files
/// of heal and scrub; besides, SQLite (a writer and 4 readers, each with the database, WAL
/// and shared memory), listeners, the event loop and stdio.
const FDS_PER_DISK: u64 = 16;
const FDS_BASE: u64 = 64;

pub fn data_dir(config: &Config) -> Finding {
    let dir = &config.data_dir;
    let check = "data_dir";
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => match write_probe(dir) {
            Ok(()) => Finding::ok(check, format!("{} is writable", dir.display())),
            Err(e) => {
                let fix = write_fix(&e, dir, dir);
                Finding::fail(check, e.to_string(), fix)
            }
        },
        Ok(_) => Finding::fail(
            check,
            format!("{} is not a directory", dir.display()),
            "move it away or point --data-dir (data_dir) elsewhere",
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Finding::warn(
            check,
            format!("{} does not exist yet", dir.display()),
            "nothing to do if this is a new server: the first start creates it (its parent \
             must be writable, or StateDirectory= in the unit makes it)",
        ),
        Err(e) => Finding::fail(
            check,
            format!("{}: {e}", dir.display()),
            "make the data directory readable by the server's user",
        ),
    }
}

/// The metadata store opened read-only, and the clock against its newest write.
pub fn metadata(config: &Config) -> (Vec<Finding>, Option<StoreSummary>) {
    let path = config.data_dir.join(META_FILE);
    if !path.exists() {
        return (
            vec![
                Finding::warn(
                    "metadata",
                    format!("{} does not exist yet", path.display()),
                    "nothing to do if this is a new server: the first start creates it; \
                     otherwise restore it from the backup",
                ),
                Finding::ok("clock", "nothing recorded yet to compare with"),
            ],
            None,
        );
    }
    let summary = match SqliteStore::inspect(&path) {
        Ok(s) => s,
        Err(e) => {
            return (
                vec![Finding::fail(
                    "metadata",
                    format!("cannot read {}: {e}", path.display()),
                    format!(
                        "restore {META_FILE} (and {META_FILE}-wal) from the backup taken with \
                         {MASTER_KEY_FILE}"
                    ),
                )],
                None,
            )
        }
    };
    let store = if summary.schema_version > summary.build_version {
        Finding::fail(
            "metadata",
            format!(
                "schema version {} is newer than this build knows ({})",
                summary.schema_version, summary.build_version
            ),
            "run the oosd release that wrote it, or a newer one",
        )
    } else if summary.schema_version < summary.build_version {
        Finding::ok(
            "metadata",
            format!(
                "schema version {}, {} account(s); the next start migrates it to {} (one way: \
                 back up first)",
                summary.schema_version, summary.accounts, summary.build_version
            ),
        )
    } else {
        Finding::ok(
            "metadata",
            format!(
                "schema version {}, {} account(s)",
                summary.schema_version, summary.accounts
            ),
        )
    };
    let mut newest: Option<(SystemTime, String)> = None;
    let mut consider = |time: SystemTime, source: String| {
        if newest.as_ref().is_none_or(|(t, _)| time > *t) {
            newest = Some((time, source));
        }
    };
    for file in [META_FILE.to_string(), format!("{META_FILE}-wal")] {
        if let Ok(modified) =
            std::fs::metadata(config.data_dir.join(&file)).and_then(|m| m.modified())
        {
            consider(modified, format!("modification time of {file}"));
        }
    }
    if let Some(ms) = summary.newest_record_ms.filter(|ms| *ms > 0) {
        consider(
            UNIX_EPOCH + Duration::from_millis(ms as u64),
            "a time recorded in the store".into(),
        );
    }
    let clock = clock(SystemTime::now(), newest);
    (vec![store, clock], Some(summary))
}

/// The embedded store shares the host's clock, so a write recorded in the future means the
/// clock went backwards since (or the data came from a host whose clock ran ahead).
pub(super) fn clock(now: SystemTime, newest: Option<(SystemTime, String)>) -> Finding {
    let Some((newest, source)) = newest else {
        return Finding::ok("clock", "nothing recorded yet to compare with");
    };
    match newest.duration_since(now) {
        Ok(ahead) if ahead > CLOCK_TOLERANCE => Finding::fail(
            "clock",
            format!(
                "the clock is behind the last write by {} s ({source})",
                ahead.as_secs()
            ),
            "fix NTP before serving (timedatectl status, chronyc tracking), or lifecycle and \
             signatures misbehave",
        ),
        _ => {
            let ago = now.duration_since(newest).unwrap_or_default().as_secs();
            Finding::ok("clock", format!("last write {ago} s ago ({source})"))
        }
    }
}

/// The server key: present, private, and not missing from a store that needs it.
pub fn master_key(config: &Config, summary: Option<&StoreSummary>) -> Finding {
    let check = "master_key";
    if let Ok(hex_key) = std::env::var("OOS_MASTER_KEY") {
        return match crate::secrets::parse_key(hex_key.trim()) {
            Some(_) => Finding::ok(
                check,
                format!("from OOS_MASTER_KEY ({MASTER_KEY_FILE} is not used); keep a backup"),
            ),
            None => Finding::fail(
                check,
                "OOS_MASTER_KEY is not 64 hex digits",
                "set it to the key the data was sealed with",
            ),
        };
    }
    let path = config.data_dir.join(MASTER_KEY_FILE);
    let backup = "without it no access key secret or encrypted object can be read again";
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match summary.filter(|s| s.accounts > 0) {
                Some(s) => Finding::fail(
                    check,
                    format!(
                        "{} is missing, but the metadata store holds {} account(s) whose secrets \
                         it sealed",
                        path.display(),
                        s.accounts
                    ),
                    format!(
                        "restore {MASTER_KEY_FILE} from the backup before starting: a new key \
                         would be made, and {backup}"
                    ),
                ),
                None => Finding::warn(
                    check,
                    format!(
                        "{} does not exist yet: the first start creates it",
                        path.display()
                    ),
                    format!("back it up after the first start, with the data directory: {backup}"),
                ),
            };
        }
        Err(e) => {
            return Finding::fail(
                check,
                format!("{}: {e}", path.display()),
                "make it readable by the server's user only (chmod 600)",
            )
        }
    };
    let valid = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| crate::secrets::parse_key(t.trim()))
        .is_some();
    let mode = meta.permissions().mode() & 0o777;
    if !valid {
        Finding::fail(
            check,
            format!("{} is not 64 hex digits (or unreadable)", path.display()),
            "restore it from the backup",
        )
    } else if mode & 0o077 != 0 {
        Finding::warn(
            check,
            format!(
                "{} has mode {mode:04o}: group or others can read the server key",
                path.display()
            ),
            format!("chmod 600 {}", path.display()),
        )
    } else {
        Finding::ok(
            check,
            format!(
                "{} has mode {mode:04o}; keep a backup: {backup}",
                path.display()
            ),
        )
    }
}

/// This process's RLIMIT_NOFILE (soft, hard).
fn nofile_limit() -> std::io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid out-parameter for getrlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((lim.rlim_cur, lim.rlim_max))
}

fn limit_text(n: u64) -> String {
    if n == libc::RLIM_INFINITY {
        "unlimited".into()
    } else {
        n.to_string()
    }
}

/// What the server may hold open: every listener its `max_connections`, plus the disks and
/// the rest. The limit seen is this process's: run doctor as the server runs (ExecStartPre
/// in the unit does) for the server's own.
pub fn fd_limit(config: &Config) -> Finding {
    let check = "fd_limit";
    let (soft, hard) = match nofile_limit() {
        Ok(l) => l,
        Err(e) => return Finding::warn(check, format!("getrlimit: {e}"), "check ulimit -n"),
    };
    let listeners = 1 + config.iam_listen.is_some() as u64 + config.portal_listen.is_some() as u64;
    let disks: u64 = config.pools.iter().map(|p| p.disks.len() as u64).sum();
    let connections = listeners * config.connections.max_connections as u64;
    let need = connections + FDS_PER_DISK * disks + FDS_BASE;
    let detail = format!(
        "soft limit {} (hard {}); {listeners} listener(s) × max_connections {} + {disks} disks \
         need about {need}",
        limit_text(soft),
        limit_text(hard),
        config.connections.max_connections
    );
    if soft >= need {
        return Finding::ok(check, detail);
    }
    let raise = if hard >= need {
        format!("ulimit -n {need} before starting")
    } else {
        "raise the hard limit (/etc/security/limits.conf nofile)".to_string()
    };
    Finding::warn(
        check,
        format!("{detail}: connections past the limit fail"),
        format!("LimitNOFILE=65536 in the systemd unit, or {raise}; or lower max_connections"),
    )
}

/// Each configured listen address: free, or in use (by a running oosd, presumably).
pub fn listeners(config: &Config) -> Vec<Finding> {
    [
        ("listen", Some(config.listen)),
        ("iam_listen", config.iam_listen),
        ("portal_listen", config.portal_listen),
    ]
    .into_iter()
    .filter_map(|(key, addr)| addr.map(|a| listen(key, a)))
    .collect()
}

fn listen(key: &'static str, addr: SocketAddr) -> Finding {
    if addr.port() == 0 {
        return Finding::ok(key, format!("{addr}: port 0, the server picks a free port"));
    }
    // Connect first, so a running server's port is never bound here, not even briefly.
    let mut target = addr;
    if target.ip().is_unspecified() {
        target.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    if TcpStream::connect_timeout(&target, Duration::from_secs(1)).is_ok() {
        return Finding::ok(key, format!("{addr} is in use (a running oosd?)"));
    }
    match TcpListener::bind(addr) {
        Ok(_) => Finding::ok(key, format!("{addr} is free")),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            Finding::ok(key, format!("{addr} is in use (a running oosd?)"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Finding::warn(
            key,
            format!("cannot listen on {addr}: {e}"),
            "ports below 1024 need CAP_NET_BIND_SERVICE (AmbientCapabilities= in the unit); \
             or listen on a port from 1024",
        ),
        Err(e) => Finding::warn(
            key,
            format!("cannot listen on {addr}: {e}"),
            format!("fix {key}: no interface of this host has that address, or it is malformed"),
        ),
    }
}

/// Whether `path` names the config file or the defaults, for the config finding.
pub fn config_source(path: Option<&Path>) -> String {
    match path {
        Some(p) => p.display().to_string(),
        None => "no config file (defaults)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::Status;

    #[test]
    fn a_write_in_the_future_fails_the_clock() {
        let now = SystemTime::now();
        let at = |secs: i64| {
            let t = if secs >= 0 {
                now + Duration::from_secs(secs as u64)
            } else {
                now - Duration::from_secs(secs.unsigned_abs())
            };
            clock(now, Some((t, "test".into())))
        };
        let ahead = at(120);
        assert_eq!(ahead.status, Status::Fail);
        assert!(
            ahead.detail.contains("behind the last write by 120 s"),
            "{}",
            ahead.detail
        );
        assert!(ahead.fix.unwrap().contains("NTP"));
        assert_eq!(at(3).status, Status::Ok);
        let past = at(-30);
        assert_eq!(past.status, Status::Ok);
        assert!(past.detail.contains("30 s ago"), "{}", past.detail);
        assert_eq!(clock(now, None).status, Status::Ok);
    }
}

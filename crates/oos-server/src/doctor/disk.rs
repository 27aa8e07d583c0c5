//! The checks of each pool disk: where it is mounted, its free space, whether a durable
//! write works there, and its identity file; and whether disks of one pool share a device.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use oos_store::{inspect_disk, DiskIdentity, Refusal, IDENTITY_FILE};

use super::mounts::{MountError, MountTable};
use super::Finding;
use crate::config::Pool;

/// Free space below this share of the filesystem is a warning…
const WARN_FREE_PERCENT: f64 = 10.0;
/// …and below this share, or below `FAIL_FREE_BYTES`, a failure: writes start failing
/// with `507 InsufficientStorage` long before the filesystem is at zero.
const FAIL_FREE_PERCENT: f64 = 1.0;
const FAIL_FREE_BYTES: u64 = 1 << 30;

pub fn check_pool(pool: &Pool, mounts: &Result<MountTable, MountError>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut devices: BTreeMap<u64, Vec<&Path>> = BTreeMap::new();
    for (index, path) in pool.disks.iter().enumerate() {
        let Some(dev) = check_directory(pool, path, &mut findings) else {
            continue;
        };
        devices.entry(dev).or_default().push(path);
        findings.push(mount(pool, path, mounts));
        findings.push(space(path));
        findings.push(write(path));
        findings.push(identity(pool, index, path));
    }
    if pool.embedded || !devices.is_empty() {
        findings.insert(0, shared_devices(pool, &devices, mounts));
    }
    findings
}

/// Whether the disk is a directory; its device when it is (the other checks need one).
fn check_directory(pool: &Pool, path: &Path, findings: &mut Vec<Finding>) -> Option<u64> {
    let check = format!("mount {}", path.display());
    let found = match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => return Some(m.dev()),
        Ok(m) => Finding::fail(
            check,
            format!("{} is a {}, not a directory", path.display(), kind(&m)),
            format!(
                "move it away and mount the disk at {} (or fix the path in [[pool]] {})",
                path.display(),
                pool.name
            ),
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound && pool.embedded => Finding::warn(
            check,
            format!("{} does not exist yet", path.display()),
            "nothing to do: the server creates the embedded pool's directories at start",
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Finding::fail(
            check,
            format!("{} does not exist", path.display()),
            format!(
                "mount the disk at {} (or fix the path in [[pool]] {}); the server serves \
                 degraded without it and never creates a configured disk",
                path.display(),
                pool.name
            ),
        ),
        Err(e) => Finding::fail(
            check,
            format!("{}: {e}", path.display()),
            "make the directory readable by the server's user",
        ),
    };
    findings.push(found);
    None
}

fn kind(m: &std::fs::Metadata) -> &'static str {
    if m.is_file() {
        "regular file"
    } else if m.file_type().is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// The mount holding the disk, from the mount table.
fn mount(pool: &Pool, path: &Path, mounts: &Result<MountTable, MountError>) -> Finding {
    let check = format!("mount {}", path.display());
    let table = match mounts {
        Ok(t) => t,
        Err(e) => {
            return Finding::warn(
                check,
                e.to_string(),
                "run on Linux with /proc mounted to see where disks are mounted",
            )
        }
    };
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Some(m) = table.containing(&canonical) else {
        return Finding::warn(
            check,
            "no mount holds this path",
            "check /proc/self/mountinfo",
        );
    };
    let detail = format!(
        "{} on {} ({}, {})",
        m.source,
        m.mount_point.display(),
        m.fs_type,
        m.mount_options.join(",")
    );
    if m.read_only() {
        Finding::fail(
            check,
            format!("mounted read-only: {detail}"),
            format!(
                "remount it read-write (mount -o remount,rw {}); under systemd with \
                 ProtectSystem=strict, list the disk in ReadWritePaths=",
                m.mount_point.display()
            ),
        )
    } else if m.volatile() {
        Finding::warn(
            check,
            format!("{detail}: its contents vanish at reboot"),
            "put the disk on a persistent filesystem",
        )
    } else if !pool.embedded && m.mount_point == Path::new("/") {
        Finding::warn(
            check,
            format!("on the root filesystem, not a disk of its own: {detail}"),
            "mount the pool's disk here; if a disk fails to mount, data would fill /",
        )
    } else {
        Finding::ok(check, detail)
    }
}

/// Whether the disks of the pool share devices (they then fail together).
fn shared_devices(
    pool: &Pool,
    devices: &BTreeMap<u64, Vec<&Path>>,
    mounts: &Result<MountTable, MountError>,
) -> Finding {
    let check = format!("devices {}", pool.name);
    let mounted_on = |paths: &[&Path]| {
        let mount = mounts.as_ref().ok().and_then(|t| {
            let canonical = std::fs::canonicalize(paths[0]).ok()?;
            t.containing(&canonical).map(|m| m.mount_point.clone())
        });
        mount
            .map(|m| format!(" (mounted on {})", m.display()))
            .unwrap_or_default()
    };
    let disks = pool.disks.len();
    if pool.embedded {
        // By design: the embedded pool is directories on the data directory's device.
        let on = devices
            .values()
            .next()
            .map(|p| mounted_on(p))
            .unwrap_or_default();
        return Finding::warn(
            check,
            format!(
                "the embedded pool's {disks} directories share one device{on}: they detect \
                 and repair bitrot but do not survive losing that device"
            ),
            "for redundancy configure [[pool]] disks on separate devices",
        );
    }
    let shared: Vec<String> = devices
        .iter()
        .filter(|(_, paths)| paths.len() > 1)
        .map(|(dev, paths)| {
            format!(
                "{} share device {}:{}{}",
                paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                libc::major(*dev),
                libc::minor(*dev),
                mounted_on(paths)
            )
        })
        .collect();
    if shared.is_empty() {
        Finding::ok(
            check,
            format!(
                "{} disks on {} devices",
                devices.values().map(Vec::len).sum::<usize>(),
                devices.len()
            ),
        )
    } else {
        Finding::warn(
            check,
            format!("{}: they fail together", shared.join("; ")),
            "give each disk of the pool its own device, or the layouts' redundancy is less \
             than it says",
        )
    }
}

struct FsSpace {
    total: u64,
    free: u64,
    inodes: u64,
    free_inodes: u64,
}

fn statvfs(path: &Path) -> io::Result<FsSpace> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "path contains NUL"))?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a NUL-terminated path and `st` a properly sized out-parameter.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let frsize = st.f_frsize as u64;
    Ok(FsSpace {
        total: st.f_blocks as u64 * frsize,
        // What an unprivileged writer may use (the server should not run as root).
        free: st.f_bavail as u64 * frsize,
        inodes: st.f_files as u64,
        free_inodes: st.f_favail as u64,
    })
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        100.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

pub(super) fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// Free space and inodes (every shard is a file: inodes run out too).
fn space(path: &Path) -> Finding {
    let check = format!("space {}", path.display());
    let s = match statvfs(path) {
        Ok(s) => s,
        Err(e) => return Finding::fail(check, format!("statvfs: {e}"), "check the disk (dmesg)"),
    };
    let free_pct = percent(s.free, s.total);
    // Some filesystems (btrfs) report no inode counts: nothing to judge then.
    let inode_pct = (s.inodes > 0).then(|| percent(s.free_inodes, s.inodes));
    let mut detail = format!("{} free of {} ({free_pct:.1} %)", gib(s.free), gib(s.total));
    if let Some(p) = inode_pct {
        detail.push_str(&format!(", {p:.1} % of inodes free"));
    }
    let fix = "free space or add a disk; the server refuses writes (507) on a full disk";
    let inodes_low = |limit: f64| inode_pct.is_some_and(|p| p < limit);
    if free_pct < FAIL_FREE_PERCENT || s.free < FAIL_FREE_BYTES || inodes_low(FAIL_FREE_PERCENT) {
        Finding::fail(check, format!("almost full: {detail}"), fix)
    } else if free_pct < WARN_FREE_PERCENT || inodes_low(WARN_FREE_PERCENT) {
        Finding::warn(check, format!("getting full: {detail}"), fix)
    } else {
        Finding::ok(check, detail)
    }
}

/// A step of the write probe that failed, with the OS error.
#[derive(Debug, thiserror::Error)]
#[error("{step} {}: {source}", path.display())]
pub struct ProbeError {
    step: &'static str,
    path: PathBuf,
    source: io::Error,
}

/// The server's write path in miniature, in `dir`: create, write, fsync, rename, fsync the
/// directory, unlink. Leaves nothing behind, whatever fails.
pub(super) fn write_probe(dir: &Path) -> Result<(), ProbeError> {
    let name = format!(".oosd-doctor-{}", std::process::id());
    let file = dir.join(&name);
    let moved = dir.join(format!("{name}.renamed"));
    let step = |step: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| ProbeError { step, path, source }
    };
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&file)
            .map_err(step("create", &file))?;
        f.write_all(&[0u8; 4096]).map_err(step("write", &file))?;
        f.sync_all().map_err(step("fsync", &file))?;
        drop(f);
        std::fs::rename(&file, &moved).map_err(step("rename", &file))?;
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(step("fsync directory", dir))?;
        std::fs::remove_file(&moved).map_err(step("unlink", &moved))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&file);
        let _ = std::fs::remove_file(&moved);
    }
    result
}

/// What to do about a failed write in `dir` (on `disk`), by its OS error.
pub(super) fn write_fix(e: &ProbeError, disk: &Path, dir: &Path) -> String {
    match e.source.raw_os_error() {
        Some(libc::EROFS) => "the filesystem is read-only: remount it read-write; under systemd \
                              with ProtectSystem=strict, list it in ReadWritePaths="
            .into(),
        Some(libc::ENOSPC) | Some(libc::EDQUOT) => "the disk (or quota) is full: free space".into(),
        Some(libc::EACCES) | Some(libc::EPERM) => format!(
            "the server's user cannot write here: chown -R oosd: {}",
            disk.display()
        ),
        Some(libc::ENOTDIR) => format!(
            "{} is not a directory: move it away (the server recreates it at start)",
            dir.display()
        ),
        Some(libc::EIO) => "an I/O error: check dmesg and replace the disk".into(),
        _ => "check the disk (dmesg), its mount and its permissions".into(),
    }
}

/// A durable write in the disk's `tmp/` (where the server writes every shard first).
fn write(path: &Path) -> Finding {
    let check = format!("write {}", path.display());
    let tmp = path.join("tmp");
    // A disk never opened has no tmp/ yet: probe the disk itself, where start creates it.
    let dir = if std::fs::symlink_metadata(&tmp).is_err() {
        path.to_path_buf()
    } else {
        tmp
    };
    match write_probe(&dir) {
        Ok(()) => Finding::ok(
            check,
            format!(
                "write, fsync, rename, fsync directory, unlink in {}",
                dir.display()
            ),
        ),
        Err(e) => {
            let fix = write_fix(&e, path, &dir);
            Finding::fail(check, e.to_string(), fix)
        }
    }
}

fn identity(pool: &Pool, index: usize, path: &Path) -> Finding {
    let check = format!("identity {}", path.display());
    let file = path.join(IDENTITY_FILE);
    match inspect_disk(&pool.name, index, path) {
        DiskIdentity::Member { uuid, .. } => Finding::ok(
            check,
            format!("disk {index} of pool {}, uuid {uuid}", pool.name),
        ),
        DiskIdentity::Blank => Finding::warn(
            check,
            format!("no {IDENTITY_FILE}: a blank disk"),
            "nothing to do for a new disk or one replacing a dead one (the next start formats \
             it and heal refills it); if it should hold data, the wrong filesystem is mounted",
        ),
        DiskIdentity::Refused(why) => {
            let fix = match &why {
                Refusal::OtherPool(_) => format!(
                    "mount this pool's disk at {} or fix the path in [[pool]] {}",
                    path.display(),
                    pool.name
                ),
                Refusal::OtherSlot { .. } => format!(
                    "list the disks of [[pool]] {} in the order they were formatted in",
                    pool.name
                ),
                Refusal::Damaged(_) => format!(
                    "if this is the right disk, move {} away: the next start rewrites it with \
                     this slot's uuid from the other disks",
                    file.display()
                ),
                Refusal::Unreadable(_) | Refusal::NotADirectory => {
                    format!("make {} readable by the server's user", file.display())
                }
            };
            Finding::fail(
                check,
                format!("{why}: the server keeps this disk out of service"),
                fix,
            )
        }
    }
}

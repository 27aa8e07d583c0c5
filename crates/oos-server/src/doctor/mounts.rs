//! The mount table of this process (`/proc/self/mountinfo`): which mount holds a disk, its
//! filesystem type and options.

use std::path::{Path, PathBuf};

pub const MOUNTINFO: &str = "/proc/self/mountinfo";

/// One line of `mountinfo` (proc(5)): `36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 -
/// ext3 /dev/root rw,errors=continue`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// `major:minor` of the filesystem.
    pub device: String,
    pub mount_point: PathBuf,
    /// Options of this mount (a read-only bind mount of a writable filesystem says `ro` here).
    pub mount_options: Vec<String>,
    pub fs_type: String,
    pub source: String,
    /// Options of the filesystem itself.
    pub super_options: Vec<String>,
}

impl Mount {
    pub fn read_only(&self) -> bool {
        let ro = |opts: &[String]| opts.iter().any(|o| o == "ro");
        ro(&self.mount_options) || ro(&self.super_options)
    }

    /// Filesystems whose contents do not survive a reboot.
    pub fn volatile(&self) -> bool {
        matches!(self.fs_type.as_str(), "tmpfs" | "ramfs")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MountError {
    #[error("cannot read {MOUNTINFO}: {0}")]
    Read(#[from] std::io::Error),
    #[error("{MOUNTINFO} line {line} is not a mountinfo line")]
    Malformed { line: usize },
}

/// Mounts in the order the kernel lists them (a later mount on the same point hides the
/// earlier ones).
#[derive(Debug, Clone, Default)]
pub struct MountTable(Vec<Mount>);

impl MountTable {
    pub fn read() -> Result<MountTable, MountError> {
        Self::parse(&std::fs::read_to_string(MOUNTINFO)?)
    }

    pub fn parse(text: &str) -> Result<MountTable, MountError> {
        let mut mounts = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            mounts.push(parse_line(line).ok_or(MountError::Malformed { line: i + 1 })?);
        }
        Ok(MountTable(mounts))
    }

    /// The mount holding `path` (which should be canonical): the longest mount point that is
    /// a whole-component prefix of it, the last listed on ties.
    pub fn containing(&self, path: &Path) -> Option<&Mount> {
        self.0
            .iter()
            .filter(|m| path.starts_with(&m.mount_point))
            .max_by_key(|m| m.mount_point.components().count())
    }
}

fn parse_line(line: &str) -> Option<Mount> {
    let (head, tail) = line.split_once(" - ")?;
    let head: Vec<&str> = head.split(' ').collect();
    let tail: Vec<&str> = tail.split(' ').collect();
    // id, parent, major:minor, root, mount point, options, optional fields…
    if head.len() < 6 || tail.len() < 3 {
        return None;
    }
    let options = |s: &str| s.split(',').map(str::to_string).collect::<Vec<_>>();
    Some(Mount {
        device: head[2].to_string(),
        mount_point: PathBuf::from(unescape(head[4])),
        mount_options: options(head[5]),
        fs_type: tail[0].to_string(),
        source: unescape(tail[1]),
        super_options: options(tail[2]),
    })
}

/// The kernel writes space, tab, newline and backslash in paths as octal escapes (`\040`).
fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes.get(i + 1..i + 4).filter(|d| {
            bytes[i] == b'\\' && d.iter().all(|c| (b'0'..=b'7').contains(c)) && d[0] <= b'3'
        });
        match octal {
            Some(d) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\
22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/mapper/root rw,errors=remount-ro
30 22 0:26 / /tmp rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=1g
40 22 8:17 / /srv/d1 rw,noatime shared:9 - xfs /dev/sdb1 rw,attr2
41 22 8:33 / /srv/my\\040disk rw,noatime - xfs /dev/sdc1 rw
42 40 8:17 /sub /srv/d1/ro ro,relatime - xfs /dev/sdb1 rw
";

    #[test]
    fn finds_the_innermost_mount_of_a_path() {
        let t = MountTable::parse(SAMPLE).unwrap();
        let at = |p: &str| t.containing(Path::new(p)).unwrap();
        assert_eq!(at("/srv/d1/data").device, "8:17");
        assert_eq!(at("/srv/d1/data").fs_type, "xfs");
        assert!(!at("/srv/d1").read_only());
        assert!(at("/srv/d1/ro/x").read_only());
        // `/srv/d10` is not under `/srv/d1`: prefixes count whole components.
        assert_eq!(at("/srv/d10").mount_point, PathBuf::from("/"));
        assert_eq!(at("/srv/my disk/x").source, "/dev/sdc1");
        assert!(at("/tmp/x").volatile());
        assert!(!at("/var/lib/oosd").volatile());
    }

    #[test]
    fn odd_lines_are_errors_not_panics() {
        for bad in ["garbage", "1 2 3 - x", "1 2 8:1 / /x rw - ext4", "\\"] {
            assert!(MountTable::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(unescape("a\\040b\\\\c\\9"), "a b\\\\c\\9");
        assert_eq!(unescape("\\134"), "\\");
        assert_eq!(unescape("end\\04"), "end\\04");
    }
}

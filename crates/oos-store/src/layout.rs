//! Layouts: `EC_N_M` = N data shards and M parity shards per stripe; M = 0 means N replicas.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Layout {
    pub data: u8,
    pub parity: u8,
}

impl Layout {
    /// One plain copy: what a single-disk store writes.
    pub const SINGLE: Layout = Layout { data: 1, parity: 0 };

    pub fn new(data: u8, parity: u8) -> Layout {
        Layout { data, parity }
    }

    /// Shard files per data id (each on its own disk).
    pub fn shards(&self) -> usize {
        self.data as usize + self.parity as usize
    }

    /// Replicas: every shard holds the whole payload, any one of them serves a read.
    pub fn is_replicated(&self) -> bool {
        self.parity == 0
    }

    /// Shards that must be durable before a write is acknowledged: enough to read the data
    /// back (N) and a strict majority, so two writers' views of "durable" always overlap. For
    /// replicas it is the majority alone (any one replica can serve a read).
    pub fn write_quorum(&self) -> usize {
        let majority = self.shards() / 2 + 1;
        if self.is_replicated() {
            majority
        } else {
            majority.max(self.data as usize)
        }
    }

    /// Shards a read needs per stripe.
    pub fn read_quorum(&self) -> usize {
        if self.is_replicated() {
            1
        } else {
            self.data as usize
        }
    }

    /// Shard chunk size for a stripe of (at most) `stripe` payload bytes. Erasure-coded chunks
    /// are rounded up to 64 bytes, which the SIMD codec wants and costs nothing measurable.
    pub fn shard_chunk(&self, stripe: usize) -> usize {
        if self.is_replicated() {
            stripe
        } else {
            stripe.div_ceil(self.data as usize).next_multiple_of(64)
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EC_{}_{}", self.data, self.parity)
    }
}

impl FromStr for Layout {
    type Err = String;

    /// Parses `EC_N_M` (N ≥ 1, N + M ≤ 255).
    fn from_str(s: &str) -> Result<Layout, String> {
        let bad = || format!("bad layout {s:?}: expected EC_<data>_<parity>");
        let rest = s.strip_prefix("EC_").ok_or_else(bad)?;
        let (n, m) = rest.split_once('_').ok_or_else(bad)?;
        let data: u8 = n.parse().map_err(|_| bad())?;
        let parity: u8 = m.parse().map_err(|_| bad())?;
        if data == 0 || data as usize + parity as usize > 255 {
            return Err(bad());
        }
        Ok(Layout { data, parity })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quorums_and_parsing() {
        let l: Layout = "EC_4_2".parse().unwrap();
        assert_eq!(
            (l.data, l.parity, l.shards(), l.write_quorum()),
            (4, 2, 6, 4)
        );
        assert_eq!(Layout::new(2, 1).write_quorum(), 2);
        assert_eq!(Layout::new(8, 4).write_quorum(), 8);
        assert_eq!(Layout::new(3, 0).write_quorum(), 2);
        assert_eq!(Layout::new(1, 0).write_quorum(), 1);
        assert_eq!(Layout::new(2, 0).write_quorum(), 2);
        assert_eq!(l.to_string(), "EC_4_2");
        assert!("EC_0_2".parse::<Layout>().is_err());
        assert!("RS_4_2".parse::<Layout>().is_err());
        assert_eq!(Layout::new(4, 2).shard_chunk(1000), 256);
        assert_eq!(Layout::new(3, 0).shard_chunk(1000), 1000);
    }
}

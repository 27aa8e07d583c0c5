//! Rendezvous (highest-random-weight) placement: each disk's weight for a data id is
//! xxh3(data id ‖ disk uuid); shard i goes to the disk with the i-th highest weight. Adding or
//! losing a disk moves only the shards that hashed to it, and no placement table is stored.

use xxhash_rust::xxh3::xxh3_64;

fn weight(data_id: &str, disk_uuid: &str) -> u64 {
    let mut key = Vec::with_capacity(data_id.len() + 1 + disk_uuid.len());
    key.extend_from_slice(data_id.as_bytes());
    key.push(0);
    key.extend_from_slice(disk_uuid.as_bytes());
    xxh3_64(&key)
}

/// Indexes into `uuids`, highest weight first (ties, which need equal hashes, by index).
pub fn rank(data_id: &str, uuids: &[String]) -> Vec<usize> {
    let mut order: Vec<(u64, usize)> = uuids
        .iter()
        .enumerate()
        .map(|(i, u)| (weight(data_id, u), i))
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(_, i)| i).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_spread() {
        let uuids: Vec<String> = (0..6).map(|i| format!("disk-{i}")).collect();
        let a = rank("0123456789abcdef0123456789abcdef", &uuids);
        assert_eq!(a, rank("0123456789abcdef0123456789abcdef", &uuids));
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..6).collect::<Vec<_>>());
        // Every disk is first for some id: the load spreads.
        let mut firsts = [0; 6];
        for i in 0..600 {
            firsts[rank(&format!("{i:032x}"), &uuids)[0]] += 1;
        }
        assert!(firsts.iter().all(|&n| n > 50), "{firsts:?}");
        // Removing a disk keeps the relative order of the others.
        let fewer: Vec<String> = uuids[..5].to_vec();
        let b = rank("0123456789abcdef0123456789abcdef", &fewer);
        let a_without: Vec<usize> = a.into_iter().filter(|&i| i != 5).collect();
        assert_eq!(a_without, b);
    }
}

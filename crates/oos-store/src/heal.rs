//! Scrub (verify every chunk of every shard) and heal (rebuild missing or corrupt shards onto
//! their rendezvous disks). Both run as one blocking call and hold one stripe in memory.
//!
//! Scrub rebuilds nothing, but like any read it quarantines a shard that fails a check (a
//! corrupt file must not stay where a read would trust it) and queues the id as damaged.

use std::fs::File;
use std::io::Write;

use crate::codec;
use crate::layout::Layout;
use crate::reader::{ShardSet, Slot};
use crate::shard::{checksum, ShardHeader};
use crate::{rename, sync_dir, sync_file, DataStore, StoreError, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScrubReport {
    pub data_id: String,
    pub layout: Layout,
    pub stripes: u64,
    /// Shards found on no disk.
    pub missing_shards: Vec<u8>,
    /// Shards that failed a check (now quarantined).
    pub corrupt_shards: Vec<u8>,
    /// Stripes with too few intact shards to read: data loss.
    pub lost_stripes: u64,
}

impl ScrubReport {
    /// Every shard present and intact.
    pub fn is_healthy(&self) -> bool {
        self.missing_shards.is_empty() && self.corrupt_shards.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealReport {
    pub data_id: String,
    pub layout: Layout,
    /// Shards rewritten (they were missing or corrupt).
    pub rebuilt: Vec<u8>,
    /// Shards that need a rebuild but whose disk is offline or failed the write; heal again
    /// once it is back.
    pub unplaced: Vec<u8>,
}

pub(crate) fn scrub(store: &DataStore, data_id: &str) -> StoreResult<ScrubReport> {
    let mut set = ShardSet::discover(store, data_id)?;
    Ok(verify(&mut set))
}

fn verify(set: &mut ShardSet) -> ScrubReport {
    let layout = set.hdr.layout;
    for i in 0..layout.shards() {
        set.locate(i);
    }
    let mut lost = 0;
    for s in 0..set.hdr.stripes() {
        let mut good = 0;
        for i in 0..layout.shards() {
            if matches!(set.slots[i], Slot::Open { .. }) && set.read(i, s).is_some() {
                good += 1;
            }
        }
        if good < layout.read_quorum() {
            lost += 1;
        }
    }
    let pick = |f: fn(&Slot) -> bool| -> Vec<u8> {
        (0..layout.shards())
            .filter(|&i| f(&set.slots[i]))
            .map(|i| i as u8)
            .collect()
    };
    let report = ScrubReport {
        data_id: set.data_id.clone(),
        layout,
        stripes: set.hdr.stripes(),
        missing_shards: pick(|s| matches!(s, Slot::Missing)),
        corrupt_shards: pick(|s| matches!(s, Slot::Bad)),
        lost_stripes: lost,
    };
    if !report.is_healthy() {
        set.store.record_damage(&set.data_id);
    }
    report
}

pub(crate) fn heal(store: &DataStore, data_id: &str) -> StoreResult<HealReport> {
    let mut set = ShardSet::discover(store, data_id)?;
    let scrubbed = verify(&mut set);
    if scrubbed.lost_stripes > 0 {
        return Err(StoreError::Corrupt {
            data_id: data_id.to_string(),
            reason: format!(
                "{} of {} stripes have too few intact shards to rebuild",
                scrubbed.lost_stripes, scrubbed.stripes
            ),
        });
    }
    let layout = set.hdr.layout;
    let mut report = HealReport {
        data_id: data_id.to_string(),
        layout,
        rebuilt: Vec::new(),
        unplaced: Vec::new(),
    };
    let need: Vec<usize> = (0..layout.shards())
        .filter(|&i| !matches!(set.slots[i], Slot::Open { .. }))
        .collect();
    if need.is_empty() {
        return Ok(report);
    }
    // Targets: each shard's rendezvous disk, if writable. The header is final from the start:
    // the payload size is known, and the file is invisible until renamed.
    let mut targets: Vec<(usize, usize, File)> = Vec::new();
    for &i in &need {
        let d = set.rank[i];
        let disk = store.disk(d);
        let hdr = ShardHeader::new(layout, i as u8, set.hdr.chunk, set.hdr.payload);
        let created = disk.writable().then(|| {
            let mut f = File::options()
                .write(true)
                .create(true)
                .truncate(true)
                .open(disk.tmp_path(data_id, i))?;
            f.write_all(&hdr.encode())?;
            Ok::<_, std::io::Error>(f)
        });
        match created {
            Some(Ok(f)) => targets.push((i, d, f)),
            _ => report.unplaced.push(i as u8),
        }
    }
    let result = rebuild(&mut set, &mut targets);
    if let Err(e) = result {
        for (i, d, _) in &targets {
            let _ = std::fs::remove_file(store.disk(*d).tmp_path(data_id, *i));
        }
        return Err(e);
    }
    for (i, d, f) in targets {
        let disk = store.disk(d);
        let tmp = disk.tmp_path(data_id, i);
        let target = disk.shard_path(data_id, i);
        let published = sync_file(&f)
            .and_then(|()| {
                // A corrupt file that could not be quarantined is still there: keep it aside
                // rather than overwrite the evidence.
                if target.exists() {
                    disk.quarantine(&target);
                }
                rename(&tmp, &target)
            })
            .and_then(|()| sync_dir(&disk.data_dir(data_id)));
        match published {
            Ok(()) => report.rebuilt.push(i as u8),
            Err(e) => {
                tracing::warn!(data_id, shard = i, error = %e, "heal could not write shard");
                let _ = std::fs::remove_file(&tmp);
                report.unplaced.push(i as u8);
            }
        }
    }
    report.unplaced.sort_unstable();
    tracing::info!(data_id, rebuilt = ?report.rebuilt, unplaced = ?report.unplaced, "healed");
    Ok(report)
}

/// Streams every stripe: reads the intact shards, rebuilds the whole stripe, writes the
/// rebuilt shards' chunks.
fn rebuild(set: &mut ShardSet, targets: &mut [(usize, usize, File)]) -> StoreResult<()> {
    let layout = set.hdr.layout;
    for s in 0..set.hdr.stripes() {
        let mut chunks: Vec<Option<Vec<u8>>> = (0..layout.shards())
            .map(|i| {
                matches!(set.slots[i], Slot::Open { .. })
                    .then(|| set.read(i, s))
                    .flatten()
            })
            .collect();
        let fail = |why: String| StoreError::Corrupt {
            data_id: set.data_id.clone(),
            reason: format!("stripe {s}: {why}"),
        };
        if layout.is_replicated() {
            let copy = chunks.iter().flatten().next().cloned();
            let copy = copy.ok_or_else(|| fail("no intact replica".into()))?;
            for c in chunks.iter_mut().filter(|c| c.is_none()) {
                *c = Some(copy.clone());
            }
        } else {
            codec::reconstruct(layout, &mut chunks, true).map_err(fail)?;
        }
        for (i, _, f) in targets.iter_mut() {
            let chunk = chunks[*i].as_deref().expect("rebuilt above");
            f.write_all(chunk)?;
            f.write_all(&checksum(chunk))?;
        }
    }
    Ok(())
}

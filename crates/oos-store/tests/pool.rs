//! Pools and erasure coding on real directories: every layout must return exact bytes or an
//! error, whatever happens to up to M shards, and never wrong bytes beyond that.

use std::path::{Path, PathBuf};

use oos_store::{DataStore, DiskState, Layout, StoreError};
use rand::Rng;

/// Stripe payload size: EC_2_1 → 2 × 2048, EC_4_2 → 4 × 1024, EC_3_0 → 3 replicas of 4096.
const STRIPE: usize = 4096;
const LAYOUTS: [Layout; 3] = [
    Layout { data: 2, parity: 1 },
    Layout { data: 4, parity: 2 },
    Layout { data: 3, parity: 0 },
];

fn pattern(n: usize, seed: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 31 + seed * 7) % 251) as u8).collect()
}

/// Shards a layout can lose and still read: M, or N - 1 for replicas.
fn redundancy(l: Layout) -> usize {
    if l.parity == 0 {
        l.data as usize - 1
    } else {
        l.parity as usize
    }
}

fn disks(dir: &Path, n: usize) -> Vec<PathBuf> {
    (0..n)
        .map(|i| {
            let p = dir.join(format!("d{i}"));
            std::fs::create_dir_all(&p).unwrap();
            p
        })
        .collect()
}

fn open(dirs: &[PathBuf]) -> DataStore {
    let (store, reports) = DataStore::open_pool_with("t", dirs, STRIPE, Layout::SINGLE).unwrap();
    assert!(reports.iter().all(|r| r.state == DiskState::Online));
    store
}

async fn write(store: &DataStore, layout: Layout, data: &[u8]) -> oos_store::WriteReport {
    let mut w = store.writer_with(layout).unwrap();
    for piece in data.chunks(1000) {
        w.write(piece).await.unwrap();
    }
    w.finish_with_report().await.unwrap()
}

async fn read(store: &DataStore, id: &str, offset: u64, len: u64) -> Result<Vec<u8>, StoreError> {
    let mut r = store.reader(id, offset, len).await?;
    let mut out = Vec::new();
    while let Some(piece) = r.next().await? {
        out.extend_from_slice(&piece);
    }
    Ok(out)
}

/// The file of shard `i` of `id`, wherever it is.
fn shard_file(dirs: &[PathBuf], id: &str, i: usize) -> Option<PathBuf> {
    dirs.iter()
        .map(|d| d.join("data").join(&id[..2]).join(format!("{id}.{i}")))
        .find(|p| p.exists())
}

fn all_shard_files(dirs: &[PathBuf], id: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        if let Ok(entries) = std::fs::read_dir(d.join("data").join(&id[..2])) {
            for e in entries.flatten() {
                if e.file_name().to_string_lossy().starts_with(id) {
                    out.push(e.path());
                }
            }
        }
    }
    out
}

fn quarantined(dirs: &[PathBuf]) -> usize {
    dirs.iter()
        .filter_map(|d| std::fs::read_dir(d.join("quarantine")).ok())
        .map(|e| e.count())
        .sum()
}

/// Flips a few random bytes in the body of a shard file (past the 40-byte header), one of
/// them in the first chunk: a read that falls back from replica to replica then meets every
/// corrupt file at the first stripe, so which files get quarantined does not depend on luck.
fn corrupt(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let mut rng = rand::thread_rng();
    let first = rng.gen_range(40..104);
    bytes[first] ^= 0x5a;
    for _ in 0..2 {
        let at = rng.gen_range(40..bytes.len());
        bytes[at] ^= 0x5a;
    }
    std::fs::write(path, bytes).unwrap();
}

fn truncate(path: &Path) {
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    let len = f.metadata().unwrap().len();
    f.set_len(len / 2).unwrap();
}

#[tokio::test]
async fn round_trips_at_every_size_and_places_shards_on_distinct_disks() {
    for layout in LAYOUTS {
        let dir = tempfile::tempdir().unwrap();
        let dirs = disks(dir.path(), 6);
        let store = open(&dirs);
        for (seed, size) in [0, 1, STRIPE - 1, STRIPE, STRIPE + 1, 3 * STRIPE + 17]
            .into_iter()
            .enumerate()
        {
            let data = pattern(size, seed);
            let rep = write(&store, layout, &data).await;
            assert!(rep.missing_shards.is_empty());
            let id = rep.data_id;
            assert_eq!(
                read(&store, &id, 0, size as u64).await.unwrap(),
                data,
                "{layout} {size}"
            );
            let files = all_shard_files(&dirs, &id);
            assert_eq!(files.len(), layout.shards(), "{layout}: one file per shard");
            let mut on: Vec<&Path> = files.iter().map(|f| f.parent().unwrap()).collect();
            on.dedup();
            assert_eq!(on.len(), layout.shards(), "{layout}: distinct disks");
        }
        assert!(store.take_damaged().is_empty());
    }
}

#[tokio::test]
async fn ranged_reads_across_stripe_boundaries() {
    for layout in LAYOUTS {
        let dir = tempfile::tempdir().unwrap();
        let dirs = disks(dir.path(), 6);
        let store = open(&dirs);
        let size = 3 * STRIPE + 17;
        let data = pattern(size, 3);
        let id = write(&store, layout, &data).await.data_id;
        let s = STRIPE as u64;
        for (off, len) in [
            (0, 1),
            (s - 1, 2),
            (s, s),
            (100, 2 * s),
            (3 * s, 17),
            (3 * s + 16, 1),
            (5, 0),
        ] {
            let got = read(&store, &id, off, len).await.unwrap();
            assert_eq!(
                got,
                &data[off as usize..(off + len) as usize],
                "{layout} {off}+{len}"
            );
        }
        assert!(
            read(&store, &id, 3 * s, 18).await.is_err(),
            "beyond the data"
        );
    }
}

#[tokio::test]
async fn lost_disks_corrupt_and_truncated_shards_still_read_exactly() {
    for layout in LAYOUTS {
        let r = redundancy(layout);
        let size = 3 * STRIPE + 17;
        let data = pattern(size, 5);
        // A whole disk directory deleted under a running pool.
        let dir = tempfile::tempdir().unwrap();
        let dirs = disks(dir.path(), 6);
        let store = open(&dirs);
        let id = write(&store, layout, &data).await.data_id;
        for i in 0..r {
            let f = shard_file(&dirs, &id, i).unwrap();
            let disk = f.ancestors().nth(3).unwrap().to_path_buf();
            std::fs::remove_dir_all(disk).unwrap();
        }
        assert_eq!(
            read(&store, &id, 0, size as u64).await.unwrap(),
            data,
            "{layout}"
        );
        assert_eq!(store.take_damaged(), vec![id.clone()]);

        // Random bytes flipped: exact bytes, corrupt files quarantined.
        let dir = tempfile::tempdir().unwrap();
        let dirs = disks(dir.path(), 6);
        let store = open(&dirs);
        let id = write(&store, layout, &data).await.data_id;
        let files: Vec<PathBuf> = (0..r).map(|i| shard_file(&dirs, &id, i).unwrap()).collect();
        files.iter().for_each(|f| corrupt(f));
        assert_eq!(
            read(&store, &id, 0, size as u64).await.unwrap(),
            data,
            "{layout}"
        );
        assert!(files.iter().all(|f| !f.exists()), "{layout}: moved aside");
        assert_eq!(quarantined(&dirs), r);
        assert_eq!(store.take_damaged(), vec![id.clone()]);

        // Truncated files.
        let id = write(&store, layout, &data).await.data_id;
        for i in 0..r {
            truncate(&shard_file(&dirs, &id, i).unwrap());
        }
        assert_eq!(
            read(&store, &id, 0, size as u64).await.unwrap(),
            data,
            "{layout}"
        );
        assert_eq!(
            read(&store, &id, 2 * STRIPE as u64, 100).await.unwrap(),
            &data[2 * STRIPE..2 * STRIPE + 100]
        );
    }
}

#[tokio::test]
async fn more_damage_than_parity_is_an_error_never_wrong_bytes() {
    for layout in LAYOUTS {
        let dir = tempfile::tempdir().unwrap();
        let dirs = disks(dir.path(), 6);
        let store = open(&dirs);
        let size = 2 * STRIPE + 17;
        let data = pattern(size, 9);
        // Corrupt one stripe only in r + 1 shards: the other stripes still read.
        let id = write(&store, layout, &data).await.data_id;
        for i in 0..=redundancy(layout) {
            let f = shard_file(&dirs, &id, i).unwrap();
            let mut bytes = std::fs::read(&f).unwrap();
            bytes[45] ^= 1; // inside stripe 0's chunk
            std::fs::write(&f, bytes).unwrap();
        }
        let err = read(&store, &id, 0, size as u64).await.unwrap_err();
        assert!(
            matches!(err, StoreError::Corrupt { .. }),
            "{layout}: {err:?}"
        );
        // Missing shards: the same.
        let id = write(&store, layout, &data).await.data_id;
        for i in 0..=redundancy(layout) {
            std::fs::remove_file(shard_file(&dirs, &id, i).unwrap()).unwrap();
        }
        // Replicas all gone is simply no data; erasure-coded leftovers are corrupt data.
        let gone = |e: &StoreError| match layout.parity {
            0 => matches!(e, StoreError::NotFound(_)),
            _ => matches!(e, StoreError::Corrupt { .. }),
        };
        let err = read(&store, &id, STRIPE as u64, 10).await.unwrap_err();
        assert!(gone(&err), "{layout}: {err:?}");
        let err = store.heal(&id).await.unwrap_err();
        assert!(gone(&err), "{layout}: {err:?}");
    }
}

#[tokio::test]
async fn heal_restores_full_redundancy() {
    for layout in LAYOUTS {
        let dir = tempfile::tempdir().unwrap();
        let dirs = disks(dir.path(), 6);
        let store = open(&dirs);
        let size = 3 * STRIPE + 17;
        let data = pattern(size, 11);
        let id = write(&store, layout, &data).await.data_id;
        let r = redundancy(layout);
        let total = layout.shards();
        // Damage the first r shards: one corrupt, the rest deleted.
        corrupt(&shard_file(&dirs, &id, 0).unwrap());
        for i in 1..r {
            std::fs::remove_file(shard_file(&dirs, &id, i).unwrap()).unwrap();
        }
        let scrub = store.scrub(&id).await.unwrap();
        assert!(
            !scrub.is_healthy() && scrub.lost_stripes == 0,
            "{layout}: {scrub:?}"
        );
        let healed = store.heal(&id).await.unwrap();
        assert_eq!(healed.rebuilt, (0..r as u8).collect::<Vec<_>>(), "{layout}");
        assert!(healed.unplaced.is_empty());
        assert!(store.scrub(&id).await.unwrap().is_healthy(), "{layout}");
        assert!(store.heal(&id).await.unwrap().rebuilt.is_empty());
        // Now damage r *other* shards: the rebuilt ones must carry the read.
        let other: Vec<usize> = (r..total).chain(0..r).take(r).collect();
        for (k, &i) in other.iter().enumerate() {
            let f = shard_file(&dirs, &id, i).unwrap();
            if k % 2 == 0 {
                corrupt(&f)
            } else {
                truncate(&f)
            }
        }
        assert_eq!(
            read(&store, &id, 0, size as u64).await.unwrap(),
            data,
            "{layout}"
        );
    }
}

#[tokio::test]
async fn writes_with_missing_disks_need_a_quorum() {
    for layout in LAYOUTS {
        let total = layout.shards();
        let spare = total - layout.write_quorum();
        // A pool of exactly N + M disks, so every missing disk is a missing shard.
        for missing in [spare, spare + 1] {
            let dir = tempfile::tempdir().unwrap();
            let dirs = disks(dir.path(), total);
            for d in &dirs[..missing] {
                std::fs::remove_dir_all(d).unwrap();
            }
            let (store, reports) =
                DataStore::open_pool_with("t", &dirs, STRIPE, Layout::SINGLE).unwrap();
            assert_eq!(
                reports
                    .iter()
                    .filter(|r| r.state == DiskState::Missing)
                    .count(),
                missing
            );
            let data = pattern(2 * STRIPE + 5, 1);
            let mut w = store.writer_with(layout).unwrap();
            let id = w.data_id().to_string();
            let result = async {
                for piece in data.chunks(1000) {
                    w.write(piece).await?;
                }
                w.finish_with_report().await
            }
            .await;
            if missing == spare {
                let rep = result.unwrap();
                assert_eq!(rep.missing_shards.len(), missing, "{layout}");
                assert_eq!(read(&store, &id, 0, data.len() as u64).await.unwrap(), data);
                assert_eq!(store.take_damaged().is_empty(), missing == 0);
            } else {
                let err = result.unwrap_err();
                assert!(
                    matches!(err, StoreError::QuorumLost(_)),
                    "{layout}: {err:?}"
                );
                assert!(
                    all_shard_files(&dirs, &id).is_empty(),
                    "{layout}: nothing visible"
                );
                for d in &dirs[missing..] {
                    assert_eq!(std::fs::read_dir(d.join("tmp")).unwrap().count(), 0);
                }
                assert!(matches!(
                    store.reader(&id, 0, 1).await.err(),
                    Some(StoreError::NotFound(_))
                ));
            }
        }
    }
}

#[tokio::test]
async fn cannot_place_more_shards_than_disks() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = disks(dir.path(), 3);
    let store = open(&dirs);
    match store.writer_with(Layout::new(4, 2)) {
        Err(StoreError::CannotPlace(why)) => {
            assert!(why.contains("EC_4_2 needs 6 disks, pool t has 3"), "{why}")
        }
        other => panic!("{:?}", other.err()),
    }
    assert!(store.writer_with(Layout::new(2, 1)).is_ok());
    assert_eq!("EC_4_2".parse::<Layout>().unwrap(), Layout::new(4, 2));
}

#[tokio::test]
async fn foreign_and_missing_disks_are_reported_and_the_pool_serves() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = disks(dir.path(), 6);
    let store = open(&dirs);
    let uuids: Vec<String> = store.disks().into_iter().map(|d| d.uuid).collect();
    assert!(store
        .disks()
        .iter()
        .all(|d| d.free_bytes.is_some() && d.total_bytes.is_some()));
    let data = pattern(2 * STRIPE + 3, 2);
    let old = write(&store, Layout::new(2, 1), &data).await.data_id;
    drop(store);

    // Disk 1 gone, disk 2 belongs to another pool, disks 4 and 5 swapped in the config.
    std::fs::remove_dir_all(&dirs[1]).unwrap();
    let id2 = dirs[2].join("oos-disk.json");
    let text = std::fs::read_to_string(&id2)
        .unwrap()
        .replace("\"t\"", "\"other\"");
    std::fs::write(&id2, text).unwrap();
    let mut config = dirs.clone();
    config.swap(4, 5);
    let (store, reports) = DataStore::open_pool_with("t", &config, STRIPE, Layout::SINGLE).unwrap();
    assert_eq!(reports[0].state, DiskState::Online);
    assert_eq!(reports[1].state, DiskState::Missing);
    assert!(matches!(&reports[2].state, DiskState::Foreign(why) if why.contains("other")));
    assert!(matches!(&reports[4].state, DiskState::Foreign(why) if why.contains("disk 5")));
    assert!(matches!(&reports[5].state, DiskState::Foreign(_)));
    // The missing disk keeps its uuid (known from the others), so placement does not move.
    assert_eq!(store.disks()[1].uuid, uuids[1]);
    // Four of six disks are offline: a write succeeds when its rendezvous disks are online
    // and fails cleanly (QuorumLost) when they are not.
    let mut written = 0;
    for _ in 0..60 {
        let mut w = store.writer_with(Layout::new(2, 1)).unwrap();
        w.write(&data).await.unwrap_or(());
        match w.finish_with_report().await {
            Ok(rep) => {
                let got = read(&store, &rep.data_id, 0, data.len() as u64)
                    .await
                    .unwrap();
                assert_eq!(got, data);
                written += 1;
            }
            Err(e) => assert!(matches!(e, StoreError::QuorumLost(_)), "{e:?}"),
        }
    }
    assert!(written > 0);
    // Old data: written before, at least 2 of its 3 shards are on disks 0 and 3 or lost.
    let before = read(&store, &old, 0, data.len() as u64).await;
    assert!(before.is_err() || before.unwrap() == data);
    drop(store);

    // Back to the right config with a blank replacement for disk 1: it inherits the slot's
    // uuid, and heal rebuilds the shards it held.
    std::fs::create_dir_all(&dirs[1]).unwrap();
    let text = std::fs::read_to_string(&id2)
        .unwrap()
        .replace("\"other\"", "\"t\"");
    std::fs::write(&id2, text).unwrap();
    let store = open(&dirs);
    assert_eq!(
        store
            .disks()
            .into_iter()
            .map(|d| d.uuid)
            .collect::<Vec<_>>(),
        uuids
    );
    store.heal(&old).await.unwrap();
    assert!(store.scrub(&old).await.unwrap().is_healthy());
    assert_eq!(
        read(&store, &old, 0, data.len() as u64).await.unwrap(),
        data
    );

    // No usable disk at all is an error.
    assert!(DataStore::open_pool("elsewhere", &dirs).is_err());
    let gone = vec![dir.path().join("nope")];
    assert!(DataStore::open_pool("t", &gone).is_err());
}

#[tokio::test]
async fn format_v1_single_file_still_reads() {
    let dir = tempfile::tempdir().unwrap();
    let id = "00112233445566778899aabbccddeeff";
    let data = pattern(250, 4);
    // Header: magic, chunk size 100, codec 0; then chunks of 100 bytes + xxh3-64.
    let mut file = b"OOSDAT01".to_vec();
    file.extend_from_slice(&100u32.to_le_bytes());
    file.extend_from_slice(&[0; 4]);
    for c in data.chunks(100) {
        file.extend_from_slice(c);
        file.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(c).to_le_bytes());
    }
    let store = DataStore::open(dir.path()).unwrap();
    let path = dir.path().join("data").join(&id[..2]).join(id);
    std::fs::write(&path, &file).unwrap();
    assert_eq!(read(&store, id, 0, 250).await.unwrap(), data);
    assert_eq!(read(&store, id, 99, 102).await.unwrap(), &data[99..201]);
    assert!(store.scrub(id).await.unwrap().is_healthy());
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
    assert_eq!(
        store.data_ids_older_than(later).unwrap(),
        vec![id.to_string()]
    );
    store.delete(id).await.unwrap();
    assert!(!path.exists());
}

#[tokio::test]
async fn delete_and_listing_cover_every_disk() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = disks(dir.path(), 6);
    let store = open(&dirs);
    let a = write(&store, Layout::new(4, 2), &pattern(5000, 1))
        .await
        .data_id;
    let b = write(&store, Layout::new(3, 0), &pattern(10, 1))
        .await
        .data_id;
    let c = store.writer().finish().await.unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
    let mut ids = store.data_ids_older_than(later).unwrap();
    ids.sort();
    let mut want = vec![a.clone(), b.clone(), c.clone()];
    want.sort();
    assert_eq!(ids, want);
    for id in [&a, &b, &c] {
        store.delete(id).await.unwrap();
        store.delete(id).await.unwrap();
        assert!(all_shard_files(&dirs, id).is_empty());
    }
    assert!(store.data_ids_older_than(later).unwrap().is_empty());

    // An abandoned write leaves nothing in any tmp/.
    let mut w = store.writer_with(Layout::new(4, 2)).unwrap();
    w.write(&pattern(3 * STRIPE, 0)).await.unwrap();
    drop(w);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    for d in &dirs {
        assert_eq!(std::fs::read_dir(d.join("tmp")).unwrap().count(), 0);
    }
}

/// Placement asks `can_take` before it sends a body to a pool: it must see disks that went
/// away (identity gone: unmounted or replaced) and disks without room.
#[test]
fn can_take_sees_missing_disks_and_space() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = disks(dir.path(), 3);
    let store = open(&dirs);
    let ec21 = Layout { data: 2, parity: 1 };
    assert!(store.can_take(ec21, 1 << 20));
    // EC_4_2 needs 6 disks: never placeable here.
    assert!(!store.can_take(Layout { data: 4, parity: 2 }, 1));
    // More than any disk holds.
    assert!(!store.can_take(ec21, u64::MAX / 2));
    // One disk gone: the write quorum of EC_2_1 (2) is still there.
    std::fs::remove_file(dirs[0].join(oos_store::IDENTITY_FILE)).unwrap();
    assert!(store.can_take(ec21, 1 << 20));
    // Two gone: below quorum.
    std::fs::remove_dir_all(&dirs[1]).unwrap();
    assert!(!store.can_take(ec21, 1 << 20));
    assert!(store.can_take(Layout { data: 1, parity: 0 }, 1 << 20));
}

#[tokio::test]
async fn whole_reads_copy_stored_bytes_into_another_layout() {
    let dir = tempfile::tempdir().unwrap();
    let dirs = disks(dir.path(), 6);
    let store = open(&dirs);
    for size in [0, 1, STRIPE - 1, STRIPE, 3 * STRIPE + 17] {
        let data = pattern(size, size);
        let from = write(&store, Layout::new(1, 0), &data).await;
        let mut reader = store.reader_whole(&from.data_id).await.unwrap();
        assert_eq!(reader.layout(), Layout::new(1, 0));
        assert_eq!(reader.payload_len(), size as u64);
        let mut writer = store.writer_with(Layout::new(4, 2)).unwrap();
        while let Some(piece) = reader.next().await.unwrap() {
            writer.write(&piece).await.unwrap();
        }
        let to = writer.finish_with_report().await.unwrap();
        assert_ne!(to.data_id, from.data_id);
        assert_eq!(all_shard_files(&dirs, &to.data_id).len(), 6, "size {size}");
        let copied = store.reader_whole(&to.data_id).await.unwrap();
        assert_eq!(copied.layout(), Layout::new(4, 2));
        assert_eq!(
            read(&store, &to.data_id, 0, size as u64).await.unwrap(),
            data
        );
        // A whole read survives losing parity's worth of shards.
        for i in 0..2 {
            std::fs::remove_file(shard_file(&dirs, &to.data_id, i).unwrap()).unwrap();
        }
        let mut r = store.reader_whole(&to.data_id).await.unwrap();
        let mut out = Vec::new();
        while let Some(piece) = r.next().await.unwrap() {
            out.extend_from_slice(&piece);
        }
        assert_eq!(out, data, "size {size}");
    }
    assert!(matches!(
        store.reader_whole("0123456789abcdef0123456789abcdef").await,
        Err(StoreError::NotFound(_))
    ));
}

#[test]
fn inspect_disk_judges_identities_as_open_does_without_writing() {
    use oos_store::{inspect_disk, DiskIdentity, Refusal, IDENTITY_FILE};
    let dir = tempfile::tempdir().unwrap();
    let dirs = disks(dir.path(), 3);
    assert_eq!(inspect_disk("t", 0, &dirs[0]), DiskIdentity::Blank);
    // Asking formats nothing.
    assert!(!dirs[0].join(IDENTITY_FILE).exists());
    assert!(!dirs[0].join("tmp").exists());
    drop(open(&dirs));
    match inspect_disk("t", 1, &dirs[1]) {
        DiskIdentity::Member { uuid, members } => {
            assert_eq!(uuid.len(), 36);
            assert_eq!(members, 3);
        }
        other => panic!("{other:?}"),
    }
    let refused = |found: DiskIdentity| match found {
        DiskIdentity::Refused(why) => why,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        refused(inspect_disk("other", 1, &dirs[1])),
        Refusal::OtherPool("t".into())
    );
    let slot = refused(inspect_disk("t", 2, &dirs[1]));
    assert_eq!(
        slot.to_string(),
        "is disk 1 of pool \"t\", configured as disk 2"
    );
    std::fs::write(dirs[2].join(IDENTITY_FILE), b"{not json").unwrap();
    assert!(matches!(
        refused(inspect_disk("t", 2, &dirs[2])),
        Refusal::Damaged(_)
    ));
    assert_eq!(
        refused(inspect_disk("t", 0, &dir.path().join("absent"))),
        Refusal::NotADirectory
    );
}

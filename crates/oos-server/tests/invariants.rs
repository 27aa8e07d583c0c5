//! Storage invariants of DESIGN §3, end to end against the real binary: immutable data under
//! overwrite, no mixed or partial objects, crash safety, restart recovery.

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use common::{files_under, md5_hex, test_bytes, Oosd};

async fn make_bucket(s3: &Client, name: &str) {
    s3.create_bucket().bucket(name).send().await.unwrap();
}

async fn put(s3: &Client, bucket: &str, key: &str, body: Vec<u8>) {
    s3.put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
}

async fn get(s3: &Client, bucket: &str, key: &str) -> Vec<u8> {
    s3.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("get {key}: {}", aws_sdk_s3::error::DisplayErrorContext(e)))
        .body
        .collect()
        .await
        .expect("read body")
        .into_bytes()
        .to_vec()
}

/// The embedded pool's disk directories (`<data_dir>/data/disk1..6`).
fn disks(srv_dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    (1..=6)
        .map(|i| srv_dir.join("data").join(format!("disk{i}")))
        .collect()
}

/// The shard files of objects (`<disk>/data/xx/<32 hex>.<shard>` on every disk).
fn data_files(srv_dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    disks(srv_dir)
        .iter()
        .flat_map(|d| files_under(&d.join("data")))
        .collect()
}

/// Temporary files on every disk.
fn temp_files(srv_dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    disks(srv_dir)
        .iter()
        .flat_map(|d| files_under(&d.join("tmp")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_started_before_an_overwrite_finishes_with_the_old_bytes() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    let writer = srv.s3_client();
    make_bucket(&s3, "overwrite").await;
    let old = test_bytes(30 << 20, 100);
    put(&s3, "overwrite", "big", old.clone()).await;

    let mut resp = s3
        .get_object()
        .bucket("overwrite")
        .key("big")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.content_length(), Some(30 << 20));
    let mut got = Vec::with_capacity(old.len());
    while got.len() < 1 << 20 {
        let chunk = resp
            .body
            .next()
            .await
            .expect("more body")
            .expect("body chunk");
        got.extend_from_slice(&chunk);
    }

    let new = test_bytes(3 << 20, 101);
    put(&writer, "overwrite", "big", new.clone()).await;
    assert!(
        get(&writer, "overwrite", "big").await == new,
        "a new GET sees the new object"
    );
    // A delete too: the old GET must still finish.
    writer
        .delete_object()
        .bucket("overwrite")
        .key("big")
        .send()
        .await
        .unwrap();

    while let Some(chunk) = resp.body.next().await {
        got.extend_from_slice(&chunk.expect("body chunk"));
    }
    assert_eq!(got.len(), old.len());
    assert!(
        md5_hex(&got) == md5_hex(&old),
        "the GET that started before the overwrite returns the old bytes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_overwrites_never_expose_a_mix() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "mix").await;
    let bodies: Vec<Vec<u8>> = (0..21).map(|i| test_bytes(2 << 20, 500 + i)).collect();
    let md5s: HashSet<String> = bodies.iter().map(|b| md5_hex(b)).collect();
    assert_eq!(md5s.len(), bodies.len());
    put(&s3, "mix", "hot", bodies[0].clone()).await;

    let done = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..2 {
        let s3 = srv.s3_client();
        let done = done.clone();
        let md5s = md5s.clone();
        readers.push(tokio::spawn(async move {
            let mut reads = 0usize;
            while !done.load(Ordering::SeqCst) || reads < 3 {
                let body = get(&s3, "mix", "hot").await;
                let sum = md5_hex(&body);
                assert!(
                    md5s.contains(&sum),
                    "GET {reads} returned {} bytes that match no written body",
                    body.len()
                );
                reads += 1;
            }
            reads
        }));
    }
    for body in &bodies[1..] {
        put(&s3, "mix", "hot", body.clone()).await;
    }
    done.store(true, Ordering::SeqCst);
    let mut total = 0;
    for r in readers {
        total += r.await.expect("reader task");
    }
    assert!(total >= 6, "reads happened: {total}");
    assert!(get(&s3, "mix", "hot").await == bodies[20]);
}

fn crash_body(key: &str) -> Vec<u8> {
    let n: u64 = key.bytes().map(u64::from).sum::<u64>() * 31 + key.len() as u64;
    let size = match n % 3 {
        0 => 1000 + (n % 5000) as usize,      // inline
        1 => 100_000 + (n % 50_000) as usize, // one data file
        _ => (1 << 20) + (n % 300_000) as usize,
    };
    test_bytes(size, n)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_puts_keeps_every_acknowledged_object_and_no_partial_one() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "crash").await;

    let acked: Arc<Mutex<HashMap<String, String>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..3 {
        let s3 = srv.s3_client();
        let acked = acked.clone();
        let count = count.clone();
        writers.push(tokio::spawn(async move {
            for i in 0.. {
                let key = format!("w{w}-{i:04}");
                let body = crash_body(&key);
                let sum = md5_hex(&body);
                let r = s3
                    .put_object()
                    .bucket("crash")
                    .key(&key)
                    .body(ByteStream::from(body))
                    .send()
                    .await;
                if r.is_err() {
                    return;
                }
                acked.lock().unwrap().insert(key, sum);
                count.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while count.load(Ordering::SeqCst) < 30 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dir = srv.kill9();
    for w in writers {
        w.await.expect("writer task");
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 30,
        "acknowledged before the crash: {}",
        acked.len()
    );

    let srv = Oosd::start_in(dir);
    let s3 = srv.s3_client();
    // Every acknowledged object reads back exactly.
    for (key, sum) in &acked {
        let body = get(&s3, "crash", key).await;
        assert_eq!(&md5_hex(&body), sum, "acknowledged {key} after the crash");
    }
    // Whatever is listed is complete: an in-flight PUT is either absent or whole.
    let pages: Vec<_> = s3
        .list_objects_v2()
        .bucket("crash")
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let mut listed = HashSet::new();
    for obj in pages.iter().flat_map(|p| p.contents()) {
        let key = obj.key().unwrap();
        listed.insert(key.to_string());
        let expected = crash_body(key);
        assert_eq!(obj.size(), Some(expected.len() as i64), "listed size {key}");
        if !acked.contains_key(key) {
            let body = get(&s3, "crash", key).await;
            assert!(body == expected, "in-flight {key} is visible but not whole");
        }
    }
    for key in acked.keys() {
        assert!(listed.contains(key), "{key} is listed");
    }
    // Nothing is left in the temp directory after the restart.
    assert!(temp_files(srv.data_path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_removes_temp_files_and_collects_orphan_data() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "recover").await;
    let big = test_bytes(200_000, 9);
    let small = b"inline".to_vec();
    put(&s3, "recover", "big", big.clone()).await;
    put(&s3, "recover", "small", small.clone()).await;
    let real_files = data_files(srv.data_path());
    assert_eq!(real_files.len(), 1, "one data file: {real_files:?}");
    let dir = srv.stop();

    let tmp = disks(dir.path())[0].join("tmp");
    assert!(tmp.is_dir(), "{} exists", tmp.display());
    std::fs::write(
        tmp.join("0123456789abcdef0123456789abcdef"),
        b"half a write",
    )
    .unwrap();
    std::fs::write(tmp.join("leftover.part"), b"x").unwrap();
    let orphan = disks(dir.path())[1]
        .join("data")
        .join("ab")
        .join("ab0123456789abcdef0123456789abcd.0");
    std::fs::write(&orphan, b"orphaned data of a crashed write").unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&orphan)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
    // A file that is not a data id is left alone.
    let not_an_id = orphan.with_file_name("README");
    std::fs::write(&not_an_id, b"not data").unwrap();

    let srv = Oosd::start_in(dir);
    assert!(
        files_under(&tmp).is_empty(),
        "temp files removed at start: {:?}",
        files_under(&tmp)
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while orphan.exists() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!orphan.exists(), "unreferenced data file collected");
    for f in &real_files {
        assert!(f.exists(), "data of a live object kept: {}", f.display());
    }
    assert!(not_an_id.exists(), "non-data files are not touched");
    let s3 = srv.s3_client();
    assert!(get(&s3, "recover", "big").await == big);
    assert!(get(&s3, "recover", "small").await == small);
}

/// Waits up to `secs` for `cond`.
async fn eventually(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overwritten_and_deleted_data_is_collected_after_the_grace_period() {
    let srv = Oosd::start_with_config("gc_grace_seconds = 1\n");
    let s3 = srv.s3_client();
    make_bucket(&s3, "gc-test").await;
    put(&s3, "gc-test", "k", test_bytes(200_000, 1)).await;
    let first = data_files(srv.data_path());
    assert_eq!(first.len(), 1);
    let second_body = test_bytes(300_000, 2);
    put(&s3, "gc-test", "k", second_body.clone()).await;
    assert!(
        eventually(8, || !first[0].exists()).await,
        "overwritten data collected"
    );
    let second = data_files(srv.data_path());
    assert_eq!(second.len(), 1, "only the live object's data: {second:?}");
    assert!(get(&s3, "gc-test", "k").await == second_body);

    // Multipart parts are collected when the object is deleted.
    let up = s3
        .create_multipart_upload()
        .bucket("gc-test")
        .key("mpu")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let mut parts = Vec::new();
    for n in 1..=2 {
        let size = if n == 1 { 5 << 20 } else { 10 };
        let r = s3
            .upload_part()
            .bucket("gc-test")
            .key("mpu")
            .upload_id(id)
            .part_number(n)
            .body(ByteStream::from(test_bytes(size, 10 + n as u64)))
            .send()
            .await
            .unwrap();
        parts.push(
            aws_sdk_s3::types::CompletedPart::builder()
                .part_number(n)
                .e_tag(r.e_tag().unwrap())
                .build(),
        );
    }
    s3.complete_multipart_upload()
        .bucket("gc-test")
        .key("mpu")
        .upload_id(id)
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(data_files(srv.data_path()).len(), 3);
    for key in ["k", "mpu"] {
        s3.delete_object()
            .bucket("gc-test")
            .key(key)
            .send()
            .await
            .unwrap();
    }
    let dir = srv.data_path().to_path_buf();
    assert!(
        eventually(8, || data_files(&dir).is_empty()).await,
        "deleted data collected: {:?}",
        data_files(&dir)
    );
}

/// Reads the first MiB of `key`, overwrites and deletes the object, waits well past the grace
/// period (1 s): the read still holds its data, so the collector leaves it alone. The rest of
/// the body must be the old bytes, and once the read is over the old data is collected.
async fn get_outlives_collection(srv: &Oosd, s3: &Client, key: &str, expected: &[u8]) {
    let files = data_files(srv.data_path());
    assert!(!files.is_empty());
    let mut resp = s3
        .get_object()
        .bucket("slow")
        .key(key)
        .send()
        .await
        .unwrap();
    let mut got = Vec::with_capacity(expected.len());
    while got.len() < 1 << 20 {
        got.extend_from_slice(&resp.body.next().await.unwrap().unwrap());
    }
    let other = srv.s3_client();
    put(&other, "slow", key, b"replacement".to_vec()).await;
    other
        .delete_object()
        .bucket("slow")
        .key(key)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(
        files.iter().all(|f| f.exists()),
        "data leased by a read in flight is not collected"
    );
    while let Some(chunk) = resp.body.next().await {
        match chunk {
            Ok(c) => got.extend_from_slice(&c),
            Err(e) => panic!(
                "the GET broke after {} of {} bytes: {}",
                got.len(),
                expected.len(),
                aws_sdk_s3::error::DisplayErrorContext(e)
            ),
        }
    }
    assert_eq!(got.len(), expected.len(), "length of the slow GET");
    assert!(got == expected, "the slow GET returns the old bytes");
    drop(resp);
    assert!(
        eventually(10, || files.iter().all(|f| !f.exists())).await,
        "the old data is collected once the read is over"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_get_of_a_single_file_object_survives_collection_of_its_data() {
    let srv = Oosd::start_with_config("gc_grace_seconds = 1\n");
    let s3 = srv.s3_client();
    make_bucket(&s3, "slow").await;
    let data = test_bytes(24 << 20, 77);
    put(&s3, "slow", "single", data.clone()).await;
    get_outlives_collection(&srv, &s3, "single", &data).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_get_of_a_multipart_object_survives_collection_of_its_parts() {
    let srv = Oosd::start_with_config("gc_grace_seconds = 1\n");
    let s3 = srv.s3_client();
    make_bucket(&s3, "slow").await;
    // Three 8 MiB parts: after 1 MiB is read, socket buffers hold at most a few MiB, so the
    // server has not reached the third part yet.
    let parts_data: Vec<Vec<u8>> = (0..3).map(|i| test_bytes(8 << 20, 200 + i)).collect();
    let up = s3
        .create_multipart_upload()
        .bucket("slow")
        .key("multi")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let mut parts = Vec::new();
    for (i, data) in parts_data.iter().enumerate() {
        let n = i as i32 + 1;
        let r = s3
            .upload_part()
            .bucket("slow")
            .key("multi")
            .upload_id(id)
            .part_number(n)
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap();
        parts.push(
            aws_sdk_s3::types::CompletedPart::builder()
                .part_number(n)
                .e_tag(r.e_tag().unwrap())
                .build(),
        );
    }
    s3.complete_multipart_upload()
        .bucket("slow")
        .key("multi")
        .upload_id(id)
        .multipart_upload(
            aws_sdk_s3::types::CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap();
    let whole = parts_data.concat();
    get_outlives_collection(&srv, &s3, "multi", &whole).await;
}

/// What a versioned crash test saw acknowledged: (key, version id) -> the body's MD5, or `None`
/// for a delete marker.
type Ledger = HashMap<(String, String), Option<String>>;

/// Issue 13's crash test: kill -9 during concurrent versioned overwrites and deletes. After the
/// restart every acknowledged version reads back exactly by its id, every acknowledged delete
/// marker is listed, and each key has exactly one latest version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_versioned_writes_keeps_every_acknowledged_version() {
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "vcrash").await;
    s3.put_bucket_versioning()
        .bucket("vcrash")
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let acked: Arc<Mutex<Ledger>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..3 {
        let s3 = srv.s3_client();
        let (acked, count) = (acked.clone(), count.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                // Writers share keys, so versions of one key race each other.
                let key = format!("k{}", (w + i) % 4);
                let entry = if i % 5 == 4 {
                    match s3.delete_object().bucket("vcrash").key(&key).send().await {
                        Ok(r) => (r.version_id().unwrap().to_string(), None),
                        Err(_) => return,
                    }
                } else {
                    let body = crash_body(&format!("{key}-{w}-{i}"));
                    let sum = md5_hex(&body);
                    let put = s3.put_object().bucket("vcrash").key(&key);
                    match put.body(ByteStream::from(body)).send().await {
                        Ok(r) => (r.version_id().unwrap().to_string(), Some(sum)),
                        Err(_) => return,
                    }
                };
                acked.lock().unwrap().insert((key, entry.0), entry.1);
                count.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while count.load(Ordering::SeqCst) < 40 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dir = srv.kill9();
    for w in writers {
        w.await.expect("writer task");
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 40, "acknowledged: {}", acked.len());

    let srv = Oosd::start_in(dir);
    let s3 = srv.s3_client();
    for ((key, version), sum) in &acked {
        let Some(sum) = sum else { continue };
        let r = s3
            .get_object()
            .bucket("vcrash")
            .key(key)
            .version_id(version)
            .send()
            .await
            .unwrap_or_else(|e| panic!("acknowledged {key} {version}: {e:?}"));
        let body = r.body.collect().await.unwrap().into_bytes();
        assert_eq!(&md5_hex(&body), sum, "acknowledged {key} {version}");
    }
    let mut listed: HashMap<(String, String), bool> = HashMap::new();
    let mut latest: HashMap<String, usize> = HashMap::new();
    let (mut key_marker, mut version_marker) = (None::<String>, None::<String>);
    for _ in 0..1000 {
        let page = s3
            .list_object_versions()
            .bucket("vcrash")
            .max_keys(50)
            .set_key_marker(key_marker.clone())
            .set_version_id_marker(version_marker.clone())
            .send()
            .await
            .unwrap();
        for v in page.versions() {
            let key = v.key().unwrap().to_string();
            *latest.entry(key.clone()).or_default() += usize::from(v.is_latest() == Some(true));
            listed.insert((key, v.version_id().unwrap().to_string()), false);
        }
        for m in page.delete_markers() {
            let key = m.key().unwrap().to_string();
            *latest.entry(key.clone()).or_default() += usize::from(m.is_latest() == Some(true));
            listed.insert((key, m.version_id().unwrap().to_string()), true);
        }
        if page.is_truncated() != Some(true) {
            break;
        }
        key_marker = page.next_key_marker().map(str::to_string);
        version_marker = page.next_version_id_marker().map(str::to_string);
    }
    for ((key, version), sum) in &acked {
        let is_marker = listed.get(&(key.clone(), version.clone()));
        assert_eq!(
            is_marker,
            Some(&sum.is_none()),
            "{key} {version} listed as what it was"
        );
    }
    assert!(
        latest.values().all(|n| *n == 1),
        "one latest version per key: {latest:?}"
    );
    assert!(temp_files(srv.data_path()).is_empty());
}

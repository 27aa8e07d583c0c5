//! End-to-end tests with the AWS Rust SDK (default settings, default checksums) against a
//! real `oosd`.

mod common;

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    ChecksumMode, CompletedMultipartUpload, CompletedPart, Delete, MetadataDirective,
    ObjectIdentifier,
};
use aws_sdk_s3::Client;
use common::{md5_hex, test_bytes, Oosd};
use oos_sign::ChecksumAlgorithm;

/// The S3 error code of a failed SDK call.
fn code_of<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> String {
    err.code().unwrap_or("").to_string()
}

fn status_of<E: std::error::Error + 'static>(
    err: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> u16 {
    err.raw_response()
        .map(|r| r.status().as_u16())
        .unwrap_or_else(|| {
            panic!(
                "no response: {}",
                aws_sdk_s3::error::DisplayErrorContext(err)
            )
        })
}

async fn collect(body: ByteStream) -> Vec<u8> {
    body.collect()
        .await
        .expect("read body")
        .into_bytes()
        .to_vec()
}

async fn make_bucket(client: &Client, name: &str) {
    client
        .create_bucket()
        .bucket(name)
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "create {name}: {}",
                aws_sdk_s3::error::DisplayErrorContext(e)
            )
        });
}

async fn put(client: &Client, bucket: &str, key: &str, body: Vec<u8>) -> String {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put {key}: {}", aws_sdk_s3::error::DisplayErrorContext(e)))
        .e_tag()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_lifecycle_create_list_head_delete_and_errors() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "life-bucket").await;

    let list = s3.list_buckets().send().await.unwrap();
    let names: Vec<&str> = list.buckets().iter().filter_map(|b| b.name()).collect();
    assert!(names.contains(&"life-bucket"), "list_buckets: {names:?}");

    s3.head_bucket().bucket("life-bucket").send().await.unwrap();
    let missing = s3
        .head_bucket()
        .bucket("no-such-bucket-here")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&missing), 404);

    let bad = s3
        .create_bucket()
        .bucket("Invalid_Bucket_Name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&bad), "InvalidBucketName");
    assert_eq!(status_of(&bad), 400);

    put(&s3, "life-bucket", "keep", b"x".to_vec()).await;
    let not_empty = s3
        .delete_bucket()
        .bucket("life-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&not_empty), "BucketNotEmpty");
    assert_eq!(status_of(&not_empty), 409);

    s3.delete_object()
        .bucket("life-bucket")
        .key("keep")
        .send()
        .await
        .unwrap();
    s3.delete_bucket()
        .bucket("life-bucket")
        .send()
        .await
        .unwrap();
    let list = s3.list_buckets().send().await.unwrap();
    assert!(list
        .buckets()
        .iter()
        .all(|b| b.name() != Some("life-bucket")));
    let gone = s3
        .head_bucket()
        .bucket("life-bucket")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&gone), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_get_round_trips_bytes_etag_and_metadata_across_sizes() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "sizes").await;
    let sizes = [
        0usize,
        1,
        16 * 1024 - 1,
        16 * 1024,
        16 * 1024 + 1,
        (1 << 20) + 7,
        9 << 20,
    ];
    for (i, size) in sizes.into_iter().enumerate() {
        let key = format!("obj-{size}");
        let data = test_bytes(size, i as u64 + 1);
        let resp = s3
            .put_object()
            .bucket("sizes")
            .key(&key)
            .content_type("application/x-test")
            .metadata("color", "blue")
            .metadata("size-label", size.to_string())
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!("put {size}: {}", aws_sdk_s3::error::DisplayErrorContext(e))
            });
        let expected_etag = format!("\"{}\"", md5_hex(&data));
        assert_eq!(
            resp.e_tag(),
            Some(expected_etag.as_str()),
            "put etag {size}"
        );

        let head = s3
            .head_object()
            .bucket("sizes")
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_length(), Some(size as i64), "head length");
        assert_eq!(head.e_tag(), Some(expected_etag.as_str()));
        assert_eq!(head.content_type(), Some("application/x-test"));

        let got = s3
            .get_object()
            .bucket("sizes")
            .key(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(got.e_tag(), Some(expected_etag.as_str()), "get etag {size}");
        assert_eq!(got.content_length(), Some(size as i64));
        assert_eq!(got.content_type(), Some("application/x-test"));
        let meta = got.metadata().cloned().unwrap_or_default();
        assert_eq!(meta.get("color").map(String::as_str), Some("blue"));
        assert_eq!(
            meta.get("size-label").map(String::as_str),
            Some(size.to_string().as_str())
        );
        let body = collect(got.body).await;
        assert_eq!(body.len(), size, "get length {size}");
        assert!(body == data, "get bytes differ for size {size}");
    }
    let missing = s3
        .get_object()
        .bucket("sizes")
        .key("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&missing), "NoSuchKey");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_default_checksums_are_accepted_and_returned_and_wrong_ones_rejected() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "sums").await;
    let data = test_bytes(300 * 1024 + 3, 42);
    // Default settings: the SDK computes a checksum (CRC32 today) and sends it.
    let put = s3
        .put_object()
        .bucket("sums")
        .key("default")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
    let crc32 = ChecksumAlgorithm::Crc32.checksum_base64(&data);
    let crc64 = ChecksumAlgorithm::Crc64Nvme.checksum_base64(&data);
    let sent_crc32 = put.checksum_crc32().is_some();
    let sent_crc64 = put.checksum_crc64_nvme().is_some();
    assert!(
        sent_crc32 || sent_crc64,
        "the put response echoes the SDK's checksum: {put:?}"
    );
    if sent_crc32 {
        assert_eq!(put.checksum_crc32(), Some(crc32.as_str()));
    }
    if sent_crc64 {
        assert_eq!(put.checksum_crc64_nvme(), Some(crc64.as_str()));
    }

    let got = s3
        .get_object()
        .bucket("sums")
        .key("default")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    let returned = got
        .checksum_crc32()
        .map(|v| (v == crc32, "crc32"))
        .or_else(|| got.checksum_crc64_nvme().map(|v| (v == crc64, "crc64nvme")));
    match returned {
        Some((true, _)) => {}
        Some((false, alg)) => panic!("get returned a wrong {alg}: {got:?}"),
        None => panic!("get with checksum mode returned no checksum: {got:?}"),
    }
    // The SDK validates the returned checksum while reading the body.
    assert!(collect(got.body).await == data);

    // A small object too (stored inline).
    let small = b"small inline object".to_vec();
    s3.put_object()
        .bucket("sums")
        .key("small")
        .body(ByteStream::from(small.clone()))
        .send()
        .await
        .unwrap();
    let got = s3
        .get_object()
        .bucket("sums")
        .key("small")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    let small_crc = ChecksumAlgorithm::Crc32.checksum_base64(&small);
    let small_crc64 = ChecksumAlgorithm::Crc64Nvme.checksum_base64(&small);
    assert!(
        got.checksum_crc32() == Some(small_crc.as_str())
            || got.checksum_crc64_nvme() == Some(small_crc64.as_str()),
        "small get checksum: {got:?}"
    );
    assert!(collect(got.body).await == small);

    // An explicit, wrong CRC32.
    let wrong = ChecksumAlgorithm::Crc32.checksum_base64(b"something else");
    let err = s3
        .put_object()
        .bucket("sums")
        .key("wrong")
        .checksum_crc32(wrong)
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code_of(&err),
        "BadDigest",
        "{}",
        aws_sdk_s3::error::DisplayErrorContext(&err)
    );
    assert_eq!(status_of(&err), 400);
    let head = s3.head_object().bucket("sums").key("wrong").send().await;
    assert!(head.is_err(), "a rejected put stores nothing");

    // Every algorithm the SDK offers, chosen explicitly, round-trips.
    use aws_sdk_s3::types::ChecksumAlgorithm as SdkAlg;
    for (alg, ours) in [
        (SdkAlg::Crc32, ChecksumAlgorithm::Crc32),
        (SdkAlg::Crc32C, ChecksumAlgorithm::Crc32c),
        (SdkAlg::Crc64Nvme, ChecksumAlgorithm::Crc64Nvme),
        (SdkAlg::Sha1, ChecksumAlgorithm::Sha1),
        (SdkAlg::Sha256, ChecksumAlgorithm::Sha256),
    ] {
        let key = format!("alg-{}", ours.name());
        s3.put_object()
            .bucket("sums")
            .key(&key)
            .checksum_algorithm(alg.clone())
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
        let got = s3
            .get_object()
            .bucket("sums")
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        let value = match ours {
            ChecksumAlgorithm::Crc32 => got.checksum_crc32(),
            ChecksumAlgorithm::Crc32c => got.checksum_crc32_c(),
            ChecksumAlgorithm::Crc64Nvme => got.checksum_crc64_nvme(),
            ChecksumAlgorithm::Sha1 => got.checksum_sha1(),
            ChecksumAlgorithm::Sha256 => got.checksum_sha256(),
        };
        assert_eq!(
            value,
            Some(ours.checksum_base64(&data).as_str()),
            "{key} checksum on get"
        );
        assert!(collect(got.body).await == data);
    }

    // A wrong Content-MD5 is BadDigest too; a right one is accepted.
    let err = s3
        .put_object()
        .bucket("sums")
        .key("md5")
        .content_md5(oos_sign::content_md5_base64(b"other"))
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "BadDigest");
    s3.put_object()
        .bucket("sums")
        .key("md5")
        .content_md5(oos_sign::content_md5_base64(&data))
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ranged_gets_return_the_slice_and_past_the_end_is_416() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "ranges").await;
    for (key, len) in [("inline", 100usize), ("file", 100_000)] {
        let data = test_bytes(len, 7);
        put(&s3, "ranges", key, data.clone()).await;

        let got = s3
            .get_object()
            .bucket("ranges")
            .key(key)
            .range("bytes=5-10")
            .send()
            .await
            .unwrap();
        assert_eq!(got.content_length(), Some(6));
        assert_eq!(
            got.content_range(),
            Some(format!("bytes 5-10/{len}").as_str())
        );
        assert_eq!(collect(got.body).await, data[5..=10]);

        let got = s3
            .get_object()
            .bucket("ranges")
            .key(key)
            .range("bytes=-7")
            .send()
            .await
            .unwrap();
        assert_eq!(
            got.content_range(),
            Some(format!("bytes {}-{}/{len}", len - 7, len - 1).as_str())
        );
        assert_eq!(collect(got.body).await, data[len - 7..]);

        let got = s3
            .get_object()
            .bucket("ranges")
            .key(key)
            .range(format!("bytes={}-", len - 3))
            .send()
            .await
            .unwrap();
        assert_eq!(collect(got.body).await, data[len - 3..]);

        // A suffix longer than the object is the whole object.
        let got = s3
            .get_object()
            .bucket("ranges")
            .key(key)
            .range(format!("bytes=-{}", len + 50))
            .send()
            .await
            .unwrap();
        assert_eq!(got.content_length(), Some(len as i64));
        assert!(collect(got.body).await == data);

        // An end past the object is clamped.
        let got = s3
            .get_object()
            .bucket("ranges")
            .key(key)
            .range(format!("bytes={}-{}", len - 2, len + 1000))
            .send()
            .await
            .unwrap();
        assert_eq!(
            got.content_range(),
            Some(format!("bytes {}-{}/{len}", len - 2, len - 1).as_str())
        );
        assert_eq!(collect(got.body).await, data[len - 2..]);

        let err = s3
            .get_object()
            .bucket("ranges")
            .key(key)
            .range(format!("bytes={len}-{}", len + 10))
            .send()
            .await
            .unwrap_err();
        assert_eq!(status_of(&err), 416);
        assert_eq!(code_of(&err), "InvalidRange");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_with_prefix_delimiter_and_pagination_see_every_key() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "lists").await;
    let mut keys = Vec::new();
    for i in 0..10 {
        keys.push(format!("a/{i:02}"));
    }
    for i in 0..8 {
        keys.push(format!("b/sub{}/{i}", i % 2));
    }
    for i in 0..7 {
        keys.push(format!("top-{i}"));
    }
    let mut tasks = Vec::new();
    for k in &keys {
        let s3 = s3.clone();
        let k = k.clone();
        tasks.push(tokio::spawn(async move {
            put(&s3, "lists", &k, k.as_bytes().to_vec()).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    keys.sort();

    // Paginated v2: every key exactly once, in order.
    let pages: Vec<_> = s3
        .list_objects_v2()
        .bucket("lists")
        .max_keys(4)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert!(pages.len() >= 7, "25 keys in pages of 4: {}", pages.len());
    let mut seen = Vec::new();
    for p in &pages {
        assert!(p.contents().len() <= 4);
        seen.extend(p.contents().iter().map(|o| o.key().unwrap().to_string()));
    }
    assert_eq!(seen, keys);

    // Prefix.
    let resp = s3
        .list_objects_v2()
        .bucket("lists")
        .prefix("a/")
        .send()
        .await
        .unwrap();
    let got: Vec<&str> = resp.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(got.len(), 10);
    assert!(got.iter().all(|k| k.starts_with("a/")));
    assert_eq!(resp.key_count(), Some(10));
    let first = &resp.contents()[0];
    assert_eq!(first.size(), Some(4));
    assert_eq!(
        first.e_tag(),
        Some(format!("\"{}\"", md5_hex(b"a/00")).as_str())
    );

    // Delimiter: common prefixes plus top-level keys.
    let resp = s3
        .list_objects_v2()
        .bucket("lists")
        .delimiter("/")
        .send()
        .await
        .unwrap();
    let prefixes: Vec<&str> = resp
        .common_prefixes()
        .iter()
        .filter_map(|p| p.prefix())
        .collect();
    assert_eq!(prefixes, ["a/", "b/"]);
    let top: Vec<&str> = resp.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(top.len(), 7);
    assert!(top.iter().all(|k| k.starts_with("top-")));

    // Prefix + delimiter one level down, paginated (prefixes count towards max-keys).
    let pages: Vec<_> = s3
        .list_objects_v2()
        .bucket("lists")
        .prefix("b/")
        .delimiter("/")
        .max_keys(1)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let mut sub: Vec<String> = pages
        .iter()
        .flat_map(|p| p.common_prefixes().iter())
        .filter_map(|p| p.prefix().map(str::to_string))
        .collect();
    sub.sort();
    assert_eq!(sub, ["b/sub0/", "b/sub1/"]);
    assert!(pages.iter().all(|p| p.contents().is_empty()));

    // v1 with marker.
    let resp = s3
        .list_objects()
        .bucket("lists")
        .marker("a/07")
        .max_keys(5)
        .send()
        .await
        .unwrap();
    let got: Vec<&str> = resp.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(got, ["a/08", "a/09", "b/sub0/0", "b/sub0/2", "b/sub0/4"]);
    assert_eq!(resp.is_truncated(), Some(true));
    // v1 pagination by hand: the next marker is the last key (no delimiter).
    let mut marker = String::new();
    let mut all = Vec::new();
    loop {
        let resp = s3
            .list_objects()
            .bucket("lists")
            .marker(&marker)
            .max_keys(6)
            .send()
            .await
            .unwrap();
        let page: Vec<String> = resp
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_string))
            .collect();
        all.extend(page.iter().cloned());
        if resp.is_truncated() != Some(true) {
            break;
        }
        marker = resp
            .next_marker()
            .map(str::to_string)
            .unwrap_or_else(|| page.last().unwrap().clone());
    }
    assert_eq!(all, keys);
}

/// Multipart checksums with the SDK's default integrity settings: a FULL_OBJECT CRC64NVME
/// upload and one that named no algorithm (S3's default CRC64NVME) both answer a full-object
/// checksum that the SDK itself validates while it reads the body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_full_object_checksums_validate_in_the_sdk() {
    use aws_sdk_s3::types::{ChecksumAlgorithm as SdkAlg, ChecksumType};
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "mpusums").await;
    let parts = [test_bytes(5 << 20, 21), test_bytes(777, 22)];
    let whole: Vec<u8> = parts.concat();
    for (key, algorithm) in [("nvme", Some(SdkAlg::Crc64Nvme)), ("default", None)] {
        let create = s3
            .create_multipart_upload()
            .bucket("mpusums")
            .key(key)
            .set_checksum_algorithm(algorithm.clone())
            .send()
            .await
            .unwrap();
        let upload_id = create.upload_id().unwrap();
        let mut completed = Vec::new();
        for (i, data) in parts.iter().enumerate() {
            let n = i as i32 + 1;
            let resp = s3
                .upload_part()
                .bucket("mpusums")
                .key(key)
                .upload_id(upload_id)
                .part_number(n)
                .set_checksum_algorithm(algorithm.clone())
                .body(ByteStream::from(data.clone()))
                .send()
                .await
                .unwrap_or_else(|e| {
                    panic!("part {n}: {}", aws_sdk_s3::error::DisplayErrorContext(e))
                });
            completed.push(
                CompletedPart::builder()
                    .part_number(n)
                    .e_tag(resp.e_tag().unwrap())
                    .build(),
            );
        }
        let done = s3
            .complete_multipart_upload()
            .bucket("mpusums")
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(completed))
                    .build(),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("complete: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
        let want = ChecksumAlgorithm::Crc64Nvme.checksum_base64(&whole);
        assert_eq!(done.checksum_crc64_nvme(), Some(want.as_str()), "{key}");
        assert_eq!(done.checksum_type(), Some(&ChecksumType::FullObject));
        let got = s3
            .get_object()
            .bucket("mpusums")
            .key(key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        assert_eq!(got.checksum_crc64_nvme(), Some(want.as_str()), "{key}");
        assert!(collect(got.body).await == whole, "{key}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_upload_complete_list_parts_and_abort() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "mpu").await;
    let create = s3
        .create_multipart_upload()
        .bucket("mpu")
        .key("big")
        .content_type("application/x-mpu")
        .checksum_algorithm(aws_sdk_s3::types::ChecksumAlgorithm::Crc32)
        .send()
        .await
        .unwrap();
    assert_eq!(
        create.checksum_type(),
        Some(&aws_sdk_s3::types::ChecksumType::Composite)
    );
    let upload_id = create.upload_id().unwrap().to_string();
    let part1 = test_bytes(5 << 20, 11);
    let part2 = test_bytes(1234, 12);
    let mut completed = Vec::new();
    for (n, data) in [(1, &part1), (2, &part2)] {
        let resp = s3
            .upload_part()
            .bucket("mpu")
            .key("big")
            .upload_id(&upload_id)
            .part_number(n)
            .body(ByteStream::from(data.clone()))
            .send()
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "upload part {n}: {}",
                    aws_sdk_s3::error::DisplayErrorContext(e)
                )
            });
        assert_eq!(
            resp.e_tag(),
            Some(format!("\"{}\"", md5_hex(data)).as_str())
        );
        completed.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(resp.e_tag().unwrap())
                .set_checksum_crc32(resp.checksum_crc32().map(str::to_string))
                .build(),
        );
    }
    let parts = s3
        .list_parts()
        .bucket("mpu")
        .key("big")
        .upload_id(&upload_id)
        .send()
        .await
        .unwrap();
    let listed: Vec<(i32, i64)> = parts
        .parts()
        .iter()
        .map(|p| (p.part_number().unwrap(), p.size().unwrap()))
        .collect();
    assert_eq!(listed, [(1, 5 << 20), (2, 1234)]);

    let uploads = s3
        .list_multipart_uploads()
        .bucket("mpu")
        .send()
        .await
        .unwrap();
    assert_eq!(uploads.uploads().len(), 1);

    let done = s3
        .complete_multipart_upload()
        .bucket("mpu")
        .key("big")
        .upload_id(&upload_id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(completed))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("complete: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
    let etag = done.e_tag().unwrap().to_string();
    assert!(etag.ends_with("-2\""), "multipart etag {etag}");
    // COMPOSITE: the CRC32 of the parts' CRC32s, then -2.
    let mut crcs = Vec::new();
    for data in [&part1, &part2] {
        let c = ChecksumAlgorithm::Crc32.checksum_base64(data);
        crcs.extend(ChecksumAlgorithm::Crc32.decode_value(&c).unwrap());
    }
    let composite = format!("{}-2", ChecksumAlgorithm::Crc32.checksum_base64(&crcs));
    assert_eq!(done.checksum_crc32(), Some(composite.as_str()));
    // S3's multipart ETag: md5 of the concatenated binary part md5s, then "-<parts>".
    let mut md5s = Vec::new();
    md5s.extend_from_slice(&hex::decode(md5_hex(&part1)).unwrap());
    md5s.extend_from_slice(&hex::decode(md5_hex(&part2)).unwrap());
    assert_eq!(etag, format!("\"{}-2\"", md5_hex(&md5s)));

    let got = s3
        .get_object()
        .bucket("mpu")
        .key("big")
        .send()
        .await
        .unwrap();
    assert_eq!(got.e_tag(), Some(etag.as_str()));
    assert_eq!(got.content_length(), Some((5 << 20) + 1234));
    assert_eq!(got.content_type(), Some("application/x-mpu"));
    let body = collect(got.body).await;
    assert!(body[..part1.len()] == part1[..] && body[part1.len()..] == part2[..]);

    // A second upload, aborted.
    let other = s3
        .create_multipart_upload()
        .bucket("mpu")
        .key("abandoned")
        .send()
        .await
        .unwrap();
    let other_id = other.upload_id().unwrap().to_string();
    s3.upload_part()
        .bucket("mpu")
        .key("abandoned")
        .upload_id(&other_id)
        .part_number(1)
        .body(ByteStream::from(test_bytes(1000, 3)))
        .send()
        .await
        .unwrap();
    s3.abort_multipart_upload()
        .bucket("mpu")
        .key("abandoned")
        .upload_id(&other_id)
        .send()
        .await
        .unwrap();
    let uploads = s3
        .list_multipart_uploads()
        .bucket("mpu")
        .send()
        .await
        .unwrap();
    assert!(uploads.uploads().is_empty(), "{uploads:?}");
    let err = s3
        .list_parts()
        .bucket("mpu")
        .key("abandoned")
        .upload_id(&other_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), "NoSuchUpload");
    assert!(s3
        .head_object()
        .bucket("mpu")
        .key("abandoned")
        .send()
        .await
        .is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_with_replace_directive_and_batch_delete() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "copies").await;
    let data = test_bytes(40_000, 5);
    s3.put_object()
        .bucket("copies")
        .key("src")
        .content_type("text/old")
        .metadata("who", "source")
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap();
    let copied = s3
        .copy_object()
        .bucket("copies")
        .key("dst")
        .copy_source("copies/src")
        .metadata_directive(MetadataDirective::Replace)
        .content_type("text/new")
        .metadata("who", "copy")
        .send()
        .await
        .unwrap_or_else(|e| panic!("copy: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
    let etag = format!("\"{}\"", md5_hex(&data));
    assert_eq!(
        copied.copy_object_result().and_then(|r| r.e_tag()),
        Some(etag.as_str())
    );
    let got = s3
        .get_object()
        .bucket("copies")
        .key("dst")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_type(), Some("text/new"));
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("who"))
            .map(String::as_str),
        Some("copy")
    );
    assert!(collect(got.body).await == data);
    let src = s3
        .head_object()
        .bucket("copies")
        .key("src")
        .send()
        .await
        .unwrap();
    assert_eq!(src.content_type(), Some("text/old"));
    assert_eq!(
        src.metadata()
            .and_then(|m| m.get("who"))
            .map(String::as_str),
        Some("source")
    );

    put(&s3, "copies", "third", b"3".to_vec()).await;
    let ids: Vec<ObjectIdentifier> = ["src", "dst", "third"]
        .iter()
        .map(|k| ObjectIdentifier::builder().key(*k).build().unwrap())
        .collect();
    let resp = s3
        .delete_objects()
        .bucket("copies")
        .delete(Delete::builder().set_objects(Some(ids)).build().unwrap())
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "delete_objects: {}",
                aws_sdk_s3::error::DisplayErrorContext(e)
            )
        });
    let mut deleted: Vec<&str> = resp.deleted().iter().filter_map(|d| d.key()).collect();
    deleted.sort();
    assert_eq!(deleted, ["dst", "src", "third"]);
    assert!(resp.errors().is_empty());
    let left = s3.list_objects_v2().bucket("copies").send().await.unwrap();
    assert!(left.contents().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versioning_is_unset_and_versions_are_null() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "vers").await;
    put(&s3, "vers", "k1", b"one".to_vec()).await;
    put(&s3, "vers", "k2", b"two".to_vec()).await;
    let v = s3
        .get_bucket_versioning()
        .bucket("vers")
        .send()
        .await
        .unwrap();
    assert_eq!(v.status(), None);
    assert_eq!(v.mfa_delete(), None);
    let versions = s3
        .list_object_versions()
        .bucket("vers")
        .send()
        .await
        .unwrap();
    let listed: Vec<(&str, &str, bool)> = versions
        .versions()
        .iter()
        .map(|v| {
            (
                v.key().unwrap(),
                v.version_id().unwrap(),
                v.is_latest().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [("k1", "null", true), ("k2", "null", true)]);
    assert!(versions.delete_markers().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_with_special_characters_round_trip_through_put_get_list() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "odd-keys").await;
    let keys = [
        "with space",
        "plus+sign",
        "percent%20literal",
        "amp&lt<gt>quote\"apos'",
        "dir/sub dir/é 中文 ü",
        "tilde~star*paren()=,;:@$!",
        "question?hash#",
        "trailing/",
        "a//double",
    ];
    for (i, k) in keys.iter().enumerate() {
        put(&s3, "odd-keys", k, format!("body {i}").into_bytes()).await;
    }
    for (i, k) in keys.iter().enumerate() {
        let got = s3
            .get_object()
            .bucket("odd-keys")
            .key(*k)
            .send()
            .await
            .unwrap_or_else(|e| panic!("get {k:?}: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
        assert_eq!(
            collect(got.body).await,
            format!("body {i}").into_bytes(),
            "{k:?}"
        );
    }
    let resp = s3
        .list_objects_v2()
        .bucket("odd-keys")
        .send()
        .await
        .unwrap();
    let mut listed: Vec<&str> = resp.contents().iter().filter_map(|o| o.key()).collect();
    listed.sort();
    let mut expected = keys.to_vec();
    expected.sort();
    assert_eq!(listed, expected);
    // Listing from a prefix with a space and non-ASCII.
    let resp = s3
        .list_objects_v2()
        .bucket("odd-keys")
        .prefix("dir/sub dir/")
        .send()
        .await
        .unwrap();
    let listed: Vec<&str> = resp.contents().iter().filter_map(|o| o.key()).collect();
    assert_eq!(listed, ["dir/sub dir/é 中文 ü"]);
    // Copy from a source with special characters (the copy source is URL-encoded).
    s3.copy_object()
        .bucket("odd-keys")
        .key("copied")
        .copy_source("odd-keys/with%20space")
        .send()
        .await
        .unwrap_or_else(|e| panic!("copy: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
    let got = s3
        .get_object()
        .bucket("odd-keys")
        .key("copied")
        .send()
        .await
        .unwrap();
    assert_eq!(collect(got.body).await, b"body 0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conditional_gets_answer_304_and_412() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "cond").await;
    let etag = put(&s3, "cond", "k", b"conditional".to_vec()).await;
    let got = s3
        .get_object()
        .bucket("cond")
        .key("k")
        .if_match(&etag)
        .send()
        .await
        .unwrap();
    assert_eq!(collect(got.body).await, b"conditional");
    let err = s3
        .get_object()
        .bucket("cond")
        .key("k")
        .if_match("\"0123456789abcdef0123456789abcdef\"")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 412);
    let err = s3
        .get_object()
        .bucket("cond")
        .key("k")
        .if_none_match(&etag)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 304);
    let err = s3
        .head_object()
        .bucket("cond")
        .key("k")
        .if_none_match(&etag)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 304);
}

/// A file body makes the SDK stream: `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER` over plain
/// HTTP, aws-chunked with signed chunks and a signed `x-amz-checksum-crc32` trailer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_file_bodies_with_signed_checksum_trailers_round_trip() {
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "streamed").await;
    let dir = tempfile::tempdir().unwrap();
    for (i, size) in [0usize, 100, 16 * 1024 + 1, (3 << 20) + 5]
        .into_iter()
        .enumerate()
    {
        let data = test_bytes(size, 900 + i as u64);
        let path = dir.path().join(format!("f{i}"));
        std::fs::write(&path, &data).unwrap();
        let key = format!("file-{size}");
        let resp = s3
            .put_object()
            .bucket("streamed")
            .key(&key)
            .body(ByteStream::from_path(&path).await.unwrap())
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
        assert_eq!(
            resp.e_tag(),
            Some(format!("\"{}\"", md5_hex(&data)).as_str())
        );
        assert_eq!(
            resp.checksum_crc32(),
            Some(ChecksumAlgorithm::Crc32.checksum_base64(&data).as_str())
        );
        let got = s3
            .get_object()
            .bucket("streamed")
            .key(&key)
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .unwrap();
        assert!(collect(got.body).await == data, "{key} reads back");
    }

    // Multipart with streamed parts.
    let part1 = test_bytes(5 << 20, 31);
    let part2 = test_bytes(77, 32);
    let up = s3
        .create_multipart_upload()
        .bucket("streamed")
        .key("mpu")
        .checksum_algorithm(aws_sdk_s3::types::ChecksumAlgorithm::Crc32)
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let mut parts = Vec::new();
    for (n, data) in [(1, &part1), (2, &part2)] {
        let path = dir.path().join(format!("part{n}"));
        std::fs::write(&path, data).unwrap();
        let resp = s3
            .upload_part()
            .bucket("streamed")
            .key("mpu")
            .upload_id(id)
            .part_number(n)
            .body(ByteStream::from_path(&path).await.unwrap())
            .send()
            .await
            .unwrap_or_else(|e| panic!("part {n}: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
        parts.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(resp.e_tag().unwrap())
                .set_checksum_crc32(resp.checksum_crc32().map(str::to_string))
                .build(),
        );
    }
    s3.complete_multipart_upload()
        .bucket("streamed")
        .key("mpu")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(parts))
                .build(),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("complete: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
    let got = s3
        .get_object()
        .bucket("streamed")
        .key("mpu")
        .send()
        .await
        .unwrap();
    let body = collect(got.body).await;
    assert!(body[..part1.len()] == part1[..] && body[part1.len()..] == part2[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sdk_server_side_encryption_with_default_integrity_settings() {
    use aws_sdk_s3::types::ServerSideEncryption;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let srv = Oosd::start();
    let s3 = srv.s3_client();
    make_bucket(&s3, "sealed").await;
    let data = test_bytes(200 * 1024 + 9, 7);

    // SSE-S3, with the SDK's default checksum on the upload and checksum mode on the read.
    let put = s3
        .put_object()
        .bucket("sealed")
        .key("s3")
        .server_side_encryption(ServerSideEncryption::Aes256)
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
    assert_eq!(
        put.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    let got = s3
        .get_object()
        .bucket("sealed")
        .key("s3")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("get");
    assert_eq!(
        got.server_side_encryption(),
        Some(&ServerSideEncryption::Aes256)
    );
    assert_eq!(collect(got.body).await, data);

    // SSE-C: the SDK sends the key and its MD5; reads without it are refused.
    let key = [5u8; 32];
    let key_b64 = b64.encode(key);
    let key_md5 = b64.encode(<md5::Md5 as md5::Digest>::digest(key));
    let put = s3
        .put_object()
        .bucket("sealed")
        .key("c")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&key_b64)
        .sse_customer_key_md5(&key_md5)
        .body(ByteStream::from(data.clone()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("put: {}", aws_sdk_s3::error::DisplayErrorContext(e)));
    assert_eq!(put.sse_customer_key_md5(), Some(key_md5.as_str()));
    let err = s3
        .get_object()
        .bucket("sealed")
        .key("c")
        .send()
        .await
        .expect_err("no key");
    assert_eq!(code_of(&err), "InvalidRequest");
    let got = s3
        .get_object()
        .bucket("sealed")
        .key("c")
        .range("bytes=100000-")
        .sse_customer_algorithm("AES256")
        .sse_customer_key(&key_b64)
        .sse_customer_key_md5(&key_md5)
        .send()
        .await
        .expect("get with key");
    assert_eq!(collect(got.body).await, &data[100_000..]);
}

//! The SDK against a real `oosd`: every operation family over real sockets.

mod support;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use futures_util::TryStreamExt;
use oos::model::*;
use oos::*;
use support::{data, Oosd};

#[tokio::test]
async fn service_and_bucket_lifecycle() {
    let srv = Oosd::start();
    let c = srv.client();
    assert!(c.list_buckets().await.unwrap().buckets.is_empty());
    let regions = c.get_regions().await.unwrap();
    let region = regions.data_regions.region[0].clone();
    assert_eq!(regions.metadata_regions.region, vec![region.clone()]);

    c.create_bucket(
        "bkt1",
        CreateBucketOptions {
            acl: Some("public-read".into()),
            metadata_location: Some(region.clone()),
            data_location: Some(DataLocation::specified([region.clone()], true)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    c.create_bucket("bkt2", Default::default()).await.unwrap();
    let names: Vec<String> = c
        .list_buckets()
        .await
        .unwrap()
        .buckets
        .into_iter()
        .map(|b| b.name)
        .collect();
    assert_eq!(names, ["bkt1", "bkt2"]);
    let loc = c.get_bucket_location("bkt1").await.unwrap();
    assert_eq!(loc.metadata_location.unwrap().location, region);
    let data_loc = loc.data_location.unwrap();
    assert_eq!(data_loc.kind, "Specified");
    assert_eq!(data_loc.location_list.unwrap().location, vec![region]);
    let acl = c.get_bucket_acl("bkt1").await.unwrap();
    assert!(acl
        .access_control_list
        .grant
        .iter()
        .any(|g| g.permission == "READ"
            && g.grantee
                .uri
                .as_deref()
                .is_some_and(|u| u.ends_with("AllUsers"))));

    assert!(c.head_bucket("bkt1").await.unwrap());
    assert!(!c.head_bucket("nope").await.unwrap());
    let err = c.delete_bucket("nope").await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucket"));
    assert_eq!(err.status(), Some(404));
    assert!(!err.request_id().unwrap().is_empty(), "{err:?}");
    // Creating one's own bucket again succeeds (as in us-east-1).
    c.create_bucket("bkt2", Default::default()).await.unwrap();

    c.put_object("bkt2", "k", "x", Default::default())
        .await
        .unwrap();
    assert_eq!(
        c.delete_bucket("bkt2").await.unwrap_err().code(),
        Some("BucketNotEmpty")
    );
    c.delete_object("bkt2", "k").await.unwrap();
    c.delete_bucket("bkt2").await.unwrap();
    assert!(!c.head_bucket("bkt2").await.unwrap());

    // Wrong secret: a typed signature error.
    let bad = Client::new(Config::new(&srv.endpoint, support::ACCESS_KEY, "wrong")).unwrap();
    assert_eq!(
        bad.list_buckets().await.unwrap_err().code(),
        Some("SignatureDoesNotMatch")
    );
}

#[tokio::test]
async fn objects_put_get_head_copy_delete() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("bkt", Default::default()).await.unwrap();
    let body = data(100_000, 1);
    let mut metadata = BTreeMap::new();
    metadata.insert("color".to_string(), "blue".to_string());
    let put = c
        .put_object(
            "bkt",
            "dir/a b+ü.bin",
            body.clone(),
            PutObjectOptions {
                content_type: Some("application/x-test".into()),
                cache_control: Some("no-cache".into()),
                content_disposition: Some("attachment".into()),
                metadata,
                storage_class: Some("STANDARD_IA".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        put.etag,
        hex::encode(<md5::Md5 as md5::Digest>::digest(&body))
    );

    let meta = c
        .head_object("bkt", "dir/a b+ü.bin", Default::default())
        .await
        .unwrap();
    assert_eq!(meta.size, 100_000);
    assert_eq!(meta.etag, put.etag);
    assert_eq!(meta.content_type.as_deref(), Some("application/x-test"));
    assert_eq!(meta.cache_control.as_deref(), Some("no-cache"));
    assert_eq!(meta.storage_class, "STANDARD_IA");
    assert_eq!(meta.metadata.get("color").map(String::as_str), Some("blue"));

    let got = c
        .get_object("bkt", "dir/a b+ü.bin", Default::default())
        .await
        .unwrap();
    assert_eq!(got.meta.size, 100_000);
    assert_eq!(got.body.collect().await.unwrap(), body);

    for (range, want) in [
        (Range::Inclusive(10, 19), &body[10..20]),
        (Range::From(99_990), &body[99_990..]),
        (Range::Suffix(5), &body[99_995..]),
    ] {
        let got = c
            .get_object(
                "bkt",
                "dir/a b+ü.bin",
                GetObjectOptions {
                    range: Some(range),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(got.meta.size, 100_000, "{range:?}");
        assert!(got.meta.content_range.is_some());
        assert_eq!(got.body.collect().await.unwrap(), want, "{range:?}");
    }

    // Conditions.
    let err = c
        .get_object(
            "bkt",
            "dir/a b+ü.bin",
            GetObjectOptions {
                if_none_match: Some(put.etag.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(304));
    let err = c
        .get_object(
            "bkt",
            "dir/a b+ü.bin",
            GetObjectOptions {
                if_match: Some("0123".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("PreconditionFailed"));
    let ok = c
        .get_object(
            "bkt",
            "dir/a b+ü.bin",
            GetObjectOptions {
                if_match: Some(put.etag.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(ok.meta.etag, put.etag);

    // Copy with and without replacing metadata.
    let copied = c
        .copy_object("bkt", "dir/a b+ü.bin", "bkt", "copy1", Default::default())
        .await
        .unwrap();
    assert_eq!(copied.etag, put.etag);
    let m = c
        .head_object("bkt", "copy1", Default::default())
        .await
        .unwrap();
    assert_eq!(m.metadata.get("color").map(String::as_str), Some("blue"));
    let mut md = BTreeMap::new();
    md.insert("shape".to_string(), "round".to_string());
    c.copy_object(
        "bkt",
        "dir/a b+ü.bin",
        "bkt",
        "copy2",
        CopyObjectOptions {
            replace: Some(PutObjectOptions {
                metadata: md,
                content_type: Some("text/plain".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let m = c
        .head_object("bkt", "copy2", Default::default())
        .await
        .unwrap();
    assert_eq!(m.metadata.get("shape").map(String::as_str), Some("round"));
    assert!(!m.metadata.contains_key("color"));
    assert_eq!(m.content_type.as_deref(), Some("text/plain"));

    // Object ACL: the owner has FULL_CONTROL.
    let acl = c.get_object_acl("bkt", "copy1").await.unwrap();
    assert_eq!(acl.access_control_list.grant[0].permission, "FULL_CONTROL");
    assert_eq!(
        acl.access_control_list.grant[0].grantee.kind,
        "CanonicalUser"
    );

    // Missing key: typed 404.
    let err = c
        .get_object("bkt", "missing", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"));
    let err = c
        .head_object("bkt", "missing", Default::default())
        .await
        .unwrap_err();
    assert!(err.is_not_found());

    // DeleteObjects.
    let r = c
        .delete_objects("bkt", &["copy1", "copy2", "never-existed"], false)
        .await
        .unwrap();
    let mut deleted: Vec<String> = r.deleted.into_iter().map(|d| d.key).collect();
    deleted.sort();
    assert_eq!(deleted, ["copy1", "copy2", "never-existed"]);
    assert!(r.error.is_empty());
    let q = c
        .delete_objects("bkt", &["dir/a b+ü.bin"], true)
        .await
        .unwrap();
    assert!(q.deleted.is_empty());
    assert!(c
        .list_objects_v2("bkt", Default::default())
        .await
        .unwrap()
        .contents
        .is_empty());
}

#[tokio::test]
async fn stream_body_and_streaming_get() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("bkt", Default::default()).await.unwrap();
    let chunks: Vec<std::io::Result<bytes::Bytes>> = (0..64)
        .map(|i| Ok(bytes::Bytes::from(data(16 * 1024, i))))
        .collect();
    let expected: Vec<u8> = chunks
        .iter()
        .flat_map(|c| c.as_ref().unwrap().to_vec())
        .collect();
    let body = Body::from_stream(expected.len() as u64, futures_util::stream::iter(chunks));
    c.put_object("bkt", "s", body, Default::default())
        .await
        .unwrap();
    // A stream shorter than declared fails instead of hanging.
    let short = Body::from_stream(
        10,
        futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"abc"))]),
    );
    assert!(c
        .put_object("bkt", "short", short, Default::default())
        .await
        .is_err());

    let out = c.get_object("bkt", "s", Default::default()).await.unwrap();
    let mut n = 0usize;
    let mut chunks = 0;
    let mut body = out.body;
    let mut buf = Vec::new();
    while let Some(chunk) = futures_util::StreamExt::next(&mut body).await {
        let chunk = chunk.unwrap();
        n += chunk.len();
        chunks += 1;
        buf.extend_from_slice(&chunk);
    }
    assert_eq!(n, expected.len());
    assert!(chunks > 1, "the body arrives in several chunks");
    assert_eq!(buf, expected);
}

#[tokio::test]
async fn listings_and_paginators() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("bkt", Default::default()).await.unwrap();
    let keys = ["a/1", "a/2", "a/3", "b/1", "c", "d e", "ü/x"];
    for k in keys {
        c.put_object("bkt", k, k.as_bytes().to_vec(), Default::default())
            .await
            .unwrap();
    }
    // v2 paginator with 2 keys per page yields every key.
    let all: Vec<String> = c
        .list_objects_v2_paginator(
            "bkt",
            ListObjectsV2Options {
                max_keys: Some(2),
                ..Default::default()
            },
        )
        .into_objects()
        .map_ok(|o| o.key)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all, keys);
    // v1 paginator, also without NextMarker (no delimiter).
    let mut pages = c.list_objects_paginator(
        "bkt",
        ListObjectsOptions {
            max_keys: Some(3),
            ..Default::default()
        },
    );
    let mut v1 = Vec::new();
    let mut n_pages = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        n_pages += 1;
        v1.extend(page.contents.into_iter().map(|o| o.key));
    }
    assert_eq!(v1, keys);
    assert_eq!(n_pages, 3);
    // Delimiter: prefixes and top-level keys, paged.
    let mut pages = c.list_objects_paginator(
        "bkt",
        ListObjectsOptions {
            delimiter: Some("/".into()),
            max_keys: Some(2),
            ..Default::default()
        },
    );
    let mut prefixes = Vec::new();
    let mut top = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        prefixes.extend(page.common_prefixes.into_iter().map(|p| p.prefix));
        top.extend(page.contents.into_iter().map(|o| o.key));
    }
    assert_eq!(prefixes, ["a/", "b/", "ü/"]);
    assert_eq!(top, ["c", "d e"]);
    let page = c
        .list_objects_v2(
            "bkt",
            ListObjectsV2Options {
                prefix: Some("a/".into()),
                start_after: Some("a/1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.key_count, Some(2));
    assert_eq!(page.contents[0].size, 3);
}

#[tokio::test]
async fn multipart_operations() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("bkt", Default::default()).await.unwrap();
    let part1 = data(5 * 1024 * 1024, 7);
    let src = data(6 * 1024 * 1024, 8);
    c.put_object("bkt", "src", src.clone(), Default::default())
        .await
        .unwrap();

    let id = c
        .create_multipart_upload(
            "bkt",
            "mp",
            PutObjectOptions {
                content_type: Some("x/y".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let other = c
        .create_multipart_upload("bkt", "other", Default::default())
        .await
        .unwrap();
    let ups = c
        .list_multipart_uploads("bkt", Default::default())
        .await
        .unwrap();
    let mut listed: Vec<&str> = ups.uploads.iter().map(|u| u.key.as_str()).collect();
    listed.sort();
    assert_eq!(listed, ["mp", "other"]);
    c.abort_multipart_upload("bkt", "other", &other)
        .await
        .unwrap();
    let err = c
        .list_parts("bkt", "other", &other, Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchUpload"));

    let e1 = c
        .upload_part("bkt", "mp", &id, 1, part1.clone())
        .await
        .unwrap();
    let copy = c
        .upload_part_copy(
            "bkt",
            "mp",
            &id,
            2,
            "bkt",
            "src",
            Some((1000, 1000 + 5 * 1024 * 1024 - 1)),
        )
        .await
        .unwrap();
    let e3 = c.upload_part("bkt", "mp", &id, 3, "tail").await.unwrap();
    let parts = c
        .list_parts("bkt", "mp", &id, Default::default())
        .await
        .unwrap();
    assert_eq!(
        parts.parts.iter().map(|p| p.size).collect::<Vec<_>>(),
        [5 * 1024 * 1024, 5 * 1024 * 1024, 4]
    );
    let page = c
        .list_parts(
            "bkt",
            "mp",
            &id,
            ListPartsOptions {
                max_parts: Some(1),
                part_number_marker: Some(1),
            },
        )
        .await
        .unwrap();
    assert_eq!(page.parts.len(), 1);
    assert_eq!(page.parts[0].part_number, 2);
    assert!(page.is_truncated);

    let done = c
        .complete_multipart_upload(
            "bkt",
            "mp",
            &id,
            vec![
                CompletedPart {
                    part_number: 3,
                    etag: e3,
                },
                CompletedPart {
                    part_number: 1,
                    etag: e1,
                },
                CompletedPart {
                    part_number: 2,
                    etag: copy.etag,
                },
            ],
        )
        .await
        .unwrap();
    assert!(done.etag.ends_with("-3"), "{}", done.etag);
    let got = c.get_object("bkt", "mp", Default::default()).await.unwrap();
    assert_eq!(got.meta.content_type.as_deref(), Some("x/y"));
    let got = got.body.collect().await.unwrap();
    let mut want = part1;
    want.extend_from_slice(&src[1000..1000 + 5 * 1024 * 1024]);
    want.extend_from_slice(b"tail");
    assert_eq!(got.len(), want.len());
    assert!(got == want);
}

#[tokio::test]
async fn bucket_configurations() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("bkt", Default::default()).await.unwrap();
    c.create_bucket("logs", Default::default()).await.unwrap();

    // Policy.
    assert!(c.get_bucket_policy("bkt").await.unwrap_err().is_not_found());
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"pub","Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::bkt/*"]}]}"#;
    c.put_bucket_policy("bkt", policy).await.unwrap();
    let got: serde_json::Value =
        serde_json::from_str(&c.get_bucket_policy("bkt").await.unwrap()).unwrap();
    assert_eq!(got["Statement"][0]["Sid"], "pub");
    c.delete_bucket_policy("bkt").await.unwrap();
    assert!(c.get_bucket_policy("bkt").await.is_err());

    // Website.
    let site = WebsiteConfiguration {
        index_document: Some(IndexDocument {
            suffix: "index.html".into(),
        }),
        error_document: Some(ErrorDocumentKey {
            key: "err.html".into(),
        }),
        ..Default::default()
    };
    c.put_bucket_website("bkt", &site).await.unwrap();
    assert_eq!(c.get_bucket_website("bkt").await.unwrap(), site);
    c.delete_bucket_website("bkt").await.unwrap();
    assert!(c
        .get_bucket_website("bkt")
        .await
        .unwrap_err()
        .is_not_found());

    // Lifecycle.
    let lc = LifecycleConfiguration {
        rule: vec![LifecycleRule {
            id: Some("logs".into()),
            prefix: Some("logs/".into()),
            status: "Enabled".into(),
            expiration: Some(LifecycleExpiration {
                days: Some(30),
                date: None,
            }),
            ..Default::default()
        }],
    };
    c.put_bucket_lifecycle("bkt", &lc).await.unwrap();
    let got = c.get_bucket_lifecycle("bkt").await.unwrap();
    assert_eq!(got.rule.len(), 1);
    assert_eq!(got.rule[0].id.as_deref(), Some("logs"));
    assert_eq!(got.rule[0].expiration.as_ref().unwrap().days, Some(30));
    c.delete_bucket_lifecycle("bkt").await.unwrap();
    assert!(c.get_bucket_lifecycle("bkt").await.is_err());

    // CORS.
    let cors = CorsConfiguration {
        rules: vec![CorsRule {
            allowed_origin: vec!["http://example.com".into()],
            allowed_method: vec!["GET".into(), "PUT".into()],
            allowed_header: vec!["*".into()],
            max_age_seconds: Some(300),
            ..Default::default()
        }],
    };
    c.put_bucket_cors("bkt", &cors).await.unwrap();
    let got = c.get_bucket_cors("bkt").await.unwrap();
    assert_eq!(got.rules[0].allowed_method, ["GET", "PUT"]);
    assert_eq!(got.rules[0].max_age_seconds, Some(300));
    c.delete_bucket_cors("bkt").await.unwrap();
    assert!(c.get_bucket_cors("bkt").await.is_err());

    // Logging.
    assert_eq!(
        c.get_bucket_logging("bkt").await.unwrap(),
        BucketLoggingStatus::default()
    );
    let status = BucketLoggingStatus {
        logging_enabled: Some(LoggingEnabled {
            target_bucket: "logs".into(),
            target_prefix: "b/".into(),
        }),
    };
    c.put_bucket_logging("bkt", &status).await.unwrap();
    assert_eq!(c.get_bucket_logging("bkt").await.unwrap(), status);
    c.put_bucket_logging("bkt", &BucketLoggingStatus::default())
        .await
        .unwrap();
    assert!(c
        .get_bucket_logging("bkt")
        .await
        .unwrap()
        .logging_enabled
        .is_none());

    // Accelerate.
    let acc = AccelerateConfiguration {
        status: "Enabled".into(),
        ip_white_lists: Some(IpWhiteLists {
            ip: vec!["192.0.2.0/24".into(), "198.51.100.7".into()],
        }),
    };
    c.put_bucket_accelerate("bkt", &acc).await.unwrap();
    let got = c.get_bucket_accelerate("bkt").await.unwrap();
    assert_eq!(got.status, "Enabled");
    assert_eq!(got.ip_white_lists.unwrap().ip.len(), 2);

    // ACL: canned, then a full document that grants nothing extra.
    c.put_bucket_acl("bkt", Acl::Canned("public-read-write".into()))
        .await
        .unwrap();
    let acl = c.get_bucket_acl("bkt").await.unwrap();
    let perms: Vec<&str> = acl
        .access_control_list
        .grant
        .iter()
        .filter(|g| g.grantee.uri.is_some())
        .map(|g| g.permission.as_str())
        .collect();
    assert!(
        perms.contains(&"READ") && perms.contains(&"WRITE"),
        "{perms:?}"
    );
    let private = AccessControlPolicy {
        owner: acl.owner.clone(),
        access_control_list: AccessControlList {
            grant: vec![Grant {
                grantee: Grantee {
                    xmlns_xsi: Some("http://www.w3.org/2001/XMLSchema-instance".into()),
                    kind: "CanonicalUser".into(),
                    id: Some(acl.owner.id.clone()),
                    ..Default::default()
                },
                permission: "FULL_CONTROL".into(),
            }],
        },
    };
    c.put_bucket_acl("bkt", Acl::Policy(private)).await.unwrap();
    let acl = c.get_bucket_acl("bkt").await.unwrap();
    assert!(acl
        .access_control_list
        .grant
        .iter()
        .all(|g| g.grantee.uri.is_none()));
    assert_eq!(
        acl.access_control_list.grant[0].grantee.kind,
        "CanonicalUser"
    );
}

/// Sends a raw HTTP/1.1 request to 127.0.0.1 and returns (status, body).
async fn raw(method: &str, url: &str, body: &[u8]) -> (u16, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(body).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&out[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = out[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut plain = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let n =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                    .unwrap();
            if n == 0 {
                break;
            }
            plain.extend_from_slice(&rest[line_end + 2..line_end + 2 + n]);
            rest = &rest[line_end + 2 + n + 2..];
        }
        body = plain;
    }
    (status, body)
}

#[tokio::test]
async fn presigned_urls_v4_and_v2() {
    let srv = Oosd::start();
    for sig in [SignatureVersion::V4, SignatureVersion::V2] {
        let c = Client::new(srv.config().with_signature(sig)).unwrap();
        let bucket = format!("pre{}", if sig == SignatureVersion::V4 { 4 } else { 2 });
        c.create_bucket(&bucket, Default::default()).await.unwrap();
        let put = c
            .presign(Method::PUT, &bucket, Some("a b.txt"), Default::default())
            .unwrap();
        let (status, _) = raw("PUT", &put, b"presigned!").await;
        assert_eq!(status, 200, "{sig:?} {put}");
        let get = c
            .presign(
                Method::GET,
                &bucket,
                Some("a b.txt"),
                PresignOptions {
                    expires: std::time::Duration::from_secs(60),
                    limit_rate: Some(1024),
                },
            )
            .unwrap();
        assert!(get.contains("x-amz-limit=rate%3D1024"), "{get}");
        let (status, body) = raw("GET", &get, b"").await;
        assert_eq!((status, &body[..]), (200, &b"presigned!"[..]), "{sig:?}");
        // Tampered URL: refused.
        let (status, _) = raw("GET", &get.replace("a%20b.txt", "other"), b"").await;
        assert_eq!(status, 403);
        // Default expiry is 15 minutes.
        let url = c
            .presign(Method::GET, &bucket, Some("k"), Default::default())
            .unwrap();
        if sig == SignatureVersion::V4 {
            assert!(url.contains("X-Amz-Expires=900"), "{url}");
        }
        assert!(c
            .presign(
                Method::GET,
                &bucket,
                Some("k"),
                PresignOptions {
                    expires: std::time::Duration::from_secs(8 * 86400),
                    limit_rate: None
                }
            )
            .is_err());
    }
}

#[tokio::test]
async fn presigned_post_uploads_a_form_and_refuses_what_the_policy_does_not_admit() {
    let srv = Oosd::start();
    for sig in [SignatureVersion::V4, SignatureVersion::V2] {
        let c = Client::new(srv.config().with_signature(sig)).unwrap();
        let bucket = format!("form{}", if sig == SignatureVersion::V4 { 4 } else { 2 });
        c.create_bucket(&bucket, Default::default()).await.unwrap();
        let form = |key: &str| {
            c.presign_post(&bucket, key)
                .expires(std::time::Duration::from_secs(300))
                .content_length_range(1, 1024)
                .content_type("text/plain")
                .acl("public-read")
                .metadata("color", "blue")
                .success_action_status(201)
        };
        let post = form("uploads/${filename}").build().unwrap();
        assert_eq!(post.url, format!("{}/{bucket}", srv.endpoint));
        assert_eq!(post.field("key"), Some("uploads/${filename}"));
        let policy = post.policy_json().unwrap();
        assert!(
            policy.contains(r#"["starts-with","$key","uploads/"]"#)
                && policy.contains(r#"["content-length-range",1,1024]"#)
                && policy.contains(&format!(r#"{{"bucket":"{bucket}"}}"#)),
            "{policy}"
        );
        match sig {
            SignatureVersion::V4 => {
                assert_eq!(post.field("x-amz-algorithm"), Some("AWS4-HMAC-SHA256"));
                assert!(post
                    .field("x-amz-credential")
                    .unwrap()
                    .ends_with("/s3/aws4_request"));
                assert_eq!(post.field("x-amz-signature").unwrap().len(), 64);
            }
            SignatureVersion::V2 => {
                assert_eq!(post.field("AWSAccessKeyId"), Some(support::ACCESS_KEY));
                assert!(post.field("signature").is_some());
            }
        }

        let body = b"hello from a browser form".to_vec();
        let resp = support::post_form(&post.url, &post.fields, "hello.txt", &body);
        assert_eq!(resp.status, 201, "{sig:?}: {}", resp.text());
        assert!(
            resp.text().contains("<Key>uploads/hello.txt</Key>"),
            "{}",
            resp.text()
        );
        let meta = c
            .head_object(&bucket, "uploads/hello.txt", Default::default())
            .await
            .unwrap();
        assert_eq!(meta.size, body.len() as u64);
        assert_eq!(meta.content_type.as_deref(), Some("text/plain"));
        assert_eq!(meta.metadata.get("color").map(String::as_str), Some("blue"));
        let got = c
            .get_object(&bucket, "uploads/hello.txt", Default::default())
            .await
            .unwrap()
            .body
            .collect()
            .await
            .unwrap();
        assert_eq!(&got[..], &body[..]);
        // The form's acl field made the object public-read: anonymous GET works.
        let (status, anon) = raw(
            "GET",
            &format!("{}/{bucket}/uploads/hello.txt", srv.endpoint),
            b"",
        )
        .await;
        assert_eq!((status, &anon[..]), (200, &body[..]));

        // Over the content-length-range: 400 EntityTooLarge, and nothing is stored.
        let resp = support::post_form(&post.url, &post.fields, "big.txt", &data(2000, 3));
        assert_eq!(resp.status, 400, "{}", resp.text());
        assert!(
            resp.text().contains("<Code>EntityTooLarge</Code>"),
            "{}",
            resp.text()
        );
        assert!(c
            .head_object(&bucket, "uploads/big.txt", Default::default())
            .await
            .unwrap_err()
            .is_not_found());

        // A key outside the signed prefix: the policy's condition fails.
        let mut fields = post.fields.clone();
        fields[0].1 = "elsewhere/${filename}".into();
        let resp = support::post_form(&post.url, &fields, "x.txt", b"x");
        assert_eq!(resp.status, 403, "{}", resp.text());
        assert!(
            resp.text().contains("Policy Condition failed"),
            "{}",
            resp.text()
        );

        // An expired policy: 403 AccessDenied.
        let short = form("exact.txt")
            .expires(std::time::Duration::from_secs(1))
            .build()
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let resp = support::post_form(&short.url, &short.fields, "exact.txt", b"late");
        assert_eq!(resp.status, 403, "{}", resp.text());
        assert!(
            resp.text().contains("<Code>AccessDenied</Code>")
                && resp.text().contains("Policy expired"),
            "{}",
            resp.text()
        );
    }

    // A page that picks the Content-Type within a prefix, and a redirect after success.
    let c = srv.client();
    let post = c
        .presign_post("form4", "pics/cat.png")
        .starts_with("Content-Type", "image/")
        .success_action_redirect("http://example.com/done")
        .build()
        .unwrap();
    let mut fields = post.fields.clone();
    fields.push(("Content-Type".into(), "image/png".into()));
    let resp = support::post_form(&post.url, &fields, "cat.png", b"png bytes");
    assert_eq!(resp.status, 303, "{}", resp.text());
    let location = resp.header("location").unwrap();
    assert!(
        location.starts_with("http://example.com/done?bucket=form4&key=pics%2Fcat.png&etag="),
        "{location}"
    );
    let meta = c
        .head_object("form4", "pics/cat.png", Default::default())
        .await
        .unwrap();
    assert_eq!(meta.content_type.as_deref(), Some("image/png"));
    *fields.last_mut().unwrap() = ("Content-Type".into(), "text/html".into());
    let resp = support::post_form(&post.url, &fields, "cat.png", b"html");
    assert_eq!(resp.status, 403, "{}", resp.text());

    // What the builder refuses before signing anything.
    for bad in [
        c.presign_post("form4", "k").field("policy", "x").build(),
        c.presign_post("form4", "k")
            .expires(std::time::Duration::ZERO)
            .build(),
        c.presign_post("form4", "k")
            .content_length_range(10, 1)
            .build(),
        c.presign_post("form4", "").build(),
    ] {
        assert!(matches!(bad, Err(Error::InvalidArgument(_))), "{bad:?}");
    }
}

#[tokio::test]
async fn signature_v2_client_round_trip() {
    let srv = Oosd::start();
    let c = Client::new(srv.config().with_signature(SignatureVersion::V2)).unwrap();
    c.create_bucket("sigv2", Default::default()).await.unwrap();
    c.put_object("sigv2", "dir/ü k", "two", Default::default())
        .await
        .unwrap();
    let got = c
        .get_object("sigv2", "dir/ü k", Default::default())
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap();
    assert_eq!(&got[..], b"two");
    c.put_bucket_acl("sigv2", Acl::Canned("private".into()))
        .await
        .unwrap();
    let page = c.list_objects("sigv2", Default::default()).await.unwrap();
    assert_eq!(page.contents.len(), 1);
}

#[tokio::test]
async fn access_key_api() {
    let srv = Oosd::start();
    let c = srv.client();
    let key = c.create_access_key().await.unwrap();
    let secret = key.secret_access_key.clone().unwrap();
    assert_eq!(key.status, "Active");
    assert!(!key.is_primary);
    let list = c.list_access_keys(Default::default()).await.unwrap();
    let ids: Vec<&str> = list
        .access_key_metadata
        .member
        .iter()
        .map(|k| k.access_key_id.as_str())
        .collect();
    assert!(ids.contains(&key.access_key_id.as_str()));
    assert!(ids.contains(&support::ACCESS_KEY));
    let page = c
        .list_access_keys(ListAccessKeysOptions {
            max_items: Some(1),
            marker: None,
        })
        .await
        .unwrap();
    assert_eq!(page.access_key_metadata.member.len(), 1);
    assert!(page.is_truncated);
    assert!(page.marker.is_some());

    // The new key works, then not once inactive.
    let other = Client::new(Config::new(&srv.endpoint, &key.access_key_id, &secret)).unwrap();
    // Non-primary keys are confined to their own prefix.
    assert_eq!(
        other.list_buckets().await.unwrap_err().code(),
        Some("AccessDenied")
    );
    c.update_access_key(&key.access_key_id, true, Some(true))
        .await
        .unwrap();
    other.list_buckets().await.unwrap();
    c.update_access_key(&key.access_key_id, false, None)
        .await
        .unwrap();
    let listed = c.list_access_keys(Default::default()).await.unwrap();
    let k = listed
        .access_key_metadata
        .member
        .iter()
        .find(|k| k.access_key_id == key.access_key_id)
        .unwrap();
    assert_eq!(k.status, "Inactive");
    assert!(other.list_buckets().await.is_err());
    c.delete_access_key(&key.access_key_id).await.unwrap();
    let err = c.delete_access_key(&key.access_key_id).await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchEntity"));
    assert_eq!(
        other.list_buckets().await.unwrap_err().code(),
        Some("InvalidAccessKeyId")
    );
}

#[tokio::test]
async fn transfer_manager_upload_and_download() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("trx", Default::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.bin");
    let content = data(12 * 1024 * 1024 + 123, 3);
    std::fs::write(&src, &content).unwrap();

    let seen = Arc::new(AtomicU64::new(0));
    let seen2 = seen.clone();
    let opts = TransferOptions {
        multipart_threshold: 5 * 1024 * 1024,
        part_size: 5 * 1024 * 1024,
        concurrency: 3,
        progress: Some(Arc::new(move |p: Progress| {
            assert!(p.total == 0 || p.transferred <= p.total);
            seen2.fetch_max(p.transferred, Ordering::Relaxed);
        })),
        ..Default::default()
    };
    let up = c.upload_file("trx", "big", &src, &opts).await.unwrap();
    assert_eq!(up.parts, 3);
    assert!(up.etag.ends_with("-3"));
    assert_eq!(up.size, content.len() as u64);
    assert_eq!(seen.load(Ordering::Relaxed), content.len() as u64);
    assert!(c
        .list_multipart_uploads("trx", Default::default())
        .await
        .unwrap()
        .uploads
        .is_empty());

    // Server-side copy: parallel UploadPartCopy ranges above the threshold.
    let mut meta = BTreeMap::new();
    meta.insert("origin".to_string(), "upload".to_string());
    c.copy_object(
        "trx",
        "big",
        "trx",
        "big",
        CopyObjectOptions {
            replace: Some(PutObjectOptions {
                metadata: meta,
                content_type: Some("application/x-big".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("metadata update in place: {e}"));
    let copied = c
        .copy("trx", "big", "trx", "big-copy", &opts)
        .await
        .unwrap();
    assert_eq!((copied.parts, copied.size), (3, content.len() as u64));
    let m = c
        .head_object("trx", "big-copy", Default::default())
        .await
        .unwrap();
    assert_eq!(m.content_type.as_deref(), Some("application/x-big"));
    assert_eq!(m.metadata.get("origin").map(String::as_str), Some("upload"));
    let got = c
        .get_object("trx", "big-copy", Default::default())
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap();
    assert!(got == content);

    let dst = dir.path().join("dst.bin");
    seen.store(0, Ordering::Relaxed);
    let down = c.download_file("trx", "big", &dst, &opts).await.unwrap();
    assert_eq!(down.parts, 3);
    assert_eq!(seen.load(Ordering::Relaxed), content.len() as u64);
    assert!(std::fs::read(&dst).unwrap() == content);

    // Small file: one PUT, ETag checked against the MD5; single-GET download checks it too.
    let small = dir.path().join("small.bin");
    std::fs::write(&small, b"small file").unwrap();
    let up = c.upload_file("trx", "small", &small, &opts).await.unwrap();
    assert_eq!(up.parts, 1);
    let copied = c
        .copy("trx", "small", "trx", "small-copy", &opts)
        .await
        .unwrap();
    assert_eq!((copied.parts, copied.etag.as_str()), (1, up.etag.as_str()));
    let dst2 = dir.path().join("small.out");
    c.download_file("trx", "small", &dst2, &opts).await.unwrap();
    assert_eq!(std::fs::read(&dst2).unwrap(), b"small file");

    // A stream of unknown length, multipart.
    let reader = std::io::Cursor::new(content.clone());
    let up = c
        .upload_stream("trx", "streamed", reader, &opts)
        .await
        .unwrap();
    assert_eq!(up.parts, 3);
    let got = c
        .get_object("trx", "streamed", Default::default())
        .await
        .unwrap()
        .body
        .collect()
        .await
        .unwrap();
    assert!(got == content);
    // Short stream: one PUT.
    let up = c
        .upload_stream(
            "trx",
            "short",
            std::io::Cursor::new(b"tiny".to_vec()),
            &opts,
        )
        .await
        .unwrap();
    assert_eq!((up.parts, up.size), (1, 4));

    // Failure after create: parts to a deleted bucket fail, and the download of a missing
    // key leaves no partial file behind.
    let missing = dir.path().join("missing.out");
    assert!(c
        .download_file("trx", "nope", &missing, &opts)
        .await
        .is_err());
    assert!(!missing.exists());
    assert!(!dir.path().join("missing.out.oos-partial").exists());
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    // A port nobody listens on.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let c = Client::new(
        Config::new(format!("http://127.0.0.1:{port}"), "a", "bkt").with_max_retries(2),
    )
    .unwrap();
    let t = std::time::Instant::now();
    let err = c.list_buckets().await.unwrap_err();
    assert!(matches!(err, Error::Connection { .. }), "{err:?}");
    // The message names the endpoint and the system's reason, not just hyper's "Connect".
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("connection to http://127.0.0.1:{port} failed: "))
            && text.contains("Connection refused"),
        "{text}"
    );
    assert!(err.is_retryable());
    // Two backoffs happened (each at least 1 ms).
    assert!(t.elapsed() >= std::time::Duration::from_millis(2));
    assert!(Client::new(Config::new("ftp://x", "a", "b")).is_err());
    assert!(
        Client::new(Config::new("https://x", "a", "b").with_ca_file("/nonexistent.pem")).is_err()
    );
}

#[tokio::test]
async fn data_location_and_speed_limit_reach_the_server() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("loc", Default::default()).await.unwrap();
    let region = c.get_regions().await.unwrap().data_regions.region[0].clone();
    let body = data(384 * 1024, 5);
    c.put_object(
        "loc",
        "here",
        body.clone(),
        PutObjectOptions {
            data_location: Some(DataLocation::specified([region.clone()], false)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let err = c
        .put_object(
            "loc",
            "nowhere",
            "x",
            PutObjectOptions {
                data_location: Some(DataLocation::specified(["NoSuchRegion"], true)),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err}");
    assert!(err.code().unwrap().contains("LocationConstraint"), "{err}");
    // Copy with a data location is checked the same way.
    let err = c
        .copy_object(
            "loc",
            "here",
            "loc",
            "copy",
            CopyObjectOptions {
                data_location: Some(DataLocation::specified(["NoSuchRegion"], true)),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.code().unwrap().contains("LocationConstraint"), "{err}");

    // 384 KiB at 128 KiB/s (the OOS minimum) takes about 3 s; unlimited it is quick.
    let t = std::time::Instant::now();
    let fast = c
        .get_object("loc", "here", Default::default())
        .await
        .unwrap();
    assert_eq!(fast.body.collect().await.unwrap().len(), body.len());
    let unlimited = t.elapsed();
    let t = std::time::Instant::now();
    let slow = c
        .get_object(
            "loc",
            "here",
            GetObjectOptions {
                limit_rate: Some(128),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(slow.body.collect().await.unwrap() == body);
    let limited = t.elapsed();
    assert!(
        limited >= std::time::Duration::from_millis(1800) && limited > unlimited * 3,
        "limited {limited:?}, unlimited {unlimited:?}"
    );
}

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";

fn public_read(acl: &AccessControlPolicy) -> bool {
    acl.access_control_list
        .grant
        .iter()
        .any(|g| g.permission == "READ" && g.grantee.uri.as_deref() == Some(ALL_USERS))
}

#[tokio::test]
async fn object_acl_canned_grants_and_document() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("acl", Default::default()).await.unwrap();
    c.put_object("acl", "k", "secret", Default::default())
        .await
        .unwrap();
    let url = format!("{}/acl/k", srv.endpoint);
    assert_eq!(raw("GET", &url, b"").await.0, 403);

    // Canned: anonymous readers get the object.
    c.put_object_acl("acl", "k", Acl::Canned("public-read".into()))
        .await
        .unwrap();
    assert_eq!(raw("GET", &url, b"").await, (200, b"secret".to_vec()));
    let acl = c.get_object_acl("acl", "k").await.unwrap();
    assert!(public_read(&acl), "{acl:?}");

    // A policy document: the owner's grant only, so private again.
    let mut private = acl.clone();
    private
        .access_control_list
        .grant
        .retain(|g| g.grantee.uri.is_none());
    c.put_object_acl("acl", "k", Acl::Policy(private))
        .await
        .unwrap();
    assert_eq!(raw("GET", &url, b"").await.0, 403);
    let acl = c.get_object_acl("acl", "k").await.unwrap();
    assert!(!public_read(&acl), "{acl:?}");
    assert!(acl
        .access_control_list
        .grant
        .iter()
        .any(|g| g.permission == "FULL_CONTROL" && g.grantee.id.as_deref() == Some(&acl.owner.id)));

    // Grant headers, on the object and on the bucket.
    let grants = vec![("READ".to_string(), format!("uri=\"{ALL_USERS}\""))];
    c.put_object_acl("acl", "k", Acl::Grants(grants.clone()))
        .await
        .unwrap();
    assert_eq!(raw("GET", &url, b"").await.0, 200);
    assert!(public_read(&c.get_object_acl("acl", "k").await.unwrap()));
    c.put_bucket_acl("acl", Acl::Grants(grants)).await.unwrap();
    assert!(public_read(&c.get_bucket_acl("acl").await.unwrap()));

    // Mistakes: caught locally, or by the server.
    let bad = c
        .put_object_acl(
            "acl",
            "k",
            Acl::Grants(vec![("READ-ALL".into(), "x".into())]),
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, Error::InvalidArgument(_)), "{bad:?}");
    let err = c
        .put_object_acl("acl", "k", Acl::Canned("nonsense".into()))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    let err = c
        .put_object_acl("acl", "missing", Acl::Canned("private".into()))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"));
    // The object itself is untouched by all this.
    let got = c.get_object("acl", "k", Default::default()).await.unwrap();
    assert_eq!(&got.body.collect().await.unwrap()[..], b"secret");
}

#[tokio::test]
async fn conditional_writes_put_and_complete() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("condw", Default::default()).await.unwrap();
    let only_new = PutObjectOptions {
        if_none_match: Some("*".into()),
        ..Default::default()
    };
    let first = c
        .put_object("condw", "k", "one", only_new.clone())
        .await
        .unwrap();
    let err = c
        .put_object("condw", "k", "two", only_new.clone())
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(412), Some("PreconditionFailed"))
    );
    let meta = c
        .head_object("condw", "k", Default::default())
        .await
        .unwrap();
    assert_eq!(meta.etag, first.etag);

    // If-Match: over that ETag only (quoted or not); a missing key is NoSuchKey.
    let over = |etag: &str| PutObjectOptions {
        if_match: Some(etag.to_string()),
        ..Default::default()
    };
    let second = c
        .put_object("condw", "k", "two", over(&first.etag))
        .await
        .unwrap();
    let err = c
        .put_object("condw", "k", "three", over(&first.etag))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(412));
    c.put_object("condw", "k", "three", over(&format!("\"{}\"", second.etag)))
        .await
        .unwrap();
    let err = c
        .put_object("condw", "nope", "x", over(&first.etag))
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(404), Some("NoSuchKey")));

    // CompleteMultipartUpload: a refused condition leaves the upload to retry.
    let id = c
        .create_multipart_upload("condw", "k", Default::default())
        .await
        .unwrap();
    let etag = c.upload_part("condw", "k", &id, 1, "parts").await.unwrap();
    let parts = vec![CompletedPart {
        part_number: 1,
        etag,
    }];
    let cond = CompleteMultipartUploadOptions {
        if_none_match: Some("*".into()),
        ..Default::default()
    };
    let err = c
        .complete_multipart_upload_with("condw", "k", &id, parts.clone(), &cond)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(412), "{err:?}");
    let current = c
        .head_object("condw", "k", Default::default())
        .await
        .unwrap();
    let cond = CompleteMultipartUploadOptions {
        if_match: Some(current.etag),
        ..Default::default()
    };
    c.complete_multipart_upload_with("condw", "k", &id, parts, &cond)
        .await
        .unwrap();
    let got = c
        .get_object("condw", "k", Default::default())
        .await
        .unwrap();
    assert_eq!(&got.body.collect().await.unwrap()[..], b"parts");

    // The transfer manager carries the condition to its complete, and aborts when refused.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("big.bin");
    std::fs::write(&src, data(6 * 1024 * 1024, 9)).unwrap();
    let opts = TransferOptions {
        multipart_threshold: 5 * 1024 * 1024,
        part_size: 5 * 1024 * 1024,
        put: only_new,
        ..Default::default()
    };
    let err = c.upload_file("condw", "k", &src, &opts).await.unwrap_err();
    assert_eq!(err.status(), Some(412), "{err:?}");
    assert!(c
        .list_multipart_uploads("condw", Default::default())
        .await
        .unwrap()
        .uploads
        .is_empty());
    let up = c.upload_file("condw", "fresh", &src, &opts).await.unwrap();
    assert_eq!(up.parts, 2);
}

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn object_and_bucket_tagging() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("tagged", Default::default()).await.unwrap();

    // x-amz-tagging on PutObject, URL-encoded; the count on HEAD and GET.
    let first = tags(&[("project", "oos"), ("path", "a/b c+d=e"), ("empty", "")]);
    c.put_object(
        "tagged",
        "k",
        "x",
        PutObjectOptions {
            tags: first.clone(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(c.get_object_tagging("tagged", "k").await.unwrap(), first);
    let head = c
        .head_object("tagged", "k", Default::default())
        .await
        .unwrap();
    assert_eq!(head.tag_count, 3);
    let got = c
        .get_object("tagged", "k", Default::default())
        .await
        .unwrap();
    assert_eq!(got.meta.tag_count, 3);

    // Replace, then delete.
    c.put_object_tagging("tagged", "k", &tags(&[("state", "done")]))
        .await
        .unwrap();
    assert_eq!(
        c.get_object_tagging("tagged", "k").await.unwrap(),
        tags(&[("state", "done")])
    );
    // CopyObject: the source's tags by default, new ones with REPLACE.
    c.copy_object("tagged", "k", "tagged", "copied", Default::default())
        .await
        .unwrap();
    assert_eq!(
        c.get_object_tagging("tagged", "copied").await.unwrap(),
        tags(&[("state", "done")])
    );
    let replace = |t: BTreeMap<String, String>| CopyObjectOptions {
        tags: Some(t),
        ..Default::default()
    };
    c.copy_object(
        "tagged",
        "k",
        "tagged",
        "retagged",
        replace(tags(&[("new", "1")])),
    )
    .await
    .unwrap();
    assert_eq!(
        c.get_object_tagging("tagged", "retagged").await.unwrap(),
        tags(&[("new", "1")])
    );
    c.copy_object(
        "tagged",
        "k",
        "tagged",
        "untagged",
        replace(BTreeMap::new()),
    )
    .await
    .unwrap();
    assert!(c
        .get_object_tagging("tagged", "untagged")
        .await
        .unwrap()
        .is_empty());
    c.delete_object_tagging("tagged", "k").await.unwrap();
    assert!(c
        .get_object_tagging("tagged", "k")
        .await
        .unwrap()
        .is_empty());
    let head = c
        .head_object("tagged", "k", Default::default())
        .await
        .unwrap();
    assert_eq!(head.tag_count, 0);

    // On CreateMultipartUpload.
    let id = c
        .create_multipart_upload(
            "tagged",
            "mp",
            PutObjectOptions {
                tags: tags(&[("via", "multipart")]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let etag = c.upload_part("tagged", "mp", &id, 1, "p").await.unwrap();
    c.complete_multipart_upload(
        "tagged",
        "mp",
        &id,
        vec![CompletedPart {
            part_number: 1,
            etag,
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        c.get_object_tagging("tagged", "mp").await.unwrap(),
        tags(&[("via", "multipart")])
    );

    // S3's rules, enforced by the server.
    let err = c
        .put_object_tagging("tagged", "k", &tags(&[("aws:reserved", "v")]))
        .await
        .unwrap_err();
    assert_eq!((err.status(), err.code()), (Some(400), Some("InvalidTag")));
    let err = c.get_object_tagging("tagged", "missing").await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchKey"));

    // Bucket tags: NoSuchTagSet until set, and again once deleted.
    let err = c.get_bucket_tagging("tagged").await.unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(404), Some("NoSuchTagSet"))
    );
    let bucket_tags = tags(&[("team", "storage"), ("cost center", "42")]);
    c.put_bucket_tagging("tagged", &bucket_tags).await.unwrap();
    assert_eq!(c.get_bucket_tagging("tagged").await.unwrap(), bucket_tags);
    c.delete_bucket_tagging("tagged").await.unwrap();
    let err = c.get_bucket_tagging("tagged").await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchTagSet"));
}

/// Every `(key, version id, latest, marker)` of a bucket, through the version-id markers.
async fn all_versions(c: &Client, bucket: &str) -> Vec<(String, String, bool, bool)> {
    let mut out = Vec::new();
    let mut opts = ListVersionsOptions {
        max_keys: Some(2),
        ..Default::default()
    };
    for _ in 0..100 {
        let page = c.list_object_versions(bucket, &opts).await.unwrap();
        for e in page.entries {
            match e {
                VersionListItem::Version(v) => out.push((v.key, v.version_id, v.is_latest, false)),
                VersionListItem::DeleteMarker(v) => {
                    out.push((v.key, v.version_id, v.is_latest, true))
                }
                _ => {}
            }
        }
        if !page.is_truncated {
            return out;
        }
        opts.key_marker = page.next_key_marker;
        opts.version_id_marker = page.next_version_id_marker;
    }
    panic!("listing did not end");
}

#[tokio::test]
async fn versioning_reads_deletes_and_restores() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("ver", Default::default()).await.unwrap();
    assert_eq!(c.get_bucket_versioning("ver").await.unwrap(), None);
    c.put_bucket_versioning("ver", true).await.unwrap();
    assert_eq!(
        c.get_bucket_versioning("ver").await.unwrap().as_deref(),
        Some("Enabled")
    );
    let put = |body: &'static str| c.put_object("ver", "k", body, PutObjectOptions::default());
    let v1 = put("one").await.unwrap().version_id.unwrap();
    let v2 = put("two").await.unwrap().version_id.unwrap();
    assert_ne!(v1, v2);
    let get = |v: Option<String>| async {
        let o = c
            .get_object(
                "ver",
                "k",
                GetObjectOptions {
                    version_id: v,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        (o.meta.version_id.clone(), o.body.collect().await.unwrap())
    };
    assert_eq!(
        get(Some(v1.clone())).await,
        (Some(v1.clone()), "one".into())
    );
    assert_eq!(get(None).await, (Some(v2.clone()), "two".into()));
    // A plain delete adds a marker; the versions stay listed under it.
    c.delete_object("ver", "k").await.unwrap();
    let listed = all_versions(&c, "ver").await;
    assert_eq!(listed.len(), 3);
    assert!(
        listed[0].2 && listed[0].3,
        "the marker is latest: {listed:?}"
    );
    assert_eq!((&listed[1].1, &listed[2].1), (&v2, &v1));
    let err = c
        .head_object("ver", "k", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    // Restore: copy the old version over its key; then remove the marker by id.
    c.copy_object(
        "ver",
        "k",
        "ver",
        "k",
        CopyObjectOptions {
            source_version_id: Some(v1.clone()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(get(None).await.1, "one");
    let marker = listed[0].1.clone();
    let out = c
        .delete_object_version("ver", "k", &marker, false)
        .await
        .unwrap();
    assert_eq!(
        out,
        DeleteObjectOutput {
            version_id: Some(marker),
            delete_marker: true
        }
    );
    let out = c
        .delete_object_version("ver", "k", &v2, false)
        .await
        .unwrap();
    assert!(!out.delete_marker);
    // Batch deletes name versions too.
    let rest: Vec<(String, Option<String>)> = all_versions(&c, "ver")
        .await
        .into_iter()
        .map(|(k, v, _, _)| (k, Some(v)))
        .collect();
    assert_eq!(rest.len(), 2);
    let r = c
        .delete_object_versions("ver", &rest, false, false)
        .await
        .unwrap();
    assert!(r.error.is_empty());
    assert_eq!(r.deleted.len(), 2);
    assert!(all_versions(&c, "ver").await.is_empty());
    c.put_bucket_versioning("ver", false).await.unwrap();
    assert_eq!(
        c.get_bucket_versioning("ver").await.unwrap().as_deref(),
        Some("Suspended")
    );
    assert_eq!(put("n").await.unwrap().version_id.as_deref(), Some("null"));
}

#[tokio::test]
async fn object_lock_configuration_retention_and_legal_hold() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket(
        "worm",
        CreateBucketOptions {
            object_lock_enabled: true,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.get_bucket_versioning("worm").await.unwrap().as_deref(),
        Some("Enabled")
    );
    let conf = ObjectLockConfiguration::enabled(Some(DefaultRetention {
        mode: Some("GOVERNANCE".into()),
        days: Some(1),
        years: None,
    }));
    c.put_object_lock_configuration("worm", &conf)
        .await
        .unwrap();
    let mut got = c.get_object_lock_configuration("worm").await.unwrap();
    got.xmlns = conf.xmlns.clone();
    assert_eq!(got, conf);
    // The default applies to a write, which must then carry Content-MD5 (or a checksum).
    let err = c
        .put_object("worm", "k", "data", PutObjectOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidRequest"));
    let md5 = PutObjectOptions {
        content_md5: Some("jXd/OF09/siBXSD3SWAm3A==".into()), // md5("data")
        ..Default::default()
    };
    let v = c
        .put_object("worm", "k", "data", md5)
        .await
        .unwrap()
        .version_id
        .unwrap();
    let meta = c
        .head_object("worm", "k", Default::default())
        .await
        .unwrap();
    assert_eq!(meta.object_lock_mode.as_deref(), Some("GOVERNANCE"));
    let err = c
        .delete_object_version("worm", "k", &v, false)
        .await
        .unwrap_err();
    assert_eq!(
        (err.status(), err.code()),
        (Some(403), Some("AccessDenied"))
    );
    // Retention: set, read, extend; shortening needs the bypass.
    c.put_object_retention(
        "worm",
        "k",
        Some(&v),
        Some(("GOVERNANCE", "2030-04-01T00:00:00Z")),
        false,
    )
    .await
    .unwrap();
    let r = c.get_object_retention("worm", "k", Some(&v)).await.unwrap();
    assert_eq!(r.mode.as_deref(), Some("GOVERNANCE"));
    assert_eq!(
        r.retain_until_date.as_deref(),
        Some("2030-04-01T00:00:00.000Z")
    );
    let err = c
        .put_object_retention(
            "worm",
            "k",
            None,
            Some(("GOVERNANCE", "2030-02-01T00:00:00Z")),
            false,
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    c.put_object_retention("worm", "k", None, None, true)
        .await
        .unwrap();
    let err = c.get_object_retention("worm", "k", None).await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchObjectLockConfiguration"));
    // Legal hold: blocks deletes even with the bypass, until lifted.
    c.put_object_legal_hold("worm", "k", None, true)
        .await
        .unwrap();
    assert!(c
        .get_object_legal_hold("worm", "k", Some(&v))
        .await
        .unwrap());
    let err = c
        .delete_object_version("worm", "k", &v, true)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    c.put_object_legal_hold("worm", "k", None, false)
        .await
        .unwrap();
    assert!(!c.get_object_legal_hold("worm", "k", None).await.unwrap());
    c.delete_object_version("worm", "k", &v, false)
        .await
        .unwrap();
    // Lock headers on a write.
    let locked = PutObjectOptions {
        object_lock_mode: Some("COMPLIANCE".into()),
        object_lock_retain_until: Some("2030-01-01T00:00:00Z".into()),
        object_lock_legal_hold: Some(true),
        ..Default::default()
    };
    c.put_object("worm", "c", "x", locked).await.unwrap();
    let meta = c
        .head_object("worm", "c", Default::default())
        .await
        .unwrap();
    assert_eq!(meta.object_lock_mode.as_deref(), Some("COMPLIANCE"));
    assert_eq!(
        meta.object_lock_retain_until.as_deref(),
        Some("2030-01-01T00:00:00.000Z")
    );
    assert_eq!(meta.object_lock_legal_hold, Some(true));
}

#[tokio::test]
async fn public_access_block_policy_status_and_ownership_controls() {
    let srv = Oosd::start();
    let c = srv.client();
    c.create_bucket("open", Default::default()).await.unwrap();
    let err = c.get_public_access_block("open").await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchPublicAccessBlockConfiguration"));
    let flags = PublicAccessBlockConfiguration {
        block_public_acls: true,
        block_public_policy: true,
        ..Default::default()
    };
    c.put_public_access_block("open", &flags).await.unwrap();
    let mut got = c.get_public_access_block("open").await.unwrap();
    got.xmlns = flags.xmlns.clone();
    assert_eq!(got, flags);
    let public = PutObjectOptions {
        acl: Some("public-read".into()),
        ..Default::default()
    };
    let err = c
        .put_object("open", "k", "v", public.clone())
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.status()),
        (Some("AccessDenied"), Some(403))
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
        "Action":"s3:GetObject","Resource":"arn:aws:s3:::open/*"}]}"#;
    let err = c.put_bucket_policy("open", policy).await.unwrap_err();
    assert_eq!(err.code(), Some("AccessDenied"));
    let err = c.get_bucket_policy_status("open").await.unwrap_err();
    assert_eq!(err.code(), Some("NoSuchBucketPolicy"));
    c.delete_public_access_block("open").await.unwrap();
    c.put_bucket_policy("open", policy).await.unwrap();
    assert!(c.get_bucket_policy_status("open").await.unwrap());
    c.put_object("open", "k", "v", public.clone())
        .await
        .unwrap();

    let err = c.get_bucket_ownership_controls("open").await.unwrap_err();
    assert_eq!(err.code(), Some("OwnershipControlsNotFoundError"));
    c.put_bucket_ownership_controls("open", "BucketOwnerPreferred")
        .await
        .unwrap();
    assert_eq!(
        c.get_bucket_ownership_controls("open").await.unwrap(),
        "BucketOwnerPreferred"
    );
    c.delete_bucket_ownership_controls("open").await.unwrap();
    assert_eq!(
        c.get_bucket_ownership_controls("open")
            .await
            .unwrap_err()
            .code(),
        Some("OwnershipControlsNotFoundError")
    );
    c.create_bucket(
        "closed",
        CreateBucketOptions {
            object_ownership: Some("BucketOwnerEnforced".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(
        c.get_bucket_ownership_controls("closed").await.unwrap(),
        "BucketOwnerEnforced"
    );
    let err = c.put_object("closed", "k", "v", public).await.unwrap_err();
    assert_eq!(
        (err.code(), err.status()),
        (Some("AccessControlListNotSupported"), Some(400))
    );
}

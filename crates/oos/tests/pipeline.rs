//! The request pipeline against a scripted server: retries with backoff, which requests are
//! retried, virtual-host addressing, and the transfer manager aborting a failed upload.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use oos::{Addressing, Client, Config, SignatureVersion, TransferOptions};
use support::capture::{self, Captured};

fn error(code: &str) -> String {
    format!("<Error><Code>{code}</Code><Message>scripted</Message><RequestId>R-{code}</RequestId></Error>")
}

#[tokio::test]
async fn idempotent_requests_retry_on_5xx_then_succeed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let (endpoint, seen) = capture::serve(move |_r: &Captured| {
        if c2.fetch_add(1, Ordering::SeqCst) < 2 {
            (503, error("SlowDown"))
        } else {
            (200, String::new())
        }
    })
    .await;
    let client = Client::new(Config::new(&endpoint, "AK", "SK").with_max_retries(3)).unwrap();
    client
        .put_object("bkt", "k", "body", Default::default())
        .await
        .unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "two 503s, then success");
    // Each attempt is signed afresh and carries the whole body.
    assert!(seen.iter().all(|r| r.body == b"body"));

    // Out of retries: the last error, typed.
    calls.store(0, Ordering::SeqCst);
    let client = Client::new(Config::new(&endpoint, "AK", "SK").with_max_retries(1)).unwrap();
    let err = client.delete_object("bkt", "k").await.unwrap_err();
    assert_eq!(err.code(), Some("SlowDown"));
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.request_id(), Some("CAPTURE"));
}

#[tokio::test]
async fn non_idempotent_and_stream_requests_are_not_retried() {
    let (endpoint, seen) = capture::serve(|r: &Captured| {
        if r.method == "DELETE" {
            (400, error("InvalidArgument"))
        } else {
            (500, error("InternalError"))
        }
    })
    .await;
    let client = Client::new(Config::new(&endpoint, "AK", "SK").with_max_retries(3)).unwrap();
    // POST ?uploads (initiate) is not idempotent.
    let err = client
        .create_multipart_upload("bkt", "k", Default::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(seen.lock().unwrap().len(), 1);
    // A stream cannot be replayed.
    let stream = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("ab"))]);
    client
        .put_object(
            "bkt",
            "k",
            oos::Body::from_stream(2, stream),
            Default::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(seen.lock().unwrap().len(), 2);
    // 4xx is final.
    let err = client.delete_object("bkt", "k").await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidArgument"));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[test]
fn virtual_host_addressing_puts_the_bucket_in_the_host() {
    // Presigned URLs show where requests go without needing DNS for `bkt.127.0.0.1`.
    for sig in [SignatureVersion::V4, SignatureVersion::V2] {
        let client = Client::new(
            Config::new("http://127.0.0.1:9", "AK", "SK")
                .with_addressing(Addressing::VirtualHost)
                .with_signature(sig),
        )
        .unwrap();
        let url = client
            .presign(oos::Method::GET, "bkt", Some("a b"), Default::default())
            .unwrap();
        assert!(url.starts_with("http://bkt.127.0.0.1:9/a%20b?"), "{url}");
        let path_style =
            Client::new(Config::new("http://127.0.0.1:9", "AK", "SK").with_signature(sig))
                .unwrap()
                .presign(oos::Method::GET, "bkt", Some("a b"), Default::default())
                .unwrap();
        assert!(
            path_style.starts_with("http://127.0.0.1:9/bkt/a%20b?"),
            "{path_style}"
        );
    }
}

#[tokio::test]
async fn failed_multipart_upload_is_aborted() {
    let (endpoint, seen) = capture::serve(|r: &Captured| {
        if r.method == "POST" && r.target.ends_with("?uploads") {
            (
                200,
                "<InitiateMultipartUploadResult><Bucket>bkt</Bucket><Key>big</Key>\
<UploadId>UP1</UploadId></InitiateMultipartUploadResult>"
                    .into(),
            )
        } else if r.method == "PUT" && r.target.contains("partNumber=2") {
            (400, error("InvalidPart"))
        } else if r.method == "PUT" {
            // The right ETag for the part (the SDK checks it).
            (200, String::new())
        } else {
            (204, String::new())
        }
    })
    .await;
    let client = Client::new(Config::new(&endpoint, "AK", "SK")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, vec![1u8; 11 * 1024 * 1024]).unwrap();
    let opts = TransferOptions {
        multipart_threshold: 5 * 1024 * 1024,
        part_size: 5 * 1024 * 1024,
        concurrency: 1,
        ..Default::default()
    };
    let err = client
        .upload_file("bkt", "big", &path, &opts)
        .await
        .unwrap_err();
    // Part 1 already fails the ETag check (the scripted server answers "e"), or part 2 its
    // status: either way the upload is aborted.
    assert!(
        matches!(err, oos::Error::Integrity(_)) || err.code() == Some("InvalidPart"),
        "{err:?}"
    );
    let seen = seen.lock().unwrap().clone();
    let last = seen.last().unwrap();
    assert_eq!(last.method, "DELETE", "{seen:?}");
    assert_eq!(last.target, "/bkt/big?uploadId=UP1");
}

//! Memory stays flat while large objects stream through the SDK (its own test binary, so the
//! peak RSS is this test's alone).

mod support;

use std::io::Write;

use futures_util::StreamExt;
use oos::{Body, TransferOptions};

const MIB: u64 = 1024 * 1024;
const SIZE: u64 = 96 * MIB;

/// Peak resident set size of this process (`VmHWM`), bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

#[tokio::test]
async fn large_objects_stream_without_buffering() {
    let srv = support::Oosd::start();
    let c = srv.client();
    c.create_bucket("mem", Default::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let chunk = support::data(MIB as usize, 11);
        for _ in 0..SIZE / MIB {
            f.write_all(&chunk).unwrap();
        }
    }
    let before = peak_rss();

    // A generated stream: nothing holds the whole object.
    let chunk = bytes::Bytes::from(support::data(MIB as usize, 12));
    let stream = futures_util::stream::iter((0..SIZE / MIB).map(move |_| Ok(chunk.clone())));
    c.put_object(
        "mem",
        "stream",
        Body::from_stream(SIZE, stream),
        Default::default(),
    )
    .await
    .unwrap();
    let mut body = c
        .get_object("mem", "stream", Default::default())
        .await
        .unwrap()
        .body;
    let mut n = 0u64;
    while let Some(chunk) = body.next().await {
        n += chunk.unwrap().len() as u64;
    }
    assert_eq!(n, SIZE);

    // The transfer manager: parallel parts from the file, parallel ranges into a file.
    let opts = TransferOptions::default();
    let up = c.upload_file("mem", "file", &path, &opts).await.unwrap();
    assert_eq!(up.parts, 12);
    let out = dir.path().join("out");
    let down = c.download_file("mem", "file", &out, &opts).await.unwrap();
    assert_eq!(down.size, SIZE);
    assert_eq!(std::fs::metadata(&out).unwrap().len(), SIZE);

    let grown = peak_rss().saturating_sub(before);
    eprintln!("peak RSS growth: {} KiB", grown / 1024);
    assert!(
        grown < 48 * MIB,
        "peak RSS grew by {} MiB while moving 3 × {} MiB",
        grown / MIB,
        SIZE / MIB
    );
}

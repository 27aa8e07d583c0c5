//! Guide §4.3 Object: put, get, delete, copy, multipart (initiate, upload part, complete,
//! abort, list parts, copy part), delete multiple objects, presigned URLs, head object —
//! and the transfer manager.
//!
//! `OOS_ENDPOINT=… OOS_ACCESS_KEY_ID=… OOS_SECRET_ACCESS_KEY=… cargo run -p oos --example object`

use oos::model::CompletedPart;
use oos::{Body, GetObjectOptions, Method, PresignOptions, PutObjectOptions, Range};

#[tokio::main]
async fn main() -> oos::Result<()> {
    let client = oos::Client::new(oos::Config::from_env()?)?;
    let bucket = format!("example-object-{}", std::process::id());
    client.create_bucket(&bucket, Default::default()).await?;
    let dir = std::env::temp_dir().join(format!("oos-example-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await?;

    // 4.3.1 Put Object: a local file, streamed.
    let local = dir.join("hello.txt");
    tokio::fs::write(&local, b"Hello, OOS!").await?;
    let put = client
        .put_object(
            &bucket,
            "hello.txt",
            Body::from_file(&local).await?,
            PutObjectOptions {
                content_type: Some("text/plain".into()),
                storage_class: Some("STANDARD".into()),
                ..Default::default()
            },
        )
        .await?;
    println!("put etag {}", put.etag);

    // 4.3.2 Get Object: stream the body into a file, chunk by chunk.
    let out = client
        .get_object(&bucket, "hello.txt", Default::default())
        .await?;
    let mut file = tokio::fs::File::create(dir.join("hello.copy")).await?;
    let n = out.body.write_to(&mut file).await?;
    println!("downloaded {n} bytes");
    let head = client
        .get_object(
            &bucket,
            "hello.txt",
            GetObjectOptions {
                range: Some(Range::Inclusive(0, 4)),
                ..Default::default()
            },
        )
        .await?
        .body
        .collect()
        .await?;
    assert_eq!(&head[..], b"Hello");

    // 4.3.4 Put Object – Copy
    let copy = client
        .copy_object(
            &bucket,
            "hello.txt",
            &bucket,
            "hello-copy.txt",
            Default::default(),
        )
        .await?;
    println!("copy etag {}", copy.etag);

    // 4.3.5–4.3.10 Multipart: initiate, upload part, copy part, list parts, complete.
    let id = client
        .create_multipart_upload(&bucket, "multipart.bin", Default::default())
        .await?;
    let part1 = client
        .upload_part(
            &bucket,
            "multipart.bin",
            &id,
            1,
            vec![b'a'; 5 * 1024 * 1024],
        )
        .await?;
    let part2 = client
        .upload_part_copy(
            &bucket,
            "multipart.bin",
            &id,
            2,
            &bucket,
            "hello.txt",
            Some((0, 4)),
        )
        .await?;
    let parts = client
        .list_parts(&bucket, "multipart.bin", &id, Default::default())
        .await?;
    println!(
        "parts: {:?}",
        parts.parts.iter().map(|p| p.size).collect::<Vec<_>>()
    );
    let done = client
        .complete_multipart_upload(
            &bucket,
            "multipart.bin",
            &id,
            vec![
                CompletedPart {
                    part_number: 1,
                    etag: part1,
                },
                CompletedPart {
                    part_number: 2,
                    etag: part2.etag,
                },
            ],
        )
        .await?;
    println!("multipart etag {}", done.etag);
    // 4.3.8 Abort Multipart Upload
    let id2 = client
        .create_multipart_upload(&bucket, "aborted.bin", Default::default())
        .await?;
    client
        .abort_multipart_upload(&bucket, "aborted.bin", &id2)
        .await?;

    // 4.3.12 Presigned URL (15 minutes by default).
    let url = client.presign(
        Method::GET,
        &bucket,
        Some("hello.txt"),
        PresignOptions::default(),
    )?;
    println!("share: {url}");

    // 4.3.13 Head Object
    let meta = client
        .head_object(&bucket, "multipart.bin", Default::default())
        .await?;
    println!("multipart.bin: {} bytes", meta.size);
    assert_eq!(meta.size, 5 * 1024 * 1024 + 5);

    // Transfer manager: parallel multipart upload and ranged download of a file.
    let big = dir.join("big.bin");
    tokio::fs::write(&big, vec![7u8; 11 * 1024 * 1024]).await?;
    let opts = oos::TransferOptions {
        multipart_threshold: 5 * 1024 * 1024,
        part_size: 5 * 1024 * 1024,
        ..Default::default()
    };
    let up = client.upload_file(&bucket, "big.bin", &big, &opts).await?;
    let down = client
        .download_file(&bucket, "big.bin", dir.join("big.out"), &opts)
        .await?;
    println!(
        "transfer: {} parts up, {} ranges down",
        up.parts, down.parts
    );

    // 4.3.3 Delete Object and 4.3.11 Delete Multiple Objects
    client.delete_object(&bucket, "hello.txt").await?;
    let r = client
        .delete_objects(
            &bucket,
            &["hello-copy.txt", "multipart.bin", "big.bin"],
            false,
        )
        .await?;
    println!("deleted {} objects", r.deleted.len());
    client.delete_bucket(&bucket).await?;
    tokio::fs::remove_dir_all(&dir).await?;
    println!("object example done");
    Ok(())
}

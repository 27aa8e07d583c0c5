//! Guide §4.2 Bucket: put/delete bucket, location, list objects, ACL, policy, website,
//! lifecycle, logging, head bucket, accelerate and CORS.
//!
//! `OOS_ENDPOINT=… OOS_ACCESS_KEY_ID=… OOS_SECRET_ACCESS_KEY=… cargo run -p oos --example bucket`

use futures_util::TryStreamExt;
use oos::model::*;
use oos::{Acl, CreateBucketOptions, DataLocation, ListObjectsOptions};

#[tokio::main]
async fn main() -> oos::Result<()> {
    let client = oos::Client::new(oos::Config::from_env()?)?;
    let bucket = format!("example-bucket-{}", std::process::id());
    let logs = format!("{bucket}-logs");
    let region = client.get_regions().await?.data_regions.region[0].clone();

    // 4.2.1 Put Bucket: private, metadata and data in the first region.
    client
        .create_bucket(
            &bucket,
            CreateBucketOptions {
                acl: Some("private".into()),
                metadata_location: Some(region.clone()),
                data_location: Some(DataLocation::specified([region.clone()], true)),
                ..Default::default()
            },
        )
        .await?;
    client.create_bucket(&logs, Default::default()).await?;

    // 4.2.2 Get Bucket Location
    let loc = client.get_bucket_location(&bucket).await?;
    println!(
        "location: {:?} / {:?}",
        loc.metadata_location, loc.data_location
    );

    // 4.2.3 Get Bucket (List Objects), every page.
    for key in ["a.txt", "dir/b.txt", "dir/c.txt"] {
        client
            .put_object(&bucket, key, "x", Default::default())
            .await?;
    }
    let keys: Vec<String> = client
        .list_objects_paginator(
            &bucket,
            ListObjectsOptions {
                max_keys: Some(2),
                ..Default::default()
            },
        )
        .into_objects()
        .map_ok(|o| o.key)
        .try_collect()
        .await?;
    println!("objects: {keys:?}");
    assert_eq!(keys.len(), 3);

    // 4.2.4 Get Bucket ACL (after making it public-read)
    client
        .put_bucket_acl(&bucket, Acl::Canned("public-read".into()))
        .await?;
    for g in client
        .get_bucket_acl(&bucket)
        .await?
        .access_control_list
        .grant
    {
        println!(
            "grant: {:?} {}",
            g.grantee.uri.or(g.grantee.id),
            g.permission
        );
    }

    // 4.2.5 Put / Get / Delete Bucket Policy
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"read","Effect":"Allow","Principal":{{"AWS":["*"]}},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::{bucket}/*"]}}]}}"#
    );
    client.put_bucket_policy(&bucket, &policy).await?;
    println!("policy: {}", client.get_bucket_policy(&bucket).await?);
    client.delete_bucket_policy(&bucket).await?;

    // 4.2.6 Put / Get / Delete Bucket Website
    let site = WebsiteConfiguration {
        index_document: Some(IndexDocument {
            suffix: "index.html".into(),
        }),
        error_document: Some(ErrorDocumentKey {
            key: "error.html".into(),
        }),
        ..Default::default()
    };
    client.put_bucket_website(&bucket, &site).await?;
    println!("website: {:?}", client.get_bucket_website(&bucket).await?);
    client.delete_bucket_website(&bucket).await?;

    // 4.2.7 Put / Get / Delete Bucket Lifecycle
    let lc = LifecycleConfiguration {
        rule: vec![LifecycleRule {
            id: Some("expire-tmp".into()),
            prefix: Some("tmp/".into()),
            status: "Enabled".into(),
            expiration: Some(LifecycleExpiration {
                days: Some(7),
                date: None,
            }),
            ..Default::default()
        }],
    };
    client.put_bucket_lifecycle(&bucket, &lc).await?;
    println!(
        "lifecycle: {:?}",
        client.get_bucket_lifecycle(&bucket).await?
    );
    client.delete_bucket_lifecycle(&bucket).await?;

    // 4.2.8 Put / Get Bucket Logging
    let status = BucketLoggingStatus {
        logging_enabled: Some(LoggingEnabled {
            target_bucket: logs.clone(),
            target_prefix: "access/".into(),
        }),
    };
    client.put_bucket_logging(&bucket, &status).await?;
    println!("logging: {:?}", client.get_bucket_logging(&bucket).await?);
    client
        .put_bucket_logging(&bucket, &BucketLoggingStatus::default())
        .await?;

    // 4.2.9 Head Bucket
    println!("head bucket: {}", client.head_bucket(&bucket).await?);

    // 4.2.10 Put / Get Bucket Accelerate
    let acc = AccelerateConfiguration {
        status: "Enabled".into(),
        ip_white_lists: Some(IpWhiteLists {
            ip: vec!["192.0.2.0/24".into()],
        }),
    };
    client.put_bucket_accelerate(&bucket, &acc).await?;
    println!(
        "accelerate: {:?}",
        client.get_bucket_accelerate(&bucket).await?
    );

    // 4.2.11 Put / Get / Delete Bucket CORS
    let cors = CorsConfiguration {
        rules: vec![CorsRule {
            allowed_origin: vec!["*".into()],
            allowed_method: vec!["GET".into(), "PUT".into()],
            allowed_header: vec!["*".into()],
            max_age_seconds: Some(3600),
            ..Default::default()
        }],
    };
    client.put_bucket_cors(&bucket, &cors).await?;
    println!("cors: {:?}", client.get_bucket_cors(&bucket).await?);
    client.delete_bucket_cors(&bucket).await?;

    // 4.2.1 Delete Bucket: it must be empty first.
    client.delete_objects(&bucket, &keys, true).await?;
    client.delete_bucket(&bucket).await?;
    client.delete_bucket(&logs).await?;
    assert!(!client.head_bucket(&bucket).await?);
    println!("bucket example done");
    Ok(())
}

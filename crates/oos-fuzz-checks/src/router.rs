//! The request router: Host + path → bucket and key (virtual-host or path style), the query,
//! then method + query + key + guard headers → one `Endpoint`.
//!
//! Input: an HTTP request head (see [`crate::input::Head`]); the server's domains are
//! `oos.example.com` and `localhost`.

use http::Method;
use oos_server::fuzzing::{parse_target, Endpoint, Query, MAX_KEY_LEN};

use crate::input::Head;

pub fn check(data: &[u8]) {
    let head = Head::parse(data);
    let domains = ["oos.example.com".to_string(), "localhost".to_string()];
    let Ok(target) = parse_target(head.header("host"), &head.path, &domains) else {
        return;
    };
    if let Some(key) = &target.key {
        assert!(!key.is_empty() && key.len() <= MAX_KEY_LEN);
        assert!(target.bucket.is_some(), "a key without a bucket");
    }
    if let Some(bucket) = &target.bucket {
        assert!(!bucket.is_empty() || !target.virtual_host);
        if !target.virtual_host {
            assert!(!bucket.contains('/'), "path-style bucket {bucket:?}");
        }
    }
    // Path style written back from the target routes to the same target.
    if !target.virtual_host {
        if let Some(bucket) = target.bucket.as_deref().filter(|b| !b.is_empty()) {
            let mut path = format!("/{}", oos_sign::uri_encode(bucket.as_bytes(), false));
            if let Some(key) = &target.key {
                path.push('/');
                path.push_str(&oos_sign::uri_encode(key.as_bytes(), true));
            }
            assert_eq!(
                parse_target(None, &path, &domains).ok(),
                Some(target.clone()),
                "{path}"
            );
        }
    }
    let Ok(method) = Method::from_bytes(head.method.as_bytes()) else {
        return;
    };
    let Ok(query) = Query::parse(&head.query) else {
        return;
    };
    let Ok(endpoint) = Endpoint::parse(&method, &target, &query, &head.headers) else {
        return;
    };
    let name = endpoint.name();
    assert!(!name.is_empty());
    if let Endpoint::NotImplemented(_) = endpoint {
        return;
    }
    assert_eq!(
        expected_method(&endpoint),
        Some(method.as_str()),
        "{method} {:?} ?{} routed to {name}",
        head.path,
        head.query
    );
    match &endpoint {
        Endpoint::ListBuckets | Endpoint::GetRegions => assert!(target.bucket.is_none()),
        _ if object_level(&endpoint) => assert!(target.key.is_some(), "{name} without a key"),
        Endpoint::CorsPreflight => {}
        _ => assert!(
            target.bucket.is_some() && target.key.is_none(),
            "{name} is a bucket operation"
        ),
    }
    if let Endpoint::UploadPart {
        part_number,
        upload_id,
    }
    | Endpoint::UploadPartCopy {
        part_number,
        upload_id,
    } = &endpoint
    {
        assert!((1..=10000).contains(part_number));
        assert_eq!(query.get("uploadId"), Some(upload_id.as_str()));
    }
}

fn object_level(e: &Endpoint) -> bool {
    matches!(
        e,
        Endpoint::PutObject
            | Endpoint::CopyObject
            | Endpoint::GetObject
            | Endpoint::HeadObject
            | Endpoint::DeleteObject
            | Endpoint::GetObjectAcl
            | Endpoint::PutObjectAcl
            | Endpoint::GetObjectTagging
            | Endpoint::PutObjectTagging
            | Endpoint::DeleteObjectTagging
            | Endpoint::GetObjectAttributes
            | Endpoint::GetObjectRetention
            | Endpoint::PutObjectRetention
            | Endpoint::GetObjectLegalHold
            | Endpoint::PutObjectLegalHold
            | Endpoint::CreateMultipartUpload
            | Endpoint::UploadPart { .. }
            | Endpoint::UploadPartCopy { .. }
            | Endpoint::CompleteMultipartUpload { .. }
            | Endpoint::AbortMultipartUpload { .. }
            | Endpoint::ListParts { .. }
    )
}

/// The one method each operation is reached by, from its S3 name.
fn expected_method(e: &Endpoint) -> Option<&'static str> {
    let name = e.name();
    Some(match e {
        Endpoint::CorsPreflight => "OPTIONS",
        Endpoint::DeleteObjects
        | Endpoint::PostObject
        | Endpoint::CreateMultipartUpload
        | Endpoint::CompleteMultipartUpload { .. } => "POST",
        Endpoint::CreateBucket
        | Endpoint::CopyObject
        | Endpoint::UploadPart { .. }
        | Endpoint::UploadPartCopy { .. } => "PUT",
        Endpoint::AbortMultipartUpload { .. } => "DELETE",
        _ if name.starts_with("Get") || name.starts_with("List") => "GET",
        _ if name.starts_with("Head") => "HEAD",
        _ if name.starts_with("Put") => "PUT",
        _ if name.starts_with("Delete") => "DELETE",
        _ => return None,
    })
}

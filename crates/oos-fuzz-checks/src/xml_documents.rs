//! Every XML document the server reads from a request, and every one the SDK reads from a
//! response, parsed from the same text: no parser panics, what parses obeys its document's
//! limits, and the documents the server stores in canonical form (CORS, lifecycle, website,
//! ACL) read back from that form as what was parsed.
//!
//! Input: the document text.

use oos_proto::xml::{self, sdk};
use oos_server::fuzzing::{self as server, AclTarget};

const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

pub fn check(data: &[u8]) {
    let _ = server::parse_logging(data);
    for max in [server::MAX_OBJECT_TAGS, 50] {
        if let Ok(tags) = server::tags_from_document(data, max) {
            assert!(tags.len() <= max);
            for (i, (k, _)) in tags.iter().enumerate() {
                assert!(!k.is_empty() && tags[..i].iter().all(|(other, _)| other != k));
            }
        }
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    cors(text);
    lifecycle(text);
    website(text);
    acl(text);
    if let Ok((_, ips)) = server::parse_accelerate(text) {
        assert!(ips.len() <= 5);
        assert!(ips.iter().all(|ip| !ip.is_empty() && ip.trim() == ip));
    }
    if let Ok(complete) = server::parse_complete_multipart(text) {
        assert!(complete
            .parts
            .windows(2)
            .all(|w| w[0].part_number < w[1].part_number));
        if let Some(etag) = server::requested_etag(&complete) {
            assert!(etag.ends_with(&format!("-{}", complete.parts.len())));
        }
    }
    if let Ok(delete) = server::parse_delete(text) {
        assert!((1..=1000).contains(&delete.objects.len()));
    }
    // The documents the handlers read with `from_xml` alone (their checks afterwards are
    // matches on the parsed values).
    let _ = xml::from_xml::<xml::CreateBucketConfiguration>(text);
    let _ = xml::from_xml::<xml::VersioningConfigurationIn>(text);
    let _ = xml::from_xml::<xml::ObjectLockConfiguration>(text);
    let _ = xml::from_xml::<xml::ObjectRetention>(text);
    let _ = xml::from_xml::<xml::ObjectLegalHold>(text);
    let _ = xml::from_xml::<xml::ServerSideEncryptionConfiguration>(text);
    let _ = xml::from_xml::<xml::PublicAccessBlockConfiguration>(text);
    let _ = xml::from_xml::<xml::OwnershipControls>(text);
    let _ = xml::from_xml::<xml::PolicyStatus>(text);
    let _ = xml::from_xml::<xml::BucketConfiguration>(text);
    // What the SDK reads from responses.
    let _ = xml::from_xml::<sdk::ListAllMyBucketsResult>(text);
    let _ = xml::from_xml::<sdk::BucketRegions>(text);
    let _ = xml::from_xml::<sdk::ListBucketResult>(text);
    let _ = xml::from_xml::<sdk::ListVersionsResult>(text);
    let _ = xml::from_xml::<sdk::InitiateMultipartUploadResult>(text);
    let _ = xml::from_xml::<sdk::CompleteMultipartUploadResult>(text);
    let _ = xml::from_xml::<sdk::CopyResult>(text);
    let _ = xml::from_xml::<sdk::ListPartsResult>(text);
    let _ = xml::from_xml::<sdk::ListMultipartUploadsResult>(text);
    let _ = xml::from_xml::<sdk::DeleteResult>(text);
    let _ = xml::from_xml::<sdk::ErrorDocument>(text);
    let _ = xml::from_xml::<sdk::AccessControlPolicy>(text);
    let _ = xml::from_xml::<sdk::Tagging>(text);
    let _ = xml::from_xml::<sdk::WebsiteConfiguration>(text);
    let _ = xml::from_xml::<sdk::LifecycleConfiguration>(text);
    let _ = xml::from_xml::<sdk::CorsConfiguration>(text);
    let _ = xml::from_xml::<sdk::BucketLoggingStatus>(text);
    let _ = xml::from_xml::<sdk::AccelerateConfiguration>(text);
    let _ = xml::from_xml::<sdk::CreateAccessKeyResponse>(text);
    let _ = xml::from_xml::<sdk::ListAccessKeysResponse>(text);
    let _ = xml::from_xml::<sdk::IamErrorResponse>(text);
}

fn cors(text: &str) {
    let Ok(rules) = server::parse_cors(text) else {
        return;
    };
    assert!(!rules.is_empty() && rules.len() <= 100);
    for r in &rules {
        assert!(!r.origins.is_empty() && !r.methods.is_empty());
        // A rule matches its own origins (each with at most one `*`, written as is).
        for o in &r.origins {
            assert!(
                server::cors_wildcard(o, &o.replace('*', "")),
                "origin {o:?}"
            );
        }
    }
    let stored = server::cors_to_xml(&rules);
    let again = server::parse_cors(&stored)
        .unwrap_or_else(|e| panic!("stored CORS reads back: {e:?}\n{stored}"));
    assert_eq!(again, rules, "stored CORS reads back the same\n{stored}");
}

fn lifecycle(text: &str) {
    let Ok(rules) = server::parse_lifecycle(text) else {
        return;
    };
    let stored = server::lifecycle_to_xml(&rules);
    let again = server::parse_lifecycle(&stored)
        .unwrap_or_else(|e| panic!("stored lifecycle reads back: {e:?}\n{stored}"));
    assert_eq!(
        again, rules,
        "stored lifecycle reads back the same\n{stored}"
    );
}

fn website(text: &str) {
    let Ok(doc) = server::WebsiteConfiguration::parse(text) else {
        return;
    };
    let stored = doc.to_xml();
    let again = server::WebsiteConfiguration::parse(&stored)
        .unwrap_or_else(|e| panic!("stored website reads back: {e:?}\n{stored}"));
    assert_eq!(again.to_xml(), stored, "stored website reads back the same");
    assert!(server::WebsiteConfiguration::from_stored(&stored).is_some());
}

fn acl(text: &str) {
    let Ok(requested) = server::Acl::from_xml(text, OWNER) else {
        return;
    };
    let acl = requested.resolve(OWNER, OWNER, AclTarget::Bucket);
    let shown = acl.to_xml(OWNER, "owner", &|id| format!("name of {id}"));
    let again = server::Acl::from_xml(&shown, OWNER)
        .unwrap_or_else(|e| panic!("an ACL as shown reads back: {e:?}\n{shown}"))
        .resolve(OWNER, OWNER, AclTarget::Bucket);
    assert_eq!(again.listed(OWNER), acl.listed(OWNER), "{shown}");
    // Stored and read back, it is the same ACL.
    assert_eq!(server::Acl::from_stored(&acl.to_stored()), acl);
}

//! Lifecycle tiering: `replace_object_data_if_unchanged` switches a version to new data only
//! while it is unchanged, keeps everything else, and hands the old data to GC.

use std::sync::Arc;

use oos_meta::*;

use crate::support::*;

/// Everything but the data and the class, which a switch must leave as they were.
fn unchanged_part(o: &Object) -> (String, u64, String, i64, ObjectAttrs, Option<String>) {
    (
        o.key.clone(),
        o.size,
        o.etag.clone(),
        o.last_modified,
        o.attrs.clone(),
        o.version_id.clone(),
    )
}

pub async fn data_replacement(s: Arc<dyn MetaStore>) {
    s.create_bucket(bucket("tb", "o")).await.unwrap();
    let mut original = object("tb", "k", single("t1"));
    original.attrs.tags = vec![("tier".into(), "cold".into())];
    original.attrs.acl = Some("public-read".into());
    s.put_object(original.clone()).await.unwrap();
    let usage = s.usage().await.unwrap();

    // The switch: new data and class, everything else kept; the old data goes to GC.
    assert!(s
        .replace_object_data_if_unchanged(&original, single("t2"), "STANDARD_IA")
        .await
        .unwrap());
    let moved = s.get_object("tb", "k").await.unwrap().unwrap();
    assert_eq!(moved.data, single("t2"));
    assert_eq!(moved.storage_class, "STANDARD_IA");
    assert_eq!(unchanged_part(&moved), unchanged_part(&original));
    assert_eq!(s.usage().await.unwrap(), usage);
    assert!(pending(&*s).await.contains("t1"));
    assert!(!pending(&*s).await.contains("t2"));
    assert!(s.is_data_referenced("t2").await.unwrap());
    assert!(!s.is_data_referenced("t1").await.unwrap());

    // A second mover that still believes the old data is there changes nothing.
    assert!(!s
        .replace_object_data_if_unchanged(&original, single("t3"), "EC_2_1")
        .await
        .unwrap());
    assert_eq!(s.get_object("tb", "k").await.unwrap(), Some(moved.clone()));
    assert!(!s.is_data_referenced("t3").await.unwrap());
    assert!(!pending(&*s).await.contains("t3"));

    // Overwritten while its data was being copied: the new object is never clobbered.
    let mut newer = object("tb", "k", single("t4"));
    newer.etag = "another-etag".into();
    s.put_object(newer.clone()).await.unwrap();
    assert!(!s
        .replace_object_data_if_unchanged(&moved, single("t5"), "STANDARD")
        .await
        .unwrap());
    assert_eq!(s.get_object("tb", "k").await.unwrap(), Some(newer.clone()));
    assert!(!s.is_data_referenced("t5").await.unwrap());
    // Rewritten with the very same bytes (same ETag and time, new data id): still a
    // different object, so it stays too.
    let same_bytes = object("tb", "k", single("t6"));
    let mut looked = same_bytes.clone();
    s.put_object(same_bytes.clone()).await.unwrap();
    looked.data = single("t4");
    assert!(!s
        .replace_object_data_if_unchanged(&looked, single("t7"), "STANDARD_IA")
        .await
        .unwrap());
    assert_eq!(
        s.get_object("tb", "k").await.unwrap().unwrap().data,
        single("t6")
    );
    // Another modification time alone also protects it.
    let mut later = same_bytes.clone();
    later.last_modified += 1;
    assert!(!s
        .replace_object_data_if_unchanged(&later, single("t8"), "STANDARD_IA")
        .await
        .unwrap());

    // Deleted meanwhile: nothing to switch.
    assert!(
        s.delete_object("tb", "k", None, at_now())
            .await
            .unwrap()
            .changed
    );
    assert!(!s
        .replace_object_data_if_unchanged(&same_bytes, single("t9"), "STANDARD_IA")
        .await
        .unwrap());
    assert_eq!(s.get_object("tb", "k").await.unwrap(), None);

    // Inline data has no layout: it stays inline, and only the class changes.
    let small = object("tb", "small", DataRef::Inline(vec![1, 2, 3]));
    s.put_object(small.clone()).await.unwrap();
    assert!(s
        .replace_object_data_if_unchanged(&small, small.data.clone(), "STANDARD_IA")
        .await
        .unwrap());
    let got = s.get_object("tb", "small").await.unwrap().unwrap();
    assert_eq!(
        (got.data.clone(), got.storage_class.as_str()),
        (small.data.clone(), "STANDARD_IA")
    );
    // Inline bytes that differ are another object.
    let mut other_bytes = got.clone();
    other_bytes.data = DataRef::Inline(vec![9]);
    assert!(!s
        .replace_object_data_if_unchanged(&other_bytes, DataRef::Inline(vec![9]), "STANDARD")
        .await
        .unwrap());

    // Multipart: moved part by part; a part kept as it was stays referenced.
    let parts = object("tb", "mp", parts_ref(&["p1", "p2"]));
    s.put_object(parts.clone()).await.unwrap();
    assert!(s
        .replace_object_data_if_unchanged(&parts, parts_ref(&["p1", "q2"]), "EC_2_1")
        .await
        .unwrap());
    let got = s.get_object("tb", "mp").await.unwrap().unwrap();
    assert_eq!(got.data, parts_ref(&["p1", "q2"]));
    let gc = pending(&*s).await;
    assert!(gc.contains("p2") && !gc.contains("p1") && !gc.contains("q2"));
    assert!(s.is_data_referenced("p1").await.unwrap());

    assert!(matches!(
        s.replace_object_data_if_unchanged(
            &object("nob", "k", single("x")),
            single("y"),
            "STANDARD"
        )
        .await,
        Err(MetaError::NoSuchBucket)
    ));
}

pub async fn data_replacement_of_versions(s: Arc<dyn MetaStore>) {
    versioned_bucket(&*s, "tv").await;
    let mut v1 = object("tv", "k", single("v1"));
    v1.etag = "e1".into();
    v1.version_id = s.put_object(v1.clone()).await.unwrap();
    // Current when looked at, noncurrent by the time of the switch: the same version, moved.
    let mut v2 = object("tv", "k", single("v2"));
    v2.etag = "e2".into();
    v2.version_id = s.put_object(v2.clone()).await.unwrap();
    assert!(s
        .replace_object_data_if_unchanged(&v1, single("v1-ia"), "STANDARD_IA")
        .await
        .unwrap());
    let old = s
        .get_object_version("tv", "k", v1.version_id.as_deref())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (old.data.clone(), old.storage_class.as_str()),
        (single("v1-ia"), "STANDARD_IA")
    );
    assert_eq!(unchanged_part(&old), unchanged_part(&v1));
    // The current version and the order of versions are untouched.
    assert_eq!(s.get_object("tv", "k").await.unwrap(), Some(v2.clone()));
    let page = s
        .list_object_versions(
            "tv",
            &VersionQuery {
                max_keys: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let order: Vec<(Option<String>, bool)> = page
        .entries
        .iter()
        .filter_map(|e| match e {
            VersionEntry::Version { object, latest } => Some((object.version_id.clone(), *latest)),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        vec![
            (v2.version_id.clone(), true),
            (v1.version_id.clone(), false)
        ]
    );
    assert!(pending(&*s).await.contains("v1"));
    assert!(!pending(&*s).await.contains("v2"));

    // Another version of the key with the same ETag is not this one.
    let mut other = v1.clone();
    other.version_id = v2.version_id.clone();
    other.data = single("v1-ia");
    assert!(!s
        .replace_object_data_if_unchanged(&other, single("zz"), "STANDARD")
        .await
        .unwrap());
    // A version removed meanwhile is gone for good.
    s.delete_object("tv", "k", v1.version_id.as_deref(), at_now())
        .await
        .unwrap();
    assert!(!s
        .replace_object_data_if_unchanged(&old, single("v1-again"), "STANDARD")
        .await
        .unwrap());
    assert!(!s.is_data_referenced("v1-again").await.unwrap());
    // A delete marker has no data to move.
    s.delete_object("tv", "k", None, at_now()).await.unwrap();
    let marker = s
        .get_object_version("tv", "k", None)
        .await
        .unwrap()
        .unwrap();
    assert!(marker.delete_marker);
    assert!(!s
        .replace_object_data_if_unchanged(&marker, single("m"), "STANDARD")
        .await
        .unwrap());
}

/// Writers racing a mover: whatever the interleaving, the key ends with the last writer's
/// object, and every data id is either referenced or queued for GC exactly when it should be.
pub async fn data_replacement_races_writes(s: Arc<dyn MetaStore>) {
    s.create_bucket(bucket("tr", "o")).await.unwrap();
    for round in 0..20 {
        let key = format!("k{round}");
        let first = object("tr", &key, single(&format!("{key}-a")));
        s.put_object(first.clone()).await.unwrap();
        let mut second = object("tr", &key, single(&format!("{key}-b")));
        second.etag = format!("etag-{round}");
        let (writer, mover) = (s.clone(), s.clone());
        let moved_id = format!("{key}-moved");
        let (write, replaced) = tokio::join!(
            tokio::spawn(async move { writer.put_object(second).await }),
            tokio::spawn({
                let first = first.clone();
                let moved_id = moved_id.clone();
                async move {
                    mover
                        .replace_object_data_if_unchanged(&first, single(&moved_id), "STANDARD_IA")
                        .await
                }
            })
        );
        write.unwrap().unwrap();
        let replaced = replaced.unwrap().unwrap();
        let now = s.get_object("tr", &key).await.unwrap().unwrap();
        assert_eq!(
            now.etag,
            format!("etag-{round}"),
            "the writer's object wins"
        );
        assert_eq!(now.data, single(&format!("{key}-b")));
        // The moved copy is referenced by nothing either way: queued if it was switched in
        // and then overwritten, never seen by the store otherwise.
        assert!(!s.is_data_referenced(&moved_id).await.unwrap());
        assert_eq!(pending(&*s).await.contains(&moved_id), replaced);
        assert!(!s.is_data_referenced(&format!("{key}-a")).await.unwrap());
    }
}

//! Conformance checks for versioning: version order, the current version, delete markers,
//! ListObjectVersions paging, the null version, lifecycle helpers and concurrent writers.

use std::collections::BTreeMap;
use std::sync::Arc;

use oos_meta::*;

use crate::support::*;

/// Every version as `(key, version label, is latest, is marker)`, by paging `page` at a time
/// through the key and version-id markers.
async fn all_versions(
    s: &dyn MetaStore,
    b: &str,
    page: usize,
) -> Vec<(String, String, bool, bool)> {
    let mut out = Vec::new();
    let mut q = VersionQuery {
        max_keys: page,
        ..Default::default()
    };
    for _ in 0..10_000 {
        let p = s.list_object_versions(b, &q).await.unwrap();
        assert!(p.entries.len() <= page);
        for e in &p.entries {
            let VersionEntry::Version { object, latest } = e else {
                panic!("no delimiter, no prefixes")
            };
            out.push((
                object.key.clone(),
                object.version_label().to_owned(),
                *latest,
                object.delete_marker,
            ));
        }
        if !p.truncated {
            return out;
        }
        let last = out.last().expect("a truncated page is not empty");
        q.key_marker = Some(last.0.clone());
        q.version_id_marker = Some(last.1.clone());
    }
    panic!("listing did not end");
}

pub async fn version_lifecycle(s: Arc<dyn MetaStore>) {
    versioned_bucket(&*s, "vb").await;
    let mut ids = Vec::new();
    for d in ["d1", "d2", "d3"] {
        let id = s.put_object(object("vb", "k", single(d))).await.unwrap();
        ids.push(id.expect("an enabled bucket gives every write an id"));
    }
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
        3
    );
    assert!(ids.iter().all(|id| id.len() == 32 && id != NULL_VERSION));
    // Nothing was replaced for good, so nothing is queued for GC; every version counts.
    assert!(pending(&*s).await.is_empty());
    assert_eq!(s.bucket_usage("vb").await.unwrap().objects, 3);
    let current = s.get_object("vb", "k").await.unwrap().unwrap();
    assert_eq!(current.version_id.as_deref(), Some(ids[2].as_str()));
    assert_eq!(current.data, single("d3"));
    for (id, d) in ids.iter().zip(["d1", "d2", "d3"]) {
        let v = s
            .get_object_version("vb", "k", Some(id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(v.data, single(d));
    }
    assert_eq!(
        s.get_object_version("vb", "k", Some("nope")).await.unwrap(),
        None
    );
    assert_eq!(
        s.get_object_version("vb", "k", Some("null")).await.unwrap(),
        None
    );

    // DELETE without a version adds a marker; the object looks gone, its versions stay.
    let del = s.delete_object("vb", "k", None, at_now()).await.unwrap();
    assert!(del.changed && del.delete_marker);
    let marker = del.version_id.clone().unwrap();
    assert_eq!(s.get_object("vb", "k").await.unwrap(), None);
    let latest = s
        .get_object_version("vb", "k", None)
        .await
        .unwrap()
        .unwrap();
    assert!(latest.delete_marker);
    assert_eq!(latest.version_id.as_deref(), Some(marker.as_str()));
    let listed = all_versions(&*s, "vb", 1000).await;
    let expect = |v: &[(&str, bool, bool)]| -> Vec<(String, String, bool, bool)> {
        v.iter()
            .map(|(id, latest, m)| ("k".to_string(), id.to_string(), *latest, *m))
            .collect()
    };
    assert_eq!(
        listed,
        expect(&[
            (&marker, true, true),
            (&ids[2], false, false),
            (&ids[1], false, false),
            (&ids[0], false, false)
        ])
    );
    // ListObjects hides the key; the bucket is not empty.
    assert!(list(&*s, "vb", "", None, None, 10).await.0.is_empty());
    assert!(matches!(
        s.delete_bucket("vb").await,
        Err(MetaError::BucketNotEmpty)
    ));
    // A conditional create sees a marker as no object.
    assert!(matches!(
        s.put_object_if(
            object("vb", "k", single("x")),
            WriteCondition::EtagIs("e".into())
        )
        .await,
        Err(MetaError::NoSuchKey)
    ));

    // Removing the marker by id brings the last version back.
    let del = s
        .delete_object("vb", "k", Some(&marker), at_now())
        .await
        .unwrap();
    assert_eq!(
        del,
        DeleteOutcome {
            changed: true,
            version_id: Some(marker.clone()),
            delete_marker: true
        }
    );
    assert_eq!(
        s.get_object("vb", "k").await.unwrap().unwrap().data,
        single("d3")
    );
    // Removing a noncurrent version removes exactly it, and its data goes to GC.
    let del = s
        .delete_object("vb", "k", Some(&ids[1]), at_now())
        .await
        .unwrap();
    assert!(del.changed && !del.delete_marker);
    assert_eq!(pending(&*s).await, ["d2".to_string()].into());
    assert!(
        !s.delete_object("vb", "k", Some(&ids[1]), at_now())
            .await
            .unwrap()
            .changed
    );
    // Removing the current version makes the newest remaining one current.
    s.delete_object("vb", "k", Some(&ids[2]), at_now())
        .await
        .unwrap();
    let current = s.get_object("vb", "k").await.unwrap().unwrap();
    assert_eq!(current.version_id.as_deref(), Some(ids[0].as_str()));
    assert_eq!(
        all_versions(&*s, "vb", 10).await,
        expect(&[(&ids[0], true, false)])
    );
    assert_eq!(s.bucket_usage("vb").await.unwrap().objects, 1);

    // Tags and ACLs address one version.
    let id0 = s
        .put_object(object("vb", "k", single("d4")))
        .await
        .unwrap()
        .unwrap();
    let tags = vec![("t".to_string(), "old".to_string())];
    s.set_object_tags("vb", "k", Some(&ids[0]), tags.clone())
        .await
        .unwrap();
    let old = s
        .get_object_version("vb", "k", Some(&ids[0]))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(old.attrs.tags, tags);
    assert!(s
        .get_object("vb", "k")
        .await
        .unwrap()
        .unwrap()
        .attrs
        .tags
        .is_empty());
    s.set_object_acl("vb", "k", Some(&id0), Some("public-read".into()))
        .await
        .unwrap();
    assert_eq!(
        s.get_object("vb", "k")
            .await
            .unwrap()
            .unwrap()
            .attrs
            .acl
            .as_deref(),
        Some("public-read")
    );
    assert!(matches!(
        s.set_object_acl("vb", "k", Some("nope"), None).await,
        Err(MetaError::NoSuchKey)
    ));
    // Everything removed version by version leaves an empty, deletable bucket.
    for v in all_versions(&*s, "vb", 1000).await {
        assert!(
            s.delete_object("vb", &v.0, Some(&v.1), at_now())
                .await
                .unwrap()
                .changed
        );
    }
    s.delete_bucket("vb").await.unwrap();
}

pub async fn null_versions(s: Arc<dyn MetaStore>) {
    s.create_bucket(bucket("nb", "o")).await.unwrap();
    // Written while unversioned: the null version.
    assert_eq!(
        s.put_object(object("nb", "k", single("n1"))).await.unwrap(),
        None
    );
    s.set_bucket_versioning("nb", Versioning::Enabled)
        .await
        .unwrap();
    assert_eq!(
        s.get_bucket("nb").await.unwrap().unwrap().versioning,
        Versioning::Enabled
    );
    let b = s
        .put_object(object("nb", "k", single("b")))
        .await
        .unwrap()
        .unwrap();
    let null = s
        .get_object_version("nb", "k", Some("null"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((null.version_id, null.data), (None, single("n1")));
    // Suspended: a write replaces the null version wherever it is, and keeps the others.
    s.set_bucket_versioning("nb", Versioning::Suspended)
        .await
        .unwrap();
    assert_eq!(
        s.put_object(object("nb", "k", single("n2"))).await.unwrap(),
        None
    );
    assert_eq!(pending(&*s).await, ["n1".to_string()].into());
    let listed = all_versions(&*s, "nb", 1).await;
    assert_eq!(
        listed,
        [
            ("k".to_string(), "null".to_string(), true, false),
            ("k".to_string(), b.clone(), false, false)
        ]
    );
    // A second suspended write replaces the current null version in place.
    s.put_object(object("nb", "k", single("n3"))).await.unwrap();
    assert!(pending(&*s).await.contains("n2"));
    assert_eq!(all_versions(&*s, "nb", 10).await.len(), 2);
    // Suspended DELETE: the null version goes, a null marker takes its place.
    let del = s.delete_object("nb", "k", None, at_now()).await.unwrap();
    assert_eq!(
        del,
        DeleteOutcome {
            changed: true,
            version_id: None,
            delete_marker: true
        }
    );
    assert!(pending(&*s).await.contains("n3"));
    let listed = all_versions(&*s, "nb", 10).await;
    assert_eq!(
        listed,
        [
            ("k".to_string(), "null".to_string(), true, true),
            ("k".to_string(), b.clone(), false, false)
        ]
    );
    assert_eq!(s.bucket_usage("nb").await.unwrap().objects, 1);
    // The null marker is addressed as version "null".
    let del = s
        .delete_object("nb", "k", Some("null"), at_now())
        .await
        .unwrap();
    assert!(del.changed && del.delete_marker);
    assert_eq!(
        s.get_object("nb", "k").await.unwrap().unwrap().data,
        single("b")
    );
}

pub async fn version_listing_paging(s: Arc<dyn MetaStore>) {
    versioned_bucket(&*s, "lb").await;
    let mut rng = Rng(0x5eed_1234);
    let keys = gen_keys(&mut rng, 40);
    // key -> labels, newest first, with markers flagged.
    let mut model: BTreeMap<String, Vec<(String, bool)>> = BTreeMap::new();
    for key in &keys {
        for _ in 0..1 + rng.below(4) {
            let entry = if rng.below(4) == 0 {
                let d = s.delete_object("lb", key, None, at_now()).await.unwrap();
                (d.version_id.unwrap(), true)
            } else {
                let id = s.put_object(object("lb", key, single(&format!("{key}{}", rng.next()))));
                (id.await.unwrap().unwrap(), false)
            };
            model.entry(key.clone()).or_default().insert(0, entry);
        }
    }
    let expected: Vec<(String, String, bool, bool)> = model
        .iter()
        .flat_map(|(k, vs)| {
            vs.iter()
                .enumerate()
                .map(move |(i, (id, m))| (k.clone(), id.clone(), i == 0, *m))
        })
        .collect();
    for page in [1, 2, 3, 7, 1000] {
        assert_eq!(all_versions(&*s, "lb", page).await, expected, "page {page}");
    }
    // A key marker alone skips all of that key's versions.
    let first = model.keys().next().unwrap().clone();
    let q = VersionQuery {
        key_marker: Some(first.clone()),
        max_keys: 1,
        ..Default::default()
    };
    let p = s.list_object_versions("lb", &q).await.unwrap();
    let VersionEntry::Version { object, .. } = &p.entries[0] else {
        panic!()
    };
    assert!(object.key > first);
    // With a delimiter, prefixes roll up once and the listing ends.
    let q = VersionQuery {
        delimiter: Some("/".into()),
        max_keys: 1000,
        ..Default::default()
    };
    let p = s.list_object_versions("lb", &q).await.unwrap();
    let prefixes: Vec<&str> = p
        .entries
        .iter()
        .filter_map(|e| match e {
            VersionEntry::CommonPrefix(p) => Some(p.as_str()),
            _ => None,
        })
        .collect();
    let mut want: Vec<String> = keys
        .iter()
        .filter_map(|k| k.find('/').map(|i| k[..=i].to_string()))
        .collect();
    want.dedup();
    assert_eq!(prefixes, want);
    let plain = p.entries.len() - prefixes.len();
    let want_plain: usize = model
        .iter()
        .filter(|(k, _)| !k.contains('/'))
        .map(|(_, v)| v.len())
        .sum();
    assert_eq!(plain, want_plain);
    // ListObjects sees exactly the keys whose latest version is not a marker.
    let live: Vec<Ent> = model
        .iter()
        .filter(|(_, v)| !v[0].1)
        .map(|(k, _)| Ent::Key(k.clone()))
        .collect();
    assert_eq!(list(&*s, "lb", "", None, None, 1000).await.0, live);
}

pub async fn lifecycle_helpers(s: Arc<dyn MetaStore>) {
    versioned_bucket(&*s, "hb").await;
    let v1 = s
        .put_object(object("hb", "k", single("h1")))
        .await
        .unwrap()
        .unwrap();
    let v2 = s
        .put_object(object("hb", "k", single("h2")))
        .await
        .unwrap()
        .unwrap();
    // Only noncurrent versions go; the current one is refused.
    let gone = s
        .delete_noncurrent_versions(
            "hb",
            &[("k".into(), v2.clone()), ("k".into(), v1.clone())],
            now_ms(),
        )
        .await
        .unwrap();
    assert_eq!(gone, [false, true]);
    assert!(pending(&*s).await.contains("h1"));
    // Expiring a current version on a versioned bucket adds a marker.
    let cur = s.get_object("hb", "k").await.unwrap().unwrap();
    let looked = [("k".to_string(), cur.etag.clone(), cur.last_modified)];
    assert_eq!(
        s.delete_objects_if_unchanged("hb", &looked).await.unwrap(),
        [true]
    );
    let marker = s
        .get_object_version("hb", "k", None)
        .await
        .unwrap()
        .unwrap();
    assert!(marker.delete_marker);
    let m = marker.version_label().to_owned();
    // A marker with a version below it is not alone.
    assert_eq!(
        s.delete_lone_markers("hb", &[("k".into(), m.clone())])
            .await
            .unwrap(),
        [false]
    );
    assert_eq!(
        s.delete_noncurrent_versions("hb", &[("k".into(), v2)], now_ms())
            .await
            .unwrap(),
        [true]
    );
    assert_eq!(
        s.delete_lone_markers("hb", &[("k".into(), "other".into()), ("k".into(), m)])
            .await
            .unwrap(),
        [false, true]
    );
    assert_eq!(s.get_object_version("hb", "k", None).await.unwrap(), None);
    s.delete_bucket("hb").await.unwrap();
}

/// Many concurrent writers and deleters on one key: every write is one version, the key has
/// exactly one current version, and it is the newest one listed.
pub async fn concurrent_versions(s: Arc<dyn MetaStore>) {
    versioned_bucket(&*s, "rb").await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..64 {
        let s = s.clone();
        set.spawn(async move {
            if i % 4 == 3 {
                s.delete_object("rb", "k", None, at_now())
                    .await
                    .unwrap()
                    .version_id
                    .unwrap()
            } else {
                let o = object("rb", "k", single(&format!("c{i}")));
                s.put_object(o).await.unwrap().unwrap()
            }
        });
    }
    let mut ids = std::collections::BTreeSet::new();
    while let Some(r) = set.join_next().await {
        ids.insert(r.unwrap());
    }
    assert_eq!(ids.len(), 64);
    let listed = all_versions(&*s, "rb", 10).await;
    assert_eq!(listed.len(), 64);
    assert_eq!(listed.iter().filter(|v| v.2).count(), 1);
    assert!(listed[0].2);
    let listed_ids: std::collections::BTreeSet<String> = listed.into_iter().map(|v| v.1).collect();
    assert_eq!(listed_ids, ids);
    assert_eq!(s.bucket_usage("rb").await.unwrap().objects, 48);
}

/// The listing cost of old versions (issue 13, point 3): ListObjects over 10,000 keys with
/// 10 versions each against 10,000 keys with one. Current rows live apart from noncurrent
/// ones, so both listings read the same rows. Run with `--ignored --nocapture`.
pub async fn listing_ignores_noncurrent_rows(s: Arc<dyn MetaStore>) {
    const KEYS: usize = 10_000;
    for (name, versions) in [("one", 1), ("ten", 10)] {
        versioned_bucket(&*s, name).await;
        for _ in 0..versions {
            put_all(&s, name, (0..KEYS).map(|i| format!("k{i:05}"))).await;
        }
        let stored = s.bucket_usage(name).await.unwrap().objects;
        assert_eq!(stored, (KEYS * versions) as u64);
    }
    let mut report = Vec::new();
    for name in ["one", "ten"] {
        let start = std::time::Instant::now();
        let mut seen = 0;
        for _ in 0..5 {
            let mut q = ListQuery {
                max_keys: 1000,
                ..Default::default()
            };
            loop {
                let page = s.list_objects(name, &q).await.unwrap();
                seen += page.entries.len();
                let Some(ListEntry::Object(last)) = page.entries.last() else {
                    break;
                };
                q.start_after = Some(last.key.clone());
                if !page.truncated {
                    break;
                }
            }
        }
        assert_eq!(seen, 5 * KEYS);
        report.push((name, start.elapsed() / 5));
    }
    println!("ListObjects of {KEYS} keys, mean of 5: {report:?}");
}

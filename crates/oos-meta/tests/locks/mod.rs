//! Conformance checks for Object Lock: a version under retention or legal hold is never
//! removed, whichever method tries, and retention changes follow the S3 rules; both are
//! decided inside the store's transaction.

use std::sync::Arc;

use oos_meta::*;

use crate::support::*;

const HOUR: i64 = 3_600_000;

fn bypass(now: i64) -> LockCheck {
    LockCheck {
        now,
        bypass_governance: true,
    }
}

fn retention(mode: LockMode, until: i64) -> Option<Retention> {
    Some(Retention { mode, until })
}

/// Three versions of `k`: one under GOVERNANCE, one under COMPLIANCE, one on legal hold.
async fn locked_versions(s: &dyn MetaStore, b: &str, now: i64) -> [String; 3] {
    versioned_bucket(s, b).await;
    let mut ids = Vec::new();
    for d in ["gov", "comp", "hold"] {
        let id = s.put_object(object(b, "k", single(d))).await.unwrap();
        ids.push(id.unwrap());
    }
    let lock = LockCheck::strict(now);
    s.set_object_retention(
        b,
        "k",
        Some(&ids[0]),
        retention(LockMode::Governance, now + HOUR),
        lock,
    )
    .await
    .unwrap();
    s.set_object_retention(
        b,
        "k",
        Some(&ids[1]),
        retention(LockMode::Compliance, now + HOUR),
        lock,
    )
    .await
    .unwrap();
    s.set_object_legal_hold(b, "k", Some(&ids[2]), true)
        .await
        .unwrap();
    ids.try_into().unwrap()
}

pub async fn lock_blocks_removal(s: Arc<dyn MetaStore>) {
    let now = now_ms();
    let [gov, comp, hold] = locked_versions(&*s, "lk", now).await;
    let strict = LockCheck::strict(now);
    for id in [&gov, &comp, &hold] {
        assert!(matches!(
            s.delete_object("lk", "k", Some(id), strict).await,
            Err(MetaError::ObjectLocked)
        ));
    }
    // The refused deletes changed nothing: every version is there, data out of GC.
    let v = s.get_object_version("lk", "k", Some(&hold)).await.unwrap();
    assert_eq!(v.unwrap().attrs.legal_hold, Some(true));
    assert!(s
        .get_object_version("lk", "k", Some(&gov))
        .await
        .unwrap()
        .is_some());
    assert!(pending(&*s).await.is_empty());
    // A delete without a version only adds a marker, which a lock allows.
    let marker = s.delete_object("lk", "k", None, strict).await.unwrap();
    assert!(marker.delete_marker);
    // Lifecycle's noncurrent expiry leaves every locked version.
    let all = [gov.clone(), comp.clone(), hold.clone()].map(|v| ("k".to_string(), v));
    assert_eq!(
        s.delete_noncurrent_versions("lk", &all, now).await.unwrap(),
        [false, false, false]
    );
    // Bypass removes GOVERNANCE only; COMPLIANCE and legal hold stay.
    assert!(
        s.delete_object("lk", "k", Some(&gov), bypass(now))
            .await
            .unwrap()
            .changed
    );
    for id in [&comp, &hold] {
        assert!(matches!(
            s.delete_object("lk", "k", Some(id), bypass(now)).await,
            Err(MetaError::ObjectLocked)
        ));
    }
    // Once the date has passed, COMPLIANCE is an ordinary version again; a hold until lifted.
    let later = now + 2 * HOUR;
    assert!(
        s.delete_object("lk", "k", Some(&comp), LockCheck::strict(later))
            .await
            .unwrap()
            .changed
    );
    assert!(matches!(
        s.delete_object("lk", "k", Some(&hold), LockCheck::strict(later))
            .await,
        Err(MetaError::ObjectLocked)
    ));
    s.set_object_legal_hold("lk", "k", Some(&hold), false)
        .await
        .unwrap();
    assert_eq!(
        s.delete_noncurrent_versions("lk", &[("k".into(), hold.clone())], now)
            .await
            .unwrap(),
        [true]
    );
    assert!(pending(&*s)
        .await
        .is_superset(&["gov", "comp", "hold"].map(String::from).into()));
}

pub async fn retention_changes(s: Arc<dyn MetaStore>) {
    let now = now_ms();
    let [gov, comp, _] = locked_versions(&*s, "rc", now).await;
    let strict = LockCheck::strict(now);
    let until = |id: &str| {
        let s = s.clone();
        let id = id.to_owned();
        async move {
            let v = s
                .get_object_version("rc", "k", Some(&id))
                .await
                .unwrap()
                .unwrap();
            v.attrs.retention
        }
    };
    let locked = |r: MetaResult<()>| matches!(r, Err(MetaError::ObjectLocked));
    // Extending keeps the mode: allowed for both.
    for (id, mode) in [(&gov, LockMode::Governance), (&comp, LockMode::Compliance)] {
        s.set_object_retention("rc", "k", Some(id), retention(mode, now + 3 * HOUR), strict)
            .await
            .unwrap();
        assert_eq!(until(id).await, retention(mode, now + 3 * HOUR));
    }
    // Shortening, removing or changing the mode of COMPLIANCE: never, bypass or not.
    for lock in [strict, bypass(now)] {
        for new in [
            retention(LockMode::Compliance, now + HOUR),
            retention(LockMode::Governance, now + 4 * HOUR),
            None,
        ] {
            assert!(locked(
                s.set_object_retention("rc", "k", Some(&comp), new, lock)
                    .await
            ));
        }
    }
    assert_eq!(
        until(&comp).await,
        retention(LockMode::Compliance, now + 3 * HOUR)
    );
    // GOVERNANCE: shortening, removing or making it COMPLIANCE needs the bypass.
    for new in [
        retention(LockMode::Governance, now + HOUR),
        retention(LockMode::Compliance, now + 4 * HOUR),
        None,
    ] {
        assert!(locked(
            s.set_object_retention("rc", "k", Some(&gov), new, strict)
                .await
        ));
    }
    s.set_object_retention(
        "rc",
        "k",
        Some(&gov),
        retention(LockMode::Governance, now + HOUR),
        bypass(now),
    )
    .await
    .unwrap();
    assert_eq!(
        until(&gov).await,
        retention(LockMode::Governance, now + HOUR)
    );
    s.set_object_retention("rc", "k", Some(&gov), None, bypass(now))
        .await
        .unwrap();
    assert_eq!(until(&gov).await, None);
    // An expired retention is no protection: anything may replace it.
    let later = now + 4 * HOUR;
    s.set_object_retention("rc", "k", Some(&comp), None, LockCheck::strict(later))
        .await
        .unwrap();
    // A delete marker or a missing version has no retention to set.
    let m = s.delete_object("rc", "k", None, strict).await.unwrap();
    assert!(matches!(
        s.set_object_retention("rc", "k", m.version_id.as_deref(), None, strict)
            .await,
        Err(MetaError::NoSuchKey)
    ));
    assert!(matches!(
        s.set_object_legal_hold("rc", "nokey", None, true).await,
        Err(MetaError::NoSuchKey)
    ));
}

pub async fn locked_batch_delete(s: Arc<dyn MetaStore>) {
    let now = now_ms();
    versioned_bucket(&*s, "bd").await;
    let a = s
        .put_object(object("bd", "a", single("da")))
        .await
        .unwrap()
        .unwrap();
    let b = s
        .put_object(object("bd", "b", single("db")))
        .await
        .unwrap()
        .unwrap();
    let c = s
        .put_object(object("bd", "c", single("dc")))
        .await
        .unwrap()
        .unwrap();
    s.set_object_legal_hold("bd", "b", None, true)
        .await
        .unwrap();
    let targets = [
        ("a".to_string(), Some(a)),
        ("b".to_string(), Some(b.clone())),
        ("c".to_string(), Some(c)),
    ];
    let out = s
        .delete_objects("bd", &targets, LockCheck::strict(now))
        .await
        .unwrap();
    assert!(out[0].as_ref().unwrap().changed);
    assert!(matches!(out[1], Err(MetaError::ObjectLocked)));
    assert!(out[2].as_ref().unwrap().changed);
    // The locked entry is untouched and still current; the others are gone for good.
    let kept = s.get_object("bd", "b").await.unwrap().unwrap();
    assert_eq!(kept.version_id, Some(b));
    assert!(s.get_object("bd", "a").await.unwrap().is_none());
    let gc = pending(&*s).await;
    assert!(gc.contains("da") && gc.contains("dc") && !gc.contains("db"));
    assert_eq!(s.bucket_usage("bd").await.unwrap().objects, 1);
}

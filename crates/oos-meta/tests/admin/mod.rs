//! Conformance checks of the administrative side of [`MetaStore`]: accounts, access keys and
//! bucket settings (ACL, configuration documents).

use std::sync::Arc;

use oos_meta::*;

use crate::support::bucket;

fn account(id: &str, name: &str) -> Account {
    Account {
        id: id.into(),
        name: name.into(),
        created: 1_700_000_000_000,
        disabled: false,
        regions: None,
    }
}

fn key(id: &str, account_id: &str, primary: bool, active: bool) -> AccessKey {
    AccessKey {
        access_key_id: id.into(),
        account_id: account_id.into(),
        secret: format!("sealed-{id}"),
        primary,
        active,
        created: 1_700_000_000_001,
    }
}

/// An account with one active primary key `<id>-P`.
async fn make_account(s: &dyn MetaStore, id: &str, name: &str) {
    let k = key(&format!("{id}-P"), id, true, true);
    s.create_account(account(id, name), k).await.unwrap();
}

async fn key_state(s: &dyn MetaStore, id: &str) -> Option<(bool, bool)> {
    let k = s.get_access_key(id).await.unwrap();
    k.map(|k| (k.active, k.primary))
}

fn key_ids(keys: &[AccessKey]) -> Vec<&str> {
    keys.iter().map(|k| k.access_key_id.as_str()).collect()
}

macro_rules! assert_err {
    ($e:expr, $pat:pat) => {
        match $e {
            Err($pat) => {}
            other => panic!("expected {}, got {other:?}", stringify!($pat)),
        }
    };
}

pub async fn account_admin(s: Arc<dyn MetaStore>) {
    let zed = account("a1", "zed");
    let k1 = key("K1", "a1", true, true);
    s.create_account(zed.clone(), k1.clone()).await.unwrap();
    assert_eq!(s.get_account("a1").await.unwrap(), Some(zed.clone()));
    assert_eq!(
        s.get_account_by_name("zed").await.unwrap(),
        Some(zed.clone())
    );
    assert_eq!(s.get_access_key("K1").await.unwrap(), Some(k1));

    // Duplicate id, duplicate name, existing key id: nothing of the failed attempt remains.
    assert_err!(
        s.create_account(account("a1", "other"), key("K9", "a1", true, true))
            .await,
        MetaError::AlreadyExists
    );
    assert_err!(
        s.create_account(account("a9", "zed"), key("K9", "a9", true, true))
            .await,
        MetaError::AlreadyExists
    );
    assert_err!(
        s.create_account(account("a9", "nine"), key("K1", "a9", true, true))
            .await,
        MetaError::AlreadyExists
    );
    assert_eq!(s.get_account("a9").await.unwrap(), None);
    assert_eq!(s.get_account_by_name("other").await.unwrap(), None);
    assert_eq!(s.get_account_by_name("nine").await.unwrap(), None);
    assert_eq!(s.get_access_key("K9").await.unwrap(), None);
    assert_eq!(s.get_account("a1").await.unwrap(), Some(zed.clone()));
    assert_eq!(
        s.get_access_key("K1").await.unwrap().unwrap().account_id,
        "a1"
    );

    // Listing is by name, not by id or creation order.
    make_account(&*s, "a3", "alice").await;
    make_account(&*s, "a2", "mallory").await;
    let names: Vec<String> = s
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["alice", "mallory", "zed"]);
    assert_eq!(s.get_account_by_name("nobody").await.unwrap(), None);

    // Region limits: set at creation, changed, and lifted again.
    let limited = Account {
        regions: Some(vec!["LaSa".into(), "ChengDu".into()]),
        ..account("a4", "limited")
    };
    s.create_account(limited.clone(), key("K4", "a4", true, true))
        .await
        .unwrap();
    assert_eq!(s.get_account("a4").await.unwrap(), Some(limited));
    s.set_account_regions("a4", Some(vec!["WuHu".into()]))
        .await
        .unwrap();
    assert_eq!(
        s.get_account_by_name("limited")
            .await
            .unwrap()
            .unwrap()
            .regions,
        Some(vec!["WuHu".to_string()])
    );
    s.set_account_regions("a4", None).await.unwrap();
    assert_eq!(s.get_account("a4").await.unwrap().unwrap().regions, None);
    assert_err!(
        s.set_account_regions("nope", Some(vec![])).await,
        MetaError::NotFound
    );

    // Disable and re-enable.
    s.set_account_disabled("a2", true).await.unwrap();
    assert!(s.get_account("a2").await.unwrap().unwrap().disabled);
    assert!(
        s.get_account_by_name("mallory")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    assert!(!s.get_account("a3").await.unwrap().unwrap().disabled);
    s.set_account_disabled("a2", true).await.unwrap();
    s.set_account_disabled("a2", false).await.unwrap();
    assert!(!s.get_account("a2").await.unwrap().unwrap().disabled);
    assert_err!(
        s.set_account_disabled("missing", true).await,
        MetaError::NotFound
    );

    // ensure_account: an existing id comes back unchanged; a new id may not take a used name.
    let again = s
        .ensure_account(account("a1", "renamed"), key("K8", "a1", true, true))
        .await
        .unwrap();
    assert_eq!(again, zed);
    assert_eq!(s.get_access_key("K8").await.unwrap(), None);
    assert_err!(
        s.ensure_account(account("a7", "zed"), key("K7", "a7", true, true))
            .await,
        MetaError::AlreadyExists
    );
    assert_eq!(s.get_account("a7").await.unwrap(), None);
    // And create_account refuses an id ensure_account created.
    s.ensure_account(account("root", "root"), key("RK", "root", true, true))
        .await
        .unwrap();
    assert_err!(
        s.create_account(account("root", "root2"), key("RK2", "root", true, true))
            .await,
        MetaError::AlreadyExists
    );
    assert_eq!(s.list_accounts().await.unwrap().len(), 5);
}

pub async fn access_key_quota_and_order(s: Arc<dyn MetaStore>) {
    make_account(&*s, "qa", "quota").await;
    make_account(&*s, "qb", "other").await;
    // qa has 1 key; quota 3 allows two more.
    s.create_access_key(key("KZ", "qa", false, true), 3)
        .await
        .unwrap();
    s.create_access_key(key("KA", "qa", false, true), 3)
        .await
        .unwrap();
    assert_err!(
        s.create_access_key(key("KM", "qa", false, true), 3).await,
        MetaError::LimitExceeded
    );
    assert_eq!(s.get_access_key("KM").await.unwrap(), None);
    // Inactive keys count too.
    s.update_access_key("qa", "KZ", false, None).await.unwrap();
    assert_err!(
        s.create_access_key(key("KM", "qa", false, true), 3).await,
        MetaError::LimitExceeded
    );
    s.create_access_key(key("KM", "qa", true, false), 4)
        .await
        .unwrap();
    assert_eq!(
        s.get_access_key("KM").await.unwrap(),
        Some(key("KM", "qa", true, false))
    );
    // A key id is unique across accounts; the account must exist.
    assert_err!(
        s.create_access_key(key("KA", "qa", false, true), 10).await,
        MetaError::AlreadyExists
    );
    assert_err!(
        s.create_access_key(key("KA", "qb", false, true), 10).await,
        MetaError::AlreadyExists
    );
    assert_err!(
        s.create_access_key(key("KN", "nobody", false, true), 10)
            .await,
        MetaError::NotFound
    );
    assert_eq!(s.get_access_key("KN").await.unwrap(), None);
    // qb's quota is its own.
    s.create_access_key(key("KB", "qb", false, true), 2)
        .await
        .unwrap();

    let keys = s.list_access_keys("qa").await.unwrap();
    assert_eq!(key_ids(&keys), ["KA", "KM", "KZ", "qa-P"]);
    assert_eq!(keys[2], key("KZ", "qa", false, false));
    let keys = s.list_access_keys("qb").await.unwrap();
    assert_eq!(key_ids(&keys), ["KB", "qb-P"]);
    assert!(s.list_access_keys("nobody").await.unwrap().is_empty());
}

/// Keys created concurrently against one quota: the quota holds exactly.
pub async fn access_key_quota_concurrent(s: Arc<dyn MetaStore>) {
    make_account(&*s, "cq", "concurrent").await;
    let mut set = tokio::task::JoinSet::new();
    for i in 0..20 {
        let s = s.clone();
        set.spawn(async move {
            s.create_access_key(key(&format!("CK{i:02}"), "cq", false, true), 5)
                .await
        });
    }
    let (mut ok, mut limited) = (0, 0);
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            Ok(()) => ok += 1,
            Err(MetaError::LimitExceeded) => limited += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!((ok, limited), (4, 16));
    assert_eq!(s.list_access_keys("cq").await.unwrap().len(), 5);
}

pub async fn access_key_primary_rules(s: Arc<dyn MetaStore>) {
    make_account(&*s, "pa", "primary").await;
    s.create_access_key(key("S", "pa", false, true), 10)
        .await
        .unwrap();
    let p = "pa-P";

    // The only active primary key cannot stop being one, in any way; nothing changes.
    assert_err!(
        s.update_access_key("pa", p, false, None).await,
        MetaError::LastPrimaryKey
    );
    assert_err!(
        s.update_access_key("pa", p, true, Some(false)).await,
        MetaError::LastPrimaryKey
    );
    assert_err!(
        s.update_access_key("pa", p, false, Some(true)).await,
        MetaError::LastPrimaryKey
    );
    assert_err!(
        s.delete_access_key("pa", p).await,
        MetaError::LastPrimaryKey
    );
    assert_eq!(key_state(&*s, p).await, Some((true, true)));
    // An inactive primary key does not count.
    s.update_access_key("pa", "S", false, Some(true))
        .await
        .unwrap();
    assert_eq!(key_state(&*s, "S").await, Some((false, true)));
    assert_err!(
        s.update_access_key("pa", p, false, None).await,
        MetaError::LastPrimaryKey
    );
    assert_err!(
        s.delete_access_key("pa", p).await,
        MetaError::LastPrimaryKey
    );
    assert_eq!(key_state(&*s, p).await, Some((true, true)));

    // With a second active primary key, the first may be disabled, demoted, deleted.
    s.update_access_key("pa", "S", true, None).await.unwrap();
    assert_eq!(key_state(&*s, "S").await, Some((true, true)));
    s.update_access_key("pa", p, false, None).await.unwrap();
    assert_eq!(key_state(&*s, p).await, Some((false, true)));
    s.update_access_key("pa", p, true, Some(false))
        .await
        .unwrap();
    assert_eq!(key_state(&*s, p).await, Some((true, false)));
    // Non-primary keys change freely.
    s.update_access_key("pa", p, false, None).await.unwrap();
    assert_eq!(key_state(&*s, p).await, Some((false, false)));
    s.delete_access_key("pa", p).await.unwrap();
    assert_eq!(key_state(&*s, p).await, None);
    // S is now the last one.
    assert_err!(
        s.delete_access_key("pa", "S").await,
        MetaError::LastPrimaryKey
    );
    assert_err!(
        s.update_access_key("pa", "S", true, Some(false)).await,
        MetaError::LastPrimaryKey
    );
    assert_eq!(key_state(&*s, "S").await, Some((true, true)));

    // Missing keys and other accounts' keys are NotFound, and stay untouched.
    make_account(&*s, "pb", "victim").await;
    s.create_access_key(key("VS", "pb", false, true), 10)
        .await
        .unwrap();
    assert_err!(
        s.update_access_key("pa", "missing", true, None).await,
        MetaError::NotFound
    );
    assert_err!(
        s.delete_access_key("pa", "missing").await,
        MetaError::NotFound
    );
    assert_err!(
        s.update_access_key("pa", "pb-P", false, Some(false)).await,
        MetaError::NotFound
    );
    assert_err!(
        s.update_access_key("pa", "VS", false, None).await,
        MetaError::NotFound
    );
    assert_err!(s.delete_access_key("pa", "VS").await, MetaError::NotFound);
    assert_err!(
        s.delete_access_key("nobody", "VS").await,
        MetaError::NotFound
    );
    assert_eq!(key_state(&*s, "pb-P").await, Some((true, true)));
    assert_eq!(key_state(&*s, "VS").await, Some((true, false)));
    assert_eq!(key_ids(&s.list_access_keys("pa").await.unwrap()), ["S"]);
    assert_eq!(
        key_ids(&s.list_access_keys("pb").await.unwrap()),
        ["VS", "pb-P"]
    );
}

/// Two active primary keys disabled at once: exactly one change wins, whatever the interleaving
/// (the second sees the first's effect within the same group commit).
pub async fn access_key_primary_concurrent(s: Arc<dyn MetaStore>) {
    make_account(&*s, "cc", "race").await;
    s.create_access_key(key("P2", "cc", true, true), 10)
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        s.update_access_key("cc", "cc-P", false, None),
        s.delete_access_key("cc", "P2"),
    );
    let failed = [&a, &b]
        .iter()
        .filter(|r| matches!(r, Err(MetaError::LastPrimaryKey)))
        .count();
    assert_eq!(failed, 1, "{a:?} {b:?}");
    assert!(a.is_ok() || b.is_ok());
    let keys = s.list_access_keys("cc").await.unwrap();
    assert_eq!(
        keys.iter().filter(|k| k.active && k.primary).count(),
        1,
        "{keys:?}"
    );
}

pub async fn bucket_settings(s: Arc<dyn MetaStore>) {
    s.create_bucket(bucket("sb", "o")).await.unwrap();
    s.create_bucket(bucket("sb2", "o")).await.unwrap();
    let grants = r#"[{"grantee":"acct-2","permission":"READ"}]"#;
    s.set_bucket_acl("sb", grants).await.unwrap();
    assert_eq!(s.get_bucket("sb").await.unwrap().unwrap().acl, grants);
    s.set_bucket_acl("sb", "public-read").await.unwrap();
    assert_eq!(
        s.get_bucket("sb").await.unwrap().unwrap().acl,
        "public-read"
    );
    assert_err!(
        s.set_bucket_acl("nob", "private").await,
        MetaError::NoSuchBucket
    );

    let config =
        |s: Arc<dyn MetaStore>| async move { s.get_bucket("sb").await.unwrap().unwrap().config };
    let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    s.set_bucket_config("sb", "policy", Some(r#"{"Version":"1"}"#))
        .await
        .unwrap();
    s.set_bucket_config("sb", "website", Some("<w/>"))
        .await
        .unwrap();
    assert_eq!(
        config(s.clone()).await,
        pairs(&[
            ("location", "us-east-1"),
            ("policy", r#"{"Version":"1"}"#),
            ("website", "<w/>")
        ])
    );
    // Replacing keeps the position.
    s.set_bucket_config("sb", "policy", Some(r#"{"Version":"2"}"#))
        .await
        .unwrap();
    assert_eq!(
        config(s.clone()).await,
        pairs(&[
            ("location", "us-east-1"),
            ("policy", r#"{"Version":"2"}"#),
            ("website", "<w/>")
        ])
    );
    // Removing; removing an absent kind is a no-op; re-adding appends.
    s.set_bucket_config("sb", "policy", None).await.unwrap();
    s.set_bucket_config("sb", "cors", None).await.unwrap();
    assert_eq!(
        config(s.clone()).await,
        pairs(&[("location", "us-east-1"), ("website", "<w/>")])
    );
    s.set_bucket_config("sb", "policy", Some("p3"))
        .await
        .unwrap();
    assert_eq!(
        config(s.clone()).await,
        pairs(&[
            ("location", "us-east-1"),
            ("website", "<w/>"),
            ("policy", "p3")
        ])
    );
    // An empty document is a value, not a removal.
    s.set_bucket_config("sb", "website", Some(""))
        .await
        .unwrap();
    assert_eq!(
        config(s.clone()).await,
        pairs(&[("location", "us-east-1"), ("website", ""), ("policy", "p3")])
    );
    assert_err!(
        s.set_bucket_config("nob", "policy", Some("x")).await,
        MetaError::NoSuchBucket
    );
    assert_err!(
        s.set_bucket_config("nob", "policy", None).await,
        MetaError::NoSuchBucket
    );
    // Other buckets, and the rest of the row, are untouched.
    assert_eq!(s.get_bucket("sb2").await.unwrap(), Some(bucket("sb2", "o")));
    let b = s.get_bucket("sb").await.unwrap().unwrap();
    assert_eq!(
        (b.owner.as_str(), b.created),
        ("o", bucket("sb", "o").created)
    );
    assert_eq!(b.acl, "public-read");
}

/// `open` must return a store over the same persistent data each time.
pub async fn admin_durability(open: &dyn Fn() -> Arc<dyn MetaStore>) {
    {
        let s = open();
        make_account(&*s, "d1", "durable").await;
        make_account(&*s, "d2", "another").await;
        s.create_access_key(key("DK", "d1", true, true), 5)
            .await
            .unwrap();
        s.update_access_key("d1", "d1-P", false, Some(false))
            .await
            .unwrap();
        s.delete_access_key("d2", "d2-P")
            .await
            .expect_err("last primary key");
        s.set_account_disabled("d2", true).await.unwrap();
        s.create_bucket(bucket("dsb", "d1")).await.unwrap();
        s.set_bucket_acl("dsb", "authenticated-read").await.unwrap();
        s.set_bucket_config("dsb", "cors", Some("<c/>"))
            .await
            .unwrap();
        s.set_bucket_config("dsb", "location", None).await.unwrap();
    }
    for _ in 0..2 {
        let s = open();
        let names: Vec<String> = s
            .list_accounts()
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(names, ["another", "durable"]);
        assert!(s.get_account("d2").await.unwrap().unwrap().disabled);
        assert_eq!(
            s.list_access_keys("d1").await.unwrap(),
            [key("DK", "d1", true, true), key("d1-P", "d1", false, false)]
        );
        assert_eq!(key_state(&*s, "d2-P").await, Some((true, true)));
        // The unique name still holds after reopening.
        assert_err!(
            s.create_account(account("d3", "durable"), key("DK3", "d3", true, true))
                .await,
            MetaError::AlreadyExists
        );
        let b = s.get_bucket("dsb").await.unwrap().unwrap();
        assert_eq!(b.acl, "authenticated-read");
        assert_eq!(b.config, [("cors".to_string(), "<c/>".to_string())]);
    }
}

pub async fn kms_keys(s: Arc<dyn MetaStore>) {
    let key = |id: &str, alias: Option<&str>, created| KmsKey {
        id: id.into(),
        alias: alias.map(Into::into),
        description: format!("key {id}"),
        created,
        enabled: true,
        material: format!("sealed-{id}"),
    };
    s.create_kms_key(key("k1", Some("alias/app"), 1))
        .await
        .unwrap();
    s.create_kms_key(key("k2", None, 2)).await.unwrap();
    // Ids and aliases share one namespace.
    for clash in [
        key("k1", None, 3),
        key("k3", Some("alias/app"), 3),
        key("alias/app", None, 3),
        key("k4", Some("k2"), 3),
    ] {
        assert!(matches!(
            s.create_kms_key(clash).await,
            Err(MetaError::AlreadyExists)
        ));
    }
    assert_eq!(
        s.get_kms_key("alias/app").await.unwrap(),
        Some(key("k1", Some("alias/app"), 1))
    );
    assert_eq!(s.get_kms_key("k2").await.unwrap(), Some(key("k2", None, 2)));
    assert_eq!(s.get_kms_key("nope").await.unwrap(), None);
    s.set_kms_key_enabled("alias/app", false).await.unwrap();
    assert!(!s.get_kms_key("k1").await.unwrap().unwrap().enabled);
    assert!(matches!(
        s.set_kms_key_enabled("nope", false).await,
        Err(MetaError::NotFound)
    ));
    let ids: Vec<String> = s
        .list_kms_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.id)
        .collect();
    assert_eq!(ids, ["k1", "k2"]);
    s.set_kms_key_enabled("k1", true).await.unwrap();
    assert!(s.get_kms_key("k1").await.unwrap().unwrap().enabled);
}

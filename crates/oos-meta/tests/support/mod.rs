//! Helpers of the conformance suite: row builders, a deterministic PRNG and the naive
//! in-memory listing model the backends are checked against.

use std::collections::BTreeSet;
use std::sync::Arc;

use oos_meta::*;

pub fn bucket(name: &str, owner: &str) -> Bucket {
    Bucket {
        name: name.into(),
        owner: owner.into(),
        created: 1_700_000_000_000,
        acl: "private".into(),
        config: vec![("location".into(), "us-east-1".into())],
        versioning: Versioning::Unversioned,
    }
}

pub fn object(bucket: &str, key: &str, data: DataRef) -> Object {
    let size = match &data {
        DataRef::Inline(b) => b.len() as u64,
        DataRef::Single(_) => 100,
        DataRef::Parts(p) => p.iter().map(|p| p.size).sum(),
    };
    Object {
        bucket: bucket.into(),
        key: key.into(),
        size,
        etag: "d41d8cd98f00b204e9800998ecf8427e".into(),
        last_modified: 1_700_000_000_123,
        storage_class: "STANDARD".into(),
        attrs: ObjectAttrs {
            content_type: Some("text/plain".into()),
            user_meta: vec![("color".into(), "blue".into())],
            checksum: Some(("CRC32".into(), "AAAAAA==".into())),
            ..Default::default()
        },
        data,
        version_id: None,
        delete_marker: false,
    }
}

pub fn single(id: &str) -> DataRef {
    DataRef::Single(id.into())
}

pub fn parts_ref(ids: &[&str]) -> DataRef {
    DataRef::Parts(
        ids.iter()
            .map(|id| PartRef {
                data_id: (*id).into(),
                size: 10,
                checksum: None,
            })
            .collect(),
    )
}

pub fn upload(bucket: &str, key: &str, id: &str) -> Upload {
    Upload {
        upload_id: id.into(),
        bucket: bucket.into(),
        key: key.into(),
        initiated: 1_700_000_000_000,
        storage_class: "STANDARD".into(),
        attrs: ObjectAttrs::default(),
        initiator: "acct".into(),
    }
}

pub fn part(upload_id: &str, n: u32, data_id: &str) -> Part {
    Part {
        upload_id: upload_id.into(),
        part_number: n,
        size: 10,
        etag: format!("etag-{n}"),
        last_modified: 1_700_000_000_000,
        data: single(data_id),
        checksum: (n == 1).then(|| ("SHA256".into(), "abc=".into())),
    }
}

pub async fn pending(s: &dyn MetaStore) -> BTreeSet<String> {
    s.gc_pending(10_000).await.unwrap().into_iter().collect()
}

/// Small deterministic PRNG (xorshift64*), so failures reproduce.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Keys built from tokens with bytes below and above 0x7F and several delimiters.
pub fn gen_keys(rng: &mut Rng, n: usize) -> BTreeSet<String> {
    const TOKENS: &[&str] = &[
        "a", "b", "/", "/", "/", "é", "z", "日", "\u{7f}", "-", "0", "ab", "𐍈", "ÿ", ".",
    ];
    let mut keys = BTreeSet::new();
    while keys.len() < n {
        let len = 1 + rng.below(6);
        let key: String = (0..len).map(|_| rng.pick(TOKENS)).collect();
        keys.insert(key);
    }
    keys
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ent {
    Key(String),
    Prefix(String),
}

impl Ent {
    pub fn marker(&self) -> &str {
        match self {
            Ent::Key(k) | Ent::Prefix(k) => k,
        }
    }
}

/// The naive model of S3 listing: walk every key in bytewise order (Rust's `str` order is
/// bytewise), roll up common prefixes, never re-emit the prefix the marker lies in.
pub fn model_list<'a>(
    entries: impl Iterator<Item = (&'a str, Option<&'a str>)>,
    prefix: &str,
    delim: Option<&str>,
    marker: Option<(&str, Option<&str>)>,
    max: usize,
) -> (Vec<Ent>, bool) {
    let delim = delim.filter(|d| !d.is_empty());
    let mut all: Vec<Ent> = Vec::new();
    for (key, id) in entries {
        if !key.starts_with(prefix) {
            continue;
        }
        if let Some((mk, mid)) = marker {
            let after = match (mid, id) {
                (Some(mid), Some(id)) => key > mk || (key == mk && id > mid),
                _ => key > mk,
            };
            if !after {
                continue;
            }
        }
        if let Some(d) = delim {
            if let Some(pos) = key[prefix.len()..].find(d) {
                let cp = &key[..prefix.len() + pos + d.len()];
                let repeat = all.last() == Some(&Ent::Prefix(cp.into()));
                if !repeat && !marker.is_some_and(|(mk, _)| mk.starts_with(cp)) {
                    all.push(Ent::Prefix(cp.into()));
                }
                continue;
            }
        }
        all.push(Ent::Key(
            id.map_or(key.to_owned(), |id| format!("{key}#{id}")),
        ));
    }
    if max == 0 {
        return (Vec::new(), false);
    }
    let truncated = all.len() > max;
    all.truncate(max);
    (all, truncated)
}

pub async fn list(
    s: &dyn MetaStore,
    bucket: &str,
    prefix: &str,
    delim: Option<&str>,
    after: Option<&str>,
    max: usize,
) -> (Vec<Ent>, bool) {
    let q = ListQuery {
        prefix: prefix.into(),
        delimiter: delim.map(Into::into),
        start_after: after.map(Into::into),
        max_keys: max,
    };
    let page = s.list_objects(bucket, &q).await.unwrap();
    let entries = page
        .entries
        .into_iter()
        .map(|e| match e {
            ListEntry::Object(o) => Ent::Key(o.key),
            ListEntry::CommonPrefix(p) => Ent::Prefix(p),
        })
        .collect();
    (entries, page.truncated)
}

pub async fn list_up(s: &dyn MetaStore, bucket: &str, q: &UploadQuery) -> (Vec<Ent>, bool) {
    let page = s.list_uploads(bucket, q).await.unwrap();
    let entries = page
        .entries
        .into_iter()
        .map(|e| match e {
            UploadEntry::Upload(u) => Ent::Key(format!("{}#{}", u.key, u.upload_id)),
            UploadEntry::CommonPrefix(p) => Ent::Prefix(p),
        })
        .collect();
    (entries, page.truncated)
}

/// Puts many objects concurrently (also exercises group commit).
pub async fn put_all(s: &Arc<dyn MetaStore>, bucket: &str, keys: impl IntoIterator<Item = String>) {
    let mut set = tokio::task::JoinSet::new();
    for key in keys {
        let s = s.clone();
        let o = object(bucket, &key, DataRef::Inline(key.as_bytes().to_vec()));
        set.spawn(async move { s.put_object(o).await });
    }
    while let Some(r) = set.join_next().await {
        r.unwrap().unwrap();
    }
}

/// The wall clock in Unix milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A removal at the current time, without bypassing governance retention.
pub fn at_now() -> LockCheck {
    LockCheck::strict(now_ms())
}

/// A new bucket owned by `o` with versioning enabled.
pub async fn versioned_bucket(s: &dyn MetaStore, name: &str) {
    s.create_bucket(bucket(name, "o")).await.unwrap();
    s.set_bucket_versioning(name, Versioning::Enabled)
        .await
        .unwrap();
}

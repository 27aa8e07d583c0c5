//! The listing algorithm, independent of the backend.
//!
//! A backend only has to offer an ordered range scan ([`RangeScan`]); this module turns it into
//! S3 listing pages. With a delimiter, the first key found under a common prefix yields the
//! prefix and the scan then *seeks* past everything sharing it, so a prefix holding a million
//! keys costs one index probe instead of a million row reads. The same code serves objects
//! (ordered by key) and multipart uploads (ordered by key, then upload id).

use crate::MetaResult;

/// Where a range scan starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Lower {
    /// Keys `>= bytes`.
    From(Vec<u8>),
    /// Keys `> bytes`.
    After(Vec<u8>),
    /// Entries with `(key, id) > (bytes, id)`: uploads after a key marker and an upload-id
    /// marker. Backends without a secondary id treat it like [`Lower::After`].
    AfterEntry(Vec<u8>, String),
}

impl Lower {
    fn key(&self) -> &[u8] {
        match self {
            Lower::From(k) | Lower::After(k) | Lower::AfterEntry(k, _) => k,
        }
    }
}

/// What a scan visitor wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Stop,
}

/// Visitor of a range scan: gets each key and a loader that decodes the full entry. The loader
/// exists so that rows rolled up into a common prefix are never decoded.
pub(crate) type Visit<'v, T> =
    dyn FnMut(&[u8], &dyn Fn() -> MetaResult<T>) -> MetaResult<Flow> + 'v;

/// An ordered source of entries, keyed by bytes compared bytewise.
pub(crate) trait RangeScan {
    type Item;
    /// Visits the entries with `lower <= key < upper` (per `lower`'s kind; `upper = None` means
    /// unbounded) in ascending order, until the visitor returns [`Flow::Stop`] or the range
    /// ends. Implementations should produce rows lazily: the visitor usually stops early.
    fn scan(
        &mut self,
        lower: &Lower,
        upper: Option<&[u8]>,
        visit: &mut Visit<'_, Self::Item>,
    ) -> MetaResult<()>;
}

/// One listing request in backend-neutral form.
#[derive(Debug, Clone)]
pub(crate) struct Request<'a> {
    pub prefix: &'a str,
    /// `None` or empty: no rollup.
    pub delimiter: Option<&'a str>,
    /// Exclusive marker (`After` / `AfterEntry`); `None` starts at the prefix.
    pub marker: Option<Lower>,
    pub max: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry<T> {
    Item(T),
    Prefix(String),
}

/// The smallest byte string greater than every string starting with `bytes`, or `None` when
/// there is none (empty input or only 0xFF bytes): drop trailing 0xFF bytes, increment the last.
pub(crate) fn successor(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut v = bytes.to_vec();
    while let Some(last) = v.pop() {
        if last < 0xFF {
            v.push(last + 1);
            return Some(v);
        }
    }
    None
}

/// If `key` (which starts with `prefix`) has `delimiter` after the prefix, the common prefix it
/// rolls up into: the key up to and including the first such delimiter.
pub(crate) fn common_prefix<'k>(
    key: &'k [u8],
    prefix: &[u8],
    delimiter: &[u8],
) -> Option<&'k [u8]> {
    let rest = key.strip_prefix(prefix)?;
    let pos = rest.windows(delimiter.len()).position(|w| w == delimiter)?;
    Some(&key[..prefix.len() + pos + delimiter.len()])
}

/// Where the first scan starts: at the prefix, or after the marker when that is further; and
/// when the marker lies inside (or equals) a common prefix, after that whole prefix, because
/// S3 clients pass the last common prefix they got as the next marker. `None`: nothing left.
fn first_lower(prefix: &[u8], delimiter: Option<&[u8]>, marker: Option<Lower>) -> Option<Lower> {
    let Some(marker) = marker else {
        return Some(Lower::From(prefix.to_vec()));
    };
    if marker.key() < prefix {
        return Some(Lower::From(prefix.to_vec()));
    }
    if let Some(d) = delimiter {
        if let Some(cp) = common_prefix(marker.key(), prefix, d) {
            return successor(cp).map(Lower::From);
        }
    }
    Some(marker)
}

/// Runs one listing. Returns the entries (at most `max`) and whether more entries exist.
pub(crate) fn list<S: RangeScan>(
    src: &mut S,
    req: &Request<'_>,
) -> MetaResult<(Vec<Entry<S::Item>>, bool)> {
    let mut out = Vec::new();
    // S3 answers max-keys=0 with an empty, untruncated page.
    if req.max == 0 {
        return Ok((out, false));
    }
    let prefix = req.prefix.as_bytes();
    let delimiter = req.delimiter.filter(|d| !d.is_empty()).map(str::as_bytes);
    let upper = successor(prefix);
    let mut lower = first_lower(prefix, delimiter, req.marker.clone());
    let mut truncated = false;

    while let Some(from) = lower.take() {
        // Set when the scan stopped at a common prefix and must resume past it.
        let mut resume: Option<Option<Lower>> = None;
        src.scan(&from, upper.as_deref(), &mut |key, load| {
            if out.len() == req.max {
                // Every remaining row yields an entry, so one more row means "truncated".
                truncated = true;
                return Ok(Flow::Stop);
            }
            if let Some(cp) = delimiter.and_then(|d| common_prefix(key, prefix, d)) {
                out.push(Entry::Prefix(to_string(cp)?));
                resume = Some(successor(cp).map(Lower::From));
                return Ok(Flow::Stop);
            }
            out.push(Entry::Item(load()?));
            Ok(Flow::Continue)
        })?;
        if truncated {
            break;
        }
        match resume {
            Some(next) => lower = next,
            None => break, // the range is exhausted
        }
    }
    Ok((out, truncated))
}

fn to_string(bytes: &[u8]) -> MetaResult<String> {
    // Keys and delimiters are UTF-8 and UTF-8 is self-synchronising, so a delimiter match
    // always ends on a character boundary; this only fails on a corrupt row.
    String::from_utf8(bytes.to_vec())
        .map_err(|_| crate::MetaError::Backend("stored key is not UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// In-memory source that counts the rows it hands out.
    struct Mem {
        keys: BTreeSet<Vec<u8>>,
        visited: usize,
    }

    impl RangeScan for Mem {
        type Item = String;
        fn scan(
            &mut self,
            lower: &Lower,
            upper: Option<&[u8]>,
            visit: &mut Visit<'_, String>,
        ) -> MetaResult<()> {
            for k in &self.keys {
                let after = match lower {
                    Lower::From(l) => k >= l,
                    Lower::After(l) | Lower::AfterEntry(l, _) => k > l,
                };
                if !after || upper.is_some_and(|u| k.as_slice() >= u) {
                    continue;
                }
                self.visited += 1;
                let owned = k.clone();
                if visit(k, &|| Ok(String::from_utf8(owned.clone()).unwrap()))? == Flow::Stop {
                    break;
                }
            }
            Ok(())
        }
    }

    fn mem(keys: &[&str]) -> Mem {
        Mem {
            keys: keys.iter().map(|k| k.as_bytes().to_vec()).collect(),
            visited: 0,
        }
    }

    fn req<'a>(
        prefix: &'a str,
        delim: Option<&'a str>,
        after: Option<&str>,
        max: usize,
    ) -> Request<'a> {
        Request {
            prefix,
            delimiter: delim,
            marker: after.map(|a| Lower::After(a.as_bytes().to_vec())),
            max,
        }
    }

    #[test]
    fn successor_handles_ff() {
        assert_eq!(successor(b"a/"), Some(b"a0".to_vec()));
        assert_eq!(successor(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(successor(b"\xff"), None);
        assert_eq!(successor(b""), None);
    }

    #[test]
    fn common_prefix_is_skipped_not_scanned() {
        let mut keys: Vec<String> = (0..1000).map(|i| format!("a/{i:04}")).collect();
        keys.push("b".into());
        keys.push("c/x".into());
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let mut m = mem(&refs);
        let (entries, truncated) = list(&mut m, &req("", Some("/"), None, 10)).unwrap();
        assert_eq!(
            entries,
            vec![
                Entry::Prefix("a/".into()),
                Entry::Item("b".into()),
                Entry::Prefix("c/".into())
            ]
        );
        assert!(!truncated);
        // One row per entry: the thousand keys under a/ were never visited.
        assert_eq!(m.visited, 3);
    }

    #[test]
    fn marker_inside_common_prefix_skips_it() {
        let mut m = mem(&["a/1", "a/2", "b/1", "c"]);
        let (e, _) = list(&mut m, &req("", Some("/"), Some("a/"), 10)).unwrap();
        assert_eq!(e, vec![Entry::Prefix("b/".into()), Entry::Item("c".into())]);
        let (e, _) = list(&mut m, &req("", Some("/"), Some("a/1"), 10)).unwrap();
        assert_eq!(e, vec![Entry::Prefix("b/".into()), Entry::Item("c".into())]);
        let (e, t) = list(&mut m, &req("", Some("/"), None, 2)).unwrap();
        assert_eq!(
            e,
            vec![Entry::Prefix("a/".into()), Entry::Prefix("b/".into())]
        );
        assert!(t);
    }

    #[test]
    fn zero_max_is_empty_and_untruncated() {
        let mut m = mem(&["a"]);
        let (e, t) = list(&mut m, &req("", None, None, 0)).unwrap();
        assert!(e.is_empty() && !t);
    }
}

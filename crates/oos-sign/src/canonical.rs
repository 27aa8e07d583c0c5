//! Canonicalization and crypto helpers shared by SigV2 and SigV4.

use std::borrow::Cow;

use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// SHA-256 of the empty string, the payload hash of bodiless requests.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(sha256(data))
}

pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

pub fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Constant-time equality, so a mismatch position never leaks through timing.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Appends `input` URI-encoded the AWS way: unreserved characters
/// (`A-Z a-z 0-9 - _ . ~`) stay, everything else becomes `%XX` upper-case.
pub fn uri_encode_into(out: &mut String, input: &[u8], keep_slash: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in input {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
}

pub fn uri_encode(input: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(input.len() * 3 / 2);
    uri_encode_into(&mut out, input, keep_slash);
    out
}

/// Percent-decodes; `+` stays a literal `+` (AWS semantics), bad escapes stay as they are.
pub fn percent_decode(s: &str) -> Cow<'_, [u8]> {
    percent_decode_str(s).into()
}

/// Percent-decodes to a string, replacing invalid UTF-8.
pub fn percent_decode_string(s: &str) -> String {
    String::from_utf8_lossy(&percent_decode(s)).into_owned()
}

/// Splits a raw query into raw `(key, value)` pairs; `key` without `=` has an empty value.
pub fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// First value of a query parameter (exact, case-sensitive name), percent-decoded.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query_pairs(query)
        .find(|(k, _)| percent_decode(k).as_ref() == name.as_bytes())
        .map(|(_, v)| percent_decode_string(v))
}

/// SigV4 canonical query string: every pair decoded then re-encoded, sorted
/// by encoded key then value. Re-encoding makes `%7E`/`~`, `%2f`/`%2F` etc.
/// equivalent, since clients disagree on how to write the same value.
///
/// `plus_as_space` reads `+` as a space (form encoding, what Go and the Rust
/// SDK signers assume) instead of a literal `+` (what AWS documents).
/// `!sort_values` keeps repeated keys in wire order (minio-java does so).
pub fn canonical_query(
    query: &str,
    skip_signature: bool,
    plus_as_space: bool,
    sort_values: bool,
) -> String {
    let decode = |s: &str| -> String {
        if plus_as_space && s.contains('+') {
            uri_encode(&percent_decode(&s.replace('+', " ")), false)
        } else {
            uri_encode(&percent_decode(s), false)
        }
    };
    let mut pairs: Vec<(String, String)> = query_pairs(query)
        .filter(|(k, _)| !(skip_signature && percent_decode(k).as_ref() == b"X-Amz-Signature"))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect();
    if sort_values {
        pairs.sort();
    } else {
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let mut out = String::with_capacity(query.len() + 8);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The path re-encoded segment by segment: what a signer that encodes the
/// decoded key itself (like the AWS documentation example `/test$file.text`)
/// puts in its canonical request. `%2F` inside a segment stays `%2F`.
pub fn reencoded_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 8);
    for (i, seg) in path.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        uri_encode_into(&mut out, &percent_decode(seg), false);
    }
    out
}

/// A header value the SigV4 way: outer whitespace trimmed, runs of spaces collapsed.
pub fn trim_header_value(v: &[u8]) -> Vec<u8> {
    let start = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    let mut out = Vec::with_capacity(end - start);
    for &b in &v[start..end] {
        if b == b' ' && out.last() == Some(&b' ') {
            continue;
        }
        out.push(b);
    }
    out
}

/// All values of a header, each trimmed, joined with `,` (RFC 7230 list form).
pub fn joined_header(headers: &http::HeaderMap, name: &str) -> Option<Vec<u8>> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let mut out = Vec::new();
    for (i, v) in values.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(&trim_header_value(v.as_bytes()));
    }
    Some(out)
}

/// A header's first value as trimmed UTF-8, if present and valid.
pub fn header_str<'h>(headers: &'h http::HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_is_decoded_reencoded_and_sorted() {
        assert_eq!(
            canonical_query("prefix=J&max-keys=2", false, false, true),
            "max-keys=2&prefix=J"
        );
        assert_eq!(
            canonical_query("lifecycle", false, false, true),
            "lifecycle="
        );
        assert_eq!(
            canonical_query("a=%7e&b=~&c=%2f", false, false, true),
            "a=~&b=~&c=%2F"
        );
        assert_eq!(canonical_query("k=a+b", false, false, true), "k=a%2Bb");
        assert_eq!(canonical_query("k=a+b", false, true, true), "k=a%20b");
        assert_eq!(
            canonical_query("k=b&k=a&&j", false, false, true),
            "j=&k=a&k=b"
        );
        assert_eq!(
            canonical_query("k=b&k=a&&j", false, false, false),
            "j=&k=b&k=a"
        );
        assert_eq!(
            canonical_query("X-Amz-Signature=abc&X-Amz-Date=1", true, false, true),
            "X-Amz-Date=1"
        );
    }

    #[test]
    fn path_reencoding_keeps_encoded_slashes() {
        assert_eq!(reencoded_path("/test$file.text"), "/test%24file.text");
        assert_eq!(reencoded_path("/b/a%2Fb%7e"), "/b/a%2Fb~");
        assert_eq!(reencoded_path("/b/a%20b"), "/b/a%20b");
    }

    #[test]
    fn header_values_are_trimmed() {
        assert_eq!(trim_header_value(b"  a   b  c "), b"a b c");
        assert_eq!(trim_header_value(b"   "), b"");
    }
}

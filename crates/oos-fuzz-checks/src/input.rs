//! Reading fuzz inputs: numbers and choices off the front of the bytes, and HTTP request
//! heads.

use http::{HeaderMap, HeaderName, HeaderValue};

/// Reads values off the front of a byte string; past its end every read gives zeros.
#[derive(Debug, Clone)]
pub struct Bytes<'a> {
    data: &'a [u8],
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data }
    }

    pub fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    pub fn u16(&mut self) -> u16 {
        let mut b = [0u8; 2];
        let t = self.take(2);
        b[..t.len()].copy_from_slice(t);
        u16::from_be_bytes(b)
    }

    pub fn u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        let t = self.take(4);
        b[..t.len()].copy_from_slice(t);
        u32::from_be_bytes(b)
    }

    pub fn u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        let t = self.take(8);
        b[..t.len()].copy_from_slice(t);
        u64::from_be_bytes(b)
    }

    /// Up to `n` bytes.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.data.split_at(n.min(self.data.len()));
        self.data = tail;
        head
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.data.len())
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// An HTTP/1.1 request head as a fuzz input: `METHOD TARGET[ HTTP/1.1]`, then `Name: value`
/// lines, then a blank line and the body. Header lines that are not valid headers are skipped.
#[derive(Debug, Clone, Default)]
pub struct Head {
    pub method: String,
    /// The raw path, as on the wire (percent-encoded).
    pub path: String,
    /// The raw query without `?`.
    pub query: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Head {
    pub fn parse(data: &[u8]) -> Head {
        let (head, body) = match find(data, b"\n\n")
            .map(|i| (i, 2))
            .or_else(|| find(data, b"\r\n\r\n").map(|i| (i, 4)))
        {
            Some((i, n)) => (&data[..i], &data[i + n..]),
            None => (data, &[][..]),
        };
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let first = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
        let (method, target) = first.split_once(' ').unwrap_or((first.as_str(), ""));
        let target = match target.rsplit_once(" HTTP/") {
            Some((t, _)) => t,
            None => target,
        };
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers = HeaderMap::new();
        for line in lines {
            if let Some((name, value)) = header_line(line) {
                headers.append(name, value);
            }
        }
        Head {
            method: method.to_string(),
            path: path.to_string(),
            query: query.to_string(),
            headers,
            body: body.to_vec(),
        }
    }

    /// The first value of a header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// `Name: value` (the value's leading blanks dropped), when both are valid in HTTP.
pub fn header_line(line: &[u8]) -> Option<(HeaderName, HeaderValue)> {
    let colon = line.iter().position(|&b| b == b':')?;
    let name = HeaderName::from_bytes(line[..colon].trim_ascii()).ok()?;
    let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii_start()).ok()?;
    Some((name, value))
}

/// Header lines only (no request line), as a header map.
pub fn headers(text: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some((name, value)) = header_line(line) {
            headers.append(name, value);
        }
    }
    headers
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a document from a trailing section of facts at the first `\n---\n` line.
pub fn split_facts(data: &[u8]) -> (&[u8], &[u8]) {
    match find(data, b"\n---\n") {
        Some(i) => (&data[..i], &data[i + 5..]),
        None => (data, &[]),
    }
}

/// `key=value` lines (lossy UTF-8).
pub fn facts(text: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(text)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .collect()
}

//! `aws-chunked` bodies: a sans-IO decoder that verifies chunk and trailer
//! signatures, and an encoder that produces such bodies.
//!
//! Wire format (signed; the unsigned variant drops `;chunk-signature=...`):
//! ```text
//! <hex-size>;chunk-signature=<sig>\r\n<data>\r\n   (repeated)
//! 0;chunk-signature=<sig>\r\n
//! [<trailer>:<value>\r\n ... x-amz-trailer-signature:<sig>\r\n]
//! \r\n
//! ```
//! Some SDKs put an extra `\r\n` between the final chunk and the trailers,
//! or omit the last `\r\n`; both are accepted.

use bytes::{Buf, Bytes, BytesMut};
use sha2::{Digest, Sha256};

use crate::canonical::{ct_eq, hmac_sha256, sha256, EMPTY_SHA256};
use crate::checksum::ChecksumAlgorithm;
use crate::error::SignError;
use crate::v4::SigningParams;

/// Longest chunk-size or trailer line accepted.
pub const MAX_LINE: usize = 4096;
/// Most trailer bytes accepted in total.
pub const MAX_TRAILER_BYTES: usize = 16 * 1024;
/// Most trailer headers accepted.
pub const MAX_TRAILERS: usize = 32;

const TRAILER_SIGNATURE: &str = "x-amz-trailer-signature";

/// The signing chain of a streaming upload: each chunk's signature covers the previous one.
#[derive(Clone)]
pub(crate) struct ChunkSigner {
    key: [u8; 32],
    amz_date: String,
    scope: String,
    prev: String,
}

impl ChunkSigner {
    pub(crate) fn new(
        key: [u8; 32],
        amz_date: String,
        scope: String,
        seed_signature: String,
    ) -> Self {
        ChunkSigner {
            key,
            amz_date,
            scope,
            prev: seed_signature,
        }
    }

    fn chunk_signature(&self, chunk_hash: &[u8; 32]) -> [u8; 32] {
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            self.prev,
            EMPTY_SHA256,
            hex::encode(chunk_hash)
        );
        hmac_sha256(&self.key, sts.as_bytes())
    }

    fn trailer_signature(&self, canonical_trailers: &[u8]) -> [u8; 32] {
        let sts = format!(
            "AWS4-HMAC-SHA256-TRAILER\n{}\n{}\n{}\n{}",
            self.amz_date,
            self.scope,
            self.prev,
            hex::encode(sha256(canonical_trailers))
        );
        hmac_sha256(&self.key, sts.as_bytes())
    }

    /// Checks `provided` (hex, from the wire) and moves the chain on.
    fn verify_and_advance(
        &mut self,
        expected: [u8; 32],
        provided: Option<&[u8; 32]>,
    ) -> Result<(), SignError> {
        match provided {
            Some(p) if ct_eq(p, &expected) => {
                self.prev = hex::encode(expected);
                Ok(())
            }
            _ => Err(SignError::SignatureDoesNotMatch),
        }
    }
}

/// Trailing headers of an aws-chunked body, names lower-cased, in wire order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trailers(pub Vec<(String, String)>);

impl Trailers {
    /// Value of a trailer (name compared case-insensitively).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first `x-amz-checksum-*` trailer with a known algorithm.
    pub fn checksum(&self) -> Option<(ChecksumAlgorithm, &str)> {
        self.0
            .iter()
            .find_map(|(n, v)| ChecksumAlgorithm::from_header_name(n).map(|a| (a, v.as_str())))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a `<hex-size>[;ext]` line.
    Header,
    /// Inside chunk data.
    Data {
        remaining: u64,
    },
    /// Expecting the CRLF that closes chunk data.
    DataEnd,
    /// After the final chunk: optional blank line, trailers, blank line.
    Trailers,
    Done,
}

/// Sans-IO decoder of an aws-chunked body.
///
/// Feed it with [`decode`](Self::decode) as bytes arrive; payload comes out
/// incrementally (a chunk's bytes may be released before that chunk's
/// signature is checked at its end). Commit nothing before
/// [`finish`](Self::finish) succeeds.
pub struct ChunkedDecoder {
    signer: Option<ChunkSigner>,
    trailers_allowed: bool,
    expected_len: Option<u64>,
    declared_trailers: Vec<String>,
    state: State,
    line: Vec<u8>,
    chunk_sig: Option<[u8; 32]>,
    chunk_hash: Sha256,
    decoded: u64,
    trailers: Vec<(String, String)>,
    trailer_sig: Option<String>,
    trailer_bytes: usize,
    blank_seen: bool,
}

impl std::fmt::Debug for ChunkedDecoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No key material in logs.
        f.debug_struct("ChunkedDecoder")
            .field("signed", &self.signer.is_some())
            .field("trailers_allowed", &self.trailers_allowed)
            .field("state", &self.state)
            .field("decoded", &self.decoded)
            .finish_non_exhaustive()
    }
}

impl ChunkedDecoder {
    fn new(signer: Option<ChunkSigner>, trailers_allowed: bool) -> Self {
        ChunkedDecoder {
            signer,
            trailers_allowed,
            expected_len: None,
            declared_trailers: Vec::new(),
            state: State::Header,
            line: Vec::new(),
            chunk_sig: None,
            chunk_hash: Sha256::new(),
            decoded: 0,
            trailers: Vec::new(),
            trailer_sig: None,
            trailer_bytes: 0,
            blank_seen: false,
        }
    }

    pub(crate) fn from_signer(signer: ChunkSigner, trailers: bool) -> Self {
        Self::new(Some(signer), trailers)
    }

    /// A signed body chained from `seed_signature` (the request's signature);
    /// `trailers` for `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`.
    pub fn signed(params: &SigningParams<'_>, seed_signature: &str, trailers: bool) -> Self {
        Self::from_signer(params.chunk_signer(seed_signature), trailers)
    }

    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: chunk signatures are ignored.
    pub fn unsigned_trailer() -> Self {
        Self::new(None, true)
    }

    /// Requires exactly this many payload bytes (`x-amz-decoded-content-length`).
    pub fn with_decoded_length(mut self, len: Option<u64>) -> Self {
        self.expected_len = len;
        self
    }

    /// Requires these trailers to be present at the end (`x-amz-trailer`).
    pub fn with_declared_trailers(mut self, names: Vec<String>) -> Self {
        self.declared_trailers = names
            .into_iter()
            .map(|n| n.trim().to_ascii_lowercase())
            .collect();
        self
    }

    /// Whether chunks carry signatures.
    pub fn is_signed(&self) -> bool {
        self.signer.is_some()
    }

    /// The declared decoded length, if any.
    pub fn decoded_length(&self) -> Option<u64> {
        self.expected_len
    }

    /// Payload bytes produced so far.
    pub fn decoded_so_far(&self) -> u64 {
        self.decoded
    }

    /// Whether the final chunk and the trailer section were fully read.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Consumes bytes from `input` and returns decoded payload when there is
    /// some. `Ok(None)` means all of `input` was consumed (or the body ended):
    /// read more, or call [`finish`](Self::finish) at EOF. Call again after
    /// `Ok(Some(_))`, as `input` may hold more.
    pub fn decode(&mut self, input: &mut BytesMut) -> Result<Option<Bytes>, SignError> {
        loop {
            match self.state {
                State::Header => {
                    let Some(line) = self.take_line(input)? else {
                        return Ok(None);
                    };
                    self.start_chunk(&line)?;
                }
                State::Data { remaining } => {
                    if input.is_empty() {
                        return Ok(None);
                    }
                    let n = remaining.min(input.len() as u64) as usize;
                    let data = input.split_to(n).freeze();
                    if self.signer.is_some() {
                        self.chunk_hash.update(&data);
                    }
                    self.decoded += n as u64;
                    if self.expected_len.is_some_and(|e| self.decoded > e) {
                        return Err(SignError::InvalidChunk(
                            "body is longer than x-amz-decoded-content-length".into(),
                        ));
                    }
                    let remaining = remaining - n as u64;
                    self.state = State::Data { remaining };
                    if remaining == 0 {
                        self.end_chunk()?;
                        self.state = State::DataEnd;
                    }
                    return Ok(Some(data));
                }
                State::DataEnd => {
                    let Some(line) = self.take_line(input)? else {
                        return Ok(None);
                    };
                    if !line.is_empty() {
                        return Err(SignError::InvalidChunk(
                            "chunk data not followed by CRLF".into(),
                        ));
                    }
                    self.state = State::Header;
                }
                State::Trailers => {
                    let Some(line) = self.take_line(input)? else {
                        return Ok(None);
                    };
                    self.trailer_line(&line)?;
                }
                State::Done => {
                    // Stray line ends after the body are harmless; anything else is not ours.
                    if input.iter().all(|b| matches!(b, b'\r' | b'\n')) {
                        input.clear();
                        return Ok(None);
                    }
                    return Err(SignError::InvalidChunk("data after the final chunk".into()));
                }
            }
        }
    }

    /// Ends the body at EOF: fails with `IncompleteBody` if it stopped early,
    /// checks the trailer signature (signed-trailer variant) and returns the trailers.
    pub fn finish(mut self) -> Result<Trailers, SignError> {
        match self.state {
            State::Header | State::Data { .. } | State::DataEnd => {
                return Err(SignError::IncompleteBody)
            }
            State::Trailers => {
                // The last trailer line may come without its CRLF.
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if !line.is_empty() {
                    self.trailer_line(&line)?;
                }
            }
            State::Done => {}
        }
        if self.expected_len.is_some_and(|e| e != self.decoded) {
            return Err(SignError::IncompleteBody);
        }
        if self
            .declared_trailers
            .iter()
            .any(|d| !self.trailers.iter().any(|(n, _)| n == d))
        {
            return Err(SignError::IncompleteBody);
        }
        if let Some(signer) = &self.signer {
            if self.trailers_allowed && (!self.trailers.is_empty() || self.trailer_sig.is_some()) {
                let provided = self.trailer_sig.as_deref().and_then(parse_sig);
                // Signers list trailers sorted by name (Rust SDK) or in wire order.
                let mut sorted = self.trailers.clone();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                let ok = [sorted, self.trailers.clone()].iter().any(|list| {
                    let expected = signer.trailer_signature(&canonical_trailers(list));
                    provided.is_some_and(|p| ct_eq(&p, &expected))
                });
                if !ok {
                    return Err(SignError::SignatureDoesNotMatch);
                }
            }
        }
        Ok(Trailers(self.trailers))
    }

    /// Takes one line (without its CR LF) from `input`, buffering partial lines.
    fn take_line(&mut self, input: &mut BytesMut) -> Result<Option<Vec<u8>>, SignError> {
        let found = input.iter().position(|&b| b == b'\n');
        let take = found.unwrap_or(input.len());
        if self.line.len() + take > MAX_LINE {
            return Err(SignError::InvalidChunk(
                "chunk header or trailer line too long".into(),
            ));
        }
        self.line.extend_from_slice(&input[..take]);
        match found {
            Some(i) => {
                input.advance(i + 1);
                let mut line = std::mem::take(&mut self.line);
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                Ok(Some(line))
            }
            None => {
                input.clear();
                Ok(None)
            }
        }
    }

    fn start_chunk(&mut self, line: &[u8]) -> Result<(), SignError> {
        let line = std::str::from_utf8(line)
            .map_err(|_| SignError::InvalidChunk("chunk header is not ASCII".into()))?;
        let mut parts = line.split(';');
        let size_str = parts.next().unwrap_or("").trim();
        if size_str.is_empty()
            || size_str.len() > 16
            || !size_str.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(SignError::InvalidChunk(format!(
                "bad chunk size {size_str:?}"
            )));
        }
        let size = u64::from_str_radix(size_str, 16)
            .map_err(|_| SignError::InvalidChunk("bad chunk size".into()))?;
        let sig = parts.find_map(|ext| {
            let (k, v) = ext.split_once('=')?;
            (k.trim() == "chunk-signature").then(|| v.trim())
        });
        if self.signer.is_some() {
            // An unparsable signature fails when the chunk ends, like a wrong one.
            let sig =
                sig.ok_or_else(|| SignError::InvalidChunk("chunk without chunk-signature".into()))?;
            self.chunk_sig = parse_sig(sig);
            self.chunk_hash = Sha256::new();
        }
        if size == 0 {
            self.end_chunk()?;
            self.state = State::Trailers;
        } else {
            self.state = State::Data { remaining: size };
        }
        Ok(())
    }

    fn end_chunk(&mut self) -> Result<(), SignError> {
        if let Some(signer) = &mut self.signer {
            let hash: [u8; 32] = std::mem::take(&mut self.chunk_hash).finalize().into();
            let expected = signer.chunk_signature(&hash);
            signer.verify_and_advance(expected, self.chunk_sig.take().as_ref())?;
        }
        Ok(())
    }

    fn trailer_line(&mut self, line: &[u8]) -> Result<(), SignError> {
        if line.is_empty() {
            // One blank line may precede the trailers; a blank line after them ends the body.
            if self.trailers.is_empty() && self.trailer_sig.is_none() && !self.blank_seen {
                self.blank_seen = true;
            } else {
                self.state = State::Done;
            }
            return Ok(());
        }
        if !self.trailers_allowed {
            return Err(SignError::InvalidChunk(
                "trailer in a body declared without trailers".into(),
            ));
        }
        self.trailer_bytes += line.len();
        if self.trailer_bytes > MAX_TRAILER_BYTES || self.trailers.len() >= MAX_TRAILERS {
            return Err(SignError::InvalidChunk("too many trailers".into()));
        }
        let line = std::str::from_utf8(line)
            .map_err(|_| SignError::InvalidChunk("trailer is not UTF-8".into()))?;
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| SignError::InvalidChunk("trailer without ':'".into()))?;
        let name = name.trim().to_ascii_lowercase();
        let value = value.trim().to_string();
        if self.trailer_sig.is_some() {
            return Err(SignError::InvalidChunk(
                "trailer after x-amz-trailer-signature".into(),
            ));
        }
        if name == TRAILER_SIGNATURE {
            // Unsigned bodies have nothing to check it against.
            if self.signer.is_some() {
                self.trailer_sig = Some(value);
            }
        } else {
            self.trailers.push((name, value));
        }
        Ok(())
    }
}

/// `name:value\n` per trailer, the input of the trailer signature.
fn canonical_trailers(list: &[(String, String)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, v) in list {
        out.extend_from_slice(n.as_bytes());
        out.push(b':');
        out.extend_from_slice(v.as_bytes());
        out.push(b'\n');
    }
    out
}

fn parse_sig(hex_sig: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(hex_sig, &mut out).ok()?;
    Some(out)
}

/// Produces aws-chunked bodies (for tests and the SDK).
pub struct ChunkedEncoder {
    signer: Option<ChunkSigner>,
}

impl ChunkedEncoder {
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`, chained from the
    /// request's signature (what `sign_v4_headers` returned).
    pub fn signed(params: &SigningParams<'_>, seed_signature: &str) -> Self {
        ChunkedEncoder {
            signer: Some(params.chunk_signer(seed_signature)),
        }
    }

    /// `STREAMING-UNSIGNED-PAYLOAD-TRAILER`.
    pub fn unsigned() -> Self {
        ChunkedEncoder { signer: None }
    }

    /// One data chunk. An empty `data` yields nothing (only `finish` ends the body).
    pub fn chunk(&mut self, data: &[u8]) -> Vec<u8> {
        if data.is_empty() {
            return Vec::new();
        }
        let mut out = self.chunk_header(data);
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        out
    }

    /// The final zero-length chunk, then the trailers (signed with
    /// `x-amz-trailer-signature` when this encoder signs), then the closing CRLF.
    pub fn finish(&mut self, trailers: &[(&str, &str)]) -> Vec<u8> {
        let mut out = self.chunk_header(&[]);
        for (n, v) in trailers {
            out.extend_from_slice(format!("{n}:{v}\r\n").as_bytes());
        }
        if let (Some(signer), false) = (&self.signer, trailers.is_empty()) {
            let mut list: Vec<(String, String)> = trailers
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            list.sort_by(|a, b| a.0.cmp(&b.0));
            let sig = hex::encode(signer.trailer_signature(&canonical_trailers(&list)));
            out.extend_from_slice(format!("{TRAILER_SIGNATURE}:{sig}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }

    /// A whole body: `data` cut into `chunk_size` chunks, then `finish(trailers)`.
    pub fn encode_all(
        &mut self,
        data: &[u8],
        chunk_size: usize,
        trailers: &[(&str, &str)],
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(data.len() + 256);
        for piece in data.chunks(chunk_size.max(1)) {
            out.extend_from_slice(&self.chunk(piece));
        }
        out.extend_from_slice(&self.finish(trailers));
        out
    }

    fn chunk_header(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = format!("{:x}", data.len()).into_bytes();
        if let Some(signer) = &mut self.signer {
            let sig = signer.chunk_signature(&sha256(data));
            signer.prev = hex::encode(sig);
            out.extend_from_slice(b";chunk-signature=");
            out.extend_from_slice(signer.prev.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// Length on the wire of an aws-chunked body made by [`ChunkedEncoder::encode_all`]
/// (the `Content-Length` to send; `x-amz-decoded-content-length` is `payload_len`).
pub fn encoded_length(
    payload_len: u64,
    chunk_size: u64,
    signed: bool,
    trailers: &[(&str, &str)],
) -> u64 {
    let sig_ext = if signed {
        (";chunk-signature=".len() + 64) as u64
    } else {
        0
    };
    let header = |size: u64| format!("{size:x}").len() as u64 + sig_ext + 2;
    let chunk_size = chunk_size.max(1);
    let full = payload_len / chunk_size;
    let rest = payload_len % chunk_size;
    let mut total = full * (header(chunk_size) + chunk_size + 2);
    if rest > 0 {
        total += header(rest) + rest + 2;
    }
    total += header(0);
    for (n, v) in trailers {
        total += (n.len() + 1 + v.len() + 2) as u64;
    }
    if signed && !trailers.is_empty() {
        total += (TRAILER_SIGNATURE.len() + 1 + 64 + 2) as u64;
    }
    total + 2
}

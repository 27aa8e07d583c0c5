//! Request bodies as verifying streams: aws-chunked decoding with chunk signatures, the
//! payload SHA-256, Content-MD5, `x-amz-checksum-*` (header or trailer) and the exact length,
//! all checked before the last byte is handed over. A handler commits nothing until
//! [`RequestBody::next`] has returned `None`, so a bad body changes nothing.

use base64::Engine;
use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use md5::{Digest, Md5};
use oos_proto::headers::{
    X_AMZ_CHECKSUM_PREFIX, X_AMZ_DECODED_CONTENT_LENGTH, X_AMZ_SDK_CHECKSUM_ALGORITHM,
    X_AMZ_TRAILER,
};
use oos_sign::{ChecksumAlgorithm, Checksummer, ChunkedDecoder, PayloadMode};
use sha2::Sha256;

use crate::error::{S3Error, S3Result};
use crate::s3_error;

/// Largest object a single PUT may carry (S3: 5 GiB).
pub const MAX_PUT_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// What the verified body was.
#[derive(Debug, Clone)]
pub struct BodyDigest {
    pub md5: [u8; 16],
    /// `(algorithm name, base64 value)` when the client sent or asked for a checksum, or a
    /// [`ChecksumRule`] had one computed.
    pub checksum: Option<(String, String)>,
    /// The client sent the checksum value (header or trailer) rather than it being computed.
    pub checksum_sent: bool,
    /// The checksum [`RequestBody::also_compute`] asked for, whatever the client sent.
    pub also: Option<(String, String)>,
}

/// What a body's checksum must be besides matching its bytes.
#[derive(Debug, Clone, Copy)]
pub enum ChecksumRule {
    /// Any algorithm; none sent: this one is computed (S3's default checksum).
    AnyOrDefault(ChecksumAlgorithm),
    /// This algorithm; none sent: it is computed (parts of FULL_OBJECT uploads).
    Algorithm(ChecksumAlgorithm),
    /// This algorithm, and the client must send it (parts of COMPOSITE uploads).
    Sent(ChecksumAlgorithm),
}

impl BodyDigest {
    pub fn md5_hex(&self) -> String {
        hex::encode(self.md5)
    }
}

enum Expected {
    /// The value came in a header.
    Header(String),
    /// The value arrives in the aws-chunked trailer.
    Trailer,
    /// No value sent: computed to be stored and returned.
    Computed,
}

pub struct RequestBody {
    incoming: Incoming,
    decoder: Option<(ChunkedDecoder, BytesMut)>,
    sha256: Option<(Sha256, [u8; 32])>,
    md5: Option<Md5Hasher>,
    content_md5: Option<[u8; 16]>,
    checksum: Option<(ChecksumAlgorithm, Checksummer, Expected)>,
    /// A checksum computed besides the client's (see [`RequestBody::also_compute`]).
    also: Option<Checksummer>,
    /// Decoded payload length announced by the client; once finished, the length received.
    len: u64,
    /// Whether the client announced the length (not a bare chunked transfer).
    len_known: bool,
    /// The most a body of unknown length may carry.
    limit: u64,
    received: u64,
    digest: Option<BodyDigest>,
    /// Upload speed limit (`x-amz-limit`).
    pace: Option<crate::speed::Pace>,
    /// How long the client may send nothing before the body is abandoned.
    stall_timeout: Option<std::time::Duration>,
}

impl RequestBody {
    /// Checks the headers that describe the body, before any of it is read.
    pub fn new(
        incoming: Incoming,
        payload: PayloadMode,
        headers: &HeaderMap,
        limit: u64,
    ) -> S3Result<RequestBody> {
        let chunked = matches!(payload, PayloadMode::Chunked(_));
        let len_header = if chunked {
            X_AMZ_DECODED_CONTENT_LENGTH
        } else {
            "content-length"
        };
        // A plain HTTP/1.1 chunked body may come without any length: it is counted as it
        // arrives and held to `limit` then (S3 conformance suites send such PUTs).
        let (len, len_known) = match headers.get(len_header) {
            Some(v) => (
                v.to_str()
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
                    .ok_or_else(|| s3_error!(InvalidArgument, "Invalid {len_header} header."))?,
                true,
            ),
            None if chunked => return Err(s3_error!(MissingContentLength)),
            None if headers.contains_key("transfer-encoding") => (0, false),
            None => (0, true),
        };
        if len > limit {
            return Err(too_large(limit));
        }
        let content_md5 = match headers.get("content-md5") {
            Some(v) => Some(
                v.to_str()
                    .ok()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .and_then(|d| <[u8; 16]>::try_from(d).ok())
                    .ok_or_else(|| s3_error!(InvalidDigest))?,
            ),
            None => None,
        };
        let checksum = requested_checksum(headers)?;
        let (decoder, sha256) = match payload {
            PayloadMode::Unsigned => (None, None),
            PayloadMode::Sha256(expected) => (None, Some((Sha256::new(), expected))),
            PayloadMode::Chunked(d) => (Some((d, BytesMut::new())), None),
        };
        Ok(RequestBody {
            incoming,
            decoder,
            sha256,
            md5: Some(Md5Hasher::new(if len_known { len } else { u64::MAX })),
            content_md5,
            checksum,
            also: None,
            len,
            len_known,
            limit,
            received: 0,
            digest: None,
            pace: None,
            stall_timeout: None,
        })
    }

    /// Receives at most `rate` bytes per second (OOS upload speed limits).
    pub fn throttle(&mut self, rate: u64) {
        self.pace = Some(crate::speed::Pace::new(rate));
    }

    /// Payload length announced by the client (after aws-chunked decoding); for a body sent
    /// without a length, 0 until all of it arrived, then its length.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the length is known before the body is read.
    pub fn len_known(&self) -> bool {
        self.len_known
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Abandons the body (`400 RequestTimeout`) when the client sends nothing for `limit`.
    pub fn stall_after(mut self, limit: std::time::Duration) -> Self {
        self.stall_timeout = Some(limit);
        self
    }

    /// The next piece of verified payload; `None` once all of it arrived and every check passed.
    pub async fn next(&mut self) -> S3Result<Option<Bytes>> {
        match self.next_unverified().await? {
            Some(piece) => Ok(Some(piece)),
            None => {
                self.verify().await?;
                Ok(None)
            }
        }
    }

    /// Like [`RequestBody::next`], but `None` comes as soon as the last byte arrived, before
    /// the digests are checked: the caller must commit nothing until [`RequestBody::verify`]
    /// succeeds. It lets the data store make the bytes durable while MD5 catches up.
    pub async fn next_unverified(&mut self) -> S3Result<Option<Bytes>> {
        loop {
            if self.digest.is_some() {
                return Ok(None);
            }
            if let Some((decoder, buf)) = &mut self.decoder {
                if let Some(piece) = decoder.decode(buf)? {
                    if !piece.is_empty() {
                        return self.accept(piece).await.map(Some);
                    }
                }
            }
            let frame = match self.stall_timeout {
                None => self.incoming.frame().await,
                Some(limit) => tokio::time::timeout(limit, self.incoming.frame())
                    .await
                    .map_err(|_| s3_error!(RequestTimeout))?,
            };
            match frame {
                Some(Ok(frame)) => {
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    match &mut self.decoder {
                        Some((_, buf)) => buf.extend_from_slice(&data),
                        None if !data.is_empty() => return self.accept(data).await.map(Some),
                        None => {}
                    }
                }
                Some(Err(e)) => return Err(transport_error(e)),
                None => return Ok(None),
            }
        }
    }

    /// Reads the whole (small, bounded by the `limit` given to `new`) body.
    pub async fn collect(mut self) -> S3Result<(Bytes, BodyDigest)> {
        let mut out = BytesMut::with_capacity(self.len as usize);
        while let Some(piece) = self.next().await? {
            out.extend_from_slice(&piece);
        }
        let digest = self.digest().clone();
        Ok((out.freeze(), digest))
    }

    /// Valid once `next` has returned `None`.
    pub fn digest(&self) -> &BodyDigest {
        self.digest
            .as_ref()
            .expect("digest is read after the body ended")
    }

    async fn accept(&mut self, piece: Bytes) -> S3Result<Bytes> {
        self.received += piece.len() as u64;
        if !self.len_known {
            if self.received > self.limit {
                return Err(too_large(self.limit));
            }
        } else if self.received > self.len {
            return Err(s3_error!(
                InvalidRequest,
                "The body is longer than the declared content length."
            ));
        }
        if let Some(md5) = &mut self.md5 {
            md5.update(&piece).await?;
        }
        if let Some((h, _)) = &mut self.sha256 {
            h.update(&piece);
        }
        if let Some((_, c, _)) = &mut self.checksum {
            c.update(&piece);
        }
        if let Some(c) = &mut self.also {
            c.update(&piece);
        }
        if let Some(pace) = &mut self.pace {
            pace.wait(piece.len()).await;
        }
        Ok(piece)
    }

    /// Applies `rule` to the checksum the client sent (before any of the body is read).
    pub fn checksum_rule(&mut self, rule: ChecksumRule) -> S3Result<()> {
        let sent = self.checksum.as_ref().map(|(algorithm, _, _)| *algorithm);
        let (wanted, must_send) = match rule {
            ChecksumRule::AnyOrDefault(default) => match sent {
                Some(_) => return Ok(()),
                None => (default, false),
            },
            ChecksumRule::Algorithm(a) => (a, false),
            ChecksumRule::Sent(a) => (a, true),
        };
        match sent {
            Some(a) if a == wanted => Ok(()),
            None if !must_send => {
                self.checksum = Some((wanted, Checksummer::new(wanted), Expected::Computed));
                Ok(())
            }
            other => Err(s3_error!(
                InvalidRequest,
                "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                wanted.name().to_ascii_lowercase(),
                other.map_or("null".to_string(), |a| a.name().to_ascii_lowercase())
            )),
        }
    }

    /// Computes `algorithm` too, whatever the client sends: a part of an upload that named no
    /// algorithm still needs S3's default CRC64NVME for the object's checksum.
    pub fn also_compute(&mut self, algorithm: ChecksumAlgorithm) {
        self.also = Some(Checksummer::new(algorithm));
    }

    /// Checks the whole body (length, digests, checksums, trailers) once all of it arrived;
    /// [`RequestBody::digest`] is valid after it succeeded.
    pub async fn verify(&mut self) -> S3Result<()> {
        if self.digest.is_some() {
            return Ok(());
        }
        let trailers = match self.decoder.take() {
            Some((decoder, buf)) => {
                if !buf.is_empty() {
                    return Err(s3_error!(IncompleteBody));
                }
                Some(decoder.finish()?)
            }
            None => None,
        };
        if !self.len_known {
            self.len = self.received;
        } else if self.received != self.len {
            return Err(s3_error!(IncompleteBody));
        }
        if let Some((h, expected)) = self.sha256.take() {
            if h.finalize().as_slice() != expected {
                return Err(s3_error!(XAmzContentSHA256Mismatch));
            }
        }
        let md5 = match self.md5.take() {
            Some(hasher) => hasher.finish().await?,
            None => return Err(S3Error::internal("request body", "finished twice")),
        };
        if self.content_md5.is_some_and(|want| want != md5) {
            return Err(s3_error!(BadDigest));
        }
        let checksum_sent = matches!(
            self.checksum,
            Some((_, _, Expected::Header(_) | Expected::Trailer))
        );
        let checksum = match self.checksum.take() {
            None => None,
            Some((algo, hasher, expected)) => {
                let got = hasher.finish();
                let want = match expected {
                    Expected::Header(v) => Some(v),
                    Expected::Computed => Some(got.clone()),
                    Expected::Trailer => trailers
                        .as_ref()
                        .and_then(|t| t.get(algo.header_name()).map(str::to_string)),
                };
                match want {
                    Some(w) if w != got => {
                        return Err(s3_error!(
                            BadDigest,
                            "The {} you specified did not match the calculated checksum.",
                            algo.name()
                        ))
                    }
                    None => {
                        return Err(s3_error!(
                            InvalidRequest,
                            "The trailer {} was announced but not sent.",
                            algo.header_name()
                        ))
                    }
                    Some(_) => Some((algo.name().to_string(), got)),
                }
            }
        };
        let also = self
            .also
            .take()
            .map(|c| (c.algorithm().name().to_string(), c.finish()));
        self.digest = Some(BodyDigest {
            md5,
            checksum,
            checksum_sent,
            also,
        });
        Ok(())
    }
}

/// The error for a body past `limit`: S3's for objects, a plain one for request documents.
fn too_large(limit: u64) -> S3Error {
    if limit >= MAX_PUT_SIZE {
        s3_error!(EntityTooLarge)
    } else {
        s3_error!(
            MaxMessageLengthExceeded,
            "Your request was too big: at most {limit} bytes are accepted."
        )
    }
}

/// Bodies above this are hashed on a blocking thread.
const OFFLOAD_MD5_ABOVE: u64 = 256 * 1024;

/// MD5 (for the ETag) runs near 0.55 GiB/s on one core and would bound an upload stream if it
/// ran in series with receiving and writing: large bodies are hashed on a blocking thread
/// beside that work (DESIGN §7), small ones inline where a thread hop would cost more.
pub(crate) enum Md5Hasher {
    Inline(Md5),
    Offloaded {
        tx: tokio::sync::mpsc::Sender<Bytes>,
        task: tokio::task::JoinHandle<[u8; 16]>,
    },
}

impl Md5Hasher {
    pub(crate) fn new(len: u64) -> Md5Hasher {
        if len <= OFFLOAD_MD5_ABOVE {
            return Md5Hasher::Inline(Md5::new());
        }
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Bytes>(16);
        let task = tokio::task::spawn_blocking(move || {
            let mut md5 = Md5::new();
            while let Some(piece) = rx.blocking_recv() {
                md5.update(&piece);
            }
            md5.finalize().into()
        });
        Md5Hasher::Offloaded { tx, task }
    }

    pub(crate) async fn update(&mut self, piece: &Bytes) -> S3Result<()> {
        match self {
            Md5Hasher::Inline(md5) => md5.update(piece),
            Md5Hasher::Offloaded { tx, .. } => tx
                .send(piece.clone())
                .await
                .map_err(|e| S3Error::internal("md5 worker", e))?,
        }
        Ok(())
    }

    pub(crate) async fn finish(self) -> S3Result<[u8; 16]> {
        match self {
            Md5Hasher::Inline(md5) => Ok(md5.finalize().into()),
            Md5Hasher::Offloaded { tx, task } => {
                drop(tx);
                task.await.map_err(|e| S3Error::internal("md5 worker", e))
            }
        }
    }
}

/// Whether the request carries something that lets the body be verified: Content-MD5, or an
/// `x-amz-checksum-*` header or trailer (the body stream checks whichever it is).
pub fn has_integrity_header(headers: &HeaderMap) -> bool {
    headers.contains_key("content-md5")
        || headers.contains_key(X_AMZ_TRAILER)
        || headers.keys().any(|k| {
            k.as_str().starts_with(X_AMZ_CHECKSUM_PREFIX) && k.as_str() != "x-amz-checksum-type"
        })
}

/// The checksum the client wants verified: an `x-amz-checksum-<algo>` header, or an
/// `x-amz-trailer` naming one that arrives at the end of an aws-chunked body.
fn requested_checksum(
    headers: &HeaderMap,
) -> S3Result<Option<(ChecksumAlgorithm, Checksummer, Expected)>> {
    let mut found = None;
    for (name, value) in headers {
        let Some(algo_name) = name.as_str().strip_prefix(X_AMZ_CHECKSUM_PREFIX) else {
            continue;
        };
        if algo_name == "type" || algo_name == "algorithm" || algo_name == "mode" {
            continue;
        }
        let algo = ChecksumAlgorithm::from_name(&algo_name.to_ascii_uppercase())
            .ok_or_else(|| s3_error!(InvalidRequest, "Unknown checksum header {name}."))?;
        if found.is_some() {
            return Err(s3_error!(
                InvalidRequest,
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
            ));
        }
        // A value that cannot be a digest of this algorithm is malformed, not a mismatch.
        let value = value
            .to_str()
            .ok()
            .filter(|v| algo.decode_value(v).is_ok())
            .ok_or_else(|| {
                s3_error!(
                    InvalidRequest,
                    "Value for {} header is invalid.",
                    algo.header_name()
                )
            })?
            .to_string();
        found = Some((algo, Checksummer::new(algo), Expected::Header(value)));
    }
    if found.is_some() {
        return Ok(found);
    }
    if let Some(trailer) = headers.get(X_AMZ_TRAILER).and_then(|v| v.to_str().ok()) {
        let name = trailer.trim().to_ascii_lowercase();
        let algo = name
            .strip_prefix(X_AMZ_CHECKSUM_PREFIX)
            .and_then(|a| ChecksumAlgorithm::from_name(&a.to_ascii_uppercase()))
            .ok_or_else(|| s3_error!(InvalidRequest, "Unsupported trailer {trailer}."))?;
        return Ok(Some((algo, Checksummer::new(algo), Expected::Trailer)));
    }
    if let Some(v) = headers
        .get(X_AMZ_SDK_CHECKSUM_ALGORITHM)
        .and_then(|v| v.to_str().ok())
    {
        // The SDK names an algorithm but sends no value: compute it so we can return it.
        if let Some(algo) = ChecksumAlgorithm::from_name(&v.to_ascii_uppercase()) {
            return Ok(Some((algo, Checksummer::new(algo), Expected::Computed)));
        }
    }
    Ok(None)
}

/// A connection that broke or ended early mid-body.
fn transport_error(e: hyper::Error) -> S3Error {
    tracing::debug!(error = %e, "request body ended early");
    s3_error!(IncompleteBody)
}

/// Reads a small request body that is not S3 payload (IAM forms, admin and portal JSON):
/// at most `limit` bytes, all of it within `stall` (such bodies are a few KiB).
pub async fn read_small(
    incoming: Incoming,
    limit: usize,
    stall: std::time::Duration,
) -> S3Result<Bytes> {
    let collect = http_body_util::Limited::new(incoming, limit).collect();
    match tokio::time::timeout(stall, collect).await {
        Err(_) => Err(s3_error!(RequestTimeout)),
        Ok(Err(_)) => Err(s3_error!(MaxMessageLengthExceeded)),
        Ok(Ok(body)) => Ok(body.to_bytes()),
    }
}

//! GetObject and HeadObject: conditions, ranges, `response-*` overrides, and the object byte
//! stream shared with copies.

use std::collections::VecDeque;

use bytes::Bytes;
use futures_util::stream;
use http::{HeaderMap, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use oos_meta::{DataRef, Object};
use oos_proto::headers::{X_AMZ_MP_PARTS_COUNT, X_CTYUN_DATA_LOCATION, X_CTYUN_METADATA_LOCATION};
use oos_proto::time_fmt::{http_date, parse_http_date};
use oos_store::{DataReader, DataStore};

use super::object_attrs::write_headers;
use super::Ctx;
use crate::access::Need;
use crate::error::{S3Error, S3Result};
use crate::response::{self, set_header, Body};
use crate::s3_error;
use crate::state::Server;

pub async fn get(ctx: &mut Ctx<'_>, head: bool) -> S3Result<Response<Body>> {
    // The object's own ACL may grant a read the bucket does not (x-amz-acl on PUT).
    let limit = crate::speed::requested(&ctx.parts.headers, &ctx.query)?;
    let (bucket, object) = ctx.object_for("s3:GetObject", Need::Read).await?;
    // An SSE-C object needs its key even for a HEAD (S3).
    let key = ctx
        .object_key(&object.attrs, crate::sse::ReadAs::Object)
        .await?;
    // Only downloads count against `concurrency` (a HEAD transfers nothing).
    let slot = if head {
        None
    } else {
        ctx.transfer_slot(&limit)?
    };
    check_conditions(&ctx.parts.headers, &object, Conditions::plain())?;

    let (range, part_count, part_index) = match ctx.query.get("partNumber") {
        Some(n) => part_range(&object, n)?,
        None => (
            requested_range(&ctx.parts.headers, object.size)?,
            None,
            None,
        ),
    };
    let (start, end) = range.unwrap_or((0, object.size));
    let body = if head || start == end {
        response::empty()
    } else {
        let mut source = ObjectStream::open(ctx.server, &object, start, end, key.as_ref()).await?;
        // The first piece is read (and verified) before any header is sent, so data that
        // cannot be read at all is a clean 500, never a 200 with a broken body.
        let first = source.next().await?.unwrap_or_default();
        if first.len() as u64 == end - start {
            // Small objects go out as one buffer: headers and body leave in one write.
            response::full(first)
        } else {
            stream_body(first, source)
        }
    };
    let body = match limit.rate {
        Some(rate) if !head => crate::speed::throttled(body, rate),
        _ => body,
    };
    let body = match slot {
        Some(slot) => crate::speed::holding(body, slot),
        None => body,
    };
    let mut resp = Response::new(body);
    write_headers(&mut resp, &object);
    crate::sse::write_headers(&mut resp, object.attrs.sse.as_ref());
    super::set_version_header(&mut resp, &bucket, object.version_id.as_deref());
    set_header(&mut resp, "content-length", &(end - start).to_string());
    if let Some((s, e)) = range {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        set_header(
            &mut resp,
            "content-range",
            &format!("bytes {}-{}/{}", s, e.saturating_sub(1), object.size),
        );
    }
    if let Some(n) = part_count {
        set_header(&mut resp, X_AMZ_MP_PARTS_COUNT, &n.to_string());
    }
    if ctx.header("x-amz-checksum-mode") == Some("ENABLED") {
        // A range of the whole object still has the object's checksum.
        let partial = part_index.is_none() && range.is_some_and(|r| r != (0, object.size));
        write_checksum(&mut resp, &object, part_index, partial);
    }
    if let Some(expiration) = super::lifecycle::expiration(ctx.server, &bucket, &object).await {
        set_header(&mut resp, "x-amz-expiration", &expiration);
    }
    write_location_headers(ctx.server, &bucket, &object, &mut resp).await?;
    apply_overrides(ctx, &mut resp);
    Ok(resp)
}

/// OOS answers where an object lives when its owner has a choice (B 4.2): the data region
/// when the owner has more than one data region, the bucket's metadata region likewise.
async fn write_location_headers(
    server: &Server,
    bucket: &oos_meta::Bucket,
    object: &Object,
    resp: &mut Response<Body>,
) -> S3Result<()> {
    if server.config.regions.len() == 1 {
        return Ok(());
    }
    let regions = crate::placement::owner_regions(server, &bucket.owner).await?;
    if regions.data.len() > 1 {
        let region = crate::placement::stored_region(&server.config, &object.attrs);
        set_header(resp, X_CTYUN_DATA_LOCATION, region);
    }
    if regions.metadata.len() > 1 {
        let region = crate::placement::BucketLocation::of(bucket).metadata_region(&server.config);
        set_header(resp, X_CTYUN_METADATA_LOCATION, &region);
    }
    Ok(())
}

/// The stored checksum of what this response returns: the object's, or with `?partNumber=`
/// the part's (`part`: its index); a byte range has none.
fn write_checksum(resp: &mut Response<Body>, object: &Object, part: Option<usize>, partial: bool) {
    let kind = Some(crate::checksums::type_of(&object.attrs));
    // A part of a COMPOSITE object answers its own checksum; a FULL_OBJECT checksum of
    // several parts says nothing about one of them.
    match (&object.data, part) {
        (DataRef::Parts(parts), Some(i)) => {
            if kind == Some(oos_meta::ChecksumType::Composite) {
                if let (Some((algorithm, _)), Some(value)) =
                    (&object.attrs.checksum, &parts[i].checksum)
                {
                    let stored = (algorithm.clone(), value.clone());
                    crate::checksums::set_headers(resp, Some(&stored), kind);
                }
            } else if parts.len() == 1 {
                crate::checksums::set_headers(resp, object.attrs.checksum.as_ref(), kind);
            }
        }
        _ if partial => {}
        _ => crate::checksums::set_headers(resp, object.attrs.checksum.as_ref(), kind),
    }
}

/// `response-content-type` & co. replace the stored header in this response only.
fn apply_overrides(ctx: &Ctx<'_>, resp: &mut Response<Body>) {
    const OVERRIDES: &[(&str, &str)] = &[
        ("response-content-type", "content-type"),
        ("response-content-language", "content-language"),
        ("response-expires", "expires"),
        ("response-cache-control", "cache-control"),
        ("response-content-disposition", "content-disposition"),
        ("response-content-encoding", "content-encoding"),
    ];
    for (param, header) in OVERRIDES {
        if let Some(v) = ctx.query.get(param) {
            set_header(resp, header, v);
        }
    }
}

/// Which conditional headers to read: the plain ones, or `x-amz-copy-source-if-*`.
pub struct Conditions {
    prefix: &'static str,
    /// GET/HEAD answer 304 where a copy answers 412.
    not_modified: bool,
}

impl Conditions {
    pub fn plain() -> Conditions {
        Conditions {
            prefix: "",
            not_modified: true,
        }
    }

    pub fn copy_source() -> Conditions {
        Conditions {
            prefix: "x-amz-copy-source-",
            not_modified: false,
        }
    }
}

/// RFC 7232 evaluation as S3 does it: If-Match wins over If-Unmodified-Since, and
/// If-None-Match wins over If-Modified-Since.
pub fn check_conditions(headers: &HeaderMap, o: &Object, c: Conditions) -> S3Result<()> {
    let get = |name: &str| {
        headers
            .get(format!("{}{name}", c.prefix))
            .and_then(|v| v.to_str().ok())
    };
    let etag_matches = |list: &str| {
        list.split(',')
            .map(str::trim)
            .any(|t| t == "*" || t.trim_matches('"') == o.etag)
    };
    let modified_secs = o.last_modified / 1000;
    // A GET/HEAD answered 304 or 412 still names the object's validators (RFC 9110 §15.4.5;
    // S3 sends both on either status), so a cache can tell what it failed against.
    let failed = |mut e: S3Error| {
        if c.not_modified {
            e.headers.push(("etag", format!("\"{}\"", o.etag)));
            e.headers
                .push(("last-modified", http_date(o.last_modified)));
        }
        e
    };
    let if_match = get("if-match");
    if let Some(list) = if_match {
        if !etag_matches(list) {
            return Err(failed(s3_error!(PreconditionFailed)));
        }
    } else if let Some(t) = get("if-unmodified-since").and_then(parse_http_date) {
        if modified_secs > t {
            return Err(failed(s3_error!(PreconditionFailed)));
        }
    }
    let not_modified = || {
        failed(if c.not_modified {
            s3_error!(NotModified)
        } else {
            s3_error!(PreconditionFailed)
        })
    };
    if let Some(list) = get("if-none-match") {
        if etag_matches(list) {
            return Err(not_modified());
        }
    } else if let Some(t) = get("if-modified-since").and_then(parse_http_date) {
        if modified_secs <= t {
            return Err(not_modified());
        }
    }
    Ok(())
}

/// Parses a single `Range: bytes=` range into `[start, end)`. Malformed or multiple ranges are
/// ignored (the whole object is served, as S3 does); a range past the end is `416`.
pub fn requested_range(headers: &HeaderMap, size: u64) -> S3Result<Option<(u64, u64)>> {
    let Some(raw) = headers.get("range").and_then(|v| v.to_str().ok()) else {
        return Ok(None);
    };
    match parse_range(raw, size) {
        RangeSpec::Ignore => Ok(None),
        RangeSpec::Unsatisfiable => Err(invalid_range(size)),
        RangeSpec::Range(s, e) => Ok(Some((s, e))),
    }
}

pub fn invalid_range(size: u64) -> S3Error {
    let mut e = s3_error!(InvalidRange);
    e.headers.push(("content-range", format!("bytes */{size}")));
    e
}

#[derive(Debug, PartialEq, Eq)]
pub enum RangeSpec {
    Ignore,
    Unsatisfiable,
    Range(u64, u64),
}

pub fn parse_range(raw: &str, size: u64) -> RangeSpec {
    let Some(spec) = raw.trim().strip_prefix("bytes=") else {
        return RangeSpec::Ignore;
    };
    if spec.contains(',') {
        return RangeSpec::Ignore;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeSpec::Ignore;
    };
    let num = |s: &str| s.trim().parse::<u64>().ok();
    match (a.trim().is_empty(), b.trim().is_empty()) {
        (true, true) => RangeSpec::Ignore,
        (true, false) => match num(b) {
            Some(0) => RangeSpec::Unsatisfiable,
            Some(_) if size == 0 => RangeSpec::Unsatisfiable,
            Some(n) => RangeSpec::Range(size.saturating_sub(n), size),
            None => RangeSpec::Ignore,
        },
        (false, _) => {
            let Some(start) = num(a) else {
                return RangeSpec::Ignore;
            };
            let end = if b.trim().is_empty() {
                Some(u64::MAX)
            } else {
                num(b)
            };
            match end {
                None => RangeSpec::Ignore,
                Some(end) if end < start => RangeSpec::Ignore,
                Some(_) if start >= size => RangeSpec::Unsatisfiable,
                Some(end) => RangeSpec::Range(start, end.min(size - 1) + 1),
            }
        }
    }
}

/// `?partNumber=N` on GET/HEAD: the bytes of that part of a multipart object.
/// A byte range `[start, end)` of an object.
type ByteRange = (u64, u64);

/// `?partNumber=`: the part's byte range, the object's part count and the part's index.
type PartRange = (Option<ByteRange>, Option<usize>, Option<usize>);

fn part_range(o: &Object, raw: &str) -> S3Result<PartRange> {
    let n: usize = raw
        .parse()
        .ok()
        .filter(|n| (1..=10000).contains(n))
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "Part number must be an integer between 1 and 10000, inclusive"
            )
        })?;
    match &o.data {
        DataRef::Parts(parts) => {
            let part = parts.get(n - 1).ok_or_else(part_past_the_last)?;
            let start: u64 = parts[..n - 1].iter().map(|p| p.size).sum();
            Ok((
                Some((start, start + part.size)),
                Some(parts.len()),
                Some(n - 1),
            ))
        }
        _ if n == 1 => Ok((None, None, None)),
        _ => Err(part_past_the_last()),
    }
}

/// A part number past the object's last part: `400 InvalidPart`, as the S3 conformance
/// tests (ceph s3-tests) expect of GET and HEAD.
fn part_past_the_last() -> S3Error {
    s3_error!(InvalidPart, "The requested partnumber is not satisfiable")
}

/// A piece of an object's data: `[offset, offset + len)` of a segment of `size` plaintext
/// bytes (the whole object, or one part).
enum Segment {
    Inline {
        stored: Bytes,
        offset: u64,
        len: u64,
        size: u64,
    },
    Data {
        id: String,
        offset: u64,
        len: u64,
        size: u64,
    },
}

/// The data reader of the segment being returned, and its decryption if it is encrypted.
struct Current {
    reader: DataReader,
    opening: Option<Opening>,
}

/// Decryption of an encrypted data segment: its header first (when the read starts in the
/// first chunk, the header arrives with the chunks), then the chunks.
enum Opening {
    Header {
        header: Vec<u8>,
        offset: u64,
        len: u64,
        size: u64,
    },
    Chunks(Box<oos_sse::Decryptor>),
}

/// The bytes `[start, end)` of an object, across inline data, one data id, or many parts,
/// decrypted when the object is encrypted (`key`).
/// The first data file is opened before any response header is sent, so a missing file is
/// a clean error, and an open file stays readable even if the object is overwritten.
pub struct ObjectStream {
    store: DataStore,
    segments: VecDeque<Segment>,
    current: Option<Current>,
    key: Option<oos_sse::ObjectKey>,
    /// Plaintext decrypted but not returned yet.
    ready: VecDeque<Bytes>,
    /// Keeps the collector away from the parts not opened yet.
    _lease: oos_store::ReadLease,
}

impl ObjectStream {
    pub async fn open(
        server: &Server,
        o: &Object,
        start: u64,
        end: u64,
        key: Option<&oos_sse::ObjectKey>,
    ) -> S3Result<ObjectStream> {
        let mut segments = VecDeque::new();
        match &o.data {
            DataRef::Inline(bytes) => segments.push_back(Segment::Inline {
                stored: Bytes::copy_from_slice(bytes),
                offset: start,
                len: end - start,
                size: o.size,
            }),
            DataRef::Single(id) => segments.push_back(Segment::Data {
                id: id.clone(),
                offset: start,
                len: end - start,
                size: o.size,
            }),
            DataRef::Parts(parts) => {
                let mut part_start = 0u64;
                for p in parts {
                    let part_end = part_start + p.size;
                    let (s, e) = (start.max(part_start), end.min(part_end));
                    if s < e {
                        segments.push_back(Segment::Data {
                            id: p.data_id.clone(),
                            offset: s - part_start,
                            len: e - s,
                            size: p.size,
                        });
                    }
                    part_start = part_end;
                }
            }
        }
        let store = crate::placement::object_store(server, o)?.clone();
        let lease = store.lease(o.data.data_ids());
        let mut stream = ObjectStream {
            store,
            segments,
            current: None,
            key: key.cloned(),
            ready: VecDeque::new(),
            _lease: lease,
        };
        if matches!(stream.segments.front(), Some(Segment::Data { .. })) {
            stream.open_next().await?;
        }
        Ok(stream)
    }

    /// Starts the next segment: a data segment becomes `current`; an inline one is returned
    /// (decrypted) at once.
    async fn open_next(&mut self) -> S3Result<Option<Bytes>> {
        match self.segments.pop_front() {
            Some(Segment::Data {
                id,
                offset,
                len,
                size,
            }) => {
                self.current = Some(match &self.key {
                    None => Current {
                        reader: self.store.reader(&id, offset, len).await?,
                        opening: None,
                    },
                    Some(key) => {
                        let w = oos_sse::window(size, offset, offset + len);
                        let header_len = oos_sse::HEADER_LEN as u64;
                        if w.stored_start == header_len {
                            // The read starts in the first chunk: one read from the header on.
                            Current {
                                reader: self.store.reader(&id, 0, w.stored_end).await?,
                                opening: Some(Opening::Header {
                                    header: Vec::with_capacity(oos_sse::HEADER_LEN),
                                    offset,
                                    len,
                                    size,
                                }),
                            }
                        } else {
                            let header = read_all(&self.store, &id, 0, header_len).await?;
                            let d =
                                oos_sse::Decryptor::new(key, &header, size, offset, offset + len)?;
                            Current {
                                reader: self
                                    .store
                                    .reader(&id, w.stored_start, w.stored_end - w.stored_start)
                                    .await?,
                                opening: Some(Opening::Chunks(Box::new(d))),
                            }
                        }
                    }
                });
                Ok(None)
            }
            Some(Segment::Inline {
                stored,
                offset,
                len,
                size,
            }) => {
                let Some(key) = &self.key else {
                    let bytes = stored.slice_ref_checked(offset, len).ok_or_else(|| {
                        S3Error::internal("inline data shorter than its object", size)
                    })?;
                    return Ok(Some(bytes));
                };
                let header = stored
                    .get(..oos_sse::HEADER_LEN)
                    .ok_or(oos_sse::SseError::Truncated)?;
                let w = oos_sse::window(size, offset, offset + len);
                let body = stored
                    .get(w.stored_start as usize..w.stored_end as usize)
                    .ok_or(oos_sse::SseError::Truncated)?;
                let mut d = oos_sse::Decryptor::new(key, header, size, offset, offset + len)?;
                let mut out = Vec::new();
                d.update(body, &mut out)?;
                d.finish()?;
                Ok(Some(Bytes::from(out.concat())))
            }
            None => Ok(None),
        }
    }

    pub async fn next(&mut self) -> S3Result<Option<Bytes>> {
        loop {
            if let Some(piece) = self.ready.pop_front() {
                return Ok(Some(piece));
            }
            if let Some(current) = &mut self.current {
                match current.reader.next().await? {
                    Some(piece) => match &mut current.opening {
                        None => return Ok(Some(piece)),
                        Some(opening) => {
                            let mut out = Vec::new();
                            open_piece(self.key.as_ref(), opening, &piece, &mut out)?;
                            self.ready.extend(out);
                        }
                    },
                    None => {
                        if let Some(Opening::Chunks(d)) =
                            self.current.take().and_then(|c| c.opening)
                        {
                            d.finish()?;
                        } else if self.key.is_some() {
                            // Still waiting for the header: the data ended too soon.
                            return Err(oos_sse::SseError::Truncated.into());
                        }
                    }
                }
                continue;
            }
            if self.segments.is_empty() {
                return Ok(None);
            }
            if let Some(inline) = self.open_next().await? {
                return Ok(Some(inline));
            }
        }
    }
}

/// Feeds one stored piece through a segment's decryption.
fn open_piece(
    key: Option<&oos_sse::ObjectKey>,
    opening: &mut Opening,
    mut piece: &[u8],
    out: &mut Vec<Bytes>,
) -> S3Result<()> {
    if let Opening::Header {
        header,
        offset,
        len,
        size,
    } = opening
    {
        let take = (oos_sse::HEADER_LEN - header.len()).min(piece.len());
        header.extend_from_slice(&piece[..take]);
        piece = &piece[take..];
        if header.len() < oos_sse::HEADER_LEN {
            return Ok(());
        }
        let key = key.ok_or_else(|| S3Error::internal("decryption", "no key"))?;
        let d = oos_sse::Decryptor::new(key, header, *size, *offset, *offset + *len)?;
        *opening = Opening::Chunks(Box::new(d));
    }
    if let Opening::Chunks(d) = opening {
        d.update(piece, out)?;
    }
    Ok(())
}

/// A short range of a data id, whole (an encrypted segment's header).
async fn read_all(store: &DataStore, id: &str, offset: u64, len: u64) -> S3Result<Vec<u8>> {
    let mut reader = store.reader(id, offset, len).await?;
    let mut buf = Vec::with_capacity(len as usize);
    while let Some(piece) = reader.next().await? {
        buf.extend_from_slice(&piece);
    }
    Ok(buf)
}

trait SliceChecked {
    fn slice_ref_checked(&self, offset: u64, len: u64) -> Option<Bytes>;
}

impl SliceChecked for Bytes {
    fn slice_ref_checked(&self, offset: u64, len: u64) -> Option<Bytes> {
        let end = offset.checked_add(len)?;
        (end <= self.len() as u64).then(|| self.slice(offset as usize..end as usize))
    }
}

/// A response body that pulls verified pieces from the store. A failure mid-stream aborts the
/// connection: the client sees a short body, never wrong bytes.
pub(crate) fn stream_body(first: Bytes, source: ObjectStream) -> Body {
    let s = stream::unfold((Some(first), source), |(first, mut source)| async move {
        if let Some(piece) = first {
            return Some((Ok(Frame::data(piece)), (None, source)));
        }
        match source.next().await {
            Ok(Some(piece)) => Some((Ok(Frame::data(piece)), (None, source))),
            Ok(None) => None,
            Err(e) => Some((Err(std::io::Error::other(e.message)), (None, source))),
        }
    });
    StreamBody::new(s).boxed_unsync()
}

#[cfg(test)]
mod tests {
    use super::{parse_range, RangeSpec::*};

    #[test]
    fn ranges_follow_rfc_7233() {
        assert_eq!(parse_range("bytes=0-9", 100), Range(0, 10));
        assert_eq!(parse_range("bytes=90-", 100), Range(90, 100));
        assert_eq!(parse_range("bytes=90-200", 100), Range(90, 100));
        assert_eq!(parse_range("bytes=-10", 100), Range(90, 100));
        assert_eq!(parse_range("bytes=-200", 100), Range(0, 100));
        assert_eq!(parse_range("bytes=100-", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=0-0", 0), Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=5-1", 100), Ignore);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Ignore);
        assert_eq!(parse_range("items=0-1", 100), Ignore);
        assert_eq!(parse_range("bytes=x-1", 100), Ignore);
    }
}

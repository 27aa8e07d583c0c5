//! Request bodies ([`Body`]) and streaming response bodies ([`ByteStream`]).

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt, TryStreamExt};
use http_body::Body as _;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use tokio::io::{AsyncSeekExt, AsyncWrite, AsyncWriteExt};

use crate::error::{file_error, BoxError, Error, Result};

/// The body type handed to hyper.
pub(crate) type HttpBody = UnsyncBoxBody<Bytes, BoxError>;

/// Called with the size of every chunk as it goes out or comes in.
pub(crate) type ChunkObserver = Arc<dyn Fn(&[u8]) + Send + Sync>;

enum Inner {
    Bytes(Bytes),
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
    },
    Stream(Option<BoxStream<'static, std::io::Result<Bytes>>>),
}

/// A request body: bytes in memory, a (range of a) file, or any stream of known length.
/// File and byte bodies can be re-sent, so their requests are retried; a stream is sent once.
///
/// ```no_run
/// # async fn f() -> oos::Result<()> {
/// use oos::Body;
/// let a = Body::from("hello");
/// let b = Body::from_file("/tmp/data.bin").await?;
/// let s = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from("x"))]);
/// let c = Body::from_stream(1, s);
/// # Ok(()) }
/// ```
pub struct Body {
    inner: Inner,
    len: u64,
    observer: Option<ChunkObserver>,
    /// How far into the body any attempt got: a retry reports only the bytes past it, so that
    /// progress counts each byte once.
    reported: Arc<AtomicU64>,
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match &self.inner {
            Inner::Bytes(_) => "bytes",
            Inner::File { .. } => "file",
            Inner::Stream(_) => "stream",
        };
        f.debug_struct("Body")
            .field("kind", &kind)
            .field("len", &self.len)
            .finish()
    }
}

impl Body {
    /// An empty body.
    pub fn empty() -> Body {
        Body::from(Bytes::new())
    }

    /// A whole file, streamed from disk.
    pub async fn from_file(path: impl AsRef<Path>) -> Result<Body> {
        let path = path.as_ref().to_path_buf();
        let len = tokio::fs::metadata(&path)
            .await
            .map_err(file_error(&path))?
            .len();
        Ok(Body::from_file_range(path, 0, len))
    }

    /// `len` bytes of a file from `offset`, streamed from disk (a multipart part).
    pub fn from_file_range(path: impl Into<PathBuf>, offset: u64, len: u64) -> Body {
        Body {
            inner: Inner::File {
                path: path.into(),
                offset,
                len,
            },
            len,
            observer: None,
            reported: Arc::default(),
        }
    }

    /// A stream of exactly `len` bytes.
    pub fn from_stream<S>(len: u64, stream: S) -> Body
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        Body {
            inner: Inner::Stream(Some(stream.boxed())),
            len,
            observer: None,
            reported: Arc::default(),
        }
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes, when the body is in memory.
    pub(crate) fn as_bytes(&self) -> Option<&Bytes> {
        match &self.inner {
            Inner::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// Whether the body can be sent again (for retries).
    pub(crate) fn replayable(&self) -> bool {
        !matches!(self.inner, Inner::Stream(_))
    }

    pub(crate) fn with_observer(mut self, observer: ChunkObserver) -> Body {
        self.observer = Some(observer);
        self
    }

    /// The hyper body for one attempt. A stream body is handed out once.
    pub(crate) async fn take_http(&mut self) -> Result<HttpBody> {
        let observer = self.observer.clone();
        let reported = self.reported.clone();
        // Reports the part of a chunk ending `end` bytes into the body that no attempt has
        // reported yet.
        let report = move |chunk: &[u8], end: u64| {
            if let Some(o) = &observer {
                let before = reported.fetch_max(end, Ordering::Relaxed);
                if end > before {
                    let fresh = ((end - before) as usize).min(chunk.len());
                    o(&chunk[chunk.len() - fresh..]);
                }
            }
        };
        let stream: BoxStream<'static, std::io::Result<Bytes>> = match &mut self.inner {
            Inner::Bytes(b) => {
                report(b, b.len() as u64);
                return Ok(Full::new(b.clone())
                    .map_err(|never| match never {})
                    .boxed_unsync());
            }
            Inner::File { path, offset, len } => {
                let mut file = tokio::fs::File::open(&path)
                    .await
                    .map_err(file_error(path))?;
                file.seek(std::io::SeekFrom::Start(*offset))
                    .await
                    .map_err(file_error(path))?;
                let reader = tokio::io::AsyncReadExt::take(file, *len);
                tokio_util::io::ReaderStream::with_capacity(reader, 256 * 1024).boxed()
            }
            Inner::Stream(s) => s.take().ok_or_else(|| {
                Error::InvalidArgument("a stream body cannot be sent twice".into())
            })?,
        };
        let expected = self.len;
        let mut seen = 0u64;
        let stream = stream.map(move |chunk| {
            let chunk = chunk?;
            seen += chunk.len() as u64;
            if seen > expected {
                return Err(std::io::Error::other(format!(
                    "body longer than its declared {expected} bytes"
                )));
            }
            report(&chunk, seen);
            Ok(chunk)
        });
        let frames = stream
            .map_ok(Frame::data)
            .map_err(|e: std::io::Error| -> BoxError { Box::new(e) });
        Ok(BodyExt::boxed_unsync(StreamBody::new(frames)))
    }
}

impl From<Bytes> for Body {
    fn from(b: Bytes) -> Body {
        Body {
            len: b.len() as u64,
            inner: Inner::Bytes(b),
            observer: None,
            reported: Arc::default(),
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Body {
        Body::from(Bytes::from(v))
    }
}

impl From<String> for Body {
    fn from(s: String) -> Body {
        Body::from(Bytes::from(s))
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Body {
        Body::from(Bytes::from_static(s.as_bytes()))
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Body {
        Body::from(Bytes::from_static(s))
    }
}

/// A response body, streamed from the socket as it arrives; nothing is buffered beyond the
/// chunk in hand. It is a [`Stream`] of [`Bytes`].
///
/// ```no_run
/// # async fn f(client: oos::Client) -> oos::Result<()> {
/// use futures_util::StreamExt;
/// let mut out = client.get_object("bucket", "key", Default::default()).await?;
/// while let Some(chunk) = out.body.next().await {
///     let chunk = chunk?;
///     println!("{} bytes", chunk.len());
/// }
/// # Ok(()) }
/// ```
pub struct ByteStream {
    inner: Option<Incoming>,
    observer: Option<ChunkObserver>,
    /// `scheme://host` the body comes from, for a connection that breaks mid-body.
    endpoint: String,
}

impl std::fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ByteStream")
    }
}

impl ByteStream {
    pub(crate) fn new(body: Incoming, endpoint: String) -> ByteStream {
        ByteStream {
            inner: Some(body),
            observer: None,
            endpoint,
        }
    }

    pub(crate) fn empty() -> ByteStream {
        ByteStream {
            inner: None,
            observer: None,
            endpoint: String::new(),
        }
    }

    pub(crate) fn with_observer(mut self, observer: ChunkObserver) -> ByteStream {
        self.observer = Some(observer);
        self
    }

    /// The whole body in memory (for small objects).
    pub async fn collect(mut self) -> Result<Bytes> {
        let mut out = bytes::BytesMut::new();
        while let Some(chunk) = self.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }

    /// Copies the body into `writer` chunk by chunk; returns the byte count.
    pub async fn write_to<W: AsyncWrite + Unpin>(mut self, writer: &mut W) -> Result<u64> {
        let mut n = 0u64;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await?;
            n += chunk.len() as u64;
        }
        writer.flush().await?;
        Ok(n)
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            let Some(body) = self.inner.as_mut() else {
                return Poll::Ready(None);
            };
            match Pin::new(body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    self.inner = None;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => {
                    self.inner = None;
                    return Poll::Ready(Some(Err(Error::Connection {
                        endpoint: self.endpoint.clone(),
                        source: Box::new(e),
                    })));
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if let Some(o) = &self.observer {
                            o(&data);
                        }
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends every attempt's body to the end, as hyper would.
    async fn drain(body: &mut Body) {
        let mut http = body.take_http().await.unwrap();
        while let Some(frame) = http.frame().await {
            frame.unwrap();
        }
    }

    #[tokio::test]
    async fn a_retried_body_is_reported_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, vec![7u8; 600 * 1024]).unwrap();
        for mut body in [
            Body::from(vec![1u8; 1000]),
            Body::from_file(&path).await.unwrap(),
        ] {
            let len = body.len();
            let count = Arc::new(AtomicU64::new(0));
            let c = count.clone();
            body = body.with_observer(Arc::new(move |chunk: &[u8]| {
                c.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            }));
            drain(&mut body).await;
            drain(&mut body).await;
            assert_eq!(count.load(Ordering::Relaxed), len);
        }
    }
}

//! A 127.0.0.1 HTTP/1.1 server that records every request and answers as told: the SDK's
//! requests as they are on the wire.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Serves on a free port; `respond` gives (status, body) for each request.
pub async fn serve<F>(respond: F) -> (String, Arc<Mutex<Vec<Captured>>>)
where
    F: Fn(&Captured) -> (u16, String) + Send + Sync + 'static,
{
    let respond = Arc::new(respond);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    tokio::spawn(async move {
        loop {
            let (mut sock, _) = listener.accept().await.unwrap();
            let seen = seen2.clone();
            let respond = respond.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                loop {
                    // Read one request head.
                    let head_end = loop {
                        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            break p;
                        }
                        let mut chunk = [0u8; 8192];
                        let n = sock.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    };
                    let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
                    let mut lines = head.split("\r\n");
                    let mut first = lines.next().unwrap().split(' ');
                    let method = first.next().unwrap().to_string();
                    let target = first.next().unwrap().to_string();
                    let headers: Vec<(String, String)> = lines
                        .map(|l| {
                            let (k, v) = l.split_once(':').unwrap();
                            (k.trim().to_ascii_lowercase(), v.trim().to_string())
                        })
                        .collect();
                    let len: usize = headers
                        .iter()
                        .find(|(k, _)| k == "content-length")
                        .map(|(_, v)| v.parse().unwrap())
                        .unwrap_or(0);
                    buf.drain(..head_end + 4);
                    while buf.len() < len {
                        let mut chunk = [0u8; 65536];
                        let n = sock.read(&mut chunk).await.unwrap();
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let body: Vec<u8> = buf.drain(..len).collect();
                    let captured = Captured {
                        method,
                        target,
                        headers,
                        body,
                    };
                    let (status, reply) = respond(&captured);
                    seen.lock().unwrap().push(captured);
                    let resp = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nx-amz-request-id: CAPTURE\r\nETag: \"e\"\r\n\r\n{reply}",
                        reply.len()
                    );
                    if sock.write_all(resp.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (format!("http://{addr}"), seen)
}

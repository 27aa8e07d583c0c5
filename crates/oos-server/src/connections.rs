//! What one client may hold of a listener: how many connections, overall and per client
//! address, and how long a response may wait for the client to read it. (The time a request
//! head and body may take is enforced by hyper's head timer and by `body::RequestBody`.)

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_io_timeout::TimeoutStream;

use crate::config::ConnectionLimits;

/// Counts the open connections of one listener.
pub struct ConnectionGate {
    limits: ConnectionLimits,
    open: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    total: usize,
    per_client: HashMap<IpAddr, usize>,
}

/// One admitted connection; dropping it (when the connection ends) frees its place.
pub struct ConnectionPermit {
    gate: Arc<ConnectionGate>,
    /// The address it counts against (`None` for exempt peers such as trusted proxies).
    client: Option<IpAddr>,
}

impl ConnectionGate {
    pub fn new(limits: ConnectionLimits) -> Arc<Self> {
        Arc::new(ConnectionGate {
            limits,
            open: Mutex::new(Counts::default()),
        })
    }

    /// Admits a connection from `client` unless the listener or that address is at its cap.
    /// A refused connection is simply closed by the caller: no request was read, so there is
    /// nothing to answer, and refusing costs the others nothing.
    pub fn admit(self: &Arc<Self>, client: IpAddr, exempt: bool) -> Option<ConnectionPermit> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.total >= self.limits.max_connections {
            return None;
        }
        if !exempt {
            let held = open.per_client.entry(client).or_insert(0);
            if *held >= self.limits.max_per_client {
                return None;
            }
            *held += 1;
        }
        open.total += 1;
        // Every listener has its own gate; the gauge counts them all.
        metrics::gauge!("oos_connections_open").increment(1.0);
        Some(ConnectionPermit {
            gate: self.clone(),
            client: (!exempt).then_some(client),
        })
    }
}

impl Drop for ConnectionPermit {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|e| e.into_inner());
        open.total -= 1;
        if let Some(client) = self.client {
            if let Some(held) = open.per_client.get_mut(&client) {
                *held -= 1;
                if *held == 0 {
                    open.per_client.remove(&client);
                }
            }
        }
        metrics::gauge!("oos_connections_open").decrement(1.0);
    }
}

/// The stream with a write deadline: a write that makes no progress for `limits.send_timeout`
/// fails with `TimedOut`, which ends the connection (a client that stopped reading a large
/// GET must not hold its buffers and file handles forever). Reads have no deadline here:
/// waiting for the next request is bounded by the head timer, bodies by `RequestBody`.
pub fn with_send_deadline<S>(stream: S, limits: &ConnectionLimits) -> Pin<Box<TimeoutStream<S>>>
where
    S: AsyncRead + AsyncWrite,
{
    let mut stream = TimeoutStream::new(stream);
    stream.set_write_timeout(Some(limits.send_timeout));
    Box::pin(stream)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn limits(max_connections: usize, max_per_client: usize) -> ConnectionLimits {
        ConnectionLimits {
            head_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            send_timeout: Duration::from_secs(1),
            max_connections,
            max_per_client,
        }
    }

    #[test]
    fn caps_per_client_and_overall_and_frees_on_drop() {
        let gate = ConnectionGate::new(limits(3, 2));
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let a1 = gate.admit(a, false).unwrap();
        let _a2 = gate.admit(a, false).unwrap();
        assert!(gate.admit(a, false).is_none(), "third from one client");
        let b1 = gate.admit(b, false).unwrap();
        assert!(
            gate.admit(b, true).is_none(),
            "listener full, even for exempt peers"
        );
        drop(a1);
        let _a3 = gate.admit(a, false).unwrap();
        drop(b1);
        // An exempt peer does not count against its address.
        let _p = gate.admit(b, true).unwrap();
        assert_eq!(gate.open.lock().unwrap().per_client.get(&b), None);
    }
}

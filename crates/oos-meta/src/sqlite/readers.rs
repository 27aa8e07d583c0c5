//! A fixed pool of reader connections. Reads run on tokio's blocking threads; a read that finds
//! every connection busy waits for one, which also caps how many SQLite reads run at once.
//! Point lookups may instead run where they are asked ([`ReaderPool::try_with`]), but only on
//! a connection that is free right now, so they never wait.

use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};

use rusqlite::Connection;

use super::schema;
use crate::MetaResult;

pub(super) struct ReaderPool {
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
}

impl ReaderPool {
    pub(super) fn open(path: &Path, size: usize) -> MetaResult<ReaderPool> {
        let conns = (0..size.max(1))
            .map(|_| schema::open_reader(path))
            .collect::<MetaResult<Vec<_>>>()?;
        Ok(ReaderPool {
            idle: Mutex::new(conns),
            returned: Condvar::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Connection>> {
        // A panic while holding the lock cannot leave the Vec inconsistent; keep going.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on a connection that is idle now, or gives `f` back if none is.
    pub(super) fn try_with<T, F>(&self, f: F) -> Result<MetaResult<T>, F>
    where
        F: FnOnce(&Connection) -> MetaResult<T>,
    {
        let Some(conn) = self.lock().pop() else {
            return Err(f);
        };
        Ok(self.run(conn, f))
    }

    /// Runs `f` on an idle connection (blocking until one is free). Call from a blocking
    /// thread only.
    pub(super) fn with<T>(&self, f: impl FnOnce(&Connection) -> MetaResult<T>) -> MetaResult<T> {
        let conn = {
            let mut idle = self.lock();
            loop {
                if let Some(c) = idle.pop() {
                    break c;
                }
                idle = self.returned.wait(idle).unwrap_or_else(|e| e.into_inner());
            }
        };
        self.run(conn, f)
    }

    fn run<T>(
        &self,
        conn: Connection,
        f: impl FnOnce(&Connection) -> MetaResult<T>,
    ) -> MetaResult<T> {
        // Returns the connection even if `f` panics, so the pool never shrinks.
        struct Return<'p> {
            pool: &'p ReaderPool,
            conn: Option<Connection>,
        }
        impl Drop for Return<'_> {
            fn drop(&mut self) {
                if let Some(c) = self.conn.take() {
                    self.pool.lock().push(c);
                    self.pool.returned.notify_one();
                }
            }
        }
        let guard = Return {
            pool: self,
            conn: Some(conn),
        };
        f(guard.conn.as_ref().expect("connection present until drop"))
    }
}

//! The single writer thread and its group commit.
//!
//! With `synchronous=FULL` every COMMIT costs an fsync (milliseconds on real disks), so one
//! transaction per PUT would cap the server at a few hundred writes per second. Instead every
//! mutation is a command sent to one thread that owns the only write connection. The thread
//! takes whatever is queued (up to [`MAX_BATCH`]), runs it all in one transaction and commits
//! once, so one fsync acknowledges the whole batch. Each command runs inside its own SAVEPOINT:
//! a command that fails (BucketNotEmpty, a constraint violation, a panic) is rolled back alone
//! and the others still commit. Answers are sent only after the COMMIT succeeded, so `Ok`
//! always means durable.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::{MetaError, MetaResult};

/// Upper bound of commands per transaction: keeps one batch's latency and WAL growth bounded
/// while still amortising the fsync over many writes.
const MAX_BATCH: usize = 256;

/// A queued mutation, type-erased over its result type.
trait Command: Send {
    /// Runs the command on the writer connection; the answer waits for the commit.
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Answer>;
    /// Answers without running (the batch failed before reaching this command).
    fn fail(self: Box<Self>, why: &str);
}

trait Answer: Send {
    fn ok(&self) -> bool;
    /// Delivers the result; `commit_error` is set when the batch did not commit.
    fn send(self: Box<Self>, commit_error: Option<&str>);
}

struct Cmd<T, F> {
    f: F,
    reply: oneshot::Sender<MetaResult<T>>,
}

struct Pending<T> {
    result: MetaResult<T>,
    reply: oneshot::Sender<MetaResult<T>>,
}

impl<T, F> Command for Cmd<T, F>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> MetaResult<T> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Answer> {
        let Cmd { f, reply } = *self;
        // A panicking command must not take the writer thread (and every later write) down.
        let result = catch_unwind(AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| Err(MetaError::Backend("metadata command panicked".into())));
        Box::new(Pending { result, reply })
    }

    fn fail(self: Box<Self>, why: &str) {
        let _ = self.reply.send(Err(MetaError::Backend(why.to_owned())));
    }
}

impl<T: Send> Answer for Pending<T> {
    fn ok(&self) -> bool {
        self.result.is_ok()
    }

    fn send(self: Box<Self>, commit_error: Option<&str>) {
        let result = match (self.result, commit_error) {
            (Ok(_), Some(e)) => Err(MetaError::Backend(e.to_owned())),
            (r, _) => r,
        };
        // The caller may have gone away (request cancelled); the write stands regardless.
        let _ = self.reply.send(result);
    }
}

/// Handle to the writer thread. Dropping it lets the thread finish the queue and exit.
pub(super) struct Writer {
    tx: Option<mpsc::Sender<Box<dyn Command>>>,
    thread: Option<JoinHandle<()>>,
    commits: Arc<AtomicU64>,
}

impl Writer {
    pub(super) fn spawn(conn: Connection) -> MetaResult<Writer> {
        let (tx, rx) = mpsc::channel::<Box<dyn Command>>();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = commits.clone();
        let thread = std::thread::Builder::new()
            .name("oos-meta-writer".into())
            .spawn(move || run(conn, rx, &counter))
            .map_err(|e| MetaError::Backend(format!("starting the metadata writer: {e}")))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
            commits,
        })
    }

    /// Queues a command without waiting (the send never blocks: the channel is unbounded, and
    /// backpressure comes from callers awaiting their answers).
    pub(super) fn enqueue<T, F>(&self, f: F) -> oneshot::Receiver<MetaResult<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> MetaResult<T> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        if let Some(tx) = &self.tx {
            // If the thread is gone the command (and its reply sender) is dropped here and
            // the receiver reports it below.
            let _ = tx.send(Box::new(Cmd { f, reply }));
        }
        rx
    }

    /// Runs `f` in the next group commit and returns its result once durable.
    pub(super) async fn submit<T, F>(&self, f: F) -> MetaResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> MetaResult<T> + Send + 'static,
    {
        self.enqueue(f)
            .await
            .unwrap_or_else(|_| Err(MetaError::Backend("metadata writer has stopped".into())))
    }

    /// Number of transactions committed so far (for tests and diagnostics).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop after the queued commands; joining makes
        // sure the connection is closed (and the WAL checkpointed) before the file is reopened.
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Box<dyn Command>>, commits: &AtomicU64) {
    while let Ok(first) = rx.recv() {
        let mut batch = Vec::with_capacity(16);
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(cmd) => batch.push(cmd),
                Err(_) => break,
            }
        }
        if run_batch(&conn, batch) {
            commits.fetch_add(1, Ordering::Relaxed);
            // One WAL sync each (synchronous=FULL): what group commit amortises.
            metrics::counter!("oos_meta_commits_total").increment(1);
        }
    }
}

/// Runs one batch in one transaction. Returns whether it committed.
fn run_batch(conn: &Connection, batch: Vec<Box<dyn Command>>) -> bool {
    let mut answers: Vec<Box<dyn Answer>> = Vec::with_capacity(batch.len());
    let mut failure: Option<String> = None;
    let mut commands = batch.into_iter();

    // IMMEDIATE takes the write lock up front, so a concurrent process (sqlite3 shell) makes
    // us wait on busy_timeout here rather than fail half-way through the batch.
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        failure = Some(format!("begin: {e}"));
    }
    if failure.is_none() {
        for cmd in commands.by_ref() {
            if let Err(e) = conn.execute_batch("SAVEPOINT cmd") {
                failure = Some(format!("savepoint: {e}"));
                cmd.fail(failure.as_deref().unwrap_or_default());
                break;
            }
            let answer = cmd.run(conn);
            let ok = answer.ok();
            answers.push(answer);
            // Some errors (disk full, I/O) make SQLite roll back the whole transaction by
            // itself; then every earlier command of the batch is lost too.
            if conn.is_autocommit() {
                failure = Some("transaction rolled back by SQLite".into());
                break;
            }
            let end = if ok {
                "RELEASE cmd"
            } else {
                "ROLLBACK TO cmd; RELEASE cmd"
            };
            if let Err(e) = conn.execute_batch(end) {
                failure = Some(format!("ending savepoint: {e}"));
                break;
            }
        }
    }
    if failure.is_none() {
        if let Err(e) = conn.execute_batch("COMMIT") {
            failure = Some(format!("commit: {e}"));
        }
    }
    if failure.is_some() && !conn.is_autocommit() {
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::error!(error = %e, "metadata rollback failed");
        }
    }
    if let Some(f) = &failure {
        tracing::error!(error = %f, "metadata batch failed");
    }
    let committed = failure.is_none();
    let why = failure.map(|f| format!("metadata transaction failed: {f}"));
    for answer in answers {
        answer.send(why.as_deref());
    }
    for cmd in commands {
        cmd.fail(why.as_deref().unwrap_or("metadata transaction failed"));
    }
    committed
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn writer() -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let conn = Connection::open(dir.path().join("w.db")).unwrap();
        conn.execute_batch("CREATE TABLE t (v INTEGER PRIMARY KEY)")
            .unwrap();
        (dir, Writer::spawn(conn).unwrap())
    }

    #[tokio::test]
    async fn queued_commands_share_one_commit() {
        let (_dir, w) = writer();
        // Hold the writer inside a command so the next ones pile up in the queue.
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let blocker = w.enqueue(move |_| {
            gate.recv_timeout(Duration::from_secs(10)).ok();
            Ok(())
        });
        let waiting: Vec<_> = (0..100)
            .map(|i| {
                w.enqueue(move |c| {
                    c.execute("INSERT INTO t (v) VALUES (?1)", [i])?;
                    Ok(i)
                })
            })
            .collect();
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        for (i, rx) in waiting.into_iter().enumerate() {
            assert_eq!(rx.await.unwrap().unwrap(), i as i64);
        }
        // The blocker's batch plus at most one more for all 100 inserts.
        assert!(w.commits() <= 2, "commits: {}", w.commits());
    }

    #[tokio::test]
    async fn failed_command_rolls_back_alone() {
        let (_dir, w) = writer();
        let (release, gate) = std::sync::mpsc::channel::<()>();
        let blocker = w.enqueue(move |_| {
            gate.recv_timeout(Duration::from_secs(10)).ok();
            Ok(())
        });
        let good = w.enqueue(|c| Ok(c.execute("INSERT INTO t (v) VALUES (1)", [])?));
        let bad = w.enqueue(|c| {
            c.execute("INSERT INTO t (v) VALUES (2)", [])?;
            Err::<(), _>(MetaError::BucketNotEmpty)
        });
        let panics = w.enqueue(|c| -> MetaResult<()> {
            c.execute("INSERT INTO t (v) VALUES (3)", []).unwrap();
            panic!("boom")
        });
        let dup = w.enqueue(|c| Ok(c.execute("INSERT INTO t (v) VALUES (1)", [])?));
        let count = w.enqueue(|c| {
            Ok(c.query_row("SELECT group_concat(v) FROM t", [], |r| {
                r.get::<_, String>(0)
            })?)
        });
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();
        assert!(good.await.unwrap().is_ok());
        assert!(matches!(bad.await.unwrap(), Err(MetaError::BucketNotEmpty)));
        assert!(matches!(panics.await.unwrap(), Err(MetaError::Backend(_))));
        assert!(matches!(dup.await.unwrap(), Err(MetaError::Backend(_))));
        assert_eq!(count.await.unwrap().unwrap(), "1");
    }
}

//! Connection setup and numbered schema migrations.
//!
//! Object and upload keys are BLOBs: SQLite compares BLOBs with memcmp, which is exactly the
//! bytewise order S3 listings need. Every statement must therefore bind keys as bytes
//! (`key.as_bytes()`), never as text: a TEXT value never equals a BLOB in SQLite.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::MetaResult;

/// How long a connection waits for a lock held by another process (a second oosd on the same
/// file, the sqlite3 shell) before failing. Within one process the single writer never waits.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Enough cached statements for every distinct statement the store issues, so none is re-parsed.
const STATEMENT_CACHE: usize = 64;

/// Migrations in order; migration `i` (1-based) brings the schema to version `i`. Append only:
/// a released migration is never edited.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    r#"
    CREATE TABLE accounts (
        id       TEXT PRIMARY KEY,
        name     TEXT NOT NULL,
        created  INTEGER NOT NULL,
        disabled INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        account_id    TEXT NOT NULL,
        secret        TEXT NOT NULL,
        is_primary    INTEGER NOT NULL,
        active        INTEGER NOT NULL,
        created       INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX access_keys_by_account ON access_keys (account_id);

    CREATE TABLE buckets (
        name    TEXT PRIMARY KEY,
        owner   TEXT NOT NULL,
        created INTEGER NOT NULL,
        acl     TEXT NOT NULL,
        config  TEXT NOT NULL          -- JSON array of [kind, document] pairs
    ) WITHOUT ROWID;
    CREATE INDEX buckets_by_owner ON buckets (owner, name);

    -- `data` is the JSON DataRef for data held in files; inline bytes live in `inline` (as a
    -- BLOB, not a JSON number array) with `data` NULL. `inline` is the last column so that
    -- listings that do not need it rarely touch its overflow pages.
    CREATE TABLE objects (
        bucket        TEXT NOT NULL,
        key           BLOB NOT NULL,
        size          INTEGER NOT NULL,
        etag          TEXT NOT NULL,
        last_modified INTEGER NOT NULL,
        storage_class TEXT NOT NULL,
        attrs         TEXT NOT NULL,   -- JSON ObjectAttrs
        data          TEXT,
        inline        BLOB,
        PRIMARY KEY (bucket, key)
    ) WITHOUT ROWID;

    CREATE TABLE uploads (
        upload_id     TEXT PRIMARY KEY,
        bucket        TEXT NOT NULL,
        key           BLOB NOT NULL,
        initiated     INTEGER NOT NULL,
        storage_class TEXT NOT NULL,
        attrs         TEXT NOT NULL,
        initiator     TEXT NOT NULL
    ) WITHOUT ROWID;
    -- ListMultipartUploads order.
    CREATE INDEX uploads_by_key ON uploads (bucket, key, upload_id);

    CREATE TABLE parts (
        upload_id      TEXT NOT NULL,
        part_number    INTEGER NOT NULL,
        size           INTEGER NOT NULL,
        etag           TEXT NOT NULL,
        last_modified  INTEGER NOT NULL,
        checksum_algo  TEXT,
        checksum_value TEXT,
        data           TEXT,
        inline         BLOB,
        PRIMARY KEY (upload_id, part_number)
    ) WITHOUT ROWID;

    -- How many object/part rows reference each data id. Maintained in the same transactions
    -- as objects and parts; an id whose count drops to zero moves to gc_queue. This answers
    -- is_data_referenced with one probe and makes "don't GC what the new object still uses"
    -- fall out of counting instead of set arithmetic in every operation.
    CREATE TABLE data_refs (
        data_id TEXT PRIMARY KEY,
        refs    INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE gc_queue (
        data_id   TEXT PRIMARY KEY,
        queued_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX gc_queue_by_age ON gc_queue (queued_at, data_id);

    -- Running totals for usage(), updated by every object insert/replace/delete.
    CREATE TABLE usage (
        id      INTEGER PRIMARY KEY CHECK (id = 0),
        objects INTEGER NOT NULL,
        bytes   INTEGER NOT NULL
    );
    INSERT INTO usage (id, objects, bytes) VALUES (0, 0, 0);
    "#,
    // 2: account names are unique (accounts are looked up by name). Before this version only
    // `ensure_account` created accounts (the root account), so existing names are distinct.
    r#"
    CREATE UNIQUE INDEX accounts_by_name ON accounts (name);
    "#,
    // 3: accounts may be limited to some regions (JSON list of names; NULL = all).
    r#"
    ALTER TABLE accounts ADD COLUMN regions TEXT;
    "#,
    // 4: running totals per bucket (the portal lists buckets with their size and count).
    r#"
    CREATE TABLE bucket_usage (
        bucket  TEXT PRIMARY KEY,
        objects INTEGER NOT NULL,
        bytes   INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO bucket_usage (bucket, objects, bytes)
        SELECT bucket, COUNT(*), SUM(size) FROM objects GROUP BY bucket;
    "#,
    // 5: versioning. `objects` keeps exactly one row per key, its current version (a delete
    // marker included), so listing current objects never reads an old version; noncurrent
    // versions live in `versions`. The objects table is rebuilt so that the new columns come
    // before `inline` (listings read them; they must not sit behind overflow pages).
    r#"
    CREATE TABLE objects_v5 (
        bucket        TEXT NOT NULL,
        key           BLOB NOT NULL,
        size          INTEGER NOT NULL,
        etag          TEXT NOT NULL,
        last_modified INTEGER NOT NULL,
        storage_class TEXT NOT NULL,
        attrs         TEXT NOT NULL,
        version_id    TEXT,              -- NULL: the null version
        delete_marker INTEGER NOT NULL,
        data          TEXT,
        inline        BLOB,
        PRIMARY KEY (bucket, key)
    ) WITHOUT ROWID;
    INSERT INTO objects_v5
        (bucket, key, size, etag, last_modified, storage_class, attrs, version_id,
         delete_marker, data, inline)
        SELECT bucket, key, size, etag, last_modified, storage_class, attrs, NULL, 0, data, inline
        FROM objects;
    DROP TABLE objects;
    ALTER TABLE objects_v5 RENAME TO objects;

    -- Noncurrent versions, newest first by `seq` ascending: a version leaving `objects` takes
    -- a seq below every other of its key, so the order is the order the versions were written.
    CREATE TABLE versions (
        bucket        TEXT NOT NULL,
        key           BLOB NOT NULL,
        seq           INTEGER NOT NULL,
        size          INTEGER NOT NULL,
        etag          TEXT NOT NULL,
        last_modified INTEGER NOT NULL,
        storage_class TEXT NOT NULL,
        attrs         TEXT NOT NULL,
        version_id    TEXT,
        delete_marker INTEGER NOT NULL,
        data          TEXT,
        inline        BLOB,
        PRIMARY KEY (bucket, key, seq)
    ) WITHOUT ROWID;
    CREATE INDEX versions_by_id ON versions (bucket, key, version_id);

    ALTER TABLE buckets ADD COLUMN versioning TEXT NOT NULL DEFAULT '';
    "#,
    // 6: the key store of SSE-KMS.
    r#"
    CREATE TABLE kms_keys (
        id          TEXT PRIMARY KEY,
        alias       TEXT UNIQUE,
        description TEXT NOT NULL,
        created     INTEGER NOT NULL,
        enabled     INTEGER NOT NULL,
        material    TEXT NOT NULL
    ) WITHOUT ROWID;
    "#,
];

fn common_setup(conn: &Connection) -> MetaResult<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Referential integrity is kept by the write functions themselves (they check bucket and
    // upload existence and need those checks anyway to return NoSuchBucket/NoSuchUpload);
    // foreign keys would only add per-row lookups to the hot PUT path.
    conn.pragma_update(None, "foreign_keys", false)?;
    Ok(())
}

/// Opens (creating if needed) the database for writing and brings the schema up to date.
pub(super) fn open_writer(path: &Path) -> MetaResult<Connection> {
    let mut conn = Connection::open(path)?;
    common_setup(&conn)?;
    // WAL lets readers run against a snapshot while the writer commits; FULL syncs the WAL on
    // every commit, so an acknowledged write survives power loss (group commit amortises it).
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(crate::MetaError::Backend(format!(
            "could not enable WAL journal (got {mode})"
        )));
    }
    conn.pragma_update(None, "synchronous", "FULL")?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Opens a reader connection. `query_only` guards against a write slipping into the pool and
/// bypassing the writer thread.
pub(super) fn open_reader(path: &Path) -> MetaResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    common_setup(&conn)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// What a read-only look at a metadata file finds (for `oosd doctor`, which may run beside the
/// server: it opens no write connection and migrates nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSummary {
    /// The schema version the file is at.
    pub schema_version: i64,
    /// The version this build migrates a file to.
    pub build_version: i64,
    /// The newest time (Unix ms) the store recorded in its small tables: migrations,
    /// accounts, access keys, buckets, KMS keys, the GC queue (by its index). The objects
    /// table has no index on its times and is not scanned.
    pub newest_record_ms: Option<i64>,
    pub accounts: u64,
}

/// Where a store records times: (table, column, from schema version).
const RECORDED_TIMES: &[(&str, &str, i64)] = &[
    ("schema_version", "applied", 1),
    ("accounts", "created", 1),
    ("access_keys", "created", 1),
    ("buckets", "created", 1),
    ("gc_queue", "queued_at", 1),
    ("kms_keys", "created", 6),
];

pub(super) fn inspect(path: &Path) -> MetaResult<StoreSummary> {
    // READ_ONLY without CREATE: an absent file stays absent.
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let has_versions: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
        [],
        |r| r.get(0),
    )?;
    if !has_versions {
        return Err(crate::MetaError::Backend(
            "no schema_version table: not an oosd metadata store".into(),
        ));
    }
    let schema_version: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_version",
        [],
        |r| r.get(0),
    )?;
    let mut newest_record_ms = None;
    for (table, column, since) in RECORDED_TIMES {
        if schema_version < *since {
            continue;
        }
        let newest: Option<i64> =
            conn.query_row(&format!("SELECT MAX({column}) FROM {table}"), [], |r| {
                r.get(0)
            })?;
        newest_record_ms = newest_record_ms.max(newest);
    }
    let accounts: i64 = conn.query_row("SELECT COUNT(*) FROM accounts", [], |r| r.get(0))?;
    Ok(StoreSummary {
        schema_version,
        build_version: MIGRATIONS.len() as i64,
        newest_record_ms,
        accounts: accounts.max(0) as u64,
    })
}

fn migrate(conn: &mut Connection) -> MetaResult<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER PRIMARY KEY,
            applied INTEGER NOT NULL
        )",
    )?;
    loop {
        // The version is read inside the write transaction so that two processes opening a
        // fresh file at once cannot both apply the same migration. Each migration commits with
        // its version row, so a crash mid-upgrade leaves the previous version intact.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version",
            [],
            |r| r.get(0),
        )?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(crate::MetaError::Backend(format!(
                "database schema version {current} is newer than this build ({known})"
            )));
        }
        if current == known {
            return Ok(());
        }
        let version = current + 1;
        tx.execute_batch(MIGRATIONS[current as usize])?;
        tx.execute(
            "INSERT INTO schema_version (version, applied) VALUES (?1, ?2)",
            rusqlite::params![version, super::now_ms()],
        )?;
        tx.commit()?;
        tracing::info!(version, "applied metadata schema migration");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(conn: &Connection) -> Vec<i64> {
        conn.prepare("SELECT version FROM schema_version ORDER BY version")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn inspect_reads_without_creating_or_migrating() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("meta.sqlite");
        assert!(inspect(&path).is_err());
        assert!(!path.exists(), "inspect created the file");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL);
                 INSERT INTO schema_version VALUES (1, 1000);",
            )
            .unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(
                "INSERT INTO accounts VALUES ('a', 'root', 5000, 0);
                 INSERT INTO gc_queue VALUES ('d', 7000);",
            )
            .unwrap();
        }
        let summary = inspect(&path).unwrap();
        assert_eq!(summary.schema_version, 1);
        assert_eq!(summary.build_version, MIGRATIONS.len() as i64);
        assert_eq!(summary.newest_record_ms, Some(7000));
        assert_eq!(summary.accounts, 1);
        // Still version 1: nothing was migrated.
        assert_eq!(versions(&Connection::open(&path).unwrap()), vec![1]);
        // A store the server opened (WAL, closed cleanly) reads too.
        drop(open_writer(&path).unwrap());
        let summary = inspect(&path).unwrap();
        assert_eq!(summary.schema_version, MIGRATIONS.len() as i64);
        assert!(summary.newest_record_ms.unwrap() > 7000);
        std::fs::write(dir.path().join("other.sqlite"), b"").unwrap();
        let err = inspect(&dir.path().join("other.sqlite")).unwrap_err();
        assert!(
            err.to_string().contains("not an oosd metadata store"),
            "{err}"
        );
    }

    #[test]
    fn upgrades_a_version_1_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        {
            // A database as the previous release left it: migration 1 only, with its account.
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied INTEGER NOT NULL);
                 INSERT INTO schema_version VALUES (1, 0);",
            )
            .unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch("INSERT INTO accounts VALUES ('root-id', 'root', 1, 0)")
                .unwrap();
        }
        let conn = open_writer(&path).unwrap();
        assert_eq!(
            versions(&conn),
            (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>()
        );
        let name: String = conn
            .query_row("SELECT name FROM accounts WHERE id = 'root-id'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(name, "root");
        // The unique name index is in place.
        assert!(conn
            .execute("INSERT INTO accounts VALUES ('other', 'root', 1, 0)", [])
            .is_err());
        drop(conn);
        // Reopening applies nothing again.
        let conn = open_writer(&path).unwrap();
        assert_eq!(versions(&conn).len(), MIGRATIONS.len());
    }
}

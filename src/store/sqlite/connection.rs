//! How the store opens a SQLite connection: the file's settings (WAL,
//! `synchronous=FULL`, secure delete), the busy wait every connection
//! shares, and the read-only connections the reader and the point-read
//! pool use.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use super::StoreError;

/// How long a writer waits for another process's transaction.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// Opens one connection to `path` with the store's settings.
pub(super) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| StoreError::open(path.display(), e))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets readers run beside a writer; FULL syncs the WAL on every
    // commit so an acknowledged write survives power loss, not just a
    // process crash.
    ensure_wal(&conn, path)?;
    // secure_delete zeroes what a delete frees, so a purged version's
    // sealed key does not linger in free pages.
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;",
    )?;
    Ok(conn)
}

/// Puts the file in WAL mode. WAL is a property of the file, so once any
/// opener has converted it there is nothing to take. Converting a new file
/// needs an exclusive lock, and SQLite does not run the busy handler for
/// `PRAGMA journal_mode=WAL`: with several processes opening a fresh store
/// at once, the conversion fails at once ("database is locked") or leaves
/// the old mode. So it is retried, with a growing pause, for as long as any
/// other write would wait ([`BUSY_TIMEOUT`]).
fn ensure_wal(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        let mode = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
            .and_then(|mode| {
                if mode.eq_ignore_ascii_case("wal") {
                    Ok(mode)
                } else {
                    conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                }
            });
        let refused = match mode {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => StoreError::Open(format!(
                "{}: could not enable WAL (journal mode is {mode})",
                path.display()
            )),
            Err(e) if is_busy(&e) => e.into(),
            Err(e) => return Err(e.into()),
        };
        if Instant::now() >= deadline {
            return Err(refused);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(50));
    }
}

/// True for the errors another connection's lock causes.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// A connection that only reads: a bug that tried to write through it
/// fails instead of bypassing the writer's ordering.
pub(super) fn connect_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = connect(path)?;
    conn.execute_batch("PRAGMA query_only=ON;")?;
    // The query planner keeps its plans whatever values are bound. The
    // bundled SQLite has STAT4, which otherwise re-prepares a statement when
    // a bound value might change its plan: the hot read of `GET
    // /llm-config/` (a parameter in a `LEFT JOIN`) was parsed and planned
    // again on every call, three times the request's other work. Every read
    // here is by key, so the first plan is the plan.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(conn)
}

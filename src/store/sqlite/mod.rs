//! SQLite persistence: one file in WAL mode with `synchronous=FULL`, so an
//! acknowledged write survives a crash, and `BEGIN IMMEDIATE` around every
//! read-modify-write, so concurrent processes serialise instead of losing
//! updates. Only sealed keys ([`SealedKey`]) can be written.
//!
//! The store is synchronous; the service runs it on a blocking thread.

mod audit;
mod configs;
mod instances;
mod migrations;
mod tests_table;
mod tokens;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::rows;
use super::{AuditRecord, ConfigRow, RowUpdate, StoreError};
use crate::crypto::SealedKey;

/// How long a writer waits for another process's transaction.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// An open SQLite store.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// Check value of the master key this process seals with; writes of a
    /// sealed key verify it inside their transaction.
    pub(super) sealing_kcv: Option<String>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and runs migrations.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            crate::crypto::source::create_private_dir(dir)
                .map_err(|e| StoreError::Open(format!("{}: {e}", dir.display())))?;
        }
        let conn = Connection::open(path)
            .map_err(|e| StoreError::Open(format!("{}: {e}", path.display())))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // WAL lets readers run beside a writer; FULL syncs the WAL on every
        // commit so an acknowledged write survives power loss, not just a
        // process crash.
        let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Open(format!(
                "{}: could not enable WAL (journal mode is {mode})",
                path.display()
            )));
        }
        conn.execute_batch("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;")?;
        let mut store = SqliteStore {
            conn,
            path: path.to_path_buf(),
            sealing_kcv: None,
        };
        migrations::migrate(&mut store.conn)?;
        Ok(store)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored master-key check value, if the store has one yet.
    pub fn key_check_value(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Records the check value of the master key if none is recorded yet, and
    /// returns the one that is recorded (another process may have won).
    pub fn init_key_check_value(&mut self, kcv: &str) -> Result<String, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('key_check', ?1)",
            [kcv],
        )?;
        let stored: String =
            tx.query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
                r.get(0)
            })?;
        tx.commit()?;
        Ok(stored)
    }

    /// True when the store has never held a sealed key.
    pub fn is_fresh(&self) -> Result<bool, StoreError> {
        let configs: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM configs", [], |r| r.get(0))?;
        Ok(configs == 0 && self.key_check_value()?.is_none())
    }

    /// Re-seals every stored key and records the new check value, in one
    /// transaction: either every row moves to the new key or none does.
    pub fn reseal_all<E>(
        &mut self,
        new_kcv: &str,
        mut reseal: impl FnMut(&ConfigRow) -> Result<SealedKey, E>,
        audit: &AuditRecord,
    ) -> Result<usize, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let rows = configs::all(&tx)?;
        for row in &rows {
            let sealed = reseal(row)?;
            tx.execute(
                "UPDATE configs SET sealed_key = ?1 WHERE id = ?2",
                rusqlite::params![sealed.as_bytes(), row.id.to_string()],
            )
            .map_err(StoreError::from)?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('key_check', ?1)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [new_kcv],
        )
        .map_err(StoreError::from)?;
        audit::append(&tx, audit)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(rows.len())
    }

    /// Flushes the WAL into the main file (used by tests and `master-key rotate`).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }
}

//! SQLite persistence: one file in WAL mode with `synchronous=FULL`, so an
//! acknowledged write survives a crash, and `BEGIN IMMEDIATE` around every
//! read-modify-write, so concurrent processes serialise instead of losing
//! updates.
//!
//! Where each call runs:
//!
//! - **Writes** go to the writer, a connection owned by a thread of its own
//!   ([`worker`]), which runs them in arrival order, group-committing what
//!   is queued together (the concurrency model is in [`crate::service`]); a write may wait for
//!   another process's lock (up to [`BUSY_TIMEOUT`]) and always ends in an
//!   `fsync`, so it must never run on an async worker.
//! - **Scans** (the instance list, the audit log, every config) go to the
//!   reader thread, a second owned connection: milliseconds of work that
//!   WAL lets run beside a write.
//! - **Point reads** (a config by scope, a token by hash, and the one
//!   statement of `GET /llm-config/` that reads both) run on the caller's
//!   task, on a connection from a small pool ([`points`]), opened as
//!   [`connection`] says. A WAL read never waits for a lock, and one
//!   indexed row on cached pages costs a few microseconds, less than the two
//!   thread switches of a handoff (measured in `docs/benchmarks.md`).
//!
//! The query functions in the sibling files are plain synchronous code over
//! a `Connection`; this file sends each to its place.

mod audit;
mod configs;
mod connection;
mod fingerprints;
mod fleet_calls;
#[cfg(test)]
mod group_tests;
mod health;
#[cfg(test)]
mod hot_read_tests;
mod instances;
mod key_facts;
mod key_map;
mod lifecycle_alerts;
mod migrations;
mod monitor_calls;
mod points;
mod rotations;
mod tests_table;
mod tokens;
mod versions;
mod worker;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::{
    AuditRecord, BatchFailure, BatchWrite, ConfigRow, RowUpdate, StoreError, columns, rows, writes,
};
use crate::crypto::{MasterKey, SealedKey};
use crate::domain::{AuditEntry, InstanceId, InstanceSummary, Scope, TestResult, TokenInfo};
use crate::domain::{
    HealthCheck, HealthPolicy, HealthRetention, HealthSample, HealthStatus, Transition,
};
use crate::store::TokenAndConfig;
use crate::store::health::SampleQuery;
use crate::store::versions::{SealedInventory, VersionRow, Versioning};
pub use connection::BUSY_TIMEOUT;
use connection::{connect, connect_reader};
use worker::{Conn, Mode, Serving, Worker};

/// An open SQLite store; clones share the same two connection threads.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
}

struct Shared {
    writer: Worker,
    reader: Worker,
    points: points::Points,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` and runs migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let path = path.to_path_buf();
        let for_writer = path.clone();
        let writer = Worker::spawn("llmcfg-sqlite-w", Serving::Groups, move || {
            if let Some(dir) = for_writer.parent().filter(|d| !d.as_os_str().is_empty())
                && !dir.exists()
            {
                crate::crypto::source::create_private_dir(dir)
                    .map_err(|e| StoreError::open(dir.display(), e))?;
            }
            let mut conn = connect(&for_writer)?;
            migrations::migrate(&mut conn)?;
            Ok(conn)
        })
        .await?;
        let for_reader = path.clone();
        let reader = Worker::spawn("llmcfg-sqlite-r", Serving::OneByOne, move || {
            connect_reader(&for_reader)
        })
        .await?;
        Ok(SqliteStore {
            shared: Arc::new(Shared {
                writer,
                reader,
                points: points::Points::new(path.clone()),
                path,
            }),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    async fn read<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.shared.reader.run(move |c| job(&c.conn)).await?
    }

    /// A write that may share a group commit (see `worker.rs`).
    async fn write<T: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        job: impl FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        self.shared.writer.write(Mode::Group, job).await
    }

    /// A write that must run outside any group (`VACUUM`, a checkpoint, a
    /// master-key reseal).
    async fn write_alone<T: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        job: impl FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        self.shared.writer.write(Mode::Alone, job).await
    }

    /// Tells the writer which master key this process seals with.
    pub async fn set_sealing_key_check(&self, kcv: String) -> Result<(), StoreError> {
        self.shared
            .writer
            .run(move |c| c.sealing_kcv = Some(kcv))
            .await
    }

    /// The stored master-key check value, if the store has one yet.
    pub async fn key_check_value(&self) -> Result<Option<String>, StoreError> {
        self.write(|c| key_check(&c.conn)).await
    }

    /// Records the check value of the master key if none is recorded yet, and
    /// returns the one that is recorded (another process may have won).
    pub async fn init_key_check_value(&self, kcv: String) -> Result<String, StoreError> {
        self.write(move |c| {
            let tx = c.begin()?;
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('key_check', ?1)",
                [&kcv],
            )?;
            let stored: String = tx.query_row(rows::KEY_CHECK, [], |r| r.get(0))?;
            tx.commit()?;
            Ok(stored)
        })
        .await
    }

    /// True when the store has never held a sealed key.
    pub async fn is_fresh(&self) -> Result<bool, StoreError> {
        self.write(|c| {
            let configs: i64 = c
                .conn
                .query_row("SELECT COUNT(*) FROM configs", [], |r| r.get(0))?;
            Ok(configs == 0 && key_check(&c.conn)?.is_none())
        })
        .await
    }

    /// Re-seals every stored key and records the new check value, in one
    /// transaction: either every row moves to the new key or none does.
    pub async fn reseal_all<E>(
        &self,
        new_kcv: String,
        mut reseal: impl FnMut(&ConfigRow) -> Result<SealedKey, E> + Send + 'static,
        new_master: MasterKey,
        audit: AuditRecord,
    ) -> Result<usize, E>
    where
        E: From<StoreError> + Send + 'static,
    {
        self.write_alone(move |c| {
            let next = c.versioning.clone().map(|old| Versioning {
                master: new_master,
                ..old
            });
            let expected = c.sealing_kcv.clone();
            let tx = c
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(StoreError::from)?;
            // Re-sealing from a key another process already rotated away
            // would record a check value no opened key matches.
            configs::check_sealing_key(&tx, expected.as_deref())?;
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
                [&new_kcv],
            )
            .map_err(StoreError::from)?;
            if let (Some(old), Some(new)) = (&c.versioning, &next) {
                versions::reseal(&tx, old, new)?;
                fingerprints::reseal_key(&tx, old, new)?;
            }
            audit::append(&tx, &audit)?;
            tx.commit().map_err(StoreError::from)?;
            // From here on this writer refuses writes sealed under the old key.
            c.sealing_kcv = Some(new_kcv);
            c.versioning = next;
            Ok(rows.len())
        })
        .await
    }

    /// Flushes the WAL into the main file (used by tests and `master-key rotate`).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        self.write_alone(|c| Ok(c.conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?))
            .await
    }

    /// The config of `scope`, if any.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
        self.shared.points.run(|c| configs::get(c, scope))
    }

    /// The view of the config of `scope`.
    pub async fn get_view(
        &self,
        scope: &Scope,
    ) -> Result<Option<crate::domain::ConfigView>, StoreError> {
        self.shared.points.run(|c| configs::get_view(c, scope))
    }

    /// Inserts a new config; `AlreadyExists` if the scope has one.
    pub async fn insert(&self, row: ConfigRow, audit: AuditRecord) -> Result<(), StoreError> {
        self.write(move |c| configs::insert(c, &row, &audit)).await
    }

    /// Reads the config of `scope` and writes back what `change` returns.
    pub async fn update<E>(
        &self,
        scope: &Scope,
        change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E> + Send + 'static,
    ) -> Result<ConfigRow, E>
    where
        E: From<StoreError> + Send + 'static,
    {
        let scope = scope.clone();
        self.write(move |c| configs::update(c, &scope, change))
            .await
    }

    /// Deletes the config of `scope` and its last test; `NotFound` if none.
    pub async fn delete(&self, scope: &Scope, audit: AuditRecord) -> Result<ConfigRow, StoreError> {
        let scope = scope.clone();
        self.write(move |c| configs::delete(c, &scope, audit)).await
    }

    /// Every stored config.
    pub async fn all_configs(&self) -> Result<Vec<ConfigRow>, StoreError> {
        self.read(configs::all).await
    }

    /// Appends one audit entry on its own.
    pub async fn append_audit(&self, rec: AuditRecord) -> Result<(), StoreError> {
        self.write(move |c| {
            let tx = c.begin()?;
            audit::append(&tx, &rec)?;
            tx.commit()
        })
        .await
    }

    /// The newest `limit` entries, newest first; one scope or all.
    pub async fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let scope = scope.cloned();
        self.read(move |c| audit::read(c, scope.as_ref(), limit))
            .await
    }

    /// The change mark (see [`super::rows::CHANGE_MARK`]).
    pub async fn change_mark(&self) -> Result<i64, StoreError> {
        self.read(audit::change_mark).await
    }

    /// Registers an instance id (or renames it); returns true when it was new.
    pub async fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |c| instances::add(c, &id, name.as_deref(), &audit))
            .await
    }

    /// The control plane and every known or configured instance.
    pub async fn list_instances(&self) -> Result<Vec<InstanceSummary>, StoreError> {
        self.read(instances::list).await
    }

    /// The first `rows` entries of the instance list.
    pub async fn list_instances_first(
        &self,
        rows: usize,
    ) -> Result<Vec<InstanceSummary>, StoreError> {
        self.read(move |c| instances::first(c, rows)).await
    }

    /// Records the result of a test of `scope` and its audit entry.
    pub async fn record_test(
        &self,
        scope: &Scope,
        result: TestResult,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        let scope = scope.clone();
        self.write(move |c| tests_table::record(c, &scope, &result, &audit))
            .await
    }

    /// Stores a new API token; `AlreadyExists` when the name is taken.
    pub async fn add_token(
        &self,
        info: TokenInfo,
        hash: [u8; 32],
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        self.write(move |c| tokens::add(c, &info, &hash, &audit))
            .await
    }

    /// Every API token, by name.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        self.read(tokens::list).await
    }

    /// Deletes the token `name`; `NotFound` when there is none.
    pub async fn revoke_token(&self, name: &str, audit: AuditRecord) -> Result<(), StoreError> {
        let name = name.to_string();
        self.write(move |c| tokens::revoke(c, &name, &audit)).await
    }

    /// The token whose stored hash equals `hash`, if any.
    pub async fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
        self.shared.points.run(|c| tokens::find(c, hash))
    }

    /// The token whose hash is `hash` and the config of `scope`, in one
    /// statement.
    pub async fn token_and_config(
        &self,
        hash: &[u8; 32],
        scope: &Scope,
    ) -> Result<TokenAndConfig, StoreError> {
        self.shared
            .points
            .run(|c| tokens::token_and_view(c, hash, scope))
    }
}

/// The recorded master-key check value, if any.
fn key_check(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(rows::KEY_CHECK, [], |r| r.get(0))
        .optional()?)
}

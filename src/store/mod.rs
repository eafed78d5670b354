//! Persistence behind one synchronous interface with two implementations:
//! the embedded SQLite file ([`SqliteStore`], the default) and a shared
//! PostgreSQL database ([`PgStore`]) that several server replicas can use at
//! once. Both keep the same rows, the same sealed-key bytes, the same audit
//! log and the same guarantees: one config per scope enforced by the
//! database, and every read-modify-write serialised so no update is lost.
//!
//! [`Store`] is an enum rather than a trait object because `update` and
//! `reseal_all` take generic closures, which a `dyn` trait cannot carry. The
//! service calls it on a blocking thread (`block_in_place`/`spawn_blocking`).

mod error;
mod location;
mod postgres;
mod rows;
mod sqlite;

pub use error::StoreError;
pub use location::StoreLocation;
pub use postgres::{PgReader, PgStore};
pub use rows::{AuditRecord, ConfigRow, RowUpdate, now as rows_now};
pub use sqlite::{BUSY_TIMEOUT, SqliteStore};

use std::path::Path;

use crate::crypto::SealedKey;
use crate::domain::{AuditEntry, InstanceId, InstanceSummary, Scope, TestResult, TokenInfo};

/// An open store of either kind.
pub enum Store {
    /// The embedded SQLite file.
    Sqlite(SqliteStore),
    /// A shared PostgreSQL database.
    Postgres(PgStore),
}

/// Forwards a call to whichever store this is.
macro_rules! each {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Sqlite($s) => $call,
            Store::Postgres($s) => $call,
        }
    };
}

impl Store {
    /// Opens the store at `location`: a SQLite file path, or a
    /// `postgres://`/`postgresql://` URL (see [`StoreLocation::parse`]).
    /// Creates the schema if needed and runs migrations.
    pub fn open(location: &Path) -> Result<Store, StoreError> {
        Store::open_at(&StoreLocation::parse(location))
    }

    /// Opens the store at a parsed location.
    pub fn open_at(location: &StoreLocation) -> Result<Store, StoreError> {
        Ok(match location {
            StoreLocation::File(path) => Store::Sqlite(SqliteStore::open(path)?),
            StoreLocation::Postgres(url) => Store::Postgres(PgStore::open(url)?),
        })
    }

    /// A reader that serves the hot reads without this store's lock, where
    /// the store has one (PostgreSQL; SQLite's reads are in-process already).
    pub fn reader(&self) -> Option<PgReader> {
        match self {
            Store::Sqlite(_) => None,
            Store::Postgres(s) => Some(s.reader()),
        }
    }

    /// Tells the store which master key this process seals with, so every
    /// write of a config first checks (in its transaction) that nobody
    /// rotated the key meanwhile.
    pub fn set_sealing_key_check(&mut self, kcv: &str) {
        each!(self, s => s.sealing_kcv = Some(kcv.to_string()))
    }

    /// The stored master-key check value, if the store has one yet.
    pub fn key_check_value(&mut self) -> Result<Option<String>, StoreError> {
        each!(self, s => s.key_check_value())
    }

    /// Records the check value of the master key if none is recorded yet, and
    /// returns the one that is recorded (another process may have won).
    pub fn init_key_check_value(&mut self, kcv: &str) -> Result<String, StoreError> {
        each!(self, s => s.init_key_check_value(kcv))
    }

    /// True when the store has never held a sealed key.
    pub fn is_fresh(&mut self) -> Result<bool, StoreError> {
        each!(self, s => s.is_fresh())
    }

    /// Re-seals every stored key and records the new check value, in one
    /// transaction: either every row moves to the new key or none does.
    pub fn reseal_all<E>(
        &mut self,
        new_kcv: &str,
        reseal: impl FnMut(&ConfigRow) -> Result<SealedKey, E>,
        audit: &AuditRecord,
    ) -> Result<usize, E>
    where
        E: From<StoreError>,
    {
        each!(self, s => s.reseal_all(new_kcv, reseal, audit))
    }

    /// Flushes SQLite's WAL into the main file; nothing to do on PostgreSQL.
    pub fn checkpoint(&mut self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.checkpoint(),
            Store::Postgres(_) => Ok(()),
        }
    }

    /// The config of `scope`, if any.
    pub fn get(&mut self, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
        each!(self, s => s.get(scope))
    }

    /// Inserts a new config; `AlreadyExists` if the scope has one. The audit
    /// entry commits in the same transaction.
    pub fn insert(&mut self, row: &ConfigRow, audit: &AuditRecord) -> Result<(), StoreError> {
        each!(self, s => s.insert(row, audit))
    }

    /// Reads the config of `scope` and writes back what `change` returns, in
    /// one transaction that holds the row against other writers.
    pub fn update<E>(
        &mut self,
        scope: &Scope,
        change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
    ) -> Result<ConfigRow, E>
    where
        E: From<StoreError>,
    {
        each!(self, s => s.update(scope, change))
    }

    /// Deletes the config of `scope` and its last test; `NotFound` if none.
    pub fn delete(&mut self, scope: &Scope, audit: &AuditRecord) -> Result<ConfigRow, StoreError> {
        each!(self, s => s.delete(scope, audit))
    }

    /// Every stored config, by scope.
    pub fn all_configs(&mut self) -> Result<Vec<ConfigRow>, StoreError> {
        each!(self, s => s.all_configs())
    }

    /// Appends one audit entry on its own.
    pub fn append_audit(&mut self, rec: &AuditRecord) -> Result<(), StoreError> {
        each!(self, s => s.append_audit(rec))
    }

    /// The newest `limit` entries, newest first; one scope or all.
    pub fn audit(
        &mut self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        each!(self, s => s.audit(scope, limit))
    }

    /// An opaque number that changes whenever a config, an instance or a
    /// test result changes (the newest audit id).
    pub fn change_mark(&mut self) -> Result<i64, StoreError> {
        each!(self, s => s.change_mark())
    }

    /// Registers an instance id (or renames it); returns true when it was new.
    pub fn add_instance(
        &mut self,
        id: &InstanceId,
        name: Option<&str>,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.add_instance(id, name, audit))
    }

    /// The control plane and every known or configured instance, with their
    /// config and last test, control plane first, then by id.
    pub fn list_instances(&mut self) -> Result<Vec<InstanceSummary>, StoreError> {
        each!(self, s => s.list_instances())
    }

    /// Records the result of a test of `scope` and its audit entry. A result
    /// for a config that was deleted meanwhile is dropped (returns false).
    pub fn record_test(
        &mut self,
        scope: &Scope,
        result: &TestResult,
        audit: &AuditRecord,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.record_test(scope, result, audit))
    }

    /// Stores a new API token; `AlreadyExists` when the name is taken.
    pub fn add_token(
        &mut self,
        info: &TokenInfo,
        hash: &[u8; 32],
        audit: &AuditRecord,
    ) -> Result<(), StoreError> {
        each!(self, s => s.add_token(info, hash, audit))
    }

    /// Every API token, by name.
    pub fn tokens(&mut self) -> Result<Vec<TokenInfo>, StoreError> {
        each!(self, s => s.tokens())
    }

    /// Deletes the token `name`; `NotFound` when there is none.
    pub fn revoke_token(&mut self, name: &str, audit: &AuditRecord) -> Result<(), StoreError> {
        each!(self, s => s.revoke_token(name, audit))
    }

    /// The token whose stored hash equals `hash`, if any.
    pub fn find_token(&mut self, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
        each!(self, s => s.find_token(hash))
    }
}

//! Persistence behind one async interface with two engines: the embedded
//! SQLite file ([`SqliteStore`], the default) and a shared PostgreSQL
//! database ([`PgStore`]) that several server replicas can use at once. Both
//! keep the same rows, the same sealed-key bytes, the same audit log and the
//! same guarantees: one config per scope enforced by the database, and every
//! read-modify-write serialised so no update is lost.
//!
//! How the two engines serialise writes (SQLite's writer thread and its
//! group commit, PostgreSQL's transactions and row locks) is part of the
//! one concurrency model, described in [`crate::service`].
//!
//! [`Store`] is an enum over the two engines rather than a trait object:
//! `update` and `reseal_all` take generic closures, and async methods with
//! generic parameters cannot be called through `dyn`. With exactly two
//! engines the enum is static dispatch with nothing boxed.
//!
//! ## Adding a column
//!
//! A new config field touches, in the store, one migration step
//! (`migrations.rs`, shared by both engines) and nothing else: the config
//! columns ([`rows::CONFIG_COLUMNS`]), the kept versions' columns and their
//! `INSERT` (`versions.rs`), the instance list, the reads by name and the
//! config row's `INSERT`/`UPDATE` (`writes.rs`) all take the columns from the
//! domain's one field list ([`crate::domain::config`]).

mod batch;
mod columns;
mod error;
pub mod fingerprints;
pub mod health;
mod key_map;
mod location;
mod migrations;
mod postgres;
pub mod rotations;
pub mod rows;
mod sqlite;
// The config row's INSERT and UPDATE, written once for both engines.
pub mod versions;
mod writes;

pub use batch::{BatchChange, BatchCheck, BatchFailure, BatchWrite};
pub use error::StoreError;
pub use location::StoreLocation;
pub use postgres::{
    CaSource, DEFAULT_POOL_SIZE, MAX_POOL_SIZE, PgConnectOptions, PgConnector, PgSettings, PgStore,
    SslMode, build_pool,
};
pub use rows::{AuditRecord, ConfigRow, NewKey, RowUpdate, TokenAndConfig, now as rows_now};
pub use sqlite::{BUSY_TIMEOUT, SqliteStore};
pub use versions::{SealedInventory, VersionRow, Versioning};

use std::path::Path;

use crate::crypto::{MasterKey, SealedKey};
use crate::domain::{
    AuditEntry, InstanceId, InstanceSummary, KeyUse, Scope, TestResult, TokenInfo,
};
use crate::domain::{
    HealthCheck, HealthPolicy, HealthRetention, HealthSample, HealthStatus, Transition,
};
pub use health::SampleQuery;

/// An open store of either kind. Cheap to clone: clones share the engine's
/// connection threads or pool.
#[derive(Clone)]
pub enum Store {
    /// The embedded SQLite file.
    Sqlite(SqliteStore),
    /// A shared PostgreSQL database.
    Postgres(PgStore),
}

/// Forwards a call to whichever engine this is.
macro_rules! each {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Sqlite($s) => $call.await,
            Store::Postgres($s) => $call.await,
        }
    };
}

// After `each!`, which it uses.
mod key_facts;
pub mod lifecycle_alerts;
mod monitor_calls;

impl Store {
    /// Opens the store at `location`: a SQLite file path, or a
    /// `postgres://`/`postgresql://` URL (see [`StoreLocation::parse`]).
    /// Creates the schema if needed and runs migrations.
    pub async fn open(location: &Path) -> Result<Store, StoreError> {
        Store::open_at(&StoreLocation::parse(location), &PgSettings::default()).await
    }

    /// Opens the store at a parsed location; `postgres` (the `[store]` TLS,
    /// pool and timeout settings) applies to a PostgreSQL URL only.
    pub async fn open_at(
        location: &StoreLocation,
        postgres: &PgSettings,
    ) -> Result<Store, StoreError> {
        Ok(match location {
            StoreLocation::File(path) => Store::Sqlite(SqliteStore::open(path).await?),
            StoreLocation::Postgres(url) => {
                let options = PgConnectOptions::parse(url, postgres)
                    .map_err(|e| StoreError::Open(e.to_string()))?;
                Store::Postgres(PgStore::open(&options).await?)
            }
        })
    }

    /// Tells the store which master key this process seals with, so every
    /// write of a config first checks (in its transaction) that nobody
    /// rotated the key meanwhile.
    pub async fn set_sealing_key_check(&self, kcv: &str) -> Result<(), StoreError> {
        let kcv = kcv.to_string();
        each!(self, s => s.set_sealing_key_check(kcv))
    }

    /// The stored master-key check value, if the store has one yet.
    pub async fn key_check_value(&self) -> Result<Option<String>, StoreError> {
        each!(self, s => s.key_check_value())
    }

    /// Records the check value of the master key if none is recorded yet, and
    /// returns the one that is recorded (another process may have won).
    pub async fn init_key_check_value(&self, kcv: &str) -> Result<String, StoreError> {
        let kcv = kcv.to_string();
        each!(self, s => s.init_key_check_value(kcv))
    }

    /// True when the store has never held a sealed key.
    pub async fn is_fresh(&self) -> Result<bool, StoreError> {
        each!(self, s => s.is_fresh())
    }

    /// Re-seals every stored key (kept versions included, from the master
    /// key of [`Store::set_versioning`] to `new_master`) and records the new
    /// check value, in one transaction: either every row moves to the new
    /// key or none does. From then on this store refuses writes sealed
    /// under the old key.
    pub async fn reseal_all<E>(
        &self,
        new_kcv: &str,
        reseal: impl FnMut(&ConfigRow) -> Result<SealedKey, E> + Send + 'static,
        new_master: MasterKey,
        audit: AuditRecord,
    ) -> Result<usize, E>
    where
        E: From<StoreError> + Send + 'static,
    {
        let new_kcv = new_kcv.to_string();
        each!(self, s => s.reseal_all(new_kcv, reseal, new_master, audit))
    }

    /// Flushes SQLite's WAL into the main file; nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.checkpoint().await,
            Store::Postgres(_) => Ok(()),
        }
    }

    /// Every config and every kept version holding a sealed key, from one
    /// snapshot: what `master-key verify` opens.
    pub async fn sealed_inventory(&self) -> Result<SealedInventory, StoreError> {
        each!(self, s => s.sealed_inventory())
    }

    /// The config of `scope`, if any.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
        each!(self, s => s.get(scope))
    }

    /// The view of the config of `scope`: the hot read, which leaves the
    /// sealed key and fingerprint unread.
    pub async fn get_view(
        &self,
        scope: &Scope,
    ) -> Result<Option<crate::domain::ConfigView>, StoreError> {
        each!(self, s => s.get_view(scope))
    }

    /// Inserts a new config; `AlreadyExists` if the scope has one. The audit
    /// entry commits in the same transaction.
    pub async fn insert(&self, row: ConfigRow, audit: AuditRecord) -> Result<(), StoreError> {
        each!(self, s => s.insert(row, audit))
    }

    /// Reads the config of `scope` and writes back what `change` returns, in
    /// one transaction that holds the row against other writers.
    pub async fn update<E>(
        &self,
        scope: &Scope,
        change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E> + Send + 'static,
    ) -> Result<ConfigRow, E>
    where
        E: From<StoreError> + Send + 'static,
    {
        each!(self, s => s.update(scope, change))
    }

    /// Deletes the config of `scope` and its last test; `NotFound` if none.
    pub async fn delete(&self, scope: &Scope, audit: AuditRecord) -> Result<ConfigRow, StoreError> {
        each!(self, s => s.delete(scope, audit))
    }

    /// Every stored config, by scope.
    pub async fn all_configs(&self) -> Result<Vec<ConfigRow>, StoreError> {
        each!(self, s => s.all_configs())
    }

    /// Appends one audit entry on its own.
    pub async fn append_audit(&self, rec: AuditRecord) -> Result<(), StoreError> {
        each!(self, s => s.append_audit(rec))
    }

    /// The newest `limit` entries, newest first; one scope or all.
    pub async fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        each!(self, s => s.audit(scope, limit))
    }

    /// An opaque number that changes whenever a config, an instance or a
    /// test result changes (the newest audit id).
    pub async fn change_mark(&self) -> Result<i64, StoreError> {
        each!(self, s => s.change_mark())
    }

    /// Registers an instance id (or renames it); returns true when it was new.
    pub async fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.add_instance(id, name, audit))
    }

    /// The control plane and every known or configured instance, with their
    /// config and last test, control plane first, then by id.
    pub async fn list_instances(&self) -> Result<Vec<InstanceSummary>, StoreError> {
        each!(self, s => s.list_instances())
    }

    /// The first `rows` entries of [`Store::list_instances`], read along the
    /// indexes: as cheap at 100,000 scopes as at ten.
    pub async fn list_instances_first(
        &self,
        rows: usize,
    ) -> Result<Vec<InstanceSummary>, StoreError> {
        each!(self, s => s.list_instances_first(rows))
    }

    /// Records the result of a test of `scope` and its audit entry. A result
    /// for a config that was deleted meanwhile is dropped (returns false).
    pub async fn record_test(
        &self,
        scope: &Scope,
        result: TestResult,
        audit: AuditRecord,
    ) -> Result<bool, StoreError> {
        each!(self, s => s.record_test(scope, result, audit))
    }

    /// Stores a new API token; `AlreadyExists` when the name is taken.
    pub async fn add_token(
        &self,
        info: TokenInfo,
        hash: [u8; 32],
        audit: AuditRecord,
    ) -> Result<(), StoreError> {
        each!(self, s => s.add_token(info, hash, audit))
    }

    /// Every API token, by name.
    pub async fn tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        each!(self, s => s.tokens())
    }

    /// Deletes the token `name`; `NotFound` when there is none.
    pub async fn revoke_token(&self, name: &str, audit: AuditRecord) -> Result<(), StoreError> {
        each!(self, s => s.revoke_token(name, audit))
    }

    /// The token whose stored hash equals `hash`, if any.
    pub async fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
        each!(self, s => s.find_token(hash))
    }

    /// The token whose hash is `hash` and the config of `scope`, read
    /// together: `GET /llm-config/`'s whole store work in one read (SQLite:
    /// one read transaction on one pooled connection; PostgreSQL: both
    /// statements in one round trip).
    pub async fn token_and_config(
        &self,
        hash: &[u8; 32],
        scope: &Scope,
    ) -> Result<TokenAndConfig, StoreError> {
        each!(self, s => s.token_and_config(hash, scope))
    }

    /// Every write of `writes` in one transaction: all of them or, when one
    /// fails, none (`apply --atomic`). Returns how many were written.
    pub async fn write_batch<E>(&self, writes: Vec<BatchWrite<E>>) -> Result<usize, BatchFailure<E>>
    where
        E: From<StoreError> + Send + 'static,
    {
        each!(self, s => s.write_batch(writes))
    }

    /// Tells the store what to seal kept versions with and how many to
    /// keep. Until it is set, writes keep no versions (a bare store opened
    /// by a tool or a test); the service sets it on open.
    pub async fn set_versioning(&self, with: Versioning) -> Result<(), StoreError> {
        each!(self, s => s.set_versioning(with))
    }

    /// The newest `limit` kept versions, newest first; one scope or all.
    pub async fn history(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<VersionRow>, StoreError> {
        each!(self, s => s.history(scope, limit))
    }

    /// Makes version `version` of `scope` current again (a deleted scope
    /// too), writing a `restore` version and `audit` in the same
    /// transaction. `NoSuchVersion` when it is not kept, `NotRestorable`
    /// when it is a deletion.
    pub async fn restore(
        &self,
        scope: &Scope,
        version: i64,
        audit: AuditRecord,
    ) -> Result<ConfigRow, StoreError> {
        each!(self, s => s.restore(scope, version, audit))
    }

    /// Records a rotation, or returns the one from the same old to the
    /// same new fingerprint that a re-run continues.
    pub async fn begin_rotation(
        &self,
        candidate: rotations::RotationRecord,
    ) -> Result<rotations::RotationRecord, StoreError> {
        each!(self, s => s.begin_rotation(candidate))
    }

    /// Swaps each of `swaps` (an update like [`Store::update`]) and
    /// records it under `rotation` (versions before and after), all in one
    /// transaction: every swap with its entry, or none. A rotation swaps
    /// one scope per call, or `--atomic` all of them in one.
    pub async fn swap_keys<E>(
        &self,
        rotation: &str,
        swaps: Vec<rotations::KeySwap<E>>,
    ) -> Result<Vec<rotations::RotatedScope>, BatchFailure<E>>
    where
        E: From<StoreError> + Send + 'static,
    {
        each!(self, s => s.swap_keys(rotation, swaps))
    }

    /// Rolls rotation `req.id` back in one transaction, all or nothing
    /// (see [`rotations`]); a failure names the scope it happened at.
    pub async fn roll_back(
        &self,
        req: rotations::RollbackRequest,
    ) -> Result<rotations::RollbackOutcome, BatchFailure<StoreError>> {
        each!(self, s => s.roll_back(req))
    }

    /// Rotation `id` and the scopes it swapped; `None` when unknown.
    #[allow(clippy::type_complexity)]
    pub async fn rotation(
        &self,
        id: &str,
    ) -> Result<Option<(rotations::RotationRecord, Vec<rotations::RotatedScope>)>, StoreError> {
        each!(self, s => s.rotation(id))
    }

    /// Rewrites a SQLite file without its free pages; nothing to do on
    /// PostgreSQL (its `VACUUM` is the operator's).
    pub async fn vacuum(&self) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.vacuum().await,
            Store::Postgres(_) => Ok(()),
        }
    }

    /// Records `sealed` (hex, see [`fingerprints::encode`]) as the store's
    /// fingerprint key unless one is recorded, and returns the recorded one.
    pub async fn init_fingerprint_key(&self, sealed: String) -> Result<String, StoreError> {
        each!(self, s => s.init_fingerprint_key(sealed))
    }

    /// Re-derives the unkeyed fingerprints an earlier llmcfg stored, once,
    /// in one transaction, with the keys of [`Store::set_versioning`].
    /// Returns how many configs moved.
    pub async fn migrate_fingerprints(&self) -> Result<usize, StoreError> {
        each!(self, s => s.migrate_fingerprints())
    }

    /// Every config with its key's mask, fingerprint and last test, for
    /// the key-usage map (no key is opened).
    pub async fn key_uses(&self) -> Result<Vec<KeyUse>, StoreError> {
        each!(self, s => s.key_uses())
    }
}

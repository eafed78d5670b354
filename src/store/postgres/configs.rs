//! Queries on the `configs` table in PostgreSQL. A read-modify-write takes
//! the row with `SELECT … FOR UPDATE`: a second replica patching the same
//! scope waits, then reads the committed row, so neither change is lost. A
//! create relies on the unique index on `scope`: when two replicas insert at
//! once, the loser's INSERT fails with a unique violation → `AlreadyExists`.

use tokio_postgres::GenericClient;
use tokio_postgres::error::SqlState;

use super::columns::pg_params;
use super::rows::{CONFIG_COLUMNS, GET_VIEW, KEY_CHECK, verify_sealing_key, view_from};
use super::versions;
use super::writes::{Dialect, Write, clear_last_test};
use super::{AuditRecord, ConfigRow, PgStore, StoreError, audit};
use crate::domain::{ConfigView, Scope};
use crate::store::RowUpdate;
use crate::store::versions::{Versioning, Written};
use crate::store::{BatchFailure, BatchWrite};

/// A scope's config row (`$1` scope), written once per process.
static GET: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!("SELECT {} FROM configs WHERE scope = $1", *CONFIG_COLUMNS)
});

/// The row of `scope`, held until the transaction ends.
pub(super) async fn get_for_update<C: GenericClient>(
    c: &C,
    scope: &Scope,
) -> Result<Option<ConfigRow>, StoreError> {
    c.query_opt(
        &format!(
            "SELECT {} FROM configs WHERE scope = $1 FOR UPDATE",
            *CONFIG_COLUMNS
        ),
        &[&scope.key()],
    )
    .await?
    .as_ref()
    .map(ConfigRow::from_columns)
    .transpose()
}

pub(super) async fn all<C: GenericClient>(c: &C) -> Result<Vec<ConfigRow>, StoreError> {
    // Byte order, like SQLite's, whatever the database's collation.
    c.query(
        &format!(
            "SELECT {} FROM configs ORDER BY scope COLLATE \"C\"",
            *CONFIG_COLUMNS
        ),
        &[],
    )
    .await?
    .iter()
    .map(ConfigRow::from_columns)
    .collect()
}

impl PgStore {
    /// The config of `scope`, if any.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
        let c = self.hot().await?;
        // The hot read of `GET /llm-config/`: prepared once per connection.
        let statement = c.prepare_cached(&GET).await?;
        c.query_opt(&statement, &[&scope.key()])
            .await?
            .as_ref()
            .map(ConfigRow::from_columns)
            .transpose()
    }

    /// The view of the config of `scope`.
    pub async fn get_view(&self, scope: &Scope) -> Result<Option<ConfigView>, StoreError> {
        let c = self.hot().await?;
        let statement = c.prepare_cached(&GET_VIEW).await?;
        c.query_opt(&statement, &[&scope.key()])
            .await?
            .as_ref()
            .map(|r| view_from(r, scope.instance_id().map(str::to_string)))
            .transpose()
    }

    /// Every stored config.
    pub async fn all_configs(&self) -> Result<Vec<ConfigRow>, StoreError> {
        let c = self.client().await?;
        all(&**c).await
    }

    /// Inserts a new config; `AlreadyExists` if the scope has one. The audit
    /// entry commits in the same transaction.
    pub async fn insert(&self, row: ConfigRow, audit_rec: AuditRecord) -> Result<(), StoreError> {
        self.sealed_write(async |tx, with| insert_in(tx, with, &row, &audit_rec).await)
            .await
    }

    /// Reads the config of `scope` under `FOR UPDATE` and writes back what
    /// `change` returns, in one transaction. `NotFound` if there is none.
    pub async fn update<E>(
        &self,
        scope: &Scope,
        change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E> + Send + 'static,
    ) -> Result<ConfigRow, E>
    where
        E: From<StoreError> + Send + 'static,
    {
        self.sealed_write(async |tx, with| update_in(tx, with, scope, change).await)
            .await
    }

    /// Deletes the config of `scope` and its last test; `NotFound` if none.
    pub async fn delete(
        &self,
        scope: &Scope,
        audit_rec: AuditRecord,
    ) -> Result<ConfigRow, StoreError> {
        // A delete may seal a `recorded` version of what it removes, so it
        // checks the sealing key too.
        self.sealed_write(async |tx, with| {
            delete_in(tx, with, scope, audit_rec, |_| Ok::<_, StoreError>(())).await
        })
        .await
    }

    /// Every write of `writes` in one transaction: the first failure rolls
    /// all of them back. Returns how many were written.
    pub async fn write_batch<E>(&self, writes: Vec<BatchWrite<E>>) -> Result<usize, BatchFailure<E>>
    where
        E: From<StoreError> + Send + 'static,
    {
        self.sealed_write(async |tx, versioning| {
            let count = writes.len();
            for write in writes {
                let scope = write.scope().clone();
                let written = match write {
                    BatchWrite::Insert { row, audit } => insert_in(tx, versioning, &row, &audit)
                        .await
                        .map_err(E::from),
                    BatchWrite::Update { scope, change } => {
                        update_in(tx, versioning, &scope, change).await.map(drop)
                    }
                    BatchWrite::Delete {
                        scope,
                        audit,
                        check,
                    } => delete_in(tx, versioning, &scope, audit, check)
                        .await
                        .map(drop),
                };
                written.map_err(|e| BatchFailure::at(&scope, e))?;
            }
            Ok(count)
        })
        .await
    }

    /// Runs `write` in one transaction that first checks the sealing key
    /// ([`check_sealing_key`]), with this store's versioning, and commits
    /// when it succeeds: what every config write of this file shares.
    async fn sealed_write<T, E>(
        &self,
        write: impl AsyncFnOnce(&tokio_postgres::Transaction<'_>, Option<&Versioning>) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let kcv = self.expected_kcv();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StoreError::from)?;
        check_sealing_key(&tx, kcv.as_deref()).await?;
        let with = self.versioning();
        let out = write(&tx, with.as_ref()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(out)
    }
}

/// The insert inside a transaction the caller holds.
async fn insert_in(
    tx: &tokio_postgres::Transaction<'_>,
    versioning: Option<&Versioning>,
    row: &ConfigRow,
    audit_rec: &AuditRecord,
) -> Result<(), StoreError> {
    let insert = row.insert(Dialect::Postgres);
    match tx.execute(&insert.sql, &pg_params(&insert.values)).await {
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            return Err(StoreError::AlreadyExists);
        }
        other => other?,
    };
    // A new config makes any earlier test result of this scope stale.
    run(tx, &clear_last_test(&row.scope, Dialect::Postgres)).await?;
    record(tx, versioning, None, Written::Row(row), audit_rec).await
}

/// The update inside a transaction the caller holds: the row is read
/// `FOR UPDATE`, so it is held until the transaction ends.
pub(super) async fn update_in<E>(
    tx: &tokio_postgres::Transaction<'_>,
    versioning: Option<&Versioning>,
    scope: &Scope,
    change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
) -> Result<ConfigRow, E>
where
    E: From<StoreError>,
{
    let current = get_for_update(tx, scope)
        .await?
        .ok_or(StoreError::NotFound)?;
    // A rejected change drops the transaction, which rolls back and frees the row.
    let update = change(&current)?;
    let (next, audit_rec) = current.apply(update);
    run(tx, &next.update(Dialect::Postgres)).await?;
    record(
        tx,
        versioning,
        Some(&current),
        Written::Row(&next),
        &audit_rec,
    )
    .await?;
    Ok(next)
}

/// The delete inside a transaction the caller holds, once `check` accepts
/// the row (read `FOR UPDATE`) it removes.
async fn delete_in<E>(
    tx: &tokio_postgres::Transaction<'_>,
    versioning: Option<&Versioning>,
    scope: &Scope,
    mut audit_rec: AuditRecord,
    check: impl FnOnce(&ConfigRow) -> Result<(), E>,
) -> Result<ConfigRow, E>
where
    E: From<StoreError>,
{
    let current = get_for_update(tx, scope)
        .await?
        .ok_or(StoreError::NotFound)?;
    check(&current)?;
    for write in current.delete(Dialect::Postgres) {
        run(tx, &write).await?;
    }
    audit_rec.key_fingerprint = Some(current.key_fingerprint.clone());
    record(
        tx,
        versioning,
        Some(&current),
        Written::Deleted(&current),
        &audit_rec,
    )
    .await?;
    Ok(current)
}

/// What every config write leaves besides the row: its version (when
/// versioning is on) and its audit entry, in the write's own transaction.
async fn record(
    tx: &tokio_postgres::Transaction<'_>,
    versioning: Option<&Versioning>,
    before: Option<&ConfigRow>,
    written: Written<'_>,
    audit_rec: &AuditRecord,
) -> Result<(), StoreError> {
    versions::append(tx, versioning, before, written, audit_rec).await?;
    audit::append(tx, audit_rec).await
}

/// Runs one of the shared writes (`store/writes.rs`).
async fn run<C: GenericClient>(c: &C, write: &Write) -> Result<(), StoreError> {
    c.execute(&write.sql, &pg_params(&write.values)).await?;
    Ok(())
}

/// Writes `row` as the scope's config, replacing the scope's row when
/// `exists` (held `FOR UPDATE` by the caller).
pub(super) async fn put<C: GenericClient>(
    c: &C,
    row: &ConfigRow,
    exists: bool,
) -> Result<(), StoreError> {
    for write in row.put(Dialect::Postgres, exists) {
        run(c, &write).await?;
    }
    Ok(())
}

/// Refuses a write when the store's master-key check value is no longer the
/// one this process seals with. `FOR SHARE` waits for a rotation in flight
/// (which updates this row) and then reads its committed value, so a stale
/// replica cannot seal a key under the old master key after a rotation.
pub(super) async fn check_sealing_key(
    tx: &tokio_postgres::Transaction<'_>,
    expected: Option<&str>,
) -> Result<(), StoreError> {
    if expected.is_none() {
        return Ok(());
    }
    let recorded: Option<String> = tx
        .query_opt(&format!("{KEY_CHECK} FOR SHARE"), &[])
        .await?
        .map(|r| r.get(0));
    verify_sealing_key(recorded.as_deref(), expected)
}

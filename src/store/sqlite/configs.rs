//! Queries on the `configs` table. Every read-modify-write runs inside
//! `BEGIN IMMEDIATE`, which takes the write lock before reading, so two
//! processes cannot both read the old row and overwrite each other.

use std::sync::{LazyLock, OnceLock};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params_from_iter};

use super::columns::{SqliteRow, column_names, constant_column_names};
use super::rows::{CONFIG_COLUMNS, KEY_CHECK, verify_sealing_key};
use super::worker::Conn;
use super::writes::Dialect;
use super::{AuditRecord, BatchFailure, BatchWrite, ConfigRow, RowUpdate, StoreError, audit};
use crate::domain::Scope;

/// The hot read, written once per process.
static GET: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {} FROM configs WHERE scope = ?1", *CONFIG_COLUMNS));

pub(super) fn get(conn: &Connection, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
    // Cached: this is the hot read of `GET /llm-config/`.
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    let mut stmt = conn.prepare_cached(&GET)?;
    let names = constant_column_names(&NAMES, &stmt);
    let mut rows = stmt.query([scope.key()])?;
    rows.next()?
        .map(|r| ConfigRow::from_columns(&SqliteRow::new(r, names)))
        .transpose()
}

pub(super) fn all(conn: &Connection) -> Result<Vec<ConfigRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM configs ORDER BY scope",
        *CONFIG_COLUMNS
    ))?;
    let names = column_names(&stmt);
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(ConfigRow::from_columns(&SqliteRow::new(r, &names))?);
    }
    Ok(out)
}

/// Inserts a new config; `AlreadyExists` if the scope has one. The audit
/// entry commits in the same transaction.
pub(super) fn insert(c: &mut Conn, row: &ConfigRow, audit: &AuditRecord) -> Result<(), StoreError> {
    let tx = c
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    check_sealing_key(&tx, c.sealing_kcv.as_deref())?;
    insert_in(&tx, row, audit)?;
    tx.commit()?;
    Ok(())
}

/// The insert inside a transaction the caller holds.
fn insert_in(tx: &Connection, row: &ConfigRow, audit: &AuditRecord) -> Result<(), StoreError> {
    if get(tx, &row.scope)?.is_some() {
        return Err(StoreError::AlreadyExists);
    }
    let insert = row.insert(Dialect::Sqlite);
    tx.execute(&insert.sql, params_from_iter(&insert.values))?;
    // A new config makes any earlier test result of this scope stale.
    tx.execute("DELETE FROM last_tests WHERE scope = ?1", [row.scope.key()])?;
    audit::append(tx, audit)?;
    Ok(())
}

/// Reads the config of `scope` and writes back what `change` returns, in
/// one `BEGIN IMMEDIATE` transaction. `NotFound` if there is none.
pub(super) fn update<E>(
    c: &mut Conn,
    scope: &Scope,
    change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
) -> Result<ConfigRow, E>
where
    E: From<StoreError>,
{
    let tx = c
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::from)?;
    check_sealing_key(&tx, c.sealing_kcv.as_deref())?;
    let next = update_in(&tx, scope, change)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(next)
}

/// The update inside a transaction the caller holds.
fn update_in<E>(
    tx: &Connection,
    scope: &Scope,
    change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
) -> Result<ConfigRow, E>
where
    E: From<StoreError>,
{
    let current = get(tx, scope)?.ok_or(StoreError::NotFound)?;
    let update = change(&current)?;
    let (next, audit_rec) = current.apply(update);
    let write = next.update(Dialect::Sqlite);
    tx.execute(&write.sql, params_from_iter(&write.values))
        .map_err(StoreError::from)?;
    audit::append(tx, &audit_rec)?;
    Ok(next)
}

/// Deletes the config of `scope` and its last test; `NotFound` if none.
pub(super) fn delete(
    conn: &mut Connection,
    scope: &Scope,
    audit: AuditRecord,
) -> Result<ConfigRow, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = delete_in(&tx, scope, audit)?;
    tx.commit()?;
    Ok(current)
}

/// The delete inside a transaction the caller holds.
fn delete_in(
    tx: &Connection,
    scope: &Scope,
    mut audit: AuditRecord,
) -> Result<ConfigRow, StoreError> {
    let current = get(tx, scope)?.ok_or(StoreError::NotFound)?;
    tx.execute(
        "DELETE FROM configs WHERE id = ?1",
        [current.id.to_string()],
    )?;
    tx.execute("DELETE FROM last_tests WHERE scope = ?1", [scope.key()])?;
    audit.key_fingerprint = Some(current.key_fingerprint.clone());
    audit::append(tx, &audit)?;
    Ok(current)
}

/// Every write of `writes` in one `BEGIN IMMEDIATE` transaction: the first
/// failure rolls all of them back. Returns how many were written.
pub(super) fn batch<E>(c: &mut Conn, writes: Vec<BatchWrite<E>>) -> Result<usize, BatchFailure<E>>
where
    E: From<StoreError>,
{
    let tx = c
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(StoreError::from)?;
    check_sealing_key(&tx, c.sealing_kcv.as_deref())?;
    let count = writes.len();
    for write in writes {
        let scope = write.scope().clone();
        match write {
            BatchWrite::Insert { row, audit } => {
                insert_in(&tx, &row, &audit).map_err(|e| BatchFailure::at(&scope, e))?
            }
            BatchWrite::Update { scope, change } => {
                update_in(&tx, &scope, change).map_err(|e| BatchFailure::at(&scope, e))?;
            }
            BatchWrite::Delete {
                scope,
                audit,
                check,
            } => {
                let current = get(&tx, &scope)
                    .and_then(|row| row.ok_or(StoreError::NotFound))
                    .map_err(|e| BatchFailure::at(&scope, e))?;
                check(&current).map_err(|e| BatchFailure::at(&scope, e))?;
                delete_in(&tx, &scope, audit).map_err(|e| BatchFailure::at(&scope, e))?;
            }
        }
    }
    tx.commit().map_err(StoreError::from)?;
    Ok(count)
}

/// Refuses a write when the store's master-key check value is no longer the
/// one this process seals with. `BEGIN IMMEDIATE` already holds the write
/// lock, so a rotation cannot slip in between this check and the commit.
fn check_sealing_key(conn: &Connection, expected: Option<&str>) -> Result<(), StoreError> {
    if expected.is_none() {
        return Ok(());
    }
    let recorded: Option<String> = conn.query_row(KEY_CHECK, [], |r| r.get(0)).optional()?;
    verify_sealing_key(recorded.as_deref(), expected)
}

//! Queries on the `configs` table. Every read-modify-write runs inside
//! `BEGIN IMMEDIATE`, which takes the write lock before reading, so two
//! processes cannot both read the old row and overwrite each other.

use std::sync::{LazyLock, OnceLock};

use rusqlite::{Connection, OptionalExtension, params_from_iter};

use super::columns::{SqliteRow, constant_column_names, read_all};
use super::rows::{CONFIG_COLUMNS, GET_VIEW, KEY_CHECK, verify_sealing_key, view_from};
use super::versions;
use super::worker::Conn;
use super::writes::{Dialect, Write, clear_last_test};
use super::{AuditRecord, BatchFailure, BatchWrite, ConfigRow, RowUpdate, StoreError, audit};
use crate::domain::{ConfigView, Scope};
use crate::store::versions::{Versioning, Written};

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

/// The view of the config of `scope` ([`GET_VIEW`]).
pub(super) fn get_view(conn: &Connection, scope: &Scope) -> Result<Option<ConfigView>, StoreError> {
    // Cached: this is the hot read of `GET /llm-config/`.
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    let mut stmt = conn.prepare_cached(&GET_VIEW)?;
    let names = constant_column_names(&NAMES, &stmt);
    let mut rows = stmt.query([scope.key()])?;
    let instance_id = scope.instance_id().map(str::to_string);
    rows.next()?
        .map(|r| view_from(&SqliteRow::new(r, names), instance_id))
        .transpose()
}

pub(super) fn all(conn: &Connection) -> Result<Vec<ConfigRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM configs ORDER BY scope",
        *CONFIG_COLUMNS
    ))?;
    read_all(&mut stmt, [], |r| ConfigRow::from_columns(r))
}

/// Inserts a new config; `AlreadyExists` if the scope has one. The audit
/// entry and the first version commit in the same transaction.
pub(super) fn insert(c: &mut Conn, row: &ConfigRow, audit: &AuditRecord) -> Result<(), StoreError> {
    sealed_write(c, |tx, versioning| insert_in(tx, versioning, row, audit))
}

/// Runs `write` in the job's transaction (see `Conn::begin`) once the
/// sealing key checks out, with the writer's versioning, and commits when it
/// succeeds: what every config write of this file shares.
fn sealed_write<T, E>(
    c: &mut Conn,
    write: impl FnOnce(&Connection, Option<&Versioning>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    let tx = c.begin()?;
    check_sealing_key(&tx, tx.sealing_kcv)?;
    let out = write(&tx, tx.versioning)?;
    tx.commit()?;
    Ok(out)
}

/// The insert inside a transaction the caller holds.
fn insert_in(
    tx: &Connection,
    versioning: Option<&Versioning>,
    row: &ConfigRow,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    if get(tx, &row.scope)?.is_some() {
        return Err(StoreError::AlreadyExists);
    }
    run(tx, &row.insert(Dialect::Sqlite))?;
    // A new config makes any earlier test result of this scope stale.
    run(tx, &clear_last_test(&row.scope, Dialect::Sqlite))?;
    record(tx, versioning, None, Written::Row(row), audit)
}

/// Reads the config of `scope` and writes back what `change` returns, in one
/// `BEGIN IMMEDIATE` transaction with its version and audit entry.
pub(super) fn update<E>(
    c: &mut Conn,
    scope: &Scope,
    change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
) -> Result<ConfigRow, E>
where
    E: From<StoreError>,
{
    sealed_write(c, |tx, versioning| update_in(tx, versioning, scope, change))
}

/// The update inside a transaction the caller holds.
pub(super) fn update_in<E>(
    tx: &Connection,
    versioning: Option<&Versioning>,
    scope: &Scope,
    change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
) -> Result<ConfigRow, E>
where
    E: From<StoreError>,
{
    let current = get(tx, scope)?.ok_or(StoreError::NotFound)?;
    let update = change(&current)?;
    let (next, audit_rec) = current.apply(update);
    run(tx, &next.update(Dialect::Sqlite))?;
    record(
        tx,
        versioning,
        Some(&current),
        Written::Row(&next),
        &audit_rec,
    )?;
    Ok(next)
}

/// Deletes the config of `scope` and its last test; `NotFound` if none.
pub(super) fn delete(
    c: &mut Conn,
    scope: &Scope,
    audit: AuditRecord,
) -> Result<ConfigRow, StoreError> {
    // A delete may seal a `recorded` version of what it removes, so it
    // checks the sealing key too.
    sealed_write(c, |tx, versioning| {
        delete_in(tx, versioning, scope, audit, |_| Ok::<_, StoreError>(()))
    })
}

/// The delete inside a transaction the caller holds, once `check` accepts
/// the row it removes.
fn delete_in<E>(
    tx: &Connection,
    versioning: Option<&Versioning>,
    scope: &Scope,
    mut audit: AuditRecord,
    check: impl FnOnce(&ConfigRow) -> Result<(), E>,
) -> Result<ConfigRow, E>
where
    E: From<StoreError>,
{
    let current = get(tx, scope)?.ok_or(StoreError::NotFound)?;
    check(&current)?;
    for write in current.delete(Dialect::Sqlite) {
        run(tx, &write)?;
    }
    audit.key_fingerprint = Some(current.key_fingerprint.clone());
    record(
        tx,
        versioning,
        Some(&current),
        Written::Deleted(&current),
        &audit,
    )?;
    Ok(current)
}

/// Every write of `writes` in one `BEGIN IMMEDIATE` transaction: the first
/// failure rolls all of them back. Returns how many were written.
pub(super) fn batch<E>(c: &mut Conn, writes: Vec<BatchWrite<E>>) -> Result<usize, BatchFailure<E>>
where
    E: From<StoreError>,
{
    sealed_write(c, |tx, versioning| {
        let count = writes.len();
        for write in writes {
            let scope = write.scope().clone();
            let written = match write {
                BatchWrite::Insert { row, audit } => {
                    insert_in(tx, versioning, &row, &audit).map_err(E::from)
                }
                BatchWrite::Update { scope, change } => {
                    update_in(tx, versioning, &scope, change).map(drop)
                }
                BatchWrite::Delete {
                    scope,
                    audit,
                    check,
                } => delete_in(tx, versioning, &scope, audit, check).map(drop),
            };
            written.map_err(|e| BatchFailure::at(&scope, e))?;
        }
        Ok(count)
    })
}

/// Writes `row` as the scope's config, replacing the scope's row when
/// `exists`.
pub(super) fn put(conn: &Connection, row: &ConfigRow, exists: bool) -> Result<(), StoreError> {
    for write in row.put(Dialect::Sqlite, exists) {
        run(conn, &write)?;
    }
    Ok(())
}

/// What every config write leaves besides the row: its version (when
/// versioning is on) and its audit entry, in the write's own transaction.
fn record(
    tx: &Connection,
    versioning: Option<&Versioning>,
    before: Option<&ConfigRow>,
    written: Written<'_>,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    versions::append(tx, versioning, before, written, audit)?;
    audit::append(tx, audit)
}

/// Runs one of the shared writes (`store/writes.rs`).
fn run(conn: &Connection, write: &Write) -> Result<(), StoreError> {
    conn.execute(&write.sql, params_from_iter(&write.values))?;
    Ok(())
}

/// Refuses a write when the store's master-key check value is no longer the
/// one this process seals with. `BEGIN IMMEDIATE` already holds the write
/// lock, so a rotation cannot slip in between this check and the commit.
pub(super) fn check_sealing_key(
    conn: &Connection,
    expected: Option<&str>,
) -> Result<(), StoreError> {
    if expected.is_none() {
        return Ok(());
    }
    let recorded: Option<String> = conn.query_row(KEY_CHECK, [], |r| r.get(0)).optional()?;
    verify_sealing_key(recorded.as_deref(), expected)
}

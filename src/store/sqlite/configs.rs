//! Queries on the `configs` table. Every read-modify-write runs inside
//! `BEGIN IMMEDIATE`, which takes the write lock before reading, so two
//! processes cannot both read the old row and overwrite each other.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::columns::{SqliteRow, column_names};
use super::rows::{CONFIG_COLUMNS, KEY_CHECK, fmt_time, verify_sealing_key};
use super::versions;
use super::worker::Conn;
use super::{AuditRecord, ConfigRow, RowUpdate, StoreError, audit};
use crate::domain::Scope;
use crate::store::versions::Written;

pub(super) fn get(conn: &Connection, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
    // Cached: this is the hot read of `GET /llm-config/`.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONFIG_COLUMNS} FROM configs WHERE scope = ?1"
    ))?;
    let names = column_names(&stmt);
    let mut rows = stmt.query([scope.key()])?;
    rows.next()?
        .map(|r| ConfigRow::from_columns(&SqliteRow::new(r, &names)))
        .transpose()
}

pub(super) fn all(conn: &Connection) -> Result<Vec<ConfigRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CONFIG_COLUMNS} FROM configs ORDER BY scope"
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
    if get(&tx, &row.scope)?.is_some() {
        return Err(StoreError::AlreadyExists);
    }
    insert_row(&tx, row)?;
    // A new config makes any earlier test result of this scope stale.
    tx.execute("DELETE FROM last_tests WHERE scope = ?1", [row.scope.key()])?;
    versions::append(&tx, c.versioning.as_ref(), None, Written::Row(row), audit)?;
    audit::append(&tx, audit)?;
    tx.commit()?;
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
    let current = get(&tx, scope)?.ok_or(StoreError::NotFound)?;
    let update = change(&current)?;
    let (next, audit_rec) = current.apply(update);
    tx.execute(
        "UPDATE configs SET provider = ?1, model = ?2, base_url = ?3, sealed_key = ?4,
             api_key_masked = ?5, key_fingerprint = ?6, updated_at = ?7
         WHERE id = ?8",
        params![
            next.fields.provider,
            next.fields.model,
            next.fields.base_url,
            next.sealed_key().as_bytes(),
            next.api_key_masked,
            next.key_fingerprint,
            fmt_time(next.updated_at),
            next.id.to_string(),
        ],
    )
    .map_err(StoreError::from)?;
    versions::append(
        &tx,
        c.versioning.as_ref(),
        Some(&current),
        Written::Row(&next),
        &audit_rec,
    )?;
    audit::append(&tx, &audit_rec)?;
    tx.commit().map_err(StoreError::from)?;
    Ok(next)
}

/// Deletes the config of `scope` and its last test; `NotFound` if none.
pub(super) fn delete(
    c: &mut Conn,
    scope: &Scope,
    mut audit: AuditRecord,
) -> Result<ConfigRow, StoreError> {
    let tx = c
        .conn
        .transaction_with_behavior(TransactionBehavior::Immediate)?;
    // A delete may seal a `recorded` version of what it removes.
    check_sealing_key(&tx, c.sealing_kcv.as_deref())?;
    let current = get(&tx, scope)?.ok_or(StoreError::NotFound)?;
    tx.execute(
        "DELETE FROM configs WHERE id = ?1",
        [current.id.to_string()],
    )?;
    tx.execute("DELETE FROM last_tests WHERE scope = ?1", [scope.key()])?;
    audit.key_fingerprint = Some(current.key_fingerprint.clone());
    versions::append(
        &tx,
        c.versioning.as_ref(),
        Some(&current),
        Written::Deleted(&current),
        &audit,
    )?;
    audit::append(&tx, &audit)?;
    tx.commit()?;
    Ok(current)
}

/// Writes `row` as the scope's config, replacing the scope's row when
/// `exists`.
pub(super) fn put(conn: &Connection, row: &ConfigRow, exists: bool) -> Result<(), StoreError> {
    if exists {
        conn.execute("DELETE FROM configs WHERE scope = ?1", [row.scope.key()])?;
    }
    insert_row(conn, row)?;
    // The restored key has not been tested in this state.
    conn.execute("DELETE FROM last_tests WHERE scope = ?1", [row.scope.key()])?;
    Ok(())
}

fn insert_row(conn: &Connection, row: &ConfigRow) -> Result<(), StoreError> {
    conn.execute(
        &format!("INSERT INTO configs ({CONFIG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            row.id.to_string(),
            row.scope.key(),
            row.fields.provider,
            row.fields.model,
            row.fields.base_url,
            row.sealed_key().as_bytes(),
            row.api_key_masked,
            row.key_fingerprint,
            fmt_time(row.created_at),
            fmt_time(row.updated_at),
        ],
    )?;
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

//! Queries on the `config_versions` table (see [`crate::store::versions`]
//! for what a version is). [`append`] runs inside the transaction of the
//! write it records; [`restore`] is a write of its own under
//! `BEGIN IMMEDIATE`, and [`restore_in`] the same inside a caller's
//! transaction (a rotation's rollback).

use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use super::columns::read_all;
use super::rows::{now, parse_time};
use super::worker::Conn;
use super::{AuditRecord, ConfigRow, StoreError, audit, configs};
use crate::domain::Scope;
use crate::store::versions::{
    RECORD_CREATED, VERSION_COLUMNS, VersionRow, Versioning, Written, cutoff,
};
use crate::store::writes::Dialect;

/// Appends the version `written` leaves (and, for a config that has none
/// yet, a `recorded` version of `before` first), then purges what the
/// retention rule drops. Nothing when `with` is `None`.
pub(super) fn append(
    tx: &Connection,
    with: Option<&Versioning>,
    before: Option<&ConfigRow>,
    written: Written<'_>,
    audit: &AuditRecord,
) -> Result<(), StoreError> {
    let Some(with) = with else {
        return Ok(());
    };
    let scope = audit.scope.key();
    let mut newest: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(version), 0) FROM config_versions WHERE scope = ?1")?
        .query_row([scope], |r| r.get(0))?;
    if newest == 0
        && let Some(before) = before
    {
        insert(tx, &VersionRow::recorded(before, with)?)?;
        newest = 1;
    }
    let version = VersionRow::of(written, newest + 1, audit, with)?;
    insert(tx, &version)?;
    let bounds = with.retention.bounds(version.version, now());
    tx.prepare_cached(
        "DELETE FROM config_versions WHERE scope = ?1 AND version < ?2
             AND (version <= ?3 OR at < ?4)",
    )?
    .execute(params![
        scope,
        bounds.newest,
        bounds.through,
        cutoff(bounds.before)
    ])?;
    Ok(())
}

fn insert(tx: &Connection, v: &VersionRow) -> Result<(), StoreError> {
    let write = v.insert(Dialect::Sqlite);
    tx.prepare_cached(&write.sql)?
        .execute(rusqlite::params_from_iter(&write.values))?;
    Ok(())
}

fn collect(
    stmt: &mut rusqlite::Statement<'_>,
    args: impl rusqlite::Params,
) -> Result<Vec<VersionRow>, StoreError> {
    read_all(stmt, args, |r| VersionRow::from_columns(r))
}

/// The newest `limit` versions, newest first; one scope or every scope.
pub(super) fn history(
    conn: &Connection,
    scope: Option<&Scope>,
    limit: usize,
) -> Result<Vec<VersionRow>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!("SELECT {VERSION_COLUMNS} FROM config_versions");
    match scope {
        Some(scope) => collect(
            &mut *conn.prepare_cached(&format!(
                "{sql} WHERE scope = ?1 ORDER BY version DESC LIMIT ?2"
            ))?,
            params![scope.key(), limit],
        ),
        None => collect(
            &mut conn.prepare(&format!(
                "{sql} ORDER BY at DESC, scope, version DESC LIMIT ?1"
            ))?,
            params![limit],
        ),
    }
}

/// Every version that holds a key, for a master-key rotation.
pub(super) fn all_sealed(conn: &Connection) -> Result<Vec<VersionRow>, StoreError> {
    collect(
        &mut conn.prepare(&format!(
            "SELECT {VERSION_COLUMNS} FROM config_versions WHERE sealed_key IS NOT NULL"
        ))?,
        [],
    )
}

/// Re-seals every kept version from `old`'s master key to `new`'s, inside
/// the rotation's transaction.
pub(super) fn reseal(
    tx: &Connection,
    old: &Versioning,
    new: &Versioning,
) -> Result<usize, StoreError> {
    let rows = all_sealed(tx)?;
    for v in &rows {
        if let Some(sealed) = v.reseal(&old.master, &new.master)? {
            tx.execute(
                "UPDATE config_versions SET sealed_key = ?1 WHERE scope = ?2 AND version = ?3",
                params![sealed.as_bytes(), v.scope.key(), v.version],
            )?;
        }
    }
    Ok(rows.len())
}

/// Makes version `version` of `scope` current again, in one transaction
/// that also appends the `restore` version and the audit entry.
pub(super) fn restore(
    c: &mut Conn,
    scope: &Scope,
    version: i64,
    audit_rec: &AuditRecord,
) -> Result<ConfigRow, StoreError> {
    let tx = c.begin()?;
    configs::check_sealing_key(&tx, tx.sealing_kcv)?;
    let row = restore_in(&tx, tx.versioning, scope, version, audit_rec)?;
    tx.commit()?;
    Ok(row)
}

/// The restore inside a transaction the caller holds (a rollback's holds
/// many); `NoSuchVersion` when versions are not kept.
pub(super) fn restore_in(
    tx: &Connection,
    with: Option<&Versioning>,
    scope: &Scope,
    version: i64,
    audit_rec: &AuditRecord,
) -> Result<ConfigRow, StoreError> {
    let with = with.ok_or(StoreError::NoSuchVersion { version })?;
    let wanted = collect(
        &mut *tx.prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM config_versions WHERE scope = ?1 AND version = ?2"
        ))?,
        params![scope.key(), version],
    )?
    .into_iter()
    .next()
    .ok_or(StoreError::NoSuchVersion { version })?;
    let current = configs::get(tx, scope)?;
    let first = record_created(tx, &wanted)?;
    let (row, rec) = wanted.restore_write(current.as_ref(), first, with, audit_rec)?;
    configs::put(tx, &row, current.is_some())?;
    append(tx, Some(with), current.as_ref(), Written::Row(&row), &rec)?;
    audit::append(tx, &rec)?;
    Ok(row)
}

/// When the record `version` was taken from was created (see
/// [`RECORD_CREATED`]).
fn record_created(
    tx: &Connection,
    version: &VersionRow,
) -> Result<Option<OffsetDateTime>, StoreError> {
    let at: Option<String> = tx
        .prepare_cached(RECORD_CREATED)?
        .query_row(
            params![version.scope.key(), version.record_id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    at.as_deref().map(parse_time).transpose()
}

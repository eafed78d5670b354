//! Known instances: tenant ids the superadmin registered (with an optional
//! display name), listed together with every scope that holds a config.

use rusqlite::{Connection, OptionalExtension, params};

use super::columns::read_all;
use super::rows::{ListRows, fmt_time, list_sql, summary_from};
use super::worker::Conn;
use super::{AuditRecord, StoreError, audit};
use crate::domain::{InstanceId, InstanceSummary};
use crate::store::writes::Dialect;

/// Registers an instance id (or renames it); returns true when it was new.
pub(super) fn add(
    c: &mut Conn,
    id: &InstanceId,
    name: Option<&str>,
    audit_rec: &AuditRecord,
) -> Result<bool, StoreError> {
    let tx = c.begin()?;
    let existed: Option<String> = tx
        .query_row(
            "SELECT id FROM instances WHERE id = ?1",
            [id.as_str()],
            |r| r.get(0),
        )
        .optional()?;
    tx.execute(
        "INSERT INTO instances (id, name, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET name = COALESCE(excluded.name, instances.name)",
        params![id.as_str(), name, fmt_time(audit_rec.at)],
    )?;
    audit::append(&tx, audit_rec)?;
    tx.commit()?;
    Ok(existed.is_none())
}

/// The control plane and every known or configured instance, with their
/// config and last test, control plane first, then by id.
pub(super) fn list(conn: &Connection) -> Result<Vec<InstanceSummary>, StoreError> {
    // One query: 10,000 instances must list in milliseconds.
    let mut stmt = conn.prepare_cached(&list_sql(Dialect::Sqlite, ListRows::All))?;
    read_all(&mut stmt, [], |r| summary_from(r))
}

/// The first `rows` entries of [`list`], read along the indexes.
pub(super) fn first(conn: &Connection, rows: usize) -> Result<Vec<InstanceSummary>, StoreError> {
    let mut stmt = conn.prepare_cached(&list_sql(Dialect::Sqlite, ListRows::First))?;
    let limit = i64::try_from(rows).unwrap_or(i64::MAX);
    read_all(&mut stmt, [limit], |r| summary_from(r))
}

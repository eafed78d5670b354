//! The audit log: appended in the same transaction as the change it records,
//! so the log and the data never disagree.

use rusqlite::{Connection, params};

use super::columns::read_all;
use super::rows::{AUDIT_COLUMNS, audit_entry_from, fmt_time};
use super::{AuditRecord, StoreError};
use crate::domain::{AuditEntry, Scope};

pub(super) fn append(conn: &Connection, rec: &AuditRecord) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO audit (at, actor, scope, action, fields, key_fingerprint, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        fmt_time(rec.at),
        rec.actor,
        rec.scope.key(),
        rec.action.as_str(),
        rec.fields.join(","),
        rec.key_fingerprint,
        rec.detail,
    ])?;
    Ok(())
}

/// The newest `limit` entries, newest first; one scope or all.
pub(super) fn read(
    conn: &Connection,
    scope: Option<&Scope>,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit");
    let mut stmt = match scope {
        Some(_) => conn.prepare(&format!("{sql} WHERE scope = ?1 ORDER BY id DESC LIMIT ?2"))?,
        None => conn.prepare(&format!("{sql} ORDER BY id DESC LIMIT ?1"))?,
    };
    match scope {
        Some(s) => read_all(&mut stmt, params![s.key(), limit], |r| audit_entry_from(r)),
        None => read_all(&mut stmt, params![limit], |r| audit_entry_from(r)),
    }
}

/// The change mark (see [`rows::CHANGE_MARK`]).
pub(super) fn change_mark(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row(super::super::rows::CHANGE_MARK, [], |r| r.get(0))?)
}

//! The audit log: appended in the same transaction as the change it records,
//! so the log and the data never disagree.

use rusqlite::{Connection, params};

use super::rows::{fmt_time, parse_time};
use super::{AuditRecord, SqliteStore, StoreError};
use crate::domain::{AuditEntry, Scope};

pub(super) fn append(conn: &Connection, rec: &AuditRecord) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit (at, actor, scope, action, fields, key_fingerprint, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            fmt_time(rec.at),
            rec.actor,
            rec.scope.key(),
            rec.action,
            rec.fields.join(","),
            rec.key_fingerprint,
            rec.detail,
        ],
    )?;
    Ok(())
}

impl SqliteStore {
    /// Appends one audit entry on its own.
    pub fn append_audit(&mut self, rec: &AuditRecord) -> Result<(), StoreError> {
        append(&self.conn, rec)
    }

    /// The newest `limit` entries, newest first; one scope or all.
    pub fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = "SELECT id, at, actor, scope, action, fields, key_fingerprint, detail FROM audit";
        let mut stmt;
        let mut rows = match scope {
            Some(s) => {
                stmt = self
                    .conn
                    .prepare(&format!("{sql} WHERE scope = ?1 ORDER BY id DESC LIMIT ?2"))?;
                stmt.query(params![s.key(), limit])?
            }
            None => {
                stmt = self
                    .conn
                    .prepare(&format!("{sql} ORDER BY id DESC LIMIT ?1"))?;
                stmt.query(params![limit])?
            }
        };
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let scope: String = r.get(3)?;
            let fields: String = r.get(5)?;
            out.push(AuditEntry {
                id: r.get(0)?,
                at: parse_time(&r.get::<_, String>(1)?)?,
                actor: r.get(2)?,
                instance_id: (!scope.is_empty()).then_some(scope),
                action: r.get(4)?,
                fields: fields
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                key_fingerprint: r.get(6)?,
                detail: r.get(7)?,
            });
        }
        Ok(out)
    }

    /// The change mark: the newest audit id. Every write and every recorded
    /// test appends an audit entry in its own transaction, so the mark moves
    /// whenever anything a reader shows changes, in any process.
    pub fn change_mark(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM audit", [], |r| r.get(0))?)
    }
}

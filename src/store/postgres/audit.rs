//! The audit log on PostgreSQL: appended in the same transaction as the
//! change it records. Ids come from a sequence, so entries from every
//! replica interleave in one order.

use tokio_postgres::GenericClient;

use super::rows::{AUDIT_COLUMNS, audit_entry_from, fmt_time};
use super::{AuditRecord, PgStore, StoreError};
use crate::domain::{AuditEntry, Scope};

pub(super) async fn append<C: GenericClient>(c: &C, rec: &AuditRecord) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO audit (at, actor, scope, action, fields, key_fingerprint, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &fmt_time(rec.at),
            &rec.actor,
            &rec.scope.key(),
            &rec.action.as_str(),
            &rec.fields.join(","),
            &rec.key_fingerprint,
            &rec.detail,
        ],
    )
    .await?;
    Ok(())
}

impl PgStore {
    /// Appends one audit entry on its own.
    pub async fn append_audit(&self, rec: AuditRecord) -> Result<(), StoreError> {
        let c = self.client().await?;
        append(&**c, &rec).await
    }

    /// The newest `limit` entries, newest first; one scope or all.
    pub async fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.client().await?;
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit");
        let rows = match scope {
            Some(s) => {
                c.query(
                    &format!("{sql} WHERE scope = $1 ORDER BY id DESC LIMIT $2"),
                    &[&s.key(), &limit],
                )
                .await?
            }
            None => {
                c.query(&format!("{sql} ORDER BY id DESC LIMIT $1"), &[&limit])
                    .await?
            }
        };
        rows.iter().map(audit_entry_from).collect()
    }

    /// The change mark (see [`rows::CHANGE_MARK`]).
    pub async fn change_mark(&self) -> Result<i64, StoreError> {
        let c = self.client().await?;
        let row = c.query_one(super::super::rows::CHANGE_MARK, &[]).await?;
        Ok(row.try_get(0)?)
    }
}

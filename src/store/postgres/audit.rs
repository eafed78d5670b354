//! The audit log on PostgreSQL: appended in the same transaction as the
//! change it records. Ids come from a sequence, so entries from every
//! replica interleave in one order.

use tokio_postgres::GenericClient;

use super::rows::{fmt_time, parse_time};
use super::{AuditRecord, PgStore, StoreError, wait};
use crate::domain::{AuditEntry, Scope};

pub(super) async fn append<C: GenericClient>(c: &C, rec: &AuditRecord) -> Result<(), StoreError> {
    let fields = rec.fields.join(",");
    let at = fmt_time(rec.at);
    c.execute(
        "INSERT INTO audit (at, actor, scope, action, fields, key_fingerprint, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &at,
            &rec.actor,
            &rec.scope.key(),
            &rec.action,
            &fields,
            &rec.key_fingerprint,
            &rec.detail,
        ],
    )
    .await?;
    Ok(())
}

impl PgStore {
    /// Appends one audit entry on its own.
    pub fn append_audit(&mut self, rec: &AuditRecord) -> Result<(), StoreError> {
        let (rt, c) = self.conn()?;
        wait(rt, append(&*c, rec))
    }

    /// The newest `limit` entries, newest first; one scope or all.
    pub fn audit(
        &mut self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (rt, c) = self.conn()?;
        let rows = wait(rt, async move {
            let sql =
                "SELECT id, at, actor, scope, action, fields, key_fingerprint, detail FROM audit";
            match scope {
                Some(s) => {
                    c.query(
                        &format!("{sql} WHERE scope = $1 ORDER BY id DESC LIMIT $2"),
                        &[&s.key(), &limit],
                    )
                    .await
                }
                None => {
                    c.query(&format!("{sql} ORDER BY id DESC LIMIT $1"), &[&limit])
                        .await
                }
            }
        })?;
        rows.iter()
            .map(|r| {
                let scope: String = r.try_get(3)?;
                let fields: String = r.try_get(5)?;
                Ok(AuditEntry {
                    id: r.try_get(0)?,
                    at: parse_time(r.try_get(1)?)?,
                    actor: r.try_get(2)?,
                    instance_id: (!scope.is_empty()).then_some(scope),
                    action: r.try_get(4)?,
                    fields: fields
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(str::to_string)
                        .collect(),
                    key_fingerprint: r.try_get(6)?,
                    detail: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// The change mark: the newest audit id (see the SQLite store).
    pub fn change_mark(&mut self) -> Result<i64, StoreError> {
        let (rt, c) = self.conn()?;
        let row = wait(rt, async move {
            c.query_one("SELECT COALESCE(MAX(id), 0)::BIGINT FROM audit", &[])
                .await
        })?;
        Ok(row.try_get(0)?)
    }
}

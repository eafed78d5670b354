//! Known instances on PostgreSQL: tenant ids the superadmin registered,
//! listed together with every scope that holds a config.

use super::rows::{ListColumns, fmt_time};
use super::{AuditRecord, PgStore, StoreError, audit, wait};
use crate::domain::{InstanceId, InstanceSummary};

impl PgStore {
    /// Registers an instance id (or renames it); returns true when it was new.
    pub fn add_instance(
        &mut self,
        id: &InstanceId,
        name: Option<&str>,
        audit_rec: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let (rt, c) = self.conn()?;
        wait(rt, async move {
            let tx = c.transaction().await?;
            // `xmax = 0` holds only for a freshly inserted row: it tells a
            // new instance from a rename in the same statement, race-free.
            let row = tx
                .query_one(
                    "INSERT INTO instances (id, name, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET name = COALESCE(EXCLUDED.name, instances.name)
                     RETURNING (xmax = 0)",
                    &[&id.as_str(), &name, &fmt_time(audit_rec.at)],
                )
                .await?;
            audit::append(&tx, audit_rec).await?;
            tx.commit().await?;
            Ok(row.try_get(0)?)
        })
    }

    /// The control plane and every known or configured instance, with their
    /// config and last test, control plane first, then by id.
    pub fn list_instances(&mut self) -> Result<Vec<InstanceSummary>, StoreError> {
        let (rt, c) = self.conn()?;
        // One query, ordered by bytes (`COLLATE "C"`) like SQLite, whatever
        // the database's default collation.
        let rows = wait(
            rt,
            c.query(
                "WITH scopes(scope) AS (
                     SELECT ''::TEXT UNION SELECT scope FROM configs UNION SELECT id FROM instances
                 )
                 SELECT s.scope, i.name,
                        c.id, c.provider, c.model, c.base_url, c.api_key_masked,
                        c.created_at, c.updated_at,
                        t.success, t.provider, t.model, t.status, t.message, t.latency_ms, t.checked_at
                 FROM scopes s
                 LEFT JOIN instances i ON i.id = s.scope
                 LEFT JOIN configs c ON c.scope = s.scope
                 LEFT JOIN last_tests t ON t.scope = s.scope
                 ORDER BY s.scope COLLATE \"C\"",
                &[],
            ),
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(
                ListColumns {
                    scope: r.try_get(0)?,
                    name: r.try_get(1)?,
                    config_id: r.try_get(2)?,
                    provider: r.try_get(3)?,
                    model: r.try_get(4)?,
                    base_url: r.try_get(5)?,
                    api_key_masked: r.try_get(6)?,
                    created_at: r.try_get(7)?,
                    updated_at: r.try_get(8)?,
                    test_success: r.try_get(9)?,
                    test_provider: r.try_get(10)?,
                    test_model: r.try_get(11)?,
                    test_status: r.try_get(12)?,
                    test_message: r.try_get(13)?,
                    test_latency_ms: r.try_get(14)?,
                    test_checked_at: r.try_get(15)?,
                }
                .into_summary()?,
            );
        }
        Ok(out)
    }
}

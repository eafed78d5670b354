//! Known instances on PostgreSQL: tenant ids the superadmin registered,
//! listed together with every scope that holds a config.

use super::rows::{fmt_time, parse_time};
use super::{AuditRecord, PgStore, StoreError, audit, wait};
use crate::domain::{ConfigView, InstanceId, InstanceSummary, TestResult, TestStatus};

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
            let scope: String = r.try_get(0)?;
            let config_id: Option<String> = r.try_get(2)?;
            let config = match config_id {
                Some(id) => Some(ConfigView {
                    id: uuid::Uuid::parse_str(&id)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    provider: r.try_get(3)?,
                    model: r.try_get(4)?,
                    base_url: r.try_get(5)?,
                    api_key_masked: r.try_get(6)?,
                    instance_id: (!scope.is_empty()).then(|| scope.clone()),
                    created_at: parse_time(r.try_get(7)?)?,
                    updated_at: parse_time(r.try_get(8)?)?,
                }),
                None => None,
            };
            let status: Option<String> = r.try_get(12)?;
            let last_test = match status {
                Some(status) => Some(TestResult {
                    success: r.try_get(9)?,
                    provider: r.try_get(10)?,
                    model: r.try_get(11)?,
                    status: TestStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(format!("test status {status:?}")))?,
                    message: r.try_get(13)?,
                    latency_ms: r.try_get::<_, i64>(14)?.max(0) as u64,
                    checked_at: parse_time(r.try_get(15)?)?,
                }),
                None => None,
            };
            out.push(InstanceSummary {
                instance_id: (!scope.is_empty()).then_some(scope),
                name: r.try_get(1)?,
                config,
                last_test,
            });
        }
        Ok(out)
    }
}

//! Known instances: tenant ids the superadmin registered (with an optional
//! display name), listed together with every scope that holds a config.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::rows::{ListColumns, fmt_time};
use super::{AuditRecord, SqliteStore, StoreError, audit};
use crate::domain::{InstanceId, InstanceSummary};

impl SqliteStore {
    /// Registers an instance id (or renames it); returns true when it was new.
    pub fn add_instance(
        &mut self,
        id: &InstanceId,
        name: Option<&str>,
        audit_rec: &AuditRecord,
    ) -> Result<bool, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
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
    pub fn list_instances(&self) -> Result<Vec<InstanceSummary>, StoreError> {
        // One query: 10,000 instances must list in milliseconds.
        let mut stmt = self.conn.prepare(
            "WITH scopes(scope) AS (
                 SELECT '' UNION SELECT scope FROM configs UNION SELECT id FROM instances
             )
             SELECT s.scope, i.name,
                    c.id, c.provider, c.model, c.base_url, c.api_key_masked,
                    c.created_at, c.updated_at,
                    t.success, t.provider, t.model, t.status, t.message, t.latency_ms, t.checked_at
             FROM scopes s
             LEFT JOIN instances i ON i.id = s.scope
             LEFT JOIN configs c ON c.scope = s.scope
             LEFT JOIN last_tests t ON t.scope = s.scope
             ORDER BY s.scope",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(
                ListColumns {
                    scope: r.get(0)?,
                    name: r.get(1)?,
                    config_id: r.get(2)?,
                    provider: r.get(3)?,
                    model: r.get(4)?,
                    base_url: r.get(5)?,
                    api_key_masked: r.get(6)?,
                    created_at: r.get(7)?,
                    updated_at: r.get(8)?,
                    test_success: r.get(9)?,
                    test_provider: r.get(10)?,
                    test_model: r.get(11)?,
                    test_status: r.get(12)?,
                    test_message: r.get(13)?,
                    test_latency_ms: r.get(14)?,
                    test_checked_at: r.get(15)?,
                }
                .into_summary()?,
            );
        }
        Ok(out)
    }
}

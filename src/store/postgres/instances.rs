//! Known instances on PostgreSQL: tenant ids the superadmin registered,
//! listed together with every scope that holds a config.

use super::rows::{ListRows, fmt_time, list_sql, summary_from};
use super::{AuditRecord, PgStore, StoreError, audit};
use crate::domain::{InstanceId, InstanceSummary};
use crate::store::writes::Dialect;

impl PgStore {
    /// Registers an instance id (or renames it); returns true when it was new.
    pub async fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut c = self.client().await?;
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
        audit::append(&*tx, &audit_rec).await?;
        tx.commit().await?;
        Ok(row.try_get(0)?)
    }

    /// The control plane and every known or configured instance, with their
    /// config and last test, control plane first, then by id.
    pub async fn list_instances(&self) -> Result<Vec<InstanceSummary>, StoreError> {
        let c = self.client().await?;
        // One query, ordered by bytes (`COLLATE "C"`) like SQLite, whatever
        // the database's default collation.
        let rows = c
            .query(&list_sql(Dialect::Postgres, ListRows::All), &[])
            .await?;
        rows.iter().map(summary_from).collect()
    }

    /// The first `rows` entries of [`PgStore::list_instances`].
    pub async fn list_instances_first(
        &self,
        rows: usize,
    ) -> Result<Vec<InstanceSummary>, StoreError> {
        let c = self.client().await?;
        let limit = i64::try_from(rows).unwrap_or(i64::MAX);
        let rows = c
            .query(&list_sql(Dialect::Postgres, ListRows::First), &[&limit])
            .await?;
        rows.iter().map(summary_from).collect()
    }
}

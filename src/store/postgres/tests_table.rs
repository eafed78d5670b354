//! The last connection-test result per scope, on PostgreSQL.

use super::rows::{fmt_time, lifecycle_text};
use super::{AuditRecord, PgStore, StoreError, audit};
use crate::domain::{Scope, TestResult};

impl PgStore {
    /// Records the result of a test of `scope` and its audit entry. A result
    /// for a config that was deleted meanwhile is dropped (returns false).
    pub async fn record_test(
        &self,
        scope: &Scope,
        result: TestResult,
        audit_rec: AuditRecord,
    ) -> Result<bool, StoreError> {
        let mut c = self.client().await?;
        {
            let tx = c.transaction().await?;
            // FOR SHARE keeps a concurrent delete of this config waiting
            // until the result is in, so the delete also removes it.
            let exists = tx
                .query_opt(
                    "SELECT 1 FROM configs WHERE scope = $1 FOR SHARE",
                    &[&scope.key()],
                )
                .await?
                .is_some();
            if !exists {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO last_tests (scope, success, provider, model, status, message, latency_ms, checked_at, lifecycle)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (scope) DO UPDATE SET success = EXCLUDED.success,
                     provider = EXCLUDED.provider, model = EXCLUDED.model,
                     status = EXCLUDED.status, message = EXCLUDED.message,
                     latency_ms = EXCLUDED.latency_ms, checked_at = EXCLUDED.checked_at,
                     lifecycle = EXCLUDED.lifecycle",
                &[
                    &scope.key(),
                    &result.success,
                    &result.provider,
                    &result.model,
                    &result.status.as_str(),
                    &result.message,
                    &i64::try_from(result.latency_ms).unwrap_or(i64::MAX),
                    &fmt_time(result.checked_at),
                    &lifecycle_text(&result),
                ],
            )
            .await?;
            audit::append(&*tx, &audit_rec).await?;
            tx.commit().await?;
            Ok(true)
        }
    }
}

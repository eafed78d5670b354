//! The last connection-test result per scope.

use rusqlite::params;

use super::rows::{fmt_time, lifecycle_text};
use super::worker::Conn;
use super::{AuditRecord, StoreError, audit};
use crate::domain::{Scope, TestResult};

/// Records the result of a test of `scope` and its audit entry. A result
/// for a config that was deleted meanwhile is dropped (returns false).
pub(super) fn record(
    c: &mut Conn,
    scope: &Scope,
    result: &TestResult,
    audit_rec: &AuditRecord,
) -> Result<bool, StoreError> {
    let tx = c.begin()?;
    let exists: i64 = tx.query_row(
        "SELECT COUNT(*) FROM configs WHERE scope = ?1",
        [scope.key()],
        |r| r.get(0),
    )?;
    if exists == 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO last_tests (scope, success, provider, model, status, message, latency_ms, checked_at, lifecycle)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(scope) DO UPDATE SET success = excluded.success, provider = excluded.provider,
             model = excluded.model, status = excluded.status, message = excluded.message,
             latency_ms = excluded.latency_ms, checked_at = excluded.checked_at,
             lifecycle = excluded.lifecycle",
        params![
            scope.key(),
            result.success,
            result.provider,
            result.model,
            result.status.as_str(),
            result.message,
            i64::try_from(result.latency_ms).unwrap_or(i64::MAX),
            fmt_time(result.checked_at),
            lifecycle_text(result),
        ],
    )?;
    audit::append(&tx, audit_rec)?;
    tx.commit()?;
    Ok(true)
}

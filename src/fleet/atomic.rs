//! The one transaction of an `apply --atomic` run: every scope's write, or,
//! when a key test failed, a write fails or the run was cancelled before
//! it, none. The transaction is the run's commit point: a cancel that
//! comes once it started does not stop it.

use super::FleetError;
use super::apply::{ApplyReport, Outcome, ScopeReport, job_row};
use crate::domain::Scope;
use crate::service::jobs::JobLink;
use crate::service::{AdminHandle, BatchFailure, BatchItem, ServiceError};

/// Writes `batch` in one transaction, or, when a key test already failed or
/// one write fails, nothing; a scope that changed since the plan refuses the
/// whole run as stale.
pub(super) async fn write_atomic(
    admin: &AdminHandle,
    batch: Vec<(Scope, BatchItem, ScopeReport)>,
    report: &mut ApplyReport,
    link: &JobLink,
) -> Result<(), FleetError> {
    let mut items = Vec::new();
    let mut lines = Vec::new();
    for (scope, item, line) in batch {
        items.push(item);
        lines.push((scope, line));
    }
    let failure = if link.is_cancelled() {
        Some((
            None,
            "the apply was cancelled before its transaction".to_string(),
        ))
    } else if report.skipped > 0 {
        Some((None, format!("{} key test(s) failed", report.skipped)))
    } else {
        match admin.write_batch(items).await {
            Ok(_) => None,
            Err(BatchFailure {
                error: ServiceError::Changed { scope },
                ..
            }) => {
                return Err(FleetError::Stale {
                    scopes: vec![scope.to_string()],
                });
            }
            Err(f) => Some((f.scope, f.error.to_string())),
        }
    };
    for (scope, line) in lines {
        let outcome = match &failure {
            None => Outcome::Applied,
            Some((Some(scope), error)) if scope.instance_id() == line.instance_id.as_deref() => {
                Outcome::Failed {
                    error: error.clone(),
                }
            }
            Some((scope, error)) => Outcome::RolledBack {
                reason: match scope {
                    Some(scope) => format!("the {scope} failed: {error}"),
                    None => error.clone(),
                },
            },
        };
        let line = ScopeReport { outcome, ..line };
        link.row(job_row(&scope, &line));
        report.push(line);
    }
    Ok(())
}

//! The local store's all-or-nothing batch: every write built exactly as its
//! single-scope operation builds it (same validation, sealing and audit
//! entry), then handed to the store as one transaction. Each update and
//! delete first checks, on the row read inside that transaction, that the
//! scope still has the stamp the caller planned on.

use crate::domain::{Scope, StateStamp};
use crate::service::ServiceError;
use crate::service::batch::{BatchFailure, BatchItem, ScopeWrite};
use crate::store::{AuditRecord, BatchWrite, ConfigRow};

use super::LocalBackend;
use super::configs::UpdateError;

impl LocalBackend {
    /// Writes every item in one transaction, or none of them.
    pub(crate) async fn write_batch(
        &self,
        items: Vec<BatchItem>,
        actor: String,
        master: &crate::crypto::MasterKey,
    ) -> Result<usize, BatchFailure> {
        self.writable("apply")
            .map_err(|error| BatchFailure { scope: None, error })?;
        let mut writes: Vec<BatchWrite<UpdateError>> = Vec::with_capacity(items.len());
        for item in items {
            let BatchItem {
                scope,
                write,
                expected,
            } = item;
            writes.push(match write {
                ScopeWrite::Create(config) => {
                    if expected
                        .as_ref()
                        .is_some_and(|e| *e != StateStamp::of(None))
                    {
                        // The plan saw a config here: it planned an update.
                        return Err(changed(&scope));
                    }
                    let (row, audit) = self
                        .sealed_row(&scope, config, actor.clone(), master)
                        .map_err(|error| BatchFailure {
                            scope: Some(scope.clone()),
                            error,
                        })?;
                    BatchWrite::Insert {
                        row: Box::new(row),
                        audit,
                    }
                }
                ScopeWrite::Update(patch) => {
                    let change = self.change_of(&scope, patch, actor.clone(), master);
                    BatchWrite::Update {
                        scope,
                        change: Box::new(move |row| {
                            still(expected.as_ref(), row)?;
                            change(row)
                        }),
                    }
                }
                ScopeWrite::Delete => BatchWrite::Delete {
                    audit: AuditRecord::new(
                        actor.clone(),
                        &scope,
                        crate::domain::AuditAction::Delete,
                    ),
                    scope,
                    check: Box::new(move |row| still(expected.as_ref(), row)),
                },
            });
        }
        let written = self
            .shared
            .store
            .write_batch(writes)
            .await
            .map_err(|f| match f.scope {
                Some(scope) => BatchFailure {
                    error: f.error.into_service(&scope),
                    scope: Some(scope),
                },
                // Only the transaction's own store errors come without a scope.
                None => BatchFailure {
                    scope: None,
                    error: match f.error {
                        UpdateError::Store(s) => s.into(),
                        other => other.into_service(&Scope::Global),
                    },
                },
            })?;
        tracing::info!(scopes = written, "applied a batch");
        Ok(written)
    }
}

/// `Changed` unless `row` still has the stamp `expected`.
fn still(expected: Option<&StateStamp>, row: &ConfigRow) -> Result<(), UpdateError> {
    match expected {
        Some(e) if *e != StateStamp::of(Some(&row.to_view())) => Err(UpdateError::Changed),
        _ => Ok(()),
    }
}

fn changed(scope: &Scope) -> BatchFailure {
    BatchFailure {
        scope: Some(scope.clone()),
        error: ServiceError::Changed {
            scope: scope.clone(),
        },
    }
}

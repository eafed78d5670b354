//! Undoing a fleet key rotation in the local backend. The whole rollback
//! is one store transaction ([`crate::store::Store::roll_back`]): unless
//! forced, it checks that every scope the rotation swapped (its
//! `rotation_scopes` entries) is still at the swap's version and refuses,
//! naming those that changed and restoring nothing; then it restores each
//! to its version before the swap through the store's restore (a version
//! and an audit entry each, like `llmcfg restore`) and removes the
//! entries. All or nothing: a write racing the rollback is either seen by
//! its check or waits for it, and a rollback stopped half-way has changed
//! nothing, so running it again simply does it.
//!
//! Running a rollback that completed again finds no entries left and
//! reports nothing to roll back (an empty report, exit 0) rather than
//! refusing every scope as changed: the superadmin asked for the state
//! before the rotation, and that is the state the store is in.

use super::LocalBackend;
use crate::domain::Scope;
use crate::service::ServiceError;
use crate::service::rotation::{RollbackReport, RolledBack};
use crate::store::rotations::{RollbackOutcome, RollbackRequest};

impl LocalBackend {
    pub(crate) async fn rollback(
        &self,
        id: &str,
        force: bool,
        actor: String,
    ) -> Result<RollbackReport, ServiceError> {
        self.writable("rollback")?;
        let req = RollbackRequest {
            id: id.to_string(),
            force,
            actor,
        };
        let outcome = self.shared.store.roll_back(req).await;
        let (record, restored) = match outcome {
            Ok(RollbackOutcome::RolledBack { record, restored }) => (record, restored),
            Ok(RollbackOutcome::Unknown) => {
                return Err(ServiceError::NoSuchRotation { id: id.to_string() });
            }
            Ok(RollbackOutcome::Changed(scopes)) => {
                return Err(ServiceError::ChangedSinceRotation {
                    id: id.to_string(),
                    scopes: scopes.iter().map(Scope::to_string).collect(),
                });
            }
            Err(f) => {
                return Err(ServiceError::from_store(
                    f.error,
                    &f.scope.unwrap_or(Scope::Global),
                ));
            }
        };
        let restored: Vec<RolledBack> = restored
            .iter()
            .map(|s| {
                let scope = s.scope()?;
                Ok(RolledBack {
                    instance_id: scope.instance_id().map(str::to_string),
                    restored_version: u64::try_from(s.version_before).unwrap_or_default(),
                })
            })
            .collect::<Result<_, crate::store::StoreError>>()?;
        tracing::info!(
            rotation = id,
            scopes = restored.len(),
            "rolled back a rotation"
        );
        Ok(RollbackReport {
            rotation_id: record.id,
            rotated_at: record.at,
            restored,
        })
    }
}

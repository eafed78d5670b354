//! Undoing a fleet key rotation in the local backend: each scope the
//! rotation swapped (its `rotation_scopes` entries) is restored to its
//! version before the swap through the ordinary restore path, so each
//! restore writes a version and an audit entry like `llmcfg restore`.
//! Unless forced, it first checks that every such scope's newest version
//! is still the swap's, and refuses naming those that changed, restoring
//! nothing.

use super::LocalBackend;
use crate::domain::Scope;
use crate::service::ServiceError;
use crate::service::rotation::{RollbackReport, RolledBack};

impl LocalBackend {
    pub(crate) async fn rollback(
        &self,
        id: &str,
        force: bool,
        actor: String,
    ) -> Result<RollbackReport, ServiceError> {
        self.writable("rollback")?;
        let (record, swapped) = self
            .shared
            .store
            .rotation(id)
            .await?
            .ok_or_else(|| ServiceError::NoSuchRotation { id: id.to_string() })?;
        let mut scopes = Vec::with_capacity(swapped.len());
        for s in swapped {
            let scope = Scope::from_key(&s.scope).map_err(|e| {
                crate::store::StoreError::Corrupt(format!("scope {:?}: {e}", s.scope))
            })?;
            scopes.push((scope, s));
        }
        if !force {
            let mut changed = Vec::new();
            for (scope, s) in &scopes {
                if self.shared.store.newest_version(scope).await? != s.version_after {
                    changed.push(scope.to_string());
                }
            }
            if !changed.is_empty() {
                return Err(ServiceError::ChangedSinceRotation {
                    id: id.to_string(),
                    scopes: changed,
                });
            }
        }
        let mut restored = Vec::with_capacity(scopes.len());
        for (scope, s) in scopes {
            let version = u64::try_from(s.version_before).unwrap_or_default();
            self.restore(&scope, version, actor.clone()).await?;
            restored.push(RolledBack {
                instance_id: scope.instance_id().map(str::to_string),
                restored_version: version,
            });
        }
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

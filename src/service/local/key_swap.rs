//! The swap phase of a fleet key rotation (see `key_rotation.rs`): each
//! passing scope in its own transaction, or with `--atomic` all in one,
//! each transaction re-checking that the row still has the old key and
//! writing the rotation's entry `rollback` finds the scope by. After a
//! cancel no new swap starts; one under way commits.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

use super::LocalBackend;
use super::configs::UpdateError;
use crate::domain::{ApiKey, ConfigPatch, Scope};
use crate::service::ServiceError;
use crate::store::rotations::{KeySwap, RotationRecord};
use crate::store::{BatchChange, ConfigRow, RowUpdate};

impl LocalBackend {
    /// The change a swap makes to a row: the new key, refused unless the
    /// row still has the old one; the audit entry names the rotation.
    fn swap_change(
        &self,
        scope: &Scope,
        rotation: &str,
        new_key: &ApiKey,
        old_fp: &str,
        actor: &str,
        master: &crate::crypto::MasterKey,
    ) -> BatchChange<UpdateError> {
        let patch = ConfigPatch {
            api_key: Some(new_key.clone()),
            ..ConfigPatch::default()
        };
        let change = self.change_of(scope, patch, actor.to_string(), master);
        let (old_fp, detail) = (old_fp.to_string(), format!("rotation {rotation}"));
        Box::new(move |row: &ConfigRow| -> Result<RowUpdate, UpdateError> {
            if row.key_fingerprint != old_fp {
                return Err(UpdateError::Changed);
            }
            let mut update = change(row)?;
            update.audit.detail = Some(detail);
            Ok(update)
        })
    }

    /// Swaps each scope in its own transaction, issued concurrently.
    pub(super) async fn swap_each(
        &self,
        swap: &Swap<'_>,
        scopes: Vec<Scope>,
        concurrency: usize,
        cancel: &CancellationToken,
    ) -> Vec<(Scope, Result<(), ServiceError>)> {
        let Swap {
            rotation,
            new_key,
            old_fp,
            caller: actor,
            master,
        } = *swap;
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for scope in scopes {
            let change = self.swap_change(&scope, &rotation.id, new_key, old_fp, actor, master);
            let (this, id, permits) = (self.clone(), rotation.id.clone(), permits.clone());
            let cancel = cancel.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.expect("never closed");
                // No new swap after a cancel; one under way commits.
                if cancel.is_cancelled() {
                    return None;
                }
                let swap = KeySwap {
                    scope: scope.clone(),
                    change,
                };
                let result = this.swap_keys(&id, vec![swap]).await;
                Some((scope, result))
            });
        }
        let mut out = Vec::new();
        while let Some(done) = tasks.join_next().await {
            if let Ok(Some(result)) = done {
                out.push(result);
            }
        }
        out
    }

    /// Swaps every scope in one transaction with its rotation entries, or
    /// none.
    pub(super) async fn swap_all(
        &self,
        swap: &Swap<'_>,
        mut scopes: Vec<Scope>,
    ) -> Vec<(Scope, Result<(), ServiceError>)> {
        let Swap {
            rotation,
            new_key,
            old_fp,
            caller: actor,
            master,
        } = *swap;
        // In scope order, as every multi-row transaction takes its rows
        // (PostgreSQL locks each as it goes).
        scopes.sort_by(|a, b| a.key().cmp(b.key()));
        let swaps = scopes
            .iter()
            .map(|scope| KeySwap {
                scope: scope.clone(),
                change: self.swap_change(scope, &rotation.id, new_key, old_fp, actor, master),
            })
            .collect();
        let result = self.swap_keys(&rotation.id, swaps).await;
        scopes.into_iter().map(|s| (s, result.clone())).collect()
    }

    /// Runs `swaps` and their rotation entries in one store transaction;
    /// a failure is named by the scope it happened at.
    async fn swap_keys(
        &self,
        rotation: &str,
        swaps: Vec<KeySwap<UpdateError>>,
    ) -> Result<(), ServiceError> {
        // A failure of the transaction itself is the scope's when it is
        // the only one.
        let only = match swaps.as_slice() {
            [one] => one.scope.clone(),
            _ => Scope::Global,
        };
        self.shared
            .store
            .swap_keys(rotation, swaps)
            .await
            .map(|_| ())
            .map_err(|f| f.error.into_service(&f.scope.unwrap_or(only)))
    }
}

/// What every swap of one rotation shares: the rotation, the new key, the
/// old key's fingerprint, who runs it and the master key the actor handed
/// it to seal under.
#[derive(Clone, Copy)]
pub(super) struct Swap<'a> {
    pub(super) rotation: &'a RotationRecord,
    pub(super) new_key: &'a ApiKey,
    pub(super) old_fp: &'a str,
    pub(super) caller: &'a str,
    pub(super) master: &'a crate::crypto::MasterKey,
}

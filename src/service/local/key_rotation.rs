//! Fleet key rotation in the local backend (see [`crate::service::rotation`]).
//!
//! Three phases. *Select*: the scopes whose key has the old fingerprint; a
//! scope already on the new one, swapped by the rotation a re-run
//! continues, is reported and not tested again. *Test*: the new key against
//! each scope's own provider, base URL and model through the same prober
//! path as `llmcfg test` ([`LocalBackend::probe`]), at most `concurrency`
//! at once. *Swap*: each passing scope in its own transaction, which also
//! writes the version, the audit entry (its detail names the rotation) and
//! the rotation's entry for the scope; `--atomic` swaps all, each with its
//! entry, in one transaction or none, so no scope is ever swapped without
//! the entry `rollback` finds it by. Each transaction re-checks the row still has the old key, so a
//! scope changed meanwhile is kept, never overwritten.
//!
//! The swaps are in `key_swap.rs`; undoing a rotation is in `rollback.rs`.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use super::LocalBackend;
use super::key_swap::Swap;
use crate::domain::{ApiKey, TestStatus, ValidationError};
use crate::service::ServiceError;
use crate::service::rotation::{
    OldKey, RotationProgress, RotationReport, RotationRequest, ScopeOutcome, ScopeReport, SwapMode,
};
use crate::store::ConfigRow;
use crate::store::rotations::RotationRecord;

/// Why a scope kept the old key when the rotation was cancelled.
const CANCELLED: &str = "the rotation was cancelled";

/// A scope's test verdict.
struct Tested {
    row: ConfigRow,
    status: TestStatus,
    message: String,
}

impl Tested {
    fn outcome(&self) -> ScopeOutcome {
        match self.status {
            TestStatus::Ok => ScopeOutcome::Passed,
            TestStatus::Unreachable | TestStatus::Timeout => ScopeOutcome::Unreachable,
            _ => ScopeOutcome::Kept,
        }
    }
}

fn report_of(row: &ConfigRow, outcome: ScopeOutcome) -> ScopeReport {
    ScopeReport {
        instance_id: row.scope.instance_id().map(str::to_string),
        provider: row.fields.provider.clone(),
        model: row.fields.model.clone(),
        outcome,
        test_status: None,
        reason: None,
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl LocalBackend {
    pub(crate) async fn rotate_key(
        &self,
        request: RotationRequest,
        actor: String,
        progress: mpsc::UnboundedSender<RotationProgress>,
        master: &crate::crypto::MasterKey,
        cancel: CancellationToken,
    ) -> Result<RotationReport, ServiceError> {
        if request.mode != SwapMode::DryRun {
            self.writable("rotate-key")?;
        }
        let new_key = request.new_key.validated()?;
        let new_fp = self.shared.fingerprints.fingerprint(&new_key);
        let old_fp = match &request.old {
            // Checked here, for every caller (CLI, HTTP, TUI): a key pasted
            // where the fingerprint goes is refused without being repeated
            // in the "no scope uses the key" answer.
            OldKey::Fingerprint(fp) => crate::domain::validation::validate_fingerprint(fp)?,
            OldKey::Key(key) => self.key_fingerprint(key)?,
        };
        if old_fp == new_fp {
            // Only the store's fingerprint key tells the two apart, so it
            // is a conflict with what is stored (HTTP 409), not a rule a
            // schema could state.
            return Err(
                ValidationError::new("api_key", "the new key is the key being replaced")
                    .against_stored()
                    .into(),
            );
        }
        let rows = self.shared.store.all_configs().await?;
        let (affected, on_new): (Vec<ConfigRow>, Vec<ConfigRow>) = rows
            .into_iter()
            .filter(|r| r.key_fingerprint == old_fp || r.key_fingerprint == new_fp)
            .partition(|r| r.key_fingerprint == old_fp);
        if affected.is_empty() && on_new.is_empty() {
            return Err(ServiceError::NoSuchKey {
                fingerprint: old_fp,
            });
        }
        let rotation = self
            .rotation_for(&old_fp, &new_fp, &actor, request.mode)
            .await?;
        let already = match &rotation {
            Some(r) => self.swapped_by(&r.id, on_new).await?,
            None => Vec::new(),
        };
        if affected.is_empty() && already.is_empty() {
            return Err(ServiceError::NoSuchKey {
                fingerprint: old_fp,
            });
        }

        let testing = Instant::now();
        let (tested, untested) = self
            .test_new_key(affected, &new_key, request.concurrency, &progress, &cancel)
            .await;
        let test_ms = millis(testing);
        let _ = progress.send(RotationProgress::Swapping);

        let swapping = Instant::now();
        let mut scopes: Vec<ScopeReport> = already
            .iter()
            .map(|r| report_of(r, ScopeOutcome::AlreadyRotated))
            .collect();
        let all_passed =
            untested.is_empty() && tested.iter().all(|t| t.outcome() == ScopeOutcome::Passed);
        // The atomic swap is one transaction: a cancel before it means no
        // scope is swapped; once it started, it commits whole.
        let cancelled_before_swap = cancel.is_cancelled();
        let swap = rotation.as_ref().map(|rotation| Swap {
            rotation,
            new_key: &new_key,
            old_fp: &old_fp,
            caller: &actor,
            master,
        });
        let swapped = match (&swap, request.mode) {
            (Some(swap), SwapMode::Passed) => {
                let passed = tested
                    .iter()
                    .filter(|t| t.outcome() == ScopeOutcome::Passed)
                    .map(|t| t.row.scope.clone())
                    .collect();
                self.swap_each(swap, passed, request.concurrency, &cancel)
                    .await
            }
            (Some(swap), SwapMode::Atomic) if all_passed && !cancelled_before_swap => {
                let scopes = tested.iter().map(|t| t.row.scope.clone()).collect();
                self.swap_all(swap, scopes).await
            }
            _ => Vec::new(),
        };
        let swap_ms = millis(swapping);

        let mut swapped: std::collections::HashMap<String, Result<(), ServiceError>> = swapped
            .into_iter()
            .map(|(scope, result)| (scope.key().to_string(), result))
            .collect();
        for t in &tested {
            let mut line = report_of(&t.row, t.outcome());
            line.test_status = Some(t.status);
            if line.outcome != ScopeOutcome::Passed {
                line.reason = Some(t.message.clone());
            } else if request.mode == SwapMode::Atomic && (!all_passed || cancelled_before_swap) {
                line.outcome = ScopeOutcome::Kept;
                line.reason = Some(if all_passed || !untested.is_empty() {
                    format!("{CANCELLED} before the swap: no scope was swapped")
                } else {
                    "--atomic: another scope's test failed, so no scope was swapped".into()
                });
            } else if request.mode != SwapMode::DryRun {
                match swapped.remove(t.row.scope.key()) {
                    Some(Ok(())) => line.outcome = ScopeOutcome::Swapped,
                    Some(Err(e)) => {
                        line.outcome = ScopeOutcome::Kept;
                        line.reason = Some(format!("the swap failed: {e}"));
                    }
                    None => {
                        line.outcome = ScopeOutcome::Kept;
                        line.reason = Some(if cancel.is_cancelled() {
                            format!("not swapped: {CANCELLED}")
                        } else {
                            "not swapped".into()
                        });
                    }
                }
            }
            scopes.push(line);
        }
        for row in &untested {
            let mut line = report_of(row, ScopeOutcome::Kept);
            line.reason = Some(format!("not tested: {CANCELLED}"));
            scopes.push(line);
        }
        scopes.sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
        let n_swapped = scopes
            .iter()
            .filter(|s| s.outcome == ScopeOutcome::Swapped)
            .count();
        tracing::info!(
            rotation = rotation.as_ref().map(|r| r.id.as_str()).unwrap_or("-"),
            scopes = scopes.len(),
            swapped = n_swapped,
            "rotated a key"
        );
        Ok(RotationReport {
            rotation_id: rotation.map(|r| r.id),
            old_fingerprint: old_fp,
            new_fingerprint: new_fp,
            mode: request.mode,
            scopes,
            test_ms,
            swap_ms,
        })
    }

    /// The rotation this run records its swaps under: a new one, or the one
    /// from the same old to the same new key a re-run continues. None on a
    /// dry run, which records nothing.
    async fn rotation_for(
        &self,
        old_fp: &str,
        new_fp: &str,
        actor: &str,
        mode: SwapMode,
    ) -> Result<Option<RotationRecord>, ServiceError> {
        if mode == SwapMode::DryRun {
            return Ok(None);
        }
        let candidate = RotationRecord {
            id: uuid::Uuid::new_v4().to_string(),
            at: crate::store::rows_now(),
            actor: actor.to_string(),
            old_fingerprint: old_fp.to_string(),
            new_fingerprint: new_fp.to_string(),
        };
        Ok(Some(self.shared.store.begin_rotation(candidate).await?))
    }

    /// Those of `on_new` that rotation `id` swapped.
    async fn swapped_by(
        &self,
        id: &str,
        on_new: Vec<ConfigRow>,
    ) -> Result<Vec<ConfigRow>, ServiceError> {
        let Some((_, scopes)) = self.shared.store.rotation(id).await? else {
            return Ok(Vec::new());
        };
        Ok(on_new
            .into_iter()
            .filter(|r| scopes.iter().any(|s| s.scope == r.scope.key()))
            .collect())
    }

    /// Tests the new key against each row, at most `concurrency` at once;
    /// after a cancel no new test starts, and the rows never tested come
    /// back second.
    async fn test_new_key(
        &self,
        rows: Vec<ConfigRow>,
        key: &ApiKey,
        concurrency: usize,
        progress: &mpsc::UnboundedSender<RotationProgress>,
        cancel: &CancellationToken,
    ) -> (Vec<Tested>, Vec<ConfigRow>) {
        let _ = progress.send(RotationProgress::Testing { total: rows.len() });
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for row in rows {
            let (this, key, permits) = (self.clone(), key.clone(), permits.clone());
            let cancel = cancel.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire_owned().await.expect("never closed");
                if cancel.is_cancelled() {
                    return Err(row);
                }
                let outcome = this.probe(&row, &key).await;
                Ok(Tested {
                    row,
                    status: outcome.status,
                    message: outcome.message,
                })
            });
        }
        let (mut tested, mut untested) = (Vec::new(), Vec::new());
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(t)) => {
                    let _ = progress.send(RotationProgress::Tested {
                        scope: t.row.scope.clone(),
                        status: t.status,
                        message: t.message.clone(),
                    });
                    tested.push(t);
                }
                Ok(Err(row)) => untested.push(row),
                Err(_) => {}
            }
        }
        (tested, untested)
    }
}

//! The version and key calls of [`ServiceHandle`]: a scope's kept
//! versions and restoring one (the undo), key fingerprints and the key map
//! ("this key leaked — where is it?"), and replacing a key everywhere it is
//! used with its rollback. Apart from the config calls in [`super`]: they
//! work on the history and on keys across scopes, not on one config.

use tokio::sync::mpsc;

use super::{Core, ServiceHandle};
use crate::domain::{ApiKey, ConfigView, KeyGroup, Scope, TestStatus, VersionEntry};
use crate::service::ServiceError;
use crate::service::actor::Command;
use crate::service::jobs::{JobLink, JobRow, RowOutcome, RunningJob};
use crate::service::rotation::{
    RollbackReport, RotationProgress, RotationReport, RotationRequest, ScopeOutcome,
};

impl ServiceHandle {
    /// The newest `limit` kept versions of one scope (or of all when
    /// `None`), newest first.
    pub async fn history(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<VersionEntry>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.history(scope, limit).await,
            Core::Remote(remote) => remote.history(scope, limit).await,
        }
    }

    /// Makes version `version` of `scope` current again (also when the
    /// scope's config was deleted); the restore is itself a new version.
    pub async fn restore(&self, scope: &Scope, version: u64) -> Result<ConfigView, ServiceError> {
        match &self.core {
            Core::Local { actor, .. } => {
                actor
                    .ask(|respond_to| Command::Restore {
                        scope: scope.clone(),
                        version,
                        caller: self.who(),
                        respond_to,
                    })
                    .await
            }
            Core::Remote(remote) => remote.restore(scope, version).await,
        }
    }

    /// The fingerprint `key` has in the store (keyed, so only the store
    /// can compute it); `NotOffered` from a remote without the route.
    pub async fn key_fingerprint(&self, key: &ApiKey) -> Result<String, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.key_fingerprint(key),
            Core::Remote(remote) => remote.key_fingerprint(key).await,
        }
    }

    /// Every key in use, grouped by fingerprint: provider, mask, scope
    /// count, the scopes and the last test of each. Most-used key first.
    pub async fn key_map(&self) -> Result<Vec<KeyGroup>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.key_map().await,
            Core::Remote(remote) => remote.key_map().await,
        }
    }

    /// The fingerprint of `key` and the scopes that use it (`None`: no
    /// scope does): "this key leaked — where is it?".
    pub async fn find_key(&self, key: &ApiKey) -> Result<(String, Option<KeyGroup>), ServiceError> {
        let fingerprint = self.key_fingerprint(key).await?;
        let group = self
            .key_map()
            .await?
            .into_iter()
            .find(|g| g.key_fingerprint == fingerprint);
        Ok((fingerprint, group))
    }

    /// Replaces a key everywhere it is used: tests the new key against each
    /// scope's own provider, base URL and model, then swaps as
    /// `request.mode` says (see [`super::rotation`]). `progress` streams the
    /// tests (a remote server streams nothing). A remote without the
    /// rotation route answers `NotOffered`. Runs as a job; see
    /// [`ServiceHandle::start_rotation`] to follow or cancel it.
    pub async fn rotate_key(
        &self,
        request: RotationRequest,
        progress: mpsc::UnboundedSender<RotationProgress>,
    ) -> Result<RotationReport, ServiceError> {
        self.start_rotation(request, progress).outcome().await
    }

    /// Starts a key rotation as a job of the one job engine: its rows are
    /// the tests of the new key as each finishes; a cancel starts no new
    /// test and no new swap (see [`super::rotation`] for what stays
    /// guaranteed). The rotation's own report is the job's outcome.
    pub fn start_rotation(
        &self,
        request: RotationRequest,
        progress: mpsc::UnboundedSender<RotationProgress>,
    ) -> RunningJob<RotationReport, ServiceError> {
        let h = self.clone();
        self.spawn_job("rotate key", move |link| async move {
            h.run_rotation(request, progress, link).await
        })
    }

    async fn run_rotation(
        &self,
        request: RotationRequest,
        progress: mpsc::UnboundedSender<RotationProgress>,
        link: JobLink,
    ) -> Result<RotationReport, ServiceError> {
        match &self.core {
            Core::Local { actor, .. } => {
                let (tx, mut rx) = mpsc::unbounded_channel();
                let forward = async {
                    while let Some(event) = rx.recv().await {
                        match &event {
                            RotationProgress::Testing { total } => link.started(*total),
                            RotationProgress::Tested {
                                scope,
                                status,
                                message,
                            } => link.row(tested_row(scope, *status, message)),
                            RotationProgress::Swapping => {}
                        }
                        let _ = progress.send(event);
                    }
                };
                let rotate = actor.ask(|respond_to| Command::RotateKey {
                    request,
                    caller: self.who(),
                    progress: tx,
                    cancel: link.cancel_token(),
                    respond_to,
                });
                let (report, ()) = tokio::join!(rotate, forward);
                report
            }
            // A remote server streams no progress and runs the rotation in
            // one request: the rows arrive with its report.
            Core::Remote(remote) => {
                let report = remote.rotate_key(request).await?;
                link.started(report.scopes.len());
                for s in &report.scopes {
                    let Ok(scope) = Scope::from_optional(s.instance_id.as_deref()) else {
                        continue;
                    };
                    let outcome = match (s.outcome, &s.reason) {
                        (ScopeOutcome::Kept | ScopeOutcome::Unreachable, reason) => {
                            RowOutcome::failed(reason.as_deref().unwrap_or(s.outcome.as_str()))
                        }
                        (outcome, _) => RowOutcome::done(outcome.as_str()),
                    };
                    link.row(JobRow { scope, outcome });
                }
                Ok(report)
            }
        }
    }

    /// Restores each scope rotation `id` swapped to its version before the
    /// swap; refuses (naming them) scopes changed since unless `force`.
    pub async fn rollback_rotation(
        &self,
        id: &str,
        force: bool,
    ) -> Result<RollbackReport, ServiceError> {
        match &self.core {
            Core::Local { actor, .. } => {
                actor
                    .ask(|respond_to| Command::Rollback {
                        rotation_id: id.to_string(),
                        force,
                        caller: self.who(),
                        respond_to,
                    })
                    .await
            }
            Core::Remote(remote) => remote.rollback(id.to_string(), force).await,
        }
    }
}

/// A rotation job's row for one test of the new key.
fn tested_row(scope: &Scope, status: TestStatus, message: &str) -> JobRow {
    let outcome = if status == TestStatus::Ok {
        RowOutcome::done("the new key passed")
    } else {
        RowOutcome::failed(format!("{}: {message}", status.as_str()))
    };
    JobRow {
        scope: scope.clone(),
        outcome,
    }
}

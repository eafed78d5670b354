//! Starting, following and cancelling jobs through [`ServiceHandle`].
//! "Test all" asks the backend for its own run (one read of every key
//! locally, the rate-limit pacing remotely) with the job's cancellation
//! token; a bulk job runs its scopes through the handle's own calls, at
//! most `concurrency` at a time. Either way no new scope starts once the
//! job is cancelled, and the scopes already started finish and are
//! reported.

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{
    JobEvent, JobId, JobKind, JobPhase, JobReport, JobRow, JobSpec, JobSummary, JobTicket,
    RowOutcome,
};
use crate::domain::Scope;
use crate::service::handle::Core;
use crate::service::{ServiceError, ServiceHandle, TestProgress};

impl ServiceHandle {
    /// Starts a job in this process; its events arrive on the ticket from
    /// the first. Fails (and records the job as failed) only when the run
    /// cannot start at all, e.g. the scope list cannot be read.
    pub async fn start_job(&self, spec: JobSpec) -> Result<JobTicket, ServiceError> {
        let (id, cancel, events) = self.jobs.open(spec.label(), self.caller());
        let board = self.jobs.clone();
        match spec {
            JobSpec::TestAll { concurrency } => {
                let (progress, mut rx) = mpsc::unbounded_channel();
                let started = self
                    .start_test_all(concurrency.max(1), progress, cancel.clone())
                    .await;
                if let Err(e) = started {
                    board.publish(id, JobEvent::Ended(JobPhase::Failed(e.to_string())));
                    return Err(e);
                }
                tokio::spawn(async move {
                    while let Some(p) = rx.recv().await {
                        board.publish(id, event_of(p));
                    }
                    board.publish(id, JobEvent::Ended(ended(&cancel)));
                });
            }
            JobSpec::Bulk {
                kind,
                scopes,
                concurrency,
            } => {
                board.publish(
                    id,
                    JobEvent::Started {
                        total: scopes.len(),
                    },
                );
                let h = self.clone();
                tokio::spawn(async move {
                    // `take_until` stops handing out scopes at the cancel;
                    // those already handed out finish.
                    let rows = futures_util::stream::iter(scopes)
                        .take_until(cancel.clone().cancelled_owned())
                        .map(|scope| {
                            let (h, kind) = (h.clone(), kind.clone());
                            async move {
                                let outcome = run_one(&h, &kind, &scope).await;
                                JobRow { scope, outcome }
                            }
                        })
                        .buffer_unordered(concurrency.max(1));
                    let mut rows = std::pin::pin!(rows);
                    while let Some(row) = rows.next().await {
                        board.publish(id, JobEvent::Row(row));
                    }
                    board.publish(id, JobEvent::Ended(ended(&cancel)));
                });
            }
        }
        Ok(JobTicket { id, events })
    }

    /// The jobs of this process (running, and the last ended ones), oldest
    /// first.
    pub fn jobs(&self) -> Vec<JobReport> {
        self.jobs.list()
    }

    /// The jobs of this process in one line each (no rows, so cheap to
    /// read every frame), oldest first.
    pub fn job_summaries(&self) -> Vec<JobSummary> {
        self.jobs.summaries()
    }

    /// One job's report as it stands.
    pub fn job(&self, id: JobId) -> Option<JobReport> {
        self.jobs.get(id)
    }

    /// A job's report as it stands and its events from there on; the
    /// channel closes when the job ends (at once if it has).
    pub fn follow_job(&self, id: JobId) -> Option<(JobReport, mpsc::UnboundedReceiver<JobEvent>)> {
        self.jobs.follow(id)
    }

    /// Cancels a job: no new scope starts. Its phase at the cancel, or
    /// `None` for an unknown id.
    pub fn cancel_job(&self, id: JobId) -> Option<JobPhase> {
        self.jobs.cancel(id)
    }

    /// Starts the backend's own run over every configured scope.
    async fn start_test_all(
        &self,
        concurrency: usize,
        progress: mpsc::UnboundedSender<TestProgress>,
        cancel: CancellationToken,
    ) -> Result<(), ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => {
                reads
                    .start_test_all(concurrency, self.caller().to_string(), progress, cancel)
                    .await
            }
            Core::Remote(remote) => remote.start_test_all(concurrency, progress, cancel).await,
        }
    }
}

fn ended(cancel: &CancellationToken) -> JobPhase {
    if cancel.is_cancelled() {
        JobPhase::Cancelled
    } else {
        JobPhase::Done
    }
}

fn event_of(progress: TestProgress) -> JobEvent {
    match progress {
        TestProgress::Started { total } => JobEvent::Started { total },
        TestProgress::Finished { scope, result } => JobEvent::Row(JobRow {
            scope,
            outcome: match result {
                Ok(result) => RowOutcome::Tested { result },
                Err(e) => RowOutcome::Failed {
                    message: e.to_string(),
                },
            },
        }),
        TestProgress::Waiting { wait } => JobEvent::Waiting { wait },
    }
}

async fn run_one(h: &ServiceHandle, kind: &JobKind, scope: &Scope) -> RowOutcome {
    let result = match kind {
        JobKind::Test => {
            return match h.test_connection(scope).await {
                Ok(result) => RowOutcome::Tested { result },
                Err(e) => RowOutcome::Failed {
                    message: e.to_string(),
                },
            };
        }
        JobKind::Delete => h.delete(scope).await.map(|()| "deleted".to_string()),
        JobKind::Patch(patch) => h
            .update(scope, patch.clone())
            .await
            .map(|v| format!("now {} · {}", v.provider, v.model)),
    };
    match result {
        Ok(message) => RowOutcome::Done { message },
        Err(e) => RowOutcome::Failed {
            message: e.to_string(),
        },
    }
}

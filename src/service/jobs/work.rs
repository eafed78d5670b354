//! Jobs whose work is not the engine's own: a key rotation, a fleet apply.
//! The caller hands [`ServiceHandle::spawn_job`] its work; the work gets a
//! [`JobLink`] to say how many scopes it has, report each as it finishes
//! and learn of a cancel, and the engine records the job on the board like
//! any other (listed, followed and cancelled the same way). What "no new
//! scope starts after the cancel" means is the work's to keep, since only
//! it knows where its commit points are.

use std::fmt::Display;
use std::future::Future;

use tokio_util::sync::CancellationToken;

use super::{JobBoard, JobEvent, JobId, JobPhase, JobRow, JobTicket};
use crate::service::{ServiceError, ServiceHandle};

/// A running job's own end of the board.
#[derive(Clone)]
pub struct JobLink {
    id: JobId,
    board: JobBoard,
    cancel: CancellationToken,
}

impl JobLink {
    /// The job's id.
    pub fn id(&self) -> JobId {
        self.id
    }

    /// The number of scopes is known.
    pub fn started(&self, total: usize) {
        self.board.publish(self.id, JobEvent::Started { total });
    }

    /// One scope finished.
    pub fn row(&self, row: JobRow) {
        self.board.publish(self.id, JobEvent::Row(row));
    }

    /// Whether the job was cancelled: start no new scope.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The token that fires at the cancel, for `take_until` and `select!`.
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// A job spawned with its work: its ticket (id and events) and the work's
/// own result.
pub struct RunningJob<T, E> {
    /// The id and the events, from the first.
    pub ticket: JobTicket,
    task: tokio::task::JoinHandle<Result<T, E>>,
}

impl<T, E: From<ServiceError>> RunningJob<T, E> {
    /// Waits for the work's result. A panic in the work is the caller's
    /// panic; a runtime shutting down under it is `Stopped`.
    pub async fn outcome(self) -> Result<T, E> {
        match self.task.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => Err(ServiceError::Stopped.into()),
        }
    }
}

impl ServiceHandle {
    /// Starts `work` as a job labelled `label` on this process's board.
    /// The job ends `Done`, `Cancelled` (when cancelled before its last
    /// scope) or `Failed` with the work's error.
    pub fn spawn_job<T, E, F, Fut>(&self, label: &'static str, work: F) -> RunningJob<T, E>
    where
        F: FnOnce(JobLink) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: Display + Send + 'static,
    {
        let (id, cancel, events) = self.jobs.open(label, self.caller());
        let link = JobLink {
            id,
            board: self.jobs.clone(),
            cancel: cancel.clone(),
        };
        let board = self.jobs.clone();
        let work = work(link);
        let task = tokio::spawn(async move {
            let result = work.await;
            let phase = match &result {
                Err(e) => JobPhase::Failed(e.to_string()),
                Ok(_) if cancel.is_cancelled() => JobPhase::Cancelled,
                Ok(_) => JobPhase::Done,
            };
            board.publish(id, JobEvent::Ended(phase));
            result
        });
        RunningJob {
            ticket: JobTicket { id, events },
            task,
        }
    }
}

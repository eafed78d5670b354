//! The board of this process's jobs: each job's report as it stands, its
//! cancellation token and its followers. Shared by every clone of a
//! handle, local or remote, so it is state beside the actor rather than in
//! it (a remote backend has no actor). Like mini-redis's `Db`, it sits
//! behind a std `Mutex`: every critical section is a few map and vector
//! operations and never awaits, so an async lock would only cost more.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{JobEvent, JobId, JobPhase, JobReport, JobSummary};

/// How many ended jobs are kept for their reports; older ones are dropped.
const KEPT_ENDED: usize = 32;

/// This process's jobs.
#[derive(Clone, Default)]
pub(crate) struct JobBoard {
    table: Arc<Mutex<Table>>,
}

#[derive(Default)]
struct Table {
    next: u64,
    jobs: BTreeMap<JobId, Entry>,
}

struct Entry {
    report: JobReport,
    cancel: CancellationToken,
    followers: Vec<mpsc::UnboundedSender<JobEvent>>,
}

impl JobBoard {
    fn table(&self) -> MutexGuard<'_, Table> {
        // A panic while the lock was held left plain data behind: use it.
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Opens a running job; the receiver is its first follower.
    pub(crate) fn open(
        &self,
        label: &'static str,
        caller: &str,
    ) -> (JobId, CancellationToken, mpsc::UnboundedReceiver<JobEvent>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let mut table = self.table();
        table.next += 1;
        let id = JobId(table.next);
        table.jobs.insert(
            id,
            Entry {
                report: JobReport {
                    id,
                    label,
                    caller: caller.to_string(),
                    total: 0,
                    rows: Vec::new(),
                    phase: JobPhase::Running,
                },
                cancel: cancel.clone(),
                followers: vec![tx],
            },
        );
        (id, cancel, rx)
    }

    /// Records `event` in the job's report and passes it to its followers.
    /// An `Ended(Cancelled)` of a job whose every scope finished is `Done`.
    pub(crate) fn publish(&self, id: JobId, event: JobEvent) {
        let mut table = self.table();
        let Some(entry) = table.jobs.get_mut(&id) else {
            return;
        };
        let event = match event {
            JobEvent::Started { total } => {
                entry.report.total = total;
                JobEvent::Started { total }
            }
            JobEvent::Row(row) => {
                entry.report.rows.push(row.clone());
                JobEvent::Row(row)
            }
            JobEvent::Ended(phase) => {
                let all_ran = entry.report.rows.len() >= entry.report.total;
                let phase = match phase {
                    JobPhase::Cancelled if all_ran => JobPhase::Done,
                    other => other,
                };
                entry.report.phase = phase.clone();
                JobEvent::Ended(phase)
            }
            waiting @ JobEvent::Waiting { .. } => waiting,
        };
        let ended = matches!(event, JobEvent::Ended(_));
        entry.followers.retain(|f| f.send(event.clone()).is_ok());
        if ended {
            // Closing every follower's channel ends its stream.
            entry.followers.clear();
            prune(&mut table);
        }
    }

    /// Every job kept, oldest first.
    pub(crate) fn list(&self) -> Vec<JobReport> {
        self.table()
            .jobs
            .values()
            .map(|e| e.report.clone())
            .collect()
    }

    /// Every job kept, oldest first, without their rows.
    pub(crate) fn summaries(&self) -> Vec<JobSummary> {
        self.table()
            .jobs
            .values()
            .map(|e| JobSummary::of(&e.report))
            .collect()
    }

    /// One job's report.
    pub(crate) fn get(&self, id: JobId) -> Option<JobReport> {
        self.table().jobs.get(&id).map(|e| e.report.clone())
    }

    /// The job's report as it stands and its events from there on (a
    /// closed channel when it has ended).
    pub(crate) fn follow(
        &self,
        id: JobId,
    ) -> Option<(JobReport, mpsc::UnboundedReceiver<JobEvent>)> {
        let mut table = self.table();
        let entry = table.jobs.get_mut(&id)?;
        let (tx, rx) = mpsc::unbounded_channel();
        if !entry.report.phase.ended() {
            entry.followers.push(tx);
        }
        Some((entry.report.clone(), rx))
    }

    /// Cancels the job: no new scope starts. Answers its phase then, or
    /// `None` for an unknown id.
    pub(crate) fn cancel(&self, id: JobId) -> Option<JobPhase> {
        let table = self.table();
        let entry = table.jobs.get(&id)?;
        entry.cancel.cancel();
        Some(entry.report.phase.clone())
    }
}

/// Drops the oldest ended jobs beyond [`KEPT_ENDED`].
fn prune(table: &mut Table) {
    let ended: Vec<JobId> = table
        .jobs
        .iter()
        .filter(|(_, e)| e.report.phase.ended())
        .map(|(id, _)| *id)
        .collect();
    for id in ended.iter().take(ended.len().saturating_sub(KEPT_ENDED)) {
        table.jobs.remove(id);
    }
}

//! Running a job over many scopes: at most `concurrency` service calls at a
//! time, one [`AppEvent::JobRow`] per finished scope, cancellable. Cancel
//! aborts the driver task, so no new scope starts; the few already sent
//! finish in the service (and are audited) but are not waited for. "Test
//! all" and every bulk action share this one runner.

use futures_util::StreamExt;

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::service::ServiceHandle;
use crate::tui::event::AppEvent;
use crate::tui::job::{JobKind, JobRow, JobState, Phase, RowOutcome};
use crate::tui::screens::Screen;
use crate::tui::screens::results::ResultsView;
use crate::tui::widgets::confirm::ConfirmKind;
use crate::tui::widgets::toast::Level;

/// A run over more scopes than this asks first.
pub const CONFIRM_OVER: usize = 100;

impl App {
    /// Starts `kind` over `scopes`, asking first when there are many.
    pub(super) fn ask_job(&mut self, kind: JobKind, scopes: Vec<Scope>, all: bool) {
        if scopes.is_empty() {
            self.toast(Level::Info, "nothing to run: no configured scope");
        } else if scopes.len() > CONFIRM_OVER {
            self.confirm(ConfirmKind::RunTests { scopes, all });
        } else {
            self.start_job(kind, scopes, all);
        }
    }

    /// Runs `kind` over `scopes` and opens its results view.
    pub(super) fn start_job(&mut self, kind: JobKind, scopes: Vec<Scope>, all: bool) {
        if self.state.job.as_ref().is_some_and(|j| j.running()) {
            let running = self
                .state
                .job
                .as_ref()
                .map(|j| j.summary())
                .unwrap_or_default();
            self.toast(
                Level::Info,
                format!("a run is under way ({running}); v shows it, Esc there cancels it"),
            );
            return;
        }
        let generation = self.next_generation();
        self.state.job = Some(JobState::new(generation, &kind, all, scopes.len()));
        self.state.screen = Screen::Results(ResultsView::default());
        let (h, tx, n) = (self.handle.clone(), self.tx.clone(), self.concurrency);
        self.spawn(Some(TaskKey::Job), async move {
            let mut rows = futures_util::stream::iter(scopes)
                .map(|scope| {
                    let (h, kind) = (h.clone(), kind.clone());
                    async move {
                        let outcome = run_one(&h, &kind, &scope).await;
                        JobRow { scope, outcome }
                    }
                })
                .buffer_unordered(n);
            while let Some(row) = rows.next().await {
                let _ = tx.send(AppEvent::JobRow { generation, row });
            }
            AppEvent::JobDone { generation }
        });
    }

    /// Stops the running job: no new scope starts.
    pub(super) fn cancel_job(&mut self) {
        self.abort(&TaskKey::Job);
        let Some(job) = &mut self.state.job else {
            return;
        };
        job.phase = Phase::Cancelled;
        let text = format!(
            "{} cancelled: {} of {} finished",
            job.label,
            job.rows.len(),
            job.total
        );
        self.toast(Level::Info, text);
        self.reload(self.state.scope());
    }

    pub(super) fn on_job_row(&mut self, generation: u64, row: JobRow) {
        let Some(job) = self
            .state
            .job
            .as_mut()
            .filter(|j| j.generation == generation && j.running())
        else {
            return;
        };
        if let RowOutcome::Tested(t) = &row.outcome {
            self.state.list.record_test(&row.scope, t);
        }
        job.record(row);
    }

    pub(super) fn on_job_done(&mut self, generation: u64) {
        let Some(job) = self
            .state
            .job
            .as_mut()
            .filter(|j| j.generation == generation && j.running())
        else {
            return;
        };
        job.phase = Phase::Done;
        self.tasks.remove(&TaskKey::Job);
        let failed = job.failures();
        let text = format!(
            "{} finished: {} scopes, {failed} failed; v shows the report",
            job.label, job.total
        );
        // The marks stay (a bulk test of what was just changed is one key
        // away); Esc clears them.
        self.toast(if failed == 0 { Level::Ok } else { Level::Error }, text);
        self.reload(self.state.scope());
    }
}

async fn run_one(h: &ServiceHandle, kind: &JobKind, scope: &Scope) -> RowOutcome {
    let result = match kind {
        JobKind::Test => {
            return match h.test_connection(scope).await {
                Ok(t) => RowOutcome::Tested(t),
                Err(e) => RowOutcome::Failed(e.to_string()),
            };
        }
        JobKind::Delete => h.delete(scope).await.map(|()| "deleted".to_string()),
        JobKind::Patch(patch) => h
            .update(scope, patch.clone())
            .await
            .map(|v| format!("now {} · {}", v.provider, v.model)),
    };
    match result {
        Ok(done) => RowOutcome::Done(done),
        Err(e) => RowOutcome::Failed(e.to_string()),
    }
}

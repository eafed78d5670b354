//! Running a job over many scopes through the service's one job engine
//! ([`crate::service::jobs`]): the app starts it, and a task follows its
//! events back as one [`AppEvent::JobRow`] per finished scope. Cancel tells
//! the service, so no new scope starts; the few already started finish in
//! the service (and are audited) but are not waited for. "Test all" and
//! every bulk action are the same kind of job. `J` lists every job of
//! the process (its own runs, a key rotation) and cancels the selected one.

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::service::jobs::{JobEvent, JobId, JobSpec};
use crate::tui::action::Action;
use crate::tui::event::AppEvent;
use crate::tui::job::{JobKind, JobRow, JobState, Phase, RowOutcome};
use crate::tui::screens::Screen;
use crate::tui::screens::jobs::JobsView;
use crate::tui::screens::results::ResultsView;
use crate::tui::state::Popup;
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
        let spec = JobSpec::Bulk {
            kind,
            scopes,
            concurrency: n,
        };
        self.spawn(Some(TaskKey::Job), async move {
            let mut events = match h.start_job(spec).await {
                Ok(ticket) => {
                    let result = Ok(ticket.id);
                    let _ = tx.send(AppEvent::JobStarted { generation, result });
                    ticket.events
                }
                Err(e) => {
                    let result = Err(e.to_string());
                    return AppEvent::JobStarted { generation, result };
                }
            };
            while let Some(event) = events.recv().await {
                if let JobEvent::Row(row) = event {
                    let _ = tx.send(AppEvent::JobRow { generation, row });
                }
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
        if let Some(id) = job.service_id {
            self.handle.cancel_job(id);
        }
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

    pub(super) fn on_job_started(&mut self, generation: u64, result: Result<JobId, String>) {
        let Some(job) = self
            .state
            .job
            .as_mut()
            .filter(|j| j.generation == generation)
        else {
            return;
        };
        match result {
            Ok(id) => {
                job.service_id = Some(id);
                // Cancelled before the service answered: cancel it there too.
                if job.phase == Phase::Cancelled {
                    self.handle.cancel_job(id);
                }
            }
            Err(e) => {
                job.phase = Phase::Failed(e);
                self.tasks.remove(&TaskKey::Job);
            }
        }
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
        if let RowOutcome::Tested { result } = &row.outcome {
            self.state.list.record_test(&row.scope, result);
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

    /// `J`: the jobs of this process.
    pub(super) fn open_jobs(&mut self) {
        self.state.screen = Screen::Jobs(JobsView::new(self.handle.job_summaries()));
    }

    /// Reads the jobs again for the jobs screen, when it is shown (before
    /// each frame: the list is a few lines from the service's board).
    pub(super) fn refresh_jobs(&mut self) {
        if let Screen::Jobs(view) = &mut self.state.screen {
            view.update(self.handle.job_summaries());
        }
    }

    /// A key on the jobs screen.
    pub(super) fn jobs_action(&mut self, action: Action) {
        let page = self.page();
        let Screen::Jobs(view) = &mut self.state.screen else {
            return;
        };
        match action {
            Action::Up => view.move_by(-1),
            Action::Down => view.move_by(1),
            Action::PageUp => view.move_by(-page),
            Action::PageDown => view.move_by(page),
            Action::Top => view.move_by(isize::MIN / 2),
            Action::Bottom => view.move_by(isize::MAX / 2),
            Action::CancelJob => match view.cancellable() {
                Some(id) => self.cancel_listed_job(id),
                None => self.toast(Level::Info, "the selected job is not running"),
            },
            Action::Back => self.state.screen = Screen::Main,
            Action::Quit => self.request_quit(),
            Action::Help => self.open_help(),
            Action::Messages => self.state.popup = Some(Popup::Messages { scroll: 0 }),
            Action::Picker => self.open_picker(),
            _ => {}
        }
    }

    /// Cancels job `id`: the TUI's own run through its results state, any
    /// other job (a rotation, say) through the service alone.
    fn cancel_listed_job(&mut self, id: JobId) {
        let own = self
            .state
            .job
            .as_ref()
            .is_some_and(|j| j.running() && j.service_id == Some(id));
        if own {
            self.cancel_job();
        } else if self.handle.cancel_job(id).is_some() {
            self.toast(
                Level::Info,
                format!("job {id} cancelled: no new scope starts, those under way finish"),
            );
        }
        self.refresh_jobs();
    }
}

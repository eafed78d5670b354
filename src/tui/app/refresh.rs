//! Auto-refresh: on a slow timer the app asks the service for its change
//! mark (one cheap query) and reloads the list only when the mark moved,
//! e.g. after a CLI write in another terminal. A backend without a mark
//! (remote) turns auto-refresh off; `R` still reloads by hand.

use std::time::{Duration, Instant};

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::service::{ChangeMark, ServiceError, ServiceHandle};
use crate::tui::event::{AppEvent, HealthUpdate};

/// Recent results in the detail pane's sparkline.
pub const SPARK_POINTS: usize = 48;

/// How often the change mark is polled.
pub const CHANGE_POLL: Duration = Duration::from_secs(2);

impl App {
    /// Whether the loop should run the change-mark timer.
    pub fn polls_changes(&self) -> bool {
        self.state.auto_refresh
    }

    /// Asks for the change mark (one request in flight at most), and for
    /// the health board when monitor results arrived.
    pub fn poll_changes(&mut self) {
        self.poll_health();
        if self.tasks.contains_key(&TaskKey::ChangeMark) {
            return;
        }
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::ChangeMark), async move {
            AppEvent::ChangeMark {
                result: h.change_mark().await,
            }
        });
    }

    pub(super) fn on_change_mark(&mut self, result: Result<Option<ChangeMark>, ServiceError>) {
        self.tasks.remove(&TaskKey::ChangeMark);
        match result {
            Ok(None) => self.state.auto_refresh = false,
            Ok(Some(mark)) => {
                // The first mark only sets the baseline: the list was just loaded.
                // A running job records its own rows and reloads when done.
                let job_running = self.state.job.as_ref().is_some_and(|j| j.running());
                if self.mark.is_some_and(|old| old != mark) && !job_running {
                    self.reload(self.state.scope());
                }
                self.mark = Some(mark);
            }
            // A failed poll is retried on the next tick; the list load
            // reports store errors.
            Err(e) => tracing::debug!(error = %e, "change mark"),
        }
    }

    /// Follows the monitor's health. Monitor results have their own mark,
    /// so they never reload the list or touch the audit log. When the mark
    /// moved, the whole board (every scope's state) is re-read, but at most
    /// as often as [`super::paced`] allows; otherwise, and when only the
    /// selection moved, just the focus's recent results are (one indexed
    /// query): moving through 100,000 scopes re-reads nothing else.
    pub fn poll_health(&mut self) {
        if self.tasks.contains_key(&TaskKey::Health) {
            return;
        }
        let focus = self.state.scope();
        let known = self
            .state
            .health
            .as_ref()
            .map(|b| (b.mark, b.focus.clone()));
        let full_due = self.health_pace.is_due();
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Health), async move {
            let result = health_update(&h, known, focus, full_due).await;
            AppEvent::HealthLoaded { result }
        });
    }

    pub(super) fn on_health(&mut self, result: Result<HealthUpdate, ServiceError>) {
        self.tasks.remove(&TaskKey::Health);
        match result {
            Ok(HealthUpdate::Board { board, took }) => {
                self.health_pace.ran(took);
                self.state.health = Some(board);
            }
            Ok(HealthUpdate::Recent { focus, recent }) => {
                // The states and the mark stay: the full read is still owed.
                if let Some(board) = &mut self.state.health {
                    board.focus = focus;
                    board.recent = recent;
                }
            }
            Ok(HealthUpdate::Unchanged) => {}
            Err(e) => tracing::debug!(error = %e, "health board"),
        }
    }
}

/// What changed of the health since the board `known` (its mark and
/// focus) was read, for the selection `focus`.
async fn health_update(
    h: &ServiceHandle,
    known: Option<(i64, Option<Scope>)>,
    focus: Option<Scope>,
    full_due: bool,
) -> Result<HealthUpdate, ServiceError> {
    let Some(mark) = h.health_mark().await? else {
        return Ok(HealthUpdate::Unchanged);
    };
    let Some((known_mark, known_focus)) = known else {
        return full_board(h, focus).await;
    };
    if known_mark != mark && full_due {
        return full_board(h, focus).await;
    }
    if known_mark == mark && known_focus == focus {
        return Ok(HealthUpdate::Unchanged);
    }
    let recent = match &focus {
        Some(scope) => h.health_recent(scope, SPARK_POINTS).await?,
        None => Some(Vec::new()),
    };
    Ok(match recent {
        Some(recent) => HealthUpdate::Recent { focus, recent },
        None => HealthUpdate::Unchanged,
    })
}

/// The whole board, timed.
async fn full_board(h: &ServiceHandle, focus: Option<Scope>) -> Result<HealthUpdate, ServiceError> {
    let started = Instant::now();
    Ok(match h.health_board(focus.as_ref(), SPARK_POINTS).await? {
        Some(board) => HealthUpdate::Board {
            board,
            took: started.elapsed(),
        },
        None => HealthUpdate::Unchanged,
    })
}

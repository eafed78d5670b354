//! Auto-refresh: on a slow timer the app asks the service for its change
//! mark (one cheap query) and reloads the list only when the mark moved,
//! e.g. after a CLI write in another terminal. A backend without a mark
//! (remote) turns auto-refresh off; `R` still reloads by hand.

use std::time::Duration;

use super::{App, TaskKey};
use crate::service::{ChangeMark, ServiceError};
use crate::tui::event::AppEvent;

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

    /// Reloads the health board when the health mark moved or another scope
    /// is selected. Monitor results have their own mark, so they never
    /// reload the list or touch the audit log.
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
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Health), async move {
            let result = async {
                let Some(mark) = h.health_mark().await? else {
                    return Ok(None);
                };
                if known == Some((mark, focus.clone())) {
                    return Ok(None);
                }
                h.health_board(focus.as_ref(), SPARK_POINTS).await
            }
            .await;
            AppEvent::HealthLoaded { result }
        });
    }

    pub(super) fn on_health(
        &mut self,
        result: Result<Option<crate::service::HealthBoard>, ServiceError>,
    ) {
        self.tasks.remove(&TaskKey::Health);
        match result {
            Ok(Some(board)) => self.state.health = Some(board),
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "health board"),
        }
    }
}

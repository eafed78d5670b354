//! Auto-refresh: on a slow timer the app asks the service for its change
//! mark (one cheap query) and reloads the list only when the mark moved,
//! e.g. after a CLI write in another terminal. A backend without a mark
//! (remote) turns auto-refresh off; `R` still reloads by hand.

use std::time::Duration;

use super::{App, TaskKey};
use crate::service::{ChangeMark, ServiceError};
use crate::tui::event::AppEvent;

/// How often the change mark is polled.
pub const CHANGE_POLL: Duration = Duration::from_secs(2);

impl App {
    /// Whether the loop should run the change-mark timer.
    pub fn polls_changes(&self) -> bool {
        self.state.auto_refresh
    }

    /// Asks for the change mark (one request in flight at most).
    pub fn poll_changes(&mut self) {
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
}

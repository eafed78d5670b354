//! Keeping the drift marks current: the list is compared with the `[fleet]
//! file` after every reload (so after each write, here or in another
//! process), one comparison at a time. A comparison reads every scope, so a
//! reload that lands while one runs does not restart it (at 100,000 scopes
//! a stream of writes would restart it forever): it asks for one more
//! comparison after it, paced by [`super::paced`].

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::tui::drift::{self, DriftMarks};
use crate::tui::event::AppEvent;

impl App {
    /// Marks drift against the fleet file at `path` from now on.
    pub fn set_fleet_file(&mut self, path: PathBuf) {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        self.state.drift = Some(DriftMarks {
            file,
            ..DriftMarks::default()
        });
        self.fleet_file = Some(path);
        self.compare_drift();
    }

    /// Compares the service's state with the fleet file, if one is set;
    /// while a comparison runs, asks for one more after it.
    pub(super) fn compare_drift(&mut self) {
        let Some(path) = self.fleet_file.clone() else {
            return;
        };
        if self.tasks.contains_key(&TaskKey::Drift) {
            self.drift_again = true;
            return;
        }
        self.drift_again = false;
        let wait = self.drift_pace.wait();
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Drift), async move {
            // Zero unless the last comparison was slow and recent.
            tokio::time::sleep(wait).await;
            let started = Instant::now();
            let result = drift::compare(&h, &path).await;
            AppEvent::DriftCompared {
                result,
                took: started.elapsed(),
            }
        });
    }

    pub(super) fn on_drift(&mut self, result: Result<HashSet<Scope>, String>, took: Duration) {
        self.tasks.remove(&TaskKey::Drift);
        self.drift_pace.ran(took);
        if self.drift_again {
            // The store changed while this one ran: its marks may be stale.
            self.compare_drift();
        }
        let Some(marks) = &mut self.state.drift else {
            return;
        };
        match result {
            Ok(drifted) => {
                marks.drifted = drifted;
                marks.error = None;
            }
            Err(e) => {
                // Said once per new error, not on every reload.
                if marks.error.as_deref() != Some(e.as_str()) {
                    self.toast(
                        crate::tui::widgets::toast::Level::Error,
                        format!("fleet file: {e}"),
                    );
                }
                if let Some(marks) = &mut self.state.drift {
                    marks.error = Some(e);
                }
            }
        }
    }
}

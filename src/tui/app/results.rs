//! Applying the results of service calls: every [`AppEvent`] a spawned task
//! sends back lands here, and results that are stale (an older test, a scope
//! the user left, a run that was replaced) are dropped by their tags.

use super::{App, TaskKey};
use crate::service::ServiceError;
use crate::tui::event::AppEvent;
use crate::tui::screens::Screen;
use crate::tui::screens::form::LiveModels;
use crate::tui::state::{Connection, ListCoverage, Popup};
use crate::tui::widgets::toast::Level;
use time::OffsetDateTime;

impl App {
    /// An open picker ranks indices into the list: after the list changed,
    /// it ranks again.
    fn refresh_picker(&mut self) {
        if let Some(Popup::Picker(p)) = &mut self.state.popup {
            p.refresh(&self.state.list, &self.state.recent);
        }
    }

    /// Handles a result from a spawned task.
    pub fn on_app_event(&mut self, event: AppEvent) {
        self.state.now = OffsetDateTime::now_utc();
        match event {
            AppEvent::InstancesLoaded { result, select } => {
                self.state.loading = false;
                match result {
                    Ok(list) => {
                        self.state.connection = Connection::Ok;
                        self.compare_drift();
                        let keep = select.or_else(|| self.state.scope());
                        self.state.list.set_entries(list, keep.as_ref());
                        self.state.coverage = ListCoverage::Whole;
                        if self.state.auto_refresh && self.state.health.is_none() {
                            // The first list is up: now the health column.
                            self.poll_health();
                        }
                        self.refresh_picker();
                    }
                    Err(e) => {
                        self.state.connection = match &e {
                            ServiceError::Unauthorized(m) | ServiceError::Forbidden(m) => {
                                Connection::Unauthorized(m.clone())
                            }
                            ServiceError::Remote(m) => Connection::Disconnected(m.clone()),
                            _ => Connection::Ok,
                        };
                        self.toast(Level::Error, format!("cannot load instances: {e}"));
                    }
                }
            }
            // Only while nothing whole is shown: a reload that answered
            // first has the newer list.
            AppEvent::FirstRowsLoaded { rows } if self.state.loading => {
                self.state.connection = Connection::Ok;
                let keep = self.state.scope();
                self.state.list.set_entries(rows, keep.as_ref());
                self.state.coverage = ListCoverage::FirstRows;
                self.refresh_picker();
            }
            AppEvent::FirstRowsLoaded { .. } => {}
            AppEvent::TestFinished {
                scope,
                generation,
                result,
            } => {
                if !self.state.tests.finish(&scope, generation) {
                    return;
                }
                self.tasks.remove(&TaskKey::Test(scope.clone()));
                match result {
                    Ok(t) => {
                        self.state.list.record_test(&scope, &t);
                        let level = if t.success { Level::Ok } else { Level::Error };
                        self.toast(level, format!("{scope}: {}", t.message));
                    }
                    Err(e) => self.toast(Level::Error, format!("{scope}: test failed: {e}")),
                }
            }
            AppEvent::JobStarted { generation, result } => self.on_job_started(generation, result),
            AppEvent::JobRow { generation, row } => self.on_job_row(generation, row),
            AppEvent::JobDone { generation } => self.on_job_done(generation),
            AppEvent::ChangeMark { result } => self.on_change_mark(result),
            AppEvent::HealthLoaded { result } => self.on_health(result),
            AppEvent::Saved { scope, result } => match result {
                Ok(_) => {
                    self.state.screen = Screen::Main;
                    self.state.touch_recent(&scope);
                    self.toast(Level::Ok, format!("saved the configuration of the {scope}"));
                    self.reload(Some(scope));
                }
                Err(e) => {
                    if let Screen::Form(form) = &mut self.state.screen {
                        match &e {
                            ServiceError::Invalid(v) => form.refuse(v),
                            other => {
                                form.saving = false;
                                form.status = Some(format!("Cannot save: {other}"));
                            }
                        }
                    }
                }
            },
            AppEvent::Deleted { scope, result } => match result {
                Ok(()) => {
                    self.toast(
                        Level::Ok,
                        format!("deleted the configuration of the {scope}; AI features stay disabled until a new one is created"),
                    );
                    self.reload(Some(scope));
                }
                Err(e) => self.toast(Level::Error, format!("delete failed: {e}")),
            },
            AppEvent::InstanceAdded { scope, result } => match result {
                Ok(()) => {
                    self.toast(Level::Ok, format!("added the {scope}"));
                    self.state.touch_recent(&scope);
                    self.reload(Some(scope));
                }
                Err(e) => self.toast(Level::Error, format!("cannot add instance: {e}")),
            },
            AppEvent::AuditLoaded { scope, result } => {
                self.tasks.remove(&TaskKey::Audit);
                if let Screen::Audit(a) = &mut self.state.screen
                    && a.scope == scope
                {
                    a.entries = Some(result.map_err(|e| e.to_string()));
                }
            }
            AppEvent::ModelsLoaded { generation, result } => {
                if let Screen::Form(form) = &mut self.state.screen
                    && form.live == (LiveModels::Loading { generation })
                {
                    form.live = match result {
                        Ok(models) => LiveModels::Loaded(models),
                        Err(e) => LiveModels::Failed(e.to_string()),
                    };
                }
            }
            AppEvent::ToastExpired { id } => self.state.toasts.expire(id),
            AppEvent::DriftCompared { result, took } => self.on_drift(result, took),
            AppEvent::VersionsLoaded { scope, result } => self.on_versions(scope, result),
            AppEvent::Restored {
                scope,
                version,
                result,
            } => self.on_restored(scope, version, result),
            AppEvent::KeyMapLoaded { result } => self.on_key_map(result),
            AppEvent::RotationProgress { progress } => self.on_rotation_progress(progress),
            AppEvent::Rotated { result } => self.on_rotated(result),
            AppEvent::ChangedSince { change } => self.on_changed_since(change),
            AppEvent::BulkChecked { result } => match result {
                Ok(change) => self.on_changed_since(change),
                Err(e) => self.toast(Level::Error, format!("bulk edit not applied: {e}")),
            },
        }
    }
}

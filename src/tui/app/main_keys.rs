//! Actions on the home screen (the fleet table and its detail): moving and
//! paging, filters and sort, marks, single-scope actions, and the bulk
//! actions that apply to the marked scopes (or to the selected one when
//! nothing is marked).

use tui_input::Input;

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::tui::action::Action;
use crate::tui::job::JobKind;
use crate::tui::screens::Screen;
use crate::tui::screens::chrome::TWO_PANE_WIDTH;
use crate::tui::screens::form::FormState;
use crate::tui::state::Popup;
use crate::tui::widgets::add_instance::AddInstanceState;
use crate::tui::widgets::bulk_edit::{BulkEditState, BulkMode};
use crate::tui::widgets::clipboard::config_json;
use crate::tui::widgets::confirm::{ConfirmKind, ConfirmState};
use crate::tui::widgets::picker::PickerState;
use crate::tui::widgets::toast::Level;

impl App {
    pub(super) fn main_action(&mut self, action: Action) {
        let selected = self.state.list.selected().cloned();
        let scope = selected.as_ref().map(|e| e.scope.clone());
        let config = selected.as_ref().and_then(|e| e.summary.config.clone());
        let marked = self.state.list.marked_count();
        match action {
            Action::Quit => self.request_quit(),
            Action::Help => self.open_help(),
            Action::Messages => self.state.popup = Some(Popup::Messages { scroll: 0 }),
            Action::Up => self.state.list.move_by(-1),
            Action::Down => self.state.list.move_by(1),
            Action::PageUp => self.state.list.move_by(-self.page()),
            Action::PageDown => self.state.list.move_by(self.page()),
            Action::Top => self.state.list.top(),
            Action::Bottom => self.state.list.bottom(),
            // Only the single-pane layout hides the detail behind Enter.
            Action::Confirm if self.size.width < TWO_PANE_WIDTH => self.state.narrow_detail = true,
            Action::Back => self.back(scope.as_ref()),
            Action::Filter => {
                let text = self.state.list.filter.take().unwrap_or_default();
                self.state.list.filter = Some(Input::new(text.value().to_string()));
                self.state.list.filter_typing = true;
            }
            Action::Sort => {
                self.state.list.sort = self.state.list.sort.next();
                self.state.list.refilter();
            }
            Action::FailingOnly => {
                self.state.list.failing_only = !self.state.list.failing_only;
                self.state.list.refilter();
            }
            Action::AtRisk => {
                let list = &mut self.state.list;
                list.at_risk_on = match list.at_risk_on {
                    Some(_) => None,
                    None => Some(self.state.now.date()),
                };
                list.refilter();
            }
            Action::ProviderFilter => {
                self.state.list.provider = self.state.list.next_provider();
                self.state.list.refilter();
            }
            Action::Mark => {
                self.state.list.toggle_mark();
                self.state.list.move_by(1);
            }
            // While only the first rows are on screen, "all" would be only
            // them, and the whole list swaps in later: refused, never queued.
            Action::MarkAll | Action::TestAll if !self.type_ahead.whole_list_shown() => {
                self.toast(Level::Info, STILL_LOADING)
            }
            Action::MarkAll => self.state.list.mark_all_visible(),
            Action::Picker => self.open_picker(),
            Action::Reopen => self.reopen_results(),
            Action::Copy => {
                if let Some(scope) = &scope {
                    let id = match scope {
                        Scope::Global => "global".to_string(),
                        Scope::Instance(id) => id.to_string(),
                    };
                    self.copy(&id, &format!("copied the id of the {scope}"));
                }
            }
            Action::CopyJson => match (&scope, &config) {
                (Some(scope), Some(c)) => {
                    let json = config_json(c);
                    self.copy(
                        &json,
                        &format!("copied the configuration of the {scope} (no key)"),
                    );
                }
                _ => self.toast(Level::Info, "nothing to copy: no configuration here"),
            },
            Action::AddInstance if self.writable("adding an instance") => {
                self.state.popup = Some(Popup::AddInstance(AddInstanceState::default()));
            }
            Action::New if self.writable("create") => match (scope, config) {
                (Some(_), Some(_)) => self.toast(
                    Level::Info,
                    "this scope already has a configuration; e edits it",
                ),
                (Some(scope), None) => {
                    self.state.screen =
                        Screen::Form(Box::new(FormState::create(scope, self.state.catalog)));
                }
                (None, _) => {}
            },
            Action::Edit if self.writable("edit") => match (scope, config) {
                (Some(scope), Some(c)) => {
                    self.state.screen =
                        Screen::Form(Box::new(FormState::edit(scope, c, self.state.catalog)));
                }
                (Some(_), None) => {
                    self.toast(Level::Info, "no configuration here yet; n creates one")
                }
                (None, _) => {}
            },
            Action::Delete if marked > 0 && self.writable("delete") => {
                let scopes = self.state.list.marked_configured();
                if scopes.is_empty() {
                    self.toast(Level::Info, "none of the marked scopes has a configuration");
                } else {
                    self.confirm(ConfirmKind::BulkDelete { scopes });
                }
            }
            // Refused above (read-only), already told why.
            Action::Delete if marked > 0 => {}
            Action::Delete if self.writable("delete") => match (scope, config) {
                (Some(scope), Some(_)) => self.confirm(ConfirmKind::Delete { scope }),
                (Some(_), None) => {
                    self.toast(Level::Info, "nothing to delete: no configuration here")
                }
                (None, _) => {}
            },
            Action::SetModel | Action::SetProvider => {
                let what = if action == Action::SetModel {
                    "set model"
                } else {
                    "set provider"
                };
                if self.writable(what) {
                    let (scopes, seen) = self.bulk_scopes_seen();
                    if scopes.is_empty() {
                        self.toast(
                            Level::Info,
                            "no configured scope to change: mark some with Space",
                        );
                    } else {
                        let mode = if action == Action::SetModel {
                            BulkMode::Model
                        } else {
                            BulkMode::Provider
                        };
                        let mut dialog = BulkEditState::new(mode, scopes);
                        dialog.seen = seen;
                        self.state.popup = Some(Popup::BulkEdit(dialog));
                    }
                }
            }
            Action::Test if marked > 0 => {
                let scopes = self.state.list.marked_configured();
                self.ask_job(JobKind::Test, scopes, false);
            }
            Action::Test => match (scope, config) {
                (Some(scope), Some(_)) => self.start_test(scope),
                (Some(_), None) => self.toast(
                    Level::Info,
                    "nothing to test: no configuration here; n creates one",
                ),
                (None, _) => {}
            },
            Action::TestAll => {
                let scopes = self.state.list.all_configured();
                self.ask_job(JobKind::Test, scopes, true);
            }
            Action::History => {
                if let Some(scope) = scope {
                    self.load_audit(scope);
                }
            }
            Action::Refresh => self.reload(scope),
            Action::Versions => {
                if let Some(scope) = scope {
                    self.load_versions(scope, 0);
                }
            }
            Action::KeyMap => self.load_key_map(),
            Action::Jobs => self.open_jobs(),
            _ => {}
        }
    }

    pub(super) fn confirm(&mut self, kind: ConfirmKind) {
        self.state.popup = Some(Popup::Confirm(ConfirmState::new(kind)));
    }

    /// `?` / F1: the keys of whatever has focus (a popup's, else the screen's).
    pub(super) fn open_help(&mut self) {
        let context = self.state.context();
        let under = self.state.popup.take().map(Box::new);
        self.state.popup = Some(Popup::Help {
            context,
            scroll: 0,
            under,
        });
    }

    fn copy(&mut self, text: &str, done: &str) {
        match (self.clipboard)(text) {
            Ok(()) => self.toast(Level::Ok, format!("{done} (OSC 52)")),
            Err(e) => self.toast(Level::Error, format!("copy failed: {e}")),
        }
    }

    /// Esc on the main screen, most specific first: cancel this scope's
    /// test (its spinner is in the row you are on), clear the marks, leave
    /// the detail (single pane), clear the filters. A running job is not
    /// touched: it is cancelled in its own view (`v`, then Esc), so Esc
    /// here never stops a run you cannot see.
    fn back(&mut self, scope: Option<&Scope>) {
        if let Some(scope) = scope
            && self.state.tests.cancel(scope)
        {
            self.abort(&TaskKey::Test(scope.clone()));
            self.toast(Level::Info, format!("test of the {scope} cancelled"));
        } else if self.state.list.clear_marks() {
        } else if self.state.narrow_detail {
            self.state.narrow_detail = false;
        } else if self.state.list.filter.is_some() || self.state.list.faceted() {
            self.state.list.filter = None;
            self.state.list.failing_only = false;
            self.state.list.provider = None;
            self.state.list.at_risk_on = None;
            self.state.list.refilter();
        }
    }

    /// Switches the current scope, staying on the same screen and dropping
    /// the old scope's stale work (its test, audit load, model fetch).
    pub fn switch_scope(&mut self, scope: Scope) {
        if let Some(old) = self.state.scope()
            && old != scope
        {
            if self.state.tests.cancel(&old) {
                self.abort(&TaskKey::Test(old.clone()));
            }
            self.abort(&TaskKey::Audit);
            self.abort(&TaskKey::Models);
        }
        self.state.list.select_scope(&scope);
        self.state.touch_recent(&scope);
        if matches!(self.state.screen, Screen::Audit(_)) {
            self.load_audit(scope);
        } else if matches!(self.state.screen, Screen::Versions(_)) {
            self.load_versions(scope, 0);
        }
    }

    pub(super) fn open_picker(&mut self) {
        let picker = PickerState::new(&self.state.list, &self.state.recent);
        self.state.popup = Some(Popup::Picker(picker));
    }
}

/// Why mark all and test all do nothing while the list is loading.
const STILL_LOADING: &str = "the list is still loading (only its first rows are on screen): \
     mark all and test all need every scope on screen; press again once the title counts them";

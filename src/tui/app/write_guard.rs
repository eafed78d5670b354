//! The concurrent-change guard: a write never silently replaces a change
//! the user has not seen. The form's save re-reads the stored config
//! through the service just before writing and compares it with the view
//! the form loaded; a bulk edit re-reads the list and compares each scope
//! with what it was when the dialog opened. When something changed, the
//! write waits in the [`ChangedSinceState`] dialog until the user chooses.
//!
//! A check and its write are one task, so the window left for another
//! writer is the time between the two calls, not the time the form was open.

use super::App;
use crate::domain::{ConfigPatch, ConfigView, Scope};
use crate::tui::action::Action;
use crate::tui::event::AppEvent;
use crate::tui::job::JobKind;
use crate::tui::screens::Screen;
use crate::tui::screens::form::{FormMode, FormState};
use crate::tui::screens::instances::Entry;
use crate::tui::state::Popup;
use crate::tui::widgets::changed_since::{
    ChangedChoice, ChangedSince, ChangedSinceState, same_config, stamp,
};
use crate::tui::widgets::toast::Level;

impl App {
    /// What a bulk edit acts on — the marked scopes with a config, else the
    /// selected one — each with the stamp of its config as the list shows
    /// it now. One pass over the rows, no lookups: this runs on the key
    /// press that opens the dialog, at 100,000 marked scopes too.
    pub(super) fn bulk_scopes_seen(&self) -> (Vec<Scope>, Vec<u64>) {
        let list = &self.state.list;
        let configured = |e: &Entry| {
            e.summary
                .config
                .as_ref()
                .map(|c| (e.scope.clone(), stamp(Some(c))))
        };
        if list.marked_count() > 0 {
            list.entries()
                .iter()
                .enumerate()
                .filter(|(i, _)| list.is_marked(*i))
                .filter_map(|(_, e)| configured(e))
                .unzip()
        } else {
            list.selected().and_then(configured).into_iter().unzip()
        }
    }

    /// Updates `scope` with `patch` if its stored config is still `loaded`;
    /// otherwise reports what changed instead of writing.
    pub(super) fn update_if_unchanged(
        &mut self,
        scope: Scope,
        loaded: ConfigView,
        patch: ConfigPatch,
    ) {
        let h = self.handle.clone();
        self.spawn(None, async move {
            match h.get(&scope).await {
                Ok(Some(now)) if same_config(&now, &loaded) => AppEvent::Saved {
                    result: h.update(&scope, patch).await,
                    scope,
                },
                Ok(now) => AppEvent::ChangedSince {
                    change: ChangedSince::Form {
                        scope,
                        loaded: Box::new(loaded),
                        now: now.map(Box::new),
                    },
                },
                Err(e) => AppEvent::Saved {
                    result: Err(e),
                    scope,
                },
            }
        });
    }

    /// Applies a bulk `patch` to `scopes` once none changed since `seen`
    /// (their stamps when the dialog opened); otherwise asks.
    pub(super) fn bulk_if_unchanged(
        &mut self,
        patch: ConfigPatch,
        scopes: Vec<Scope>,
        seen: Vec<u64>,
    ) {
        self.toast(Level::Info, "checking for changes since the dialog opened…");
        let h = self.handle.clone();
        self.spawn(None, async move {
            let list = match h.list_instances().await {
                Ok(list) => list,
                Err(e) => return AppEvent::BulkChecked { result: Err(e) },
            };
            let now: std::collections::HashMap<Option<String>, u64> = list
                .iter()
                .map(|s| (s.instance_id.clone(), stamp(s.config.as_ref())))
                .collect();
            let (mut unchanged, mut changed) = (Vec::new(), Vec::new());
            for (scope, seen) in scopes.into_iter().zip(seen) {
                let id = match &scope {
                    Scope::Global => None,
                    Scope::Instance(id) => Some(id.to_string()),
                };
                if now.get(&id).copied() == Some(seen) {
                    unchanged.push(scope);
                } else {
                    changed.push(scope);
                }
            }
            AppEvent::BulkChecked {
                result: Ok(ChangedSince::Bulk {
                    patch: Box::new(patch),
                    unchanged,
                    changed,
                }),
            }
        });
    }

    /// A check found a change (or none, for a bulk edit: then it runs).
    pub(super) fn on_changed_since(&mut self, change: ChangedSince) {
        match change {
            ChangedSince::Bulk {
                patch,
                unchanged,
                changed,
            } if changed.is_empty() => {
                self.start_job(JobKind::Patch(*patch), unchanged, false);
            }
            ChangedSince::Form { ref scope, .. } => {
                let Screen::Form(form) = &mut self.state.screen else {
                    return;
                };
                if &form.scope != scope {
                    return;
                }
                form.saving = false;
                form.status = Some("Not saved: the stored configuration changed".into());
                self.state.popup = Some(Popup::ChangedSince(ChangedSinceState::new(change)));
            }
            bulk => self.state.popup = Some(Popup::ChangedSince(ChangedSinceState::new(bulk))),
        }
    }

    /// The user's answer in the changed-since dialog.
    pub(super) fn changed_since_choice(&mut self, state: ChangedSinceState, choice: ChangedChoice) {
        let catalog = self.state.catalog;
        match (state.change, choice) {
            (_, ChangedChoice::Pending | ChangedChoice::Cancel) => {}
            (ChangedSince::Form { scope, now, .. }, ChangedChoice::Reload) => match now {
                Some(now) => {
                    self.state.screen =
                        Screen::Form(Box::new(FormState::edit(scope, *now, catalog)));
                    self.toast(Level::Info, "reloaded the stored configuration");
                }
                None => {
                    self.state.screen = Screen::Main;
                    self.toast(
                        Level::Info,
                        format!("the configuration of the {scope} was deleted meanwhile"),
                    );
                    self.reload(Some(scope));
                }
            },
            (ChangedSince::Form { now: Some(now), .. }, ChangedChoice::Overwrite) => {
                // The form now edits what is stored: its patch is every
                // field where the form's value differs from it, so saving
                // stores the form as shown (and asks again if it changes
                // once more).
                let Screen::Form(form) = &mut self.state.screen else {
                    return;
                };
                form.mode = FormMode::Edit { current: now };
                let outcome = form.on_action(Action::Save, catalog);
                self.form_outcome(outcome);
            }
            (
                ChangedSince::Bulk {
                    patch, unchanged, ..
                },
                ChangedChoice::SkipChanged,
            ) => self.start_job(JobKind::Patch(*patch), unchanged, false),
            (
                ChangedSince::Bulk {
                    patch,
                    mut unchanged,
                    changed,
                },
                ChangedChoice::Overwrite,
            ) => {
                unchanged.extend(changed);
                self.start_job(JobKind::Patch(*patch), unchanged, false);
            }
            _ => {}
        }
    }
}

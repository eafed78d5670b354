//! The undo screens: a scope's kept versions (`u`), where Enter or `r`
//! restores one after a confirm, and the key-usage map (`K`), where Enter
//! expands a key into the scopes using it. Both load through a keyed task
//! (a newer load aborts the older), and a remote server without the
//! extension routes answers `NotOffered`, shown as its one line.

use super::{App, TaskKey};
use crate::domain::{ConfigView, KeyGroup, Scope, VersionEntry};
use crate::service::ServiceError;
use crate::tui::action::Action;
use crate::tui::event::AppEvent;
use crate::tui::screens::Screen;
use crate::tui::screens::key_map::KeyMapState;
use crate::tui::screens::versions::{VERSIONS_LIMIT, VersionsState, held_with_key};
use crate::tui::state::Popup;
use crate::tui::widgets::confirm::ConfirmKind;
use crate::tui::widgets::toast::Level;

impl App {
    /// Opens the versions of `scope`, with row `selected` selected once loaded.
    pub(super) fn load_versions(&mut self, scope: Scope, selected: usize) {
        let mut state = VersionsState::loading(scope.clone());
        state.selected = selected;
        self.state.screen = Screen::Versions(state);
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Versions), async move {
            let result = h.history(Some(&scope), VERSIONS_LIMIT).await;
            AppEvent::VersionsLoaded { scope, result }
        });
    }

    /// Opens the key-usage map.
    pub(super) fn load_key_map(&mut self) {
        self.state.screen = Screen::KeyMap(KeyMapState::default());
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::KeyMap), async move {
            AppEvent::KeyMapLoaded {
                result: h.key_map().await,
            }
        });
    }

    /// A key on the versions or key-map screen.
    pub(super) fn undo_screen_action(&mut self, action: Action) {
        let page = self.page();
        let delta = match action {
            Action::Up => Some(-1),
            Action::Down => Some(1),
            Action::PageUp => Some(-page),
            Action::PageDown => Some(page),
            Action::Top => Some(isize::MIN / 2),
            Action::Bottom => Some(isize::MAX / 2),
            _ => None,
        };
        if let Some(d) = delta {
            let report_rows = crate::tui::screens::rotation::report_rows(self.size.height);
            match &mut self.state.screen {
                Screen::Versions(v) => v.move_by(d),
                // A finished rotation's report is on screen: it scrolls.
                Screen::KeyMap(k) => match k.rotation.as_mut().filter(|r| !r.running()) {
                    Some(r) => {
                        let d = match action {
                            Action::PageUp => -(report_rows as isize),
                            Action::PageDown => report_rows as isize,
                            _ => d,
                        };
                        r.scroll(d, report_rows)
                    }
                    None => k.move_by(d),
                },
                _ => {}
            }
            return;
        }
        match action {
            Action::Quit => self.request_quit(),
            Action::Help => self.open_help(),
            Action::Messages => self.state.popup = Some(Popup::Messages { scroll: 0 }),
            Action::Picker => self.open_picker(),
            Action::Back if self.rotation_shown() => self.close_rotation(),
            Action::Filter => {
                if let Screen::KeyMap(k) = &mut self.state.screen {
                    k.open_filter();
                }
            }
            Action::RotateKey => self.ask_rotate(),
            // Esc with a filter set drops the filter first, as in the results view.
            Action::Back => match &mut self.state.screen {
                Screen::KeyMap(k) if k.filter.is_set() => k.clear_filter(),
                _ => self.leave_undo_screen(),
            },
            Action::Confirm => match &mut self.state.screen {
                Screen::Versions(_) => self.ask_restore(),
                Screen::KeyMap(k) => k.toggle(),
                _ => {}
            },
            _ => {}
        }
    }

    /// Esc: back to the list, dropping a load still running.
    fn leave_undo_screen(&mut self) {
        self.abort(&TaskKey::Versions);
        self.abort(&TaskKey::KeyMap);
        self.state.screen = Screen::Main;
    }

    /// Enter / `r` on a version: the confirm, or a toast saying why not.
    fn ask_restore(&mut self) {
        let Screen::Versions(v) = &self.state.screen else {
            return;
        };
        let Some(restorable) = v.restorable() else {
            return;
        };
        let kind = match restorable {
            Ok(entry) => ConfirmKind::Restore {
                scope: v.scope.clone(),
                version: entry.version,
                held: held_with_key(entry),
                current: v.entry_at(0).map(held_with_key).unwrap_or_default(),
            },
            Err(why) => {
                let version = v.selected_entry().map_or(0, |e| e.version);
                return self.toast(Level::Info, why.reason(version));
            }
        };
        if self.writable("restore") {
            self.confirm(kind);
        }
    }

    /// Restores `version` of `scope` (confirmed).
    pub(super) fn restore(&mut self, scope: Scope, version: u64) {
        let h = self.handle.clone();
        self.spawn(None, async move {
            AppEvent::Restored {
                result: h.restore(&scope, version).await,
                scope,
                version,
            }
        });
    }

    pub(super) fn on_versions(
        &mut self,
        scope: Scope,
        result: Result<Vec<VersionEntry>, ServiceError>,
    ) {
        if let Screen::Versions(v) = &mut self.state.screen
            && v.scope == scope
        {
            self.tasks.remove(&TaskKey::Versions);
            v.entries = Some(result.map_err(|e| e.to_string()));
            v.move_by(0);
        }
    }

    pub(super) fn on_restored(
        &mut self,
        scope: Scope,
        version: u64,
        result: Result<ConfigView, ServiceError>,
    ) {
        match result {
            Ok(view) => {
                self.toast(
                    Level::Ok,
                    format!(
                        "restored v{version} of the {scope}: now {} · {}",
                        view.provider, view.model
                    ),
                );
                self.state.touch_recent(&scope);
                self.reload(Some(scope.clone()));
                // The restore is the newest version now: show it on top.
                if matches!(&self.state.screen, Screen::Versions(v) if v.scope == scope) {
                    self.load_versions(scope, 0);
                }
            }
            Err(e) => self.toast(Level::Error, format!("restore of v{version} failed: {e}")),
        }
    }

    pub(super) fn on_key_map(&mut self, result: Result<Vec<KeyGroup>, ServiceError>) {
        if let Screen::KeyMap(k) = &mut self.state.screen {
            self.tasks.remove(&TaskKey::KeyMap);
            k.set_groups(result.map_err(|e| e.to_string()));
        }
    }
}

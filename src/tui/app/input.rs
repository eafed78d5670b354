//! Keys and mouse events inside popups, the list filter and the form, where
//! they are not plain actions: each widget turns the key into a typed
//! outcome, and this is where the app acts on it.

use crossterm::event::{Event, KeyCode, KeyEvent, MouseEvent, MouseEventKind};
use tui_input::backend::crossterm::EventHandler;

use super::{App, TaskKey};
use crate::domain::{NewConfig, Scope};
use crate::tui::action::{Action, KeyContext};
use crate::tui::event::AppEvent;
use crate::tui::job::JobKind;
use crate::tui::screens::Screen;
use crate::tui::screens::form::{FetchRequest, Field, FormOutcome, LiveModels};
use crate::tui::state::Popup;
use crate::tui::widgets::add_instance::{AddInstanceState, AddOutcome};
use crate::tui::widgets::bulk_edit::BulkOutcome;
use crate::tui::widgets::changed_since::ChangedChoice;
use crate::tui::widgets::confirm::{ConfirmKind, ConfirmOutcome, ConfirmState};
use crate::tui::widgets::picker::PickerOutcome;
use crate::tui::widgets::rotate_key::RotateOutcome;
use crate::tui::widgets::toast::Level;
use crate::tui::widgets::type_name::{NameOutcome, NamedWrite};
use crate::tui::widgets::{help, messages};

impl App {
    pub(super) fn popup_key(&mut self, key: KeyEvent) {
        let bound = self.state.keymap.action(KeyContext::Popup, &key) == Some(Action::Help);
        // `?` is typed text in the picker and the text dialogs; elsewhere it is help.
        let question = key.code == KeyCode::Char('?')
            && matches!(
                self.state.popup,
                Some(Popup::Confirm(_) | Popup::Messages { .. } | Popup::Notice { .. })
            );
        if (bound || question) && !matches!(self.state.popup, Some(Popup::Help { .. })) {
            return self.open_help();
        }
        let page = self.page() as u16;
        let full = self.size;
        let max_help = match &self.state.popup {
            Some(Popup::Help { context, .. }) => {
                help::max_scroll(&crate::tui::ui::help_view(&self.state, *context, 0), full)
            }
            Some(Popup::Messages { .. }) => {
                messages::max_scroll(&self.state.messages, &self.state.theme, full)
            }
            _ => 0,
        };
        let Some(popup) = self.state.popup.as_mut() else {
            return;
        };
        match popup {
            Popup::Help { scroll, under, .. } => match key.code {
                KeyCode::Esc
                | KeyCode::Char('?')
                | KeyCode::Char('q')
                | KeyCode::Enter
                | KeyCode::F(1) => {
                    self.state.popup = under.take().map(|b| *b);
                }
                code => *scroll = scrolled(*scroll, code, page, max_help),
            },
            Popup::Messages { scroll } => match key.code {
                KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter | KeyCode::Char('L') => {
                    self.state.popup = None;
                }
                code => *scroll = scrolled(*scroll, code, page, max_help),
            },
            Popup::Notice { .. } => {
                if matches!(key.code, KeyCode::Enter | KeyCode::Esc) {
                    self.state.popup = None;
                }
            }
            Popup::BulkEdit(b) => match b.on_key(&key, self.state.catalog) {
                BulkOutcome::Pending => {}
                BulkOutcome::Close => self.state.popup = None,
                BulkOutcome::Apply(patch) => {
                    let scopes = std::mem::take(&mut b.scopes);
                    let seen = std::mem::take(&mut b.seen);
                    self.state.popup = None;
                    self.bulk_write(NamedWrite::Patch {
                        patch: Box::new(patch),
                        scopes,
                        seen,
                    });
                }
            },
            Popup::TypeName(t) => match t.on_key(&key) {
                NameOutcome::Pending => {}
                NameOutcome::Close => {
                    self.state.popup = None;
                    self.toast(Level::Info, "cancelled: nothing was changed");
                }
                NameOutcome::Confirmed => {
                    let write = t.write.take();
                    self.state.popup = None;
                    if let Some(write) = write {
                        self.run_named(write);
                    }
                }
            },
            Popup::ChangedSince(c) => {
                let choice = c.on_key(&key);
                if choice != ChangedChoice::Pending
                    && let Some(Popup::ChangedSince(state)) = self.state.popup.take()
                {
                    self.changed_since_choice(state, choice);
                }
            }
            Popup::RotateKey(r) => match r.on_key(&key) {
                RotateOutcome::Pending => {}
                RotateOutcome::Close => self.state.popup = None,
                RotateOutcome::Start(new_key) => {
                    let fingerprint = r.fingerprint.clone();
                    self.state.popup = None;
                    self.bulk_write(NamedWrite::Rotate {
                        fingerprint,
                        new_key,
                    });
                }
            },
            Popup::Picker(p) => match p.on_key(&key, &self.state.list, &self.state.recent) {
                PickerOutcome::Pending => {}
                PickerOutcome::Close => self.state.popup = None,
                PickerOutcome::Choose(scope) => {
                    self.state.popup = None;
                    self.switch_scope(scope);
                }
                PickerOutcome::Offer(id) => {
                    self.state.popup = None;
                    if self.writable("adding an instance") {
                        self.state.popup = Some(Popup::AddInstance(AddInstanceState::with_id(&id)));
                    }
                }
            },
            Popup::AddInstance(a) => match a.on_key(&key) {
                AddOutcome::Pending => {}
                AddOutcome::Close => self.state.popup = None,
                AddOutcome::Add(id) => {
                    self.state.popup = None;
                    let h = self.handle.clone();
                    let scope = Scope::Instance(id.clone());
                    self.spawn(None, async move {
                        AppEvent::InstanceAdded {
                            result: h.add_instance(&id, None).await,
                            scope,
                        }
                    });
                }
            },
            Popup::Confirm(c) => match c.on_key(&key) {
                ConfirmOutcome::Pending => {}
                ConfirmOutcome::No => self.state.popup = None,
                ConfirmOutcome::Yes(ConfirmKind::DiscardForm) => {
                    self.state.popup = None;
                    self.abort(&TaskKey::Models);
                    self.state.screen = Screen::Main;
                }
                ConfirmOutcome::Yes(ConfirmKind::QuitDiscard) => {
                    self.state.popup = None;
                    self.state.quit = true;
                }
                ConfirmOutcome::Yes(ConfirmKind::BulkDelete { scopes }) => {
                    self.state.popup = None;
                    self.bulk_write(NamedWrite::Delete { scopes });
                }
                ConfirmOutcome::Yes(ConfirmKind::RunTests { scopes, all }) => {
                    self.state.popup = None;
                    self.start_job(JobKind::Test, scopes, all);
                }
                ConfirmOutcome::Yes(ConfirmKind::Restore { scope, version, .. }) => {
                    self.state.popup = None;
                    self.restore(scope, version);
                }
                ConfirmOutcome::Yes(ConfirmKind::Delete { scope }) => {
                    self.state.popup = None;
                    let h = self.handle.clone();
                    self.spawn(None, async move {
                        AppEvent::Deleted {
                            result: h.delete(&scope).await,
                            scope,
                        }
                    });
                }
            },
        }
    }

    pub(super) fn filter_key(&mut self, key: KeyEvent) {
        let list = &mut self.state.list;
        if !matches!(
            key.code,
            KeyCode::Char(_) | KeyCode::Backspace | KeyCode::Delete
        ) {
            // Keys that use the selection see the ranking of everything typed so far.
            list.flush();
        }
        match key.code {
            KeyCode::Esc => {
                list.filter = None;
                list.filter_typing = false;
                list.refilter();
            }
            KeyCode::Enter => list.filter_typing = false,
            KeyCode::Up => list.move_by(-1),
            KeyCode::Down => list.move_by(1),
            _ => {
                if let Some(input) = list.filter.as_mut()
                    && input
                        .handle_event(&Event::Key(key))
                        .is_some_and(|c| c.value)
                {
                    // Re-ranked once per batch of keys, before the next frame.
                    list.mark_dirty();
                }
            }
        }
    }

    pub(super) fn form_key(&mut self, key: KeyEvent) {
        let catalog = self.state.catalog;
        let action = self.state.keymap.action(self.state.screen.context(), &key);
        let Screen::Form(form) = &mut self.state.screen else {
            return;
        };
        // `?` is text in the typed fields; on the provider field it is help.
        let help_key = key.code == KeyCode::Char('?') && form.focus == Field::Provider;
        if action == Some(Action::Help) || help_key {
            return self.open_help();
        }
        let outcome = match action {
            Some(a) => form.on_action(a, catalog),
            None => form.on_key(&key, catalog),
        };
        self.form_outcome(outcome);
    }

    /// Acts on what a key (or the changed-since dialog's overwrite) did
    /// to the form.
    pub(super) fn form_outcome(&mut self, outcome: FormOutcome) {
        match outcome {
            FormOutcome::Nothing => {}
            FormOutcome::Close => self.state.screen = Screen::Main,
            FormOutcome::Unchanged => {
                self.state.screen = Screen::Main;
                self.toast(Level::Info, "nothing changed");
            }
            FormOutcome::AskDiscard => {
                self.state.popup =
                    Some(Popup::Confirm(ConfirmState::new(ConfirmKind::DiscardForm)));
            }
            FormOutcome::Save(request) => self.save(request),
            FormOutcome::FetchModels(request) => {
                let generation = self.next_generation();
                if let Screen::Form(form) = &mut self.state.screen {
                    form.live = LiveModels::Loading { generation };
                }
                let h = self.handle.clone();
                self.spawn(Some(TaskKey::Models), async move {
                    let result = match request {
                        FetchRequest::WithKey { fields, api_key } => {
                            h.list_models_for(NewConfig::from_fields(fields, api_key))
                                .await
                        }
                        FetchRequest::Stored { scope } => h.list_models(&scope).await,
                    };
                    AppEvent::ModelsLoaded { generation, result }
                });
            }
        }
    }

    pub(super) fn on_mouse(&mut self, m: MouseEvent) {
        if self.state.popup.is_some() || !matches!(self.state.screen, Screen::Main) {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.state.list.move_by(1),
            MouseEventKind::ScrollUp => self.state.list.move_by(-1),
            MouseEventKind::Down(_) => {
                let Some(areas) = crate::tui::ui::layout(self.size, self.state.narrow_detail)
                else {
                    return;
                };
                let Some(list) = areas.list else { return };
                // Inside the border, below the filter line when one is shown.
                let top = list.y + 1 + u16::from(self.state.list.filter.is_some());
                let height = (list.y + list.height).saturating_sub(1).saturating_sub(top);
                if m.column > list.x
                    && m.column < list.x + list.width - 1
                    && m.row >= top
                    && m.row < top + height
                {
                    self.state
                        .list
                        .click((m.row - top) as usize, height as usize);
                }
            }
            _ => {}
        }
    }
}

/// The scroll offset after `code`, stopping at `max` (the end).
fn scrolled(scroll: u16, code: KeyCode, page: u16, max: u16) -> u16 {
    let next = match code {
        KeyCode::Up | KeyCode::Char('k') => scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => scroll.saturating_add(1),
        KeyCode::PageUp => scroll.saturating_sub(page),
        KeyCode::PageDown | KeyCode::Char(' ') => scroll.saturating_add(page),
        KeyCode::Home | KeyCode::Char('g') => 0,
        KeyCode::End | KeyCode::Char('G') => max,
        _ => scroll,
    };
    next.min(max)
}

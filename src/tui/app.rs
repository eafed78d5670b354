//! The app: the drawable [`AppState`] plus what it must not contain — the
//! service handle, the event channel and the abort handles of running
//! tasks. Keys become actions (via the key map), actions change state or
//! spawn a service call, and every call reports back as an [`AppEvent`].

use std::collections::HashMap;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tui_input::Input;

use super::action::Action;
use super::event::AppEvent;
use super::screens::Screen;
use super::screens::chrome::TWO_PANE_WIDTH;
use super::screens::form::FormState;
use super::state::{AppState, Popup};
use super::widgets::add_instance::AddInstanceState;
use super::widgets::confirm::{ConfirmKind, ConfirmState};
use super::widgets::picker::PickerState;
use super::widgets::toast::Level;
use crate::domain::Scope;
use crate::service::ServiceHandle;

mod input;
mod results;
mod tasks;

/// How long a toast stays.
const TOAST_TIME: Duration = Duration::from_secs(4);

/// A running task the app may cancel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TaskKey {
    Test(Scope),
    Audit,
    Models,
    TestAll,
}

/// The running application.
pub struct App {
    /// What is drawn.
    pub state: AppState,
    handle: ServiceHandle,
    tx: mpsc::UnboundedSender<AppEvent>,
    pub(super) rx: mpsc::UnboundedReceiver<AppEvent>,
    tasks: HashMap<TaskKey, AbortHandle>,
    generation: u64,
    concurrency: usize,
    /// Last frame size (maps mouse clicks to rows).
    pub(super) size: Rect,
    mouse: bool,
}

impl App {
    /// An app over `handle` starting from `state`; starts loading the list.
    pub fn new(handle: ServiceHandle, state: AppState, mouse: bool, concurrency: usize) -> App {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut app = App {
            state,
            handle,
            tx,
            rx,
            tasks: HashMap::new(),
            generation: 0,
            concurrency: concurrency.max(1),
            size: Rect::default(),
            mouse,
        };
        app.reload(None);
        app
    }

    fn spawn<F>(&mut self, key: Option<TaskKey>, fut: F)
    where
        F: Future<Output = AppEvent> + Send + 'static,
    {
        let tx = self.tx.clone();
        let task = tokio::spawn(async move {
            // A closed channel means the app is gone; nothing to report to.
            let _ = tx.send(fut.await);
        });
        if let Some(key) = key
            && let Some(old) = self.tasks.insert(key, task.abort_handle())
        {
            old.abort();
        }
    }

    fn abort(&mut self, key: &TaskKey) -> bool {
        self.tasks.remove(key).map(|h| h.abort()).is_some()
    }

    fn next_generation(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    fn toast(&mut self, level: Level, text: impl Into<String>) {
        let id = self.state.toasts.push(level, text);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(TOAST_TIME).await;
            let _ = tx.send(AppEvent::ToastExpired { id });
        });
    }

    /// Brings derived state up to date before a frame (a pending re-rank).
    pub fn before_frame(&mut self) {
        self.state.list.flush();
    }

    /// Advances the spinner.
    pub fn on_tick(&mut self) {
        self.state.tests.throbber.calc_next();
    }

    /// Handles input from the terminal.
    pub fn on_terminal_event(&mut self, event: Event) {
        self.state.now = OffsetDateTime::now_utc();
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Event::Mouse(m) if self.mouse => {
                self.state.list.flush();
                self.on_mouse(m);
            }
            // The loop redraws after every event, which is all a resize needs.
            _ => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.state.quit = true;
            return;
        }
        if !self.state.list.filter_typing {
            self.state.list.flush();
        }
        if self.state.popup.is_some() {
            return self.popup_key(key);
        }
        match &self.state.screen {
            Screen::Main if self.state.list.filter_typing => self.filter_key(key),
            Screen::Main => {
                if let Some(a) = self.state.keymap.action(self.state.screen.context(), &key) {
                    self.main_action(a);
                }
            }
            Screen::Form(_) => self.form_key(key),
            Screen::Audit(_) | Screen::TestAll(_) => {
                if let Some(a) = self.state.keymap.action(self.state.screen.context(), &key) {
                    self.table_action(a);
                }
            }
        }
    }

    /// Refuses a write in read-only mode, with a toast saying why.
    fn writable(&mut self, what: &str) -> bool {
        if self.state.env.read_only {
            self.toast(Level::Error, format!("read-only mode: {what} is disabled"));
        }
        !self.state.env.read_only
    }

    fn main_action(&mut self, action: Action) {
        let selected = self.state.list.selected().cloned();
        let scope = selected.as_ref().map(|e| e.scope.clone());
        let config = selected.as_ref().and_then(|e| e.summary.config.clone());
        match action {
            Action::Quit => self.state.quit = true,
            Action::Help => self.state.popup = Some(Popup::Help { scroll: 0 }),
            Action::Up => self.state.list.move_by(-1),
            Action::Down => self.state.list.move_by(1),
            Action::Top => self.state.list.top(),
            Action::Bottom => self.state.list.bottom(),
            // Only the single-pane layout hides the detail behind Enter.
            Action::Confirm if self.size.width < TWO_PANE_WIDTH => self.state.narrow_detail = true,
            Action::Back => self.back(scope.as_ref()),
            Action::Filter => {
                self.state.list.filter = Some(Input::default());
                self.state.list.filter_typing = true;
            }
            Action::Picker => self.open_picker(),
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
            Action::Delete if self.writable("delete") => match (scope, config) {
                (Some(scope), Some(_)) => {
                    self.state.popup =
                        Some(Popup::Confirm(ConfirmState::new(ConfirmKind::Delete {
                            scope,
                        })));
                }
                (Some(_), None) => {
                    self.toast(Level::Info, "nothing to delete: no configuration here")
                }
                (None, _) => {}
            },
            Action::Test => match (scope, config) {
                (Some(scope), Some(_)) => self.start_test(scope),
                (Some(_), None) => self.toast(
                    Level::Info,
                    "nothing to test: no configuration here; n creates one",
                ),
                (None, _) => {}
            },
            Action::TestAll => self.start_test_all(),
            Action::History => {
                if let Some(scope) = scope {
                    self.load_audit(scope);
                }
            }
            Action::Refresh => self.reload(scope),
            _ => {}
        }
    }

    /// Esc on the main screen: cancel this scope's test, else leave the
    /// detail (single pane), else clear the filter.
    fn back(&mut self, scope: Option<&Scope>) {
        if let Some(scope) = scope
            && self.state.tests.cancel(scope)
        {
            self.abort(&TaskKey::Test(scope.clone()));
            self.toast(Level::Info, format!("test of the {scope} cancelled"));
        } else if self.state.narrow_detail {
            self.state.narrow_detail = false;
        } else if self.state.list.filter.is_some() {
            self.state.list.filter = None;
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
        }
    }

    fn open_picker(&mut self) {
        let picker = PickerState::new(&self.state.list, &self.state.recent);
        self.state.popup = Some(Popup::Picker(picker));
    }

    fn table_action(&mut self, action: Action) {
        match action {
            Action::Picker => self.open_picker(),
            Action::Quit => self.state.quit = true,
            Action::Help => self.state.popup = Some(Popup::Help { scroll: 0 }),
            Action::Back => {
                self.abort(&TaskKey::Audit);
                if self.abort(&TaskKey::TestAll) {
                    self.reload(self.state.scope());
                }
                self.state.screen = Screen::Main;
            }
            Action::Up | Action::Down | Action::Top => {
                if let Screen::Audit(a) = &mut self.state.screen {
                    let delta = match action {
                        Action::Up => -1,
                        Action::Down => 1,
                        _ => isize::MIN,
                    };
                    a.scroll(delta);
                }
            }
            _ => {}
        }
    }
}

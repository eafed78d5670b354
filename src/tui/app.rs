//! The app: the drawable [`AppState`] plus what it must not contain — the
//! service handle, the event channel, the abort handles of running tasks
//! and the clipboard sink. Keys become actions (via the key map), actions
//! change state or spawn a service call, and every call reports back as an
//! [`AppEvent`]. The key handlers live in the submodules, one per kind of
//! screen; this file routes a key to the right one.

use std::collections::HashMap;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::event::AppEvent;
use super::screens::Screen;
use super::screens::chrome::{MIN_HEIGHT, MIN_WIDTH};
use super::state::AppState;
use super::state::Popup;
use super::widgets::clipboard::{self, ClipboardSink};
use super::widgets::confirm::{ConfirmKind, ConfirmState};
use super::widgets::toast::Level;
use crate::domain::Scope;
use crate::service::{ChangeMark, ServiceHandle};

mod drift_marks;
mod input;
mod jobs;
mod main_keys;
mod named_write;
mod paced;
mod paste;
mod refresh;

pub use refresh::CHANGE_POLL;
mod results;
mod rotation;
mod table_keys;
mod tasks;
mod type_ahead;
mod versions;
mod write_guard;

/// How long a toast stays.
const TOAST_TIME: Duration = Duration::from_secs(4);

/// A running task the app may cancel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum TaskKey {
    Test(Scope),
    Audit,
    Models,
    Job,
    ChangeMark,
    Drift,
    Health,
    Versions,
    KeyMap,
    Rotation,
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
    /// Last frame size (maps mouse clicks to rows, sizes pages).
    pub(super) size: Rect,
    mouse: bool,
    clipboard: ClipboardSink,
    /// The last change mark seen; a different one triggers a reload.
    mark: Option<ChangeMark>,
    /// The `[fleet] file` drift is marked against.
    fleet_file: Option<std::path::PathBuf>,
    /// A reload happened: the next health read is of the whole board.
    health_full: bool,
    /// When the next drift comparison may start.
    drift_pace: paced::Paced,
    /// A reload landed while a comparison ran: compare once more after it.
    drift_again: bool,
    /// Which view was last drawn, so keys act only on what was seen.
    type_ahead: type_ahead::TypeAhead,
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
            clipboard: clipboard::discard(),
            mark: None,
            fleet_file: None,
            health_full: true,
            drift_pace: paced::Paced::new(),
            drift_again: false,
            type_ahead: type_ahead::TypeAhead::default(),
        };
        app.state.auto_refresh =
            matches!(app.handle.info(), crate::service::BackendInfo::Local { .. });
        // The list first: the health board is read once it is on screen
        // (see `on_app_event`), so the two reads never compete at start.
        app.first_load();
        app
    }

    /// Where `y` sends copied text (the binary installs OSC 52 on stdout).
    pub fn set_clipboard(&mut self, sink: ClipboardSink) {
        self.clipboard = sink;
    }

    /// Shows a one-time notice that stays until acknowledged; it is also
    /// kept in the message log.
    pub fn notice(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.state
            .messages
            .push(OffsetDateTime::now_utc(), Level::Info, text.clone());
        self.state.popup = Some(Popup::Notice { text });
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
        let text = text.into();
        self.state
            .messages
            .push(self.state.now, level, text.clone());
        let id = self.state.toasts.push(level, text);
        let tx = self.tx.clone();
        tokio::spawn(async move {
            tokio::time::sleep(TOAST_TIME).await;
            let _ = tx.send(AppEvent::ToastExpired { id });
        });
    }

    /// Brings derived state up to date before a frame (a pending re-rank,
    /// the order of streamed job rows).
    pub fn before_frame(&mut self) {
        self.report_dropped();
        self.state.list.flush();
        self.refresh_jobs();
        if let Some(job) = &mut self.state.job {
            job.flush();
            if let Screen::Results(view) = &mut self.state.screen {
                view.flush(job);
            }
        }
    }

    /// Advances the spinner.
    pub fn on_tick(&mut self) {
        self.state.tests.throbber.calc_next();
    }

    /// Whether the terminal is below the usable size (only resize and quit act).
    fn too_small(&self) -> bool {
        self.size.width < MIN_WIDTH || self.size.height < MIN_HEIGHT
    }

    /// Handles input from the terminal.
    pub fn on_terminal_event(&mut self, event: Event) {
        self.state.now = OffsetDateTime::now_utc();
        match event {
            // The type-ahead rule: input read before the current view was
            // drawn never acts on it.
            Event::Key(key) if key.kind != KeyEventKind::Release && self.admits_input() => {
                self.on_key(key)
            }
            Event::Paste(text) if self.admits_input() => self.on_paste(&text),
            Event::Mouse(m) if self.mouse && !self.too_small() && self.view_drawn() => {
                self.state.list.flush();
                self.on_mouse(m);
            }
            // The loop redraws after every event, which is all a resize needs.
            Event::Resize(w, h) => self.size = Rect::new(0, 0, w, h),
            _ => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if self.too_small() {
            // Nothing is visible, so nothing but quitting may act (a dirty
            // form is kept: its question could not be seen either).
            let quit = ctrl_c || key.code == KeyCode::Char('q');
            if quit && !self.form_dirty() {
                self.state.quit = true;
            }
            return;
        }
        if ctrl_c {
            return self.request_quit();
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
            Screen::Results(v) if v.text.typing() => self.results_filter_key(key),
            Screen::KeyMap(_) if self.key_map_typing() => {
                if let Screen::KeyMap(k) = &mut self.state.screen {
                    k.filter_key(key);
                }
            }
            Screen::Audit(_) | Screen::Results(_) => {
                if let Some(a) = self.state.keymap.action(self.state.screen.context(), &key) {
                    self.table_action(a);
                }
            }
            Screen::Versions(_) | Screen::KeyMap(_) => {
                if let Some(a) = self.state.keymap.action(self.state.screen.context(), &key) {
                    self.undo_screen_action(a);
                }
            }
            Screen::Jobs(_) => {
                if let Some(a) = self.state.keymap.action(self.state.screen.context(), &key) {
                    self.jobs_action(a);
                }
            }
        }
    }

    fn key_map_typing(&self) -> bool {
        matches!(&self.state.screen, Screen::KeyMap(k) if k.filter.typing() && k.rotation.is_none())
    }

    fn form_dirty(&self) -> bool {
        matches!(&self.state.screen, Screen::Form(f) if f.is_dirty())
    }

    /// `q` / Ctrl-c: quits, but asks first when a form has unsaved changes.
    fn request_quit(&mut self) {
        if self.form_dirty() {
            self.state.popup = Some(Popup::Confirm(ConfirmState::new(ConfirmKind::QuitDiscard)));
        } else {
            self.state.quit = true;
        }
    }

    /// Refuses a write in read-only mode, with a toast saying why.
    fn writable(&mut self, what: &str) -> bool {
        if self.state.env.read_only {
            self.toast(Level::Error, format!("read-only mode: {what} is disabled"));
        }
        !self.state.env.read_only
    }

    /// Rows of the list on the current frame (one page).
    fn page(&self) -> isize {
        let rows = match &self.state.screen {
            Screen::Results(_) => {
                crate::tui::screens::results::page_rows(self.size.height.saturating_sub(2))
            }
            // Header and footer lines, the table's borders and column titles.
            Screen::KeyMap(_) => self.size.height.saturating_sub(2 + 3) as usize,
            // Header, footer, borders, and the filter line when shown.
            _ => self
                .size
                .height
                .saturating_sub(4 + u16::from(self.state.list.filter.is_some()))
                as usize,
        };
        rows.max(1) as isize
    }
}

//! Everything the screen is drawn from, and nothing else: no handles, no
//! channels, no clocks. `ui::render(&AppState, frame)` reads only this, so a
//! snapshot test builds one from fixed data and renders it.

use std::collections::HashMap;

use throbber_widgets_tui::{BRAILLE_SIX, Throbber, ThrobberState};
use time::OffsetDateTime;

use super::action::KeyContext;
use super::job::JobState;
use super::keymap::KeyMap;
use super::screens::Screen;
use super::screens::instances::InstanceList;
use super::theme::Theme;
use super::widgets::add_instance::AddInstanceState;
use super::widgets::bulk_edit::BulkEditState;
use super::widgets::changed_since::ChangedSinceState;
use super::widgets::confirm::ConfirmState;
use super::widgets::messages::MessageLog;
use super::widgets::picker::PickerState;
use super::widgets::rotate_key::RotateKeyState;
use super::widgets::toast::Toasts;
use super::widgets::type_name::TypeNameState;
use crate::domain::{Catalog, Scope};

/// How many recent scopes the picker remembers.
const RECENT: usize = 5;

/// Fixed facts about this session.
#[derive(Debug, Clone)]
pub struct Env {
    /// `local: <store>` or `remote: <url>`.
    pub mode: String,
    /// `--read-only`.
    pub read_only: bool,
    /// config.toml path.
    pub config_file: String,
    /// Store path or remote URL.
    pub store: String,
    /// Log file path.
    pub log_file: String,
    /// The `[[tui.contexts]]` marker of the store or remote, if it has one.
    pub context: Option<super::context_mark::ContextMark>,
}

/// The popup on top of the screen, if any.
#[derive(Debug)]
pub enum Popup {
    /// Instance picker.
    Picker(PickerState),
    /// Yes/no dialog.
    Confirm(ConfirmState),
    /// Register an instance id.
    AddInstance(AddInstanceState),
    /// Key help of `context`, scrolled by this many lines.
    Help {
        /// Whose keys: the screen's or the popup's it was opened from.
        context: KeyContext,
        /// Lines scrolled off the top.
        scroll: u16,
        /// The popup it was opened over, restored on close.
        under: Option<Box<Popup>>,
    },
    /// A one-time notice that must be acknowledged (a new master key).
    Notice {
        /// The text, in full.
        text: String,
    },
    /// Every message of the session, newest last.
    Messages {
        /// Lines scrolled off the top.
        scroll: u16,
    },
    /// Set the model, or provider + key, of many scopes.
    BulkEdit(BulkEditState),
    /// The new key for a rotation of one fingerprint.
    RotateKey(RotateKeyState),
    /// A write held back: the stored config changed since it was seen.
    ChangedSince(ChangedSinceState),
    /// A bulk write waiting for the marked context's name.
    TypeName(TypeNameState),
}

impl Popup {
    /// A short name, for logs and the type-ahead rule (a confirm dialog is
    /// named by what it confirms, so one dialog replacing another counts
    /// as a new view).
    pub fn name(&self) -> &'static str {
        match self {
            Popup::Picker(_) => "instance picker",
            Popup::Confirm(c) => c.kind.name(),
            Popup::AddInstance(_) => "add-instance dialog",
            Popup::Help { .. } => "help",
            Popup::Notice { .. } => "notice",
            Popup::Messages { .. } => "message log",
            Popup::BulkEdit(_) => "bulk edit dialog",
            Popup::RotateKey(_) => "rotate-key dialog",
            Popup::ChangedSince(_) => "changed-since dialog",
            Popup::TypeName(_) => "type-the-name dialog",
        }
    }
}

/// Whether the backend answers (remote mode can lose it).
/// How much of the fleet the list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListCoverage {
    /// Every scope the service lists.
    #[default]
    Whole,
    /// Only the first rows, read at start so that a screenful shows before
    /// the whole fleet is read; keys that act on every scope wait for the
    /// whole list to be on screen.
    FirstRows,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Connection {
    /// Answering (or local).
    #[default]
    Ok,
    /// The server cannot be reached.
    Disconnected(String),
    /// The server refuses the token.
    Unauthorized(String),
}

/// Connection tests in flight, per scope.
#[derive(Debug, Default)]
pub struct PendingTests {
    by_scope: HashMap<Scope, u64>,
    next: u64,
    /// Spinner frame (advanced by ticks, which run only while a test is pending).
    pub throbber: ThrobberState,
}

impl PendingTests {
    /// Registers a new test of `scope`, replacing a pending one; returns its generation.
    pub fn start(&mut self, scope: &Scope) -> u64 {
        self.next += 1;
        self.by_scope.insert(scope.clone(), self.next);
        self.next
    }

    /// Whether `generation` is the live test of `scope`; if so, forgets it.
    pub fn finish(&mut self, scope: &Scope, generation: u64) -> bool {
        if self.by_scope.get(scope) == Some(&generation) {
            self.by_scope.remove(scope);
            true
        } else {
            false
        }
    }

    /// Forgets the pending test of `scope`; true when there was one.
    pub fn cancel(&mut self, scope: &Scope) -> bool {
        self.by_scope.remove(scope).is_some()
    }

    /// Whether `scope` has a test in flight.
    pub fn is_pending(&self, scope: &Scope) -> bool {
        self.by_scope.contains_key(scope)
    }

    /// Number of tests in flight.
    pub fn len(&self) -> usize {
        self.by_scope.len()
    }

    /// Whether nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.by_scope.is_empty()
    }

    /// The spinner symbol for a row whose test is pending.
    pub fn spinner(&self, scope: &Scope) -> Option<String> {
        self.is_pending(scope).then(|| {
            let t = Throbber::default().throbber_set(BRAILLE_SIX);
            t.to_symbol_span(&self.throbber).content.trim().to_string()
        })
    }
}

/// The whole drawable state.
#[derive(Debug)]
pub struct AppState {
    /// Session facts.
    pub env: Env,
    /// Colours.
    pub theme: Theme,
    /// Keys.
    pub keymap: KeyMap,
    /// Provider catalog.
    pub catalog: &'static Catalog,
    /// "Now" for ages, refreshed on every event (rendering never reads the clock).
    pub now: OffsetDateTime,
    /// The instance list; its selection is the current scope.
    pub list: InstanceList,
    /// Recently switched-to scopes, newest first.
    pub recent: Vec<Scope>,
    /// The screen.
    pub screen: Screen,
    /// The popup over it.
    pub popup: Option<Popup>,
    /// Toasts.
    pub toasts: Toasts,
    /// Every toast and notice in full.
    pub messages: MessageLog,
    /// The running or last job ("test all", bulk actions).
    pub job: Option<JobState>,
    /// Whether the backend answers.
    pub connection: Connection,
    /// Whether the list refreshes itself when the store changes (local).
    pub auto_refresh: bool,
    /// Tests in flight.
    pub tests: PendingTests,
    /// In single-pane layout: showing the detail instead of the list.
    pub narrow_detail: bool,
    /// The whole instance list has not arrived yet (its first rows may have).
    pub loading: bool,
    /// Whether the list holds every scope or only the first rows read at
    /// start (the rest still loading).
    pub coverage: ListCoverage,
    /// The user asked to quit.
    pub quit: bool,
    /// Drift from the `[fleet] file`, when one is configured.
    pub drift: Option<super::drift::DriftMarks>,
    /// The monitor's health of every scope and the selected scope's recent
    /// results; `None` until loaded, and always in remote mode.
    pub health: Option<crate::service::HealthBoard>,
}

impl AppState {
    /// A fresh state (empty list, loading).
    pub fn new(env: Env, theme: Theme, keymap: KeyMap, now: OffsetDateTime) -> AppState {
        AppState {
            env,
            theme,
            keymap,
            catalog: Catalog::builtin(),
            now,
            list: InstanceList::default(),
            recent: Vec::new(),
            screen: Screen::Main,
            popup: None,
            toasts: Toasts::default(),
            messages: MessageLog::default(),
            job: None,
            connection: Connection::Ok,
            auto_refresh: false,
            tests: PendingTests::default(),
            narrow_detail: false,
            loading: true,
            coverage: ListCoverage::Whole,
            quit: false,
            drift: None,
            health: None,
        }
    }

    /// The current scope: the selected row.
    pub fn scope(&self) -> Option<Scope> {
        self.list.selected().map(|e| e.scope.clone())
    }

    /// The key context in force (the popup's, else the screen's).
    pub fn context(&self) -> KeyContext {
        match &self.popup {
            Some(Popup::Help { context, .. }) => *context,
            None => self.screen.context(),
            Some(_) => KeyContext::Popup,
        }
    }

    /// Remembers `scope` as recently used.
    pub fn touch_recent(&mut self, scope: &Scope) {
        if *scope == Scope::Global {
            return;
        }
        self.recent.retain(|s| s != scope);
        self.recent.insert(0, scope.clone());
        self.recent.truncate(RECENT);
    }

    /// Whether a redraw tick is needed (a spinner is visible).
    pub fn wants_tick(&self) -> bool {
        // The jobs screen moves with jobs that send the app no event (a
        // rotation, another part of the process): it redraws on the tick.
        !self.tests.is_empty() || matches!(&self.screen, Screen::Jobs(v) if v.any_running())
    }
}

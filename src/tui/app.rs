//! The app: the drawable [`AppState`] plus what it must not contain — the
//! service handle, the event channel and the abort handles of running
//! tasks. Keys become actions (via the key map), actions change state or
//! spawn a service call, and every call reports back as an [`AppEvent`].

use std::collections::HashMap;
use std::time::Duration;

use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use time::OffsetDateTime;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::action::Action;
use super::event::{AppEvent, TestAllUpdate};
use super::screens::Screen;
use super::screens::audit::{AUDIT_LIMIT, AuditState};
use super::screens::chrome::TWO_PANE_WIDTH;
use super::screens::form::{FetchRequest, FormOutcome, FormState, LiveModels, SaveRequest};
use super::screens::test_all::TestAllState;
use super::state::{AppState, Popup};
use super::widgets::add_instance::{AddInstanceState, AddOutcome};
use super::widgets::confirm::{ConfirmKind, ConfirmOutcome, ConfirmState};
use super::widgets::picker::{PickerOutcome, PickerState};
use super::widgets::toast::Level;
use crate::domain::Scope;
use crate::service::{ServiceError, ServiceHandle, TestProgress};

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

    fn reload(&mut self, select: Option<Scope>) {
        let h = self.handle.clone();
        self.spawn(None, async move {
            AppEvent::InstancesLoaded {
                result: h.list_instances().await,
                select,
            }
        });
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
            Event::Mouse(m) if self.mouse => self.on_mouse(m),
            // The loop redraws after every event, which is all a resize needs.
            _ => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            self.state.quit = true;
            return;
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

    fn popup_key(&mut self, key: KeyEvent) {
        let Some(popup) = self.state.popup.as_mut() else {
            return;
        };
        match popup {
            Popup::Help { scroll } => match key.code {
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1).min(60),
                KeyCode::Esc | KeyCode::Char('?') | KeyCode::Char('q') | KeyCode::Enter => {
                    self.state.popup = None;
                }
                _ => {}
            },
            Popup::Picker(p) => match p.on_key(&key, &self.state.list, &self.state.recent) {
                PickerOutcome::Pending => {}
                PickerOutcome::Close => self.state.popup = None,
                PickerOutcome::Choose(scope) => {
                    self.state.popup = None;
                    self.switch_scope(scope);
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

    fn filter_key(&mut self, key: KeyEvent) {
        let list = &mut self.state.list;
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
                    list.refilter();
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

    fn start_test(&mut self, scope: Scope) {
        let generation = self.state.tests.start(&scope);
        self.state.touch_recent(&scope);
        let h = self.handle.clone();
        let key = TaskKey::Test(scope.clone());
        self.spawn(Some(key), async move {
            let result = h.test_connection(&scope).await;
            AppEvent::TestFinished {
                scope,
                generation,
                result,
            }
        });
    }

    fn start_test_all(&mut self) {
        let generation = self.next_generation();
        self.state.screen = Screen::TestAll(TestAllState {
            generation,
            ..Default::default()
        });
        let (h, tx, n) = (self.handle.clone(), self.tx.clone(), self.concurrency);
        self.spawn(Some(TaskKey::TestAll), async move {
            match h.test_all(n).await {
                Ok(mut rx) => {
                    while let Some(p) = rx.recv().await {
                        let update = TestAllUpdate::Progress(p);
                        let _ = tx.send(AppEvent::TestAll { generation, update });
                    }
                    AppEvent::TestAll {
                        generation,
                        update: TestAllUpdate::Done,
                    }
                }
                Err(e) => AppEvent::TestAll {
                    generation,
                    update: TestAllUpdate::Failed(e),
                },
            }
        });
    }

    fn load_audit(&mut self, scope: Scope) {
        self.state.screen = Screen::Audit(AuditState::loading(scope.clone()));
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Audit), async move {
            let result = h.audit(Some(&scope), AUDIT_LIMIT).await;
            AppEvent::AuditLoaded { scope, result }
        });
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

    fn form_key(&mut self, key: KeyEvent) {
        let catalog = self.state.catalog;
        let action = self.state.keymap.action(self.state.screen.context(), &key);
        let Screen::Form(form) = &mut self.state.screen else {
            return;
        };
        let outcome = match action {
            Some(a) => form.on_action(a, catalog),
            None => form.on_key(&key, catalog),
        };
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
                        FetchRequest::WithKey {
                            provider,
                            api_key,
                            base_url,
                        } => h.list_models_for(&provider, api_key, base_url).await,
                        FetchRequest::Stored { scope } => h.list_models(&scope).await,
                    };
                    AppEvent::ModelsLoaded { generation, result }
                });
            }
        }
    }

    fn save(&mut self, request: SaveRequest) {
        let h = self.handle.clone();
        self.spawn(None, async move {
            match request {
                SaveRequest::Create { scope, config } => AppEvent::Saved {
                    result: h.create(&scope, config).await,
                    scope,
                },
                SaveRequest::Update { scope, patch } => AppEvent::Saved {
                    result: h.update(&scope, patch).await,
                    scope,
                },
            }
        });
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        if self.state.popup.is_some() || !matches!(self.state.screen, Screen::Main) {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.state.list.move_by(1),
            MouseEventKind::ScrollUp => self.state.list.move_by(-1),
            MouseEventKind::Down(_) => {
                let Some(areas) = super::ui::layout(self.size, self.state.narrow_detail) else {
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

    /// Handles a result from a spawned task.
    pub fn on_app_event(&mut self, event: AppEvent) {
        self.state.now = OffsetDateTime::now_utc();
        match event {
            AppEvent::InstancesLoaded { result, select } => {
                self.state.loading = false;
                match result {
                    Ok(list) => {
                        let keep = select.or_else(|| self.state.scope());
                        self.state.list.set_entries(list, keep.as_ref());
                        // An open picker ranks indices into the old list.
                        if let Some(Popup::Picker(p)) = &mut self.state.popup {
                            p.refresh(&self.state.list, &self.state.recent);
                        }
                    }
                    Err(e) => self.toast(Level::Error, format!("cannot load instances: {e}")),
                }
            }
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
            AppEvent::TestAll { generation, update } => self.on_test_all(generation, update),
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
        }
    }

    fn on_test_all(&mut self, generation: u64, update: TestAllUpdate) {
        let mut finished = None;
        if let Screen::TestAll(t) = &mut self.state.screen
            && t.generation == generation
        {
            match update {
                TestAllUpdate::Progress(TestProgress::Started { total }) => t.total = Some(total),
                TestAllUpdate::Progress(TestProgress::Finished { scope, result }) => {
                    if let Ok(r) = &result {
                        finished = Some((scope.clone(), r.clone()));
                    }
                    t.record(scope, result);
                }
                TestAllUpdate::Done => {
                    t.done = true;
                    self.tasks.remove(&TaskKey::TestAll);
                }
                TestAllUpdate::Failed(e) => {
                    t.done = true;
                    t.error = Some(e.to_string());
                }
            }
        }
        if let Some((scope, r)) = finished {
            self.state.list.record_test(&scope, &r);
        }
    }
}

//! The terminal UI (`llmcfg` with no subcommand).
//!
//! Flow: crossterm's `EventStream` and the app's own event channel feed one
//! biased `select!` loop ([`run_loop`]). Keys become [`action::Action`]s via
//! the [`keymap`]; actions change the [`state::AppState`] or spawn a service
//! call whose result comes back as an [`event::AppEvent`]. The loop draws
//! only once the queue is empty, with the pure [`ui::render`]; it ticks only
//! while a spinner is visible, and otherwise wakes every two seconds to ask
//! the store for its change mark (one cheap query), so an idle UI sleeps. The terminal is
//! restored on quit, on error and (through the panic hook) on panic.

pub mod action;
pub mod app;
pub mod context_mark;
pub mod drift;
pub mod event;
pub mod fuzzy;
pub mod job;
pub mod keymap;
pub mod screens;
pub mod state;
pub mod text;
pub mod theme;
pub mod ui;
pub mod widgets;

use std::io::{self, IsTerminal};
use std::task::Poll;
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream,
};
use futures_util::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use time::OffsetDateTime;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::cli::{CliError, GlobalArgs, open_service_noticed};
use crate::domain::Scope;
use crate::service::ServiceHandle;
use crate::settings::{Paths, Settings};
use app::App;
use keymap::KeyMap;
use state::{AppState, Env};
use theme::Theme;
use widgets::toast::Level;

/// Spinner frame interval while a test runs.
const TICK: Duration = Duration::from_millis(100);
/// Default parallelism of "test all" when `[prober] concurrency` is unset.
const DEFAULT_CONCURRENCY: usize = 8;

/// Why the UI stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Opening the service failed.
    #[error(transparent)]
    Service(#[from] CliError),
    /// Drawing to the terminal failed.
    #[error("terminal error: {0}")]
    Terminal(String),
    /// Reading terminal input failed.
    #[error("terminal input error: {0}")]
    Input(#[from] io::Error),
    /// Started with stdin or stdout not a terminal (a script, a pipe, CI).
    #[error(
        "the terminal UI needs a terminal on stdin and stdout; from a script, run a command \
         instead (see `llmcfg --help`)"
    )]
    NotATerminal,
}

impl TuiError {
    /// The process exit code (design §6).
    pub fn exit_code(&self) -> i32 {
        match self {
            TuiError::Service(e) => e.exit_code(),
            TuiError::NotATerminal => crate::cli::exit::INVALID,
            _ => crate::cli::exit::UNEXPECTED,
        }
    }
}

/// What tests observe after every frame: the screen text and a few facts.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// The frame as text, one line per row.
    pub text: String,
    /// Name of the screen (`main`, `form`, …).
    pub screen: &'static str,
    /// The current scope.
    pub scope: Option<Scope>,
    /// Tests in flight.
    pub pending_tests: usize,
    /// Frames drawn so far.
    pub frames: usize,
}

/// The text of a buffer, one line per row (trailing spaces trimmed).
pub fn buffer_text(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Builds the session facts, theme and key map from the settings; returns
/// the problems found in `[keys]` and `[theme]` to show at start.
pub fn initial_state(
    handle: &ServiceHandle,
    settings: &Settings,
    paths: &Paths,
    read_only: bool,
    colour: bool,
) -> AppState {
    let (keymap, mut problems) = KeyMap::with_overrides(&settings.keys);
    let (theme, theme_problems) = Theme::from_settings(&settings.theme, colour);
    problems.extend(theme_problems);
    let store = match handle.info() {
        crate::service::BackendInfo::Local { store } => store.display().to_string(),
        crate::service::BackendInfo::Remote { url } => url.clone(),
    };
    let env = Env {
        mode: handle.info().to_string(),
        read_only,
        config_file: paths.config_file.display().to_string(),
        context: crate::settings::context_for(&settings.tui.contexts, &store)
            .map(context_mark::ContextMark::from_setting),
        store,
        log_file: paths.log_file.display().to_string(),
    };
    let mut state = AppState::new(env, theme, keymap, OffsetDateTime::now_utc());
    state.list.lifecycle = settings.lifecycle.window();
    for p in problems {
        tracing::warn!(problem = %p, "configuration problem");
        state.toasts.push(Level::Error, p);
    }
    state
}

/// Builds the app for an open service.
pub fn build_app(
    handle: ServiceHandle,
    settings: &Settings,
    paths: &Paths,
    global: &GlobalArgs,
) -> App {
    let colour = !(global.no_color || theme::no_color_env());
    let state = initial_state(&handle, settings, paths, global.read_only, colour);
    let mouse = settings.tui.mouse.unwrap_or(true);
    let concurrency = settings.prober.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
    let mut app = App::new(handle, state, mouse, concurrency);
    if let Some(file) = &settings.fleet.file {
        // Relative to config.toml, like every other path in it.
        let dir = paths
            .config_file
            .parent()
            .unwrap_or(std::path::Path::new("."));
        app.set_fleet_file(dir.join(file));
    }
    app
}

/// Runs the UI on the real terminal until the user quits.
pub async fn run(global: &GlobalArgs) -> Result<(), TuiError> {
    // Before anything is opened or drawn: without a terminal, raw mode and
    // key reading fail with a device error that tells the user nothing.
    if !(io::stdin().is_terminal() && io::stdout().is_terminal()) {
        return Err(TuiError::NotATerminal);
    }
    // Open the store first: a wrong master key is reported on a normal
    // terminal, before the alternate screen hides it.
    let (handle, settings, paths, notices) = open_service_noticed(global).await?;
    let mut app = build_app(handle, &settings, &paths, global);
    app.set_clipboard(widgets::clipboard::osc52_stdout());
    // Shown inside the UI: printed before the alternate screen, they would
    // be seen only after quitting (the master-key backup notice).
    for notice in notices {
        tracing::info!(notice = %notice, "start-up notice");
        app.notice(notice);
    }
    // color-eyre's hooks first, then ratatui's, so the terminal is restored
    // before any report is printed.
    let _ = color_eyre::install();
    let mut terminal = ratatui::try_init()?;
    let mouse = settings.tui.mouse.unwrap_or(true);
    // Bracketed paste: a paste arrives as one event, never as keys that
    // would run as commands.
    crossterm::execute!(io::stdout(), EnableBracketedPaste)?;
    if mouse {
        crossterm::execute!(io::stdout(), EnableMouseCapture)?;
    }
    // ratatui's hook leaves raw mode and the alternate screen; paste and
    // mouse reporting must be switched off too, or the shell gets escape codes.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = reporting_off(mouse);
        previous(info);
    }));
    let result = run_loop(&mut terminal, &mut app, EventStream::new(), None).await;
    let _ = reporting_off(mouse);
    ratatui::restore();
    let _ = crossterm::execute!(io::stdout(), crossterm::cursor::Show);
    result
}

/// Switches off what [`run`] switched on besides raw mode and the alternate
/// screen: bracketed paste, and mouse reporting when it was on.
fn reporting_off(mouse: bool) -> io::Result<()> {
    if mouse {
        crossterm::execute!(io::stdout(), DisableMouseCapture)?;
    }
    crossterm::execute!(io::stdout(), DisableBracketedPaste)
}

/// The event loop: biased towards app events, draws only when the queue is
/// empty, ticks only while a spinner is visible. `input` is crossterm's
/// `EventStream` in the binary and a scripted stream in tests; `observer`
/// receives every frame's text.
pub async fn run_loop<B, S>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    mut input: S,
    observer: Option<&watch::Sender<Observation>>,
) -> Result<(), TuiError>
where
    B: Backend,
    S: Stream<Item = io::Result<Event>> + Unpin,
{
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut changes = tokio::time::interval(app::CHANGE_POLL);
    changes.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut frames = 0;
    loop {
        app.before_frame();
        let frame = terminal
            .draw(|f| ui::render(&app.state, f))
            .map_err(|e| TuiError::Terminal(e.to_string()))?;
        frames += 1;
        app.size = frame.area;
        // `draw` has flushed the frame: from here on, keys answer what it shows.
        app.frame_flushed();
        if let Some(obs) = observer {
            obs.send_replace(Observation {
                text: buffer_text(frame.buffer),
                screen: app.state.screen.name(),
                scope: app.state.scope(),
                pending_tests: app.state.tests.len(),
                frames,
            });
        }
        if app.state.quit {
            return Ok(());
        }
        let ticking = app.state.wants_tick();
        tokio::select! {
            biased;
            Some(event) = app.rx.recv() => app.on_app_event(event),
            event = input.next() => match event {
                Some(Ok(event)) => app.on_terminal_event(event),
                Some(Err(e)) => return Err(TuiError::Input(e)),
                None => return Ok(()),
            },
            _ = ticker.tick(), if ticking => app.on_tick(),
            _ = changes.tick(), if app.polls_changes() => app.poll_changes(),
        }
        // Draw only when the queues are empty: apply everything already
        // waiting, including keys typed (or pasted) faster than a frame.
        while let Ok(event) = app.rx.try_recv() {
            app.on_app_event(event);
        }
        // Polled with this task's own waker (`poll!`), never a no-op one:
        // crossterm's EventStream registers only the first waker it sees.
        while !app.state.quit {
            match futures_util::poll!(input.next()) {
                Poll::Ready(Some(Ok(event))) => app.on_terminal_event(event),
                Poll::Ready(Some(Err(e))) => return Err(TuiError::Input(e)),
                Poll::Ready(None) => return Ok(()),
                Poll::Pending => break,
            }
        }
    }
}

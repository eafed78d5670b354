//! The TUI's state over fixed data and its frames as text, for the tests
//! that render screens into a ratatui `TestBackend`: a made-up environment
//! (paths that do not depend on the machine, so snapshots are stable), a
//! loaded `AppState` at a fixed time with the default theme and keys, and
//! one frame drawn from it.
//!
//! Include it with `#[path = "support/tui_frame.rs"] mod tui_frame;`.
#![allow(dead_code)]

use llmcfg::domain::{InstanceId, Scope};
use llmcfg::tui::buffer_text;
use llmcfg::tui::keymap::KeyMap;
use llmcfg::tui::state::{AppState, Env};
use llmcfg::tui::theme::Theme;
use llmcfg::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use time::OffsetDateTime;
use time::macros::datetime;

/// The clock of every fixed state: ages on screen count back from here.
pub const NOW: OffsetDateTime = datetime!(2026-02-27 10:00 UTC);

/// A local store at made-up paths, writable.
pub fn fixed_env() -> Env {
    Env {
        mode: "local: /data/llmcfg/llmcfg.db".into(),
        read_only: false,
        config_file: "/home/admin/.config/llmcfg/config.toml".into(),
        store: "/data/llmcfg/llmcfg.db".into(),
        log_file: "/home/admin/.local/state/llmcfg/llmcfg.log".into(),
        context: None,
    }
}

/// A state on [`fixed_env`] at `now` that is done loading, its list empty.
pub fn loaded_state(now: OffsetDateTime) -> AppState {
    let mut s = AppState::new(
        fixed_env(),
        Theme::default_colours(),
        KeyMap::defaults(),
        now,
    );
    s.loading = false;
    s
}

/// One frame of `state` on a `w`×`h` terminal.
pub fn draw(state: &AppState, w: u16, h: u16) -> Buffer {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::render(state, f)).unwrap().buffer.clone()
}

/// One frame of `state` on a `w`×`h` terminal, as text.
pub fn render(state: &AppState, w: u16, h: u16) -> String {
    buffer_text(&draw(state, w, h))
}

/// The instance scope `id`.
pub fn scope(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

//! The rotate-key dialog (`r` on the key map): the new key for one
//! fingerprint, typed or pasted into a masked field. The key is drawn only
//! as bullets and never reaches a toast or the message log; Enter hands it
//! to the rotation as an [`ApiKey`], Esc drops it.

use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{centered, popup_frame};
use crate::domain::ApiKey;
use crate::tui::theme::{Slot, Theme};

/// The dialog's state.
#[derive(Debug)]
pub struct RotateKeyState {
    /// Fingerprint of the key to replace.
    pub fingerprint: String,
    /// Its mask, to name it on screen.
    pub masked: String,
    /// How many scopes use it.
    pub scope_count: usize,
    key: Input,
    problem: Option<String>,
}

/// What a key did.
#[derive(Debug)]
pub enum RotateOutcome {
    /// Still open.
    Pending,
    /// Closed without rotating.
    Close,
    /// Rotate to this key.
    Start(ApiKey),
}

impl RotateKeyState {
    /// A dialog replacing the key `fingerprint` (shown as `masked`).
    pub fn new(fingerprint: String, masked: String, scope_count: usize) -> RotateKeyState {
        RotateKeyState {
            fingerprint,
            masked,
            scope_count,
            key: Input::default(),
            problem: None,
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> RotateOutcome {
        match key.code {
            KeyCode::Esc => RotateOutcome::Close,
            KeyCode::Enter => {
                let typed = self.key.value().trim();
                if typed.is_empty() {
                    self.problem = Some("api_key: paste the new key first".into());
                    return RotateOutcome::Pending;
                }
                RotateOutcome::Start(ApiKey::new(typed))
            }
            _ => {
                self.key.handle_event(&Event::Key(*key));
                self.problem = None;
                RotateOutcome::Pending
            }
        }
    }
}

/// Draws the dialog centred in `area`; the key only as bullets.
pub fn render(state: &RotateKeyState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 70, 9);
    let inner = popup_frame(frame, rect, "Rotate key", theme);
    let n = state.scope_count;
    let lines = vec![
        Line::from(format!(
            "Replace {} in {n} scope{}",
            state.masked,
            if n == 1 { "" } else { "s" }
        )),
        Line::from(Span::styled(
            state.fingerprint.clone(),
            theme.style(Slot::Muted),
        )),
        Line::default(),
        Line::from(vec![
            Span::styled("› New key  ", theme.style(Slot::Accent)),
            Span::raw("•".repeat(state.key.value().chars().count())),
            Span::styled("▏", theme.style(Slot::Muted)),
        ]),
        Line::default(),
        match &state.problem {
            Some(p) => Line::from(Span::styled(format!("✗ {p}"), theme.style(Slot::Error))),
            None => Line::from(Span::styled(
                "Enter tests it in every scope, then swaps · Esc cancels",
                theme.style(Slot::Muted),
            )),
        },
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

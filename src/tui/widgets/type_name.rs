//! The typed-name confirm of a context marked `confirm = "name"` (see
//! `[[tui.contexts]]`): a bulk write or bulk delete there runs only once the
//! context's name is typed exactly. A wrong name runs nothing and says so;
//! `Esc` cancels. What it holds back is the typed [`NamedWrite`].

use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{centered, popup_frame};
use crate::domain::{ApiKey, ConfigPatch, Scope};
use crate::tui::theme::{Slot, Theme};

/// A bulk write or delete waiting for the context's name.
#[derive(Debug)]
pub enum NamedWrite {
    /// Delete the configurations of these scopes.
    Delete {
        /// The scopes.
        scopes: Vec<Scope>,
    },
    /// Apply a bulk edit (checked for concurrent changes first).
    Patch {
        /// The edit.
        patch: Box<ConfigPatch>,
        /// The scopes.
        scopes: Vec<Scope>,
        /// Their config stamps when the edit dialog opened.
        seen: Vec<u64>,
    },
    /// Rotate one key in every scope using it.
    Rotate {
        /// The fingerprint of the key to replace.
        fingerprint: String,
        /// The new key.
        new_key: ApiKey,
    },
}

impl NamedWrite {
    fn describe(&self) -> String {
        match self {
            NamedWrite::Delete { scopes } => {
                format!("delete the configurations of {} scopes", scopes.len())
            }
            NamedWrite::Patch { scopes, .. } => format!("change {} scopes", scopes.len()),
            NamedWrite::Rotate { .. } => "rotate a key in every scope using it".into(),
        }
    }
}

/// The dialog's state.
#[derive(Debug)]
pub struct TypeNameState {
    /// The context's name, which must be typed.
    pub expected: String,
    input: Input,
    /// A wrong name was entered.
    wrong: bool,
    /// What runs once the name is right.
    pub write: Option<NamedWrite>,
}

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOutcome {
    /// Still open (typing, or a wrong name).
    Pending,
    /// The name matches: run the write.
    Confirmed,
    /// Cancelled: nothing runs.
    Close,
}

impl TypeNameState {
    /// A dialog asking for `expected` before `write`.
    pub fn new(expected: &str, write: NamedWrite) -> TypeNameState {
        TypeNameState {
            expected: expected.to_string(),
            input: Input::default(),
            wrong: false,
            write: Some(write),
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> NameOutcome {
        match key.code {
            KeyCode::Esc => NameOutcome::Close,
            KeyCode::Enter if self.input.value() == self.expected => NameOutcome::Confirmed,
            KeyCode::Enter => {
                self.wrong = true;
                NameOutcome::Pending
            }
            _ => {
                if self
                    .input
                    .handle_event(&Event::Key(*key))
                    .is_some_and(|c| c.value)
                {
                    self.wrong = false;
                }
                NameOutcome::Pending
            }
        }
    }
}

/// Draws the dialog centred in `area`, as tall as its wrapped text.
pub fn render(state: &TypeNameState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let what = state
        .write
        .as_ref()
        .map(NamedWrite::describe)
        .unwrap_or_default();
    let status = if state.wrong {
        Span::styled(
            format!("✗ not {:?}: nothing was changed", state.expected),
            theme.style(Slot::Error),
        )
    } else {
        Span::styled(
            format!("This is {}: type its name to {what}.", state.expected),
            theme.style(Slot::Warn),
        )
    };
    let lines = vec![
        Line::from(status),
        Line::default(),
        Line::from(vec![
            Span::styled("Name: ", theme.style(Slot::Accent)),
            Span::raw(state.input.value().to_string()),
            Span::styled("▏", theme.style(Slot::Muted)),
        ]),
        Line::default(),
        Line::from(Span::styled(
            "Enter confirms · Esc cancels",
            theme.style(Slot::Muted),
        )),
    ];
    let text = Paragraph::new(lines).wrap(Wrap { trim: false });
    let width: u16 = 64;
    let rows = text.line_count(width.min(area.width).saturating_sub(2));
    let height = u16::try_from(rows).unwrap_or(u16::MAX).saturating_add(2);
    let rect = centered(area, width, height);
    let inner = popup_frame(
        frame,
        rect,
        &format!("Type {} to confirm", state.expected),
        theme,
    );
    frame.render_widget(text, inner);
}

//! The "add instance" dialog (`a`): one text field for the id, checked as you
//! type with the domain's own `InstanceId::parse` (design §2), so the rule
//! lives in one place.

use crossterm::event::{Event, KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{centered, popup_frame};
use crate::domain::InstanceId;
use crate::tui::theme::{Slot, Theme};

/// The dialog's state.
#[derive(Debug, Default)]
pub struct AddInstanceState {
    input: Input,
    /// Shown once the user tried to submit an empty id.
    tried: bool,
}

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    /// Still open.
    Pending,
    /// Register this id.
    Add(InstanceId),
    /// Closed.
    Close,
}

impl AddInstanceState {
    /// The dialog with `id` already typed (from the picker's "no match").
    pub fn with_id(id: &str) -> AddInstanceState {
        AddInstanceState {
            input: Input::new(id.to_string()),
            tried: true,
        }
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> AddOutcome {
        match key.code {
            KeyCode::Esc => AddOutcome::Close,
            KeyCode::Enter => match InstanceId::parse(self.input.value()) {
                Ok(id) => AddOutcome::Add(id),
                Err(_) => {
                    self.tried = true;
                    AddOutcome::Pending
                }
            },
            _ => {
                self.input.handle_event(&Event::Key(*key));
                AddOutcome::Pending
            }
        }
    }

    fn problem(&self) -> Option<String> {
        if self.input.value().is_empty() && !self.tried {
            return None;
        }
        InstanceId::parse(self.input.value())
            .err()
            .map(|e| e.reason)
    }
}

/// Draws the dialog centred in `area`.
pub fn render(state: &AddInstanceState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 60, 8);
    let inner = popup_frame(frame, rect, "Add instance", theme);
    let status = match state.problem() {
        Some(reason) => Span::styled(format!("✗ instance id {reason}"), theme.style(Slot::Error)),
        None if state.input.value().is_empty() => {
            Span::styled("1–128 of A-Z a-z 0-9 . _ : -", theme.style(Slot::Muted))
        }
        None => Span::styled("✓ valid id", theme.style(Slot::Ok)),
    };
    let lines = vec![
        Line::from(vec![
            Span::styled("Instance id: ", theme.style(Slot::Accent)),
            Span::raw(state.input.value().to_string()),
            Span::styled("▏", theme.style(Slot::Muted)),
        ]),
        Line::from(status),
        Line::default(),
        Line::from(Span::styled(
            "Enter add · Esc cancel",
            theme.style(Slot::Muted),
        )),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

//! The instance picker (`Ctrl-p` / `:`): a modal fuzzy finder over every
//! scope, the control plane always first and recent scopes next; Enter
//! switches to the highlighted scope.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use tui_input::Input;
use tui_input::backend::crossterm::EventHandler;

use super::{centered, popup_frame};
use crate::domain::Scope;
use crate::tui::fuzzy::{Fuzzy, NO_PRIORITY};
use crate::tui::screens::instances::{InstanceList, scope_label, test_mark};
use crate::tui::screens::selection::Selection;
use crate::tui::theme::{Slot, Theme};

/// The picker's state.
#[derive(Debug, Default)]
pub struct PickerState {
    input: Input,
    ranked: Vec<usize>,
    selected: Selection,
    fuzzy: Fuzzy,
}

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerOutcome {
    /// Still open.
    Pending,
    /// Switch to this scope.
    Choose(Scope),
    /// Closed without a choice.
    Close,
    /// Enter on "no match": offer to register the typed text as an id.
    Offer(String),
}

impl PickerState {
    /// A picker over `list`, ranked with `recent` (most recent first).
    pub fn new(list: &InstanceList, recent: &[Scope]) -> PickerState {
        let mut p = PickerState::default();
        p.rerank(list, recent);
        p
    }

    /// The typed fragment.
    pub fn query(&self) -> &str {
        self.input.value()
    }

    /// Re-ranks after the list was reloaded.
    pub fn refresh(&mut self, list: &InstanceList, recent: &[Scope]) {
        self.rerank(list, recent);
    }

    fn rerank(&mut self, list: &InstanceList, recent: &[Scope]) {
        let prio: Vec<u32> = list
            .entries()
            .iter()
            .map(|e| match &e.scope {
                Scope::Global => 0,
                s => recent
                    .iter()
                    .position(|r| r == s)
                    .map(|i| i as u32 + 1)
                    .unwrap_or(NO_PRIORITY),
            })
            .collect();
        self.ranked = self.fuzzy.rank(self.input.value(), list.haystacks(), &prio);
        self.selected.top();
    }

    /// Handles a key.
    pub fn on_key(
        &mut self,
        key: &KeyEvent,
        list: &InstanceList,
        recent: &[Scope],
    ) -> PickerOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => PickerOutcome::Close,
            KeyCode::Enter => match self
                .ranked
                .get(self.selected.pos())
                .and_then(|&i| list.entries().get(i))
            {
                Some(e) => PickerOutcome::Choose(e.scope.clone()),
                // A tenant that is not listed yet is one to add.
                None if !self.input.value().trim().is_empty() => {
                    PickerOutcome::Offer(self.input.value().trim().to_string())
                }
                None => PickerOutcome::Pending,
            },
            KeyCode::Up => {
                self.selected.move_by(-1, self.ranked.len());
                PickerOutcome::Pending
            }
            KeyCode::Char('k') | KeyCode::Char('p') if ctrl => {
                self.selected.move_by(-1, self.ranked.len());
                PickerOutcome::Pending
            }
            KeyCode::Down => {
                self.selected.move_by(1, self.ranked.len());
                PickerOutcome::Pending
            }
            KeyCode::Char('j') | KeyCode::Char('n') if ctrl => {
                self.selected.move_by(1, self.ranked.len());
                PickerOutcome::Pending
            }
            _ => {
                if self
                    .input
                    .handle_event(&Event::Key(*key))
                    .is_some_and(|c| c.value)
                {
                    self.rerank(list, recent);
                }
                PickerOutcome::Pending
            }
        }
    }
}

/// Draws the picker centred in `area`.
pub fn render(
    state: &PickerState,
    list: &InstanceList,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let rect = centered(area, 60, 18);
    let inner = popup_frame(frame, rect, "Switch scope", theme);
    let mut lines = vec![Line::from(vec![
        Span::styled("› ", theme.style(Slot::Key)),
        Span::raw(state.input.value().to_string()),
        Span::styled("▏", theme.style(Slot::Muted)),
    ])];
    let rows = inner.height.saturating_sub(2) as usize;
    // The list scrolls with the selection (not by pages): the best matches
    // stay in view while the user walks down from them.
    let offset = state.selected.pos().saturating_sub(rows.saturating_sub(1));
    for (pos, &i) in state.ranked.iter().enumerate().skip(offset).take(rows) {
        let Some(e) = list.entries().get(i) else {
            continue;
        };
        let (mark, slot) = test_mark(e.current_test());
        let name = e.summary.name.clone().unwrap_or_default();
        let selected = state.selected.is(pos);
        let style = if selected {
            theme.style(Slot::Selected)
        } else {
            Default::default()
        };
        lines.push(Line::from(vec![
            Span::styled(if selected { "›" } else { " " }, style),
            Span::styled(format!("{mark} "), theme.style(slot)),
            Span::styled(format!("{:<24.24}", scope_label(&e.scope)), style),
            Span::styled(format!(" {name}"), theme.style(Slot::Muted)),
        ]));
    }
    if state.ranked.is_empty() {
        let typed = state.input.value().trim();
        let text = if typed.is_empty() {
            "no match".to_string()
        } else {
            format!("no match · Enter adds {typed:?} as an instance")
        };
        lines.push(Line::from(Span::styled(text, theme.style(Slot::Muted))));
    }
    let hint = Line::from(Span::styled(
        format!(
            "{} of {} · ↑/↓ · Enter switch · Esc close",
            state.ranked.len(),
            list.entries().len()
        ),
        theme.style(Slot::Muted),
    ));
    frame.render_widget(
        Paragraph::new(lines),
        Rect {
            height: inner.height.saturating_sub(1),
            ..inner
        },
    );
    frame.render_widget(
        Paragraph::new(hint),
        Rect {
            y: inner.y + inner.height.saturating_sub(1),
            height: 1.min(inner.height),
            ..inner
        },
    );
}

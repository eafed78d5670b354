//! Toasts: short levelled messages in the bottom-right corner that expire on
//! a timer event (not a redraw tick), each with a symbol so the level never
//! depends on colour. A text too long for the toast ends in an ellipsis and
//! points to the message log, which keeps every toast in full.

use std::collections::VecDeque;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::tui::text::ellipsize_end;
use crate::tui::theme::{Slot, Theme};

/// How many toasts are kept at once.
const MAX_TOASTS: usize = 3;
/// Most text lines of one toast.
const MAX_LINES: usize = 4;
/// Appended to a toast cut to fit.
const MORE: &str = " (L: full text)";

/// Severity of a toast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Neutral information.
    Info,
    /// Something succeeded.
    Ok,
    /// Something failed.
    Error,
}

/// One toast.
#[derive(Debug, Clone)]
pub struct Toast {
    /// Id used by the expiry event.
    pub id: u64,
    /// Severity.
    pub level: Level,
    /// Text.
    pub text: String,
}

/// The visible toasts, newest last.
#[derive(Debug, Default)]
pub struct Toasts {
    items: VecDeque<Toast>,
    next_id: u64,
}

impl Toasts {
    /// Adds a toast and returns its id (for the expiry timer).
    pub fn push(&mut self, level: Level, text: impl Into<String>) -> u64 {
        self.next_id += 1;
        self.items.push_back(Toast {
            id: self.next_id,
            level,
            text: text.into(),
        });
        while self.items.len() > MAX_TOASTS {
            self.items.pop_front();
        }
        self.next_id
    }

    /// Removes toast `id`.
    pub fn expire(&mut self, id: u64) {
        self.items.retain(|t| t.id != id);
    }

    /// The visible toasts.
    pub fn iter(&self) -> impl Iterator<Item = &Toast> {
        self.items.iter()
    }
}

/// Draws the toasts stacked above the bottom edge of `area`.
pub fn render(toasts: &Toasts, theme: &Theme, frame: &mut Frame, area: Rect) {
    let width = area.width.min(52);
    let mut bottom = area.y + area.height;
    for toast in toasts.items.iter().rev() {
        let (symbol, slot) = match toast.level {
            Level::Info => ("ℹ", Slot::Accent),
            Level::Ok => ("✓", Slot::Ok),
            Level::Error => ("✗", Slot::Error),
        };
        let inner_w = width.saturating_sub(2).max(1) as usize;
        let wrapped = |t: &str| {
            Paragraph::new(format!("{symbol} {t}"))
                .wrap(Wrap { trim: true })
                .line_count(inner_w as u16)
        };
        // A cut toast says so and where to read the rest; word wrapping
        // wastes line ends, so shrink until the wrapped text fits.
        let mut text = toast.text.clone();
        if wrapped(&text) > MAX_LINES {
            let mut room = (inner_w * MAX_LINES).saturating_sub(MORE.chars().count() + 3);
            loop {
                text = format!("{}{MORE}", ellipsize_end(&toast.text, room));
                if wrapped(&text) <= MAX_LINES || room == 0 {
                    break;
                }
                room = room.saturating_sub(inner_w / 4 + 1);
            }
        }
        let lines = wrapped(&text).clamp(1, MAX_LINES) as u16;
        let height = lines + 2;
        if bottom < area.y + height {
            break;
        }
        bottom -= height;
        let rect = Rect {
            x: area.x + area.width - width,
            y: bottom,
            width,
            height,
        };
        frame.render_widget(Clear, rect);
        let text = Line::from(vec![
            Span::styled(format!("{symbol} "), theme.style(slot)),
            Span::raw(text),
        ]);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(slot));
        frame.render_widget(
            Paragraph::new(text).wrap(Wrap { trim: true }).block(block),
            rect,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    #[test]
    fn a_cut_toast_says_where_the_rest_is() {
        let mut toasts = Toasts::default();
        let long = format!("cannot load instances: {}THE-END", "x".repeat(400));
        toasts.push(Level::Error, long);
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let frame = t
            .draw(|f| render(&toasts, &Theme::monochrome(), f, f.area()))
            .unwrap();
        let text = crate::tui::buffer_text(frame.buffer);
        assert!(text.contains("(L: full"), "{text}");
        assert!(!text.contains("THE-END"), "{text}");
    }
}

//! The message log (`L`): every toast and notice of the session in full,
//! newest last, so an error cut short in its toast can always be read; and
//! the one-time notice popup (a new master key to back up), which stays
//! until the user acknowledges it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use time::OffsetDateTime;

use super::toast::Level;
use super::{centered, popup_frame};
use crate::tui::theme::{Slot, Theme};

/// Most messages kept; older ones are dropped first.
const MAX_MESSAGES: usize = 2_000;

/// One logged message.
#[derive(Debug, Clone)]
pub struct Message {
    /// When it was shown.
    pub at: OffsetDateTime,
    /// Severity.
    pub level: Level,
    /// The full text.
    pub text: String,
}

/// Every message of the session.
#[derive(Debug, Default)]
pub struct MessageLog {
    items: Vec<Message>,
}

impl MessageLog {
    /// Appends a message.
    pub fn push(&mut self, at: OffsetDateTime, level: Level, text: impl Into<String>) {
        if self.items.len() == MAX_MESSAGES {
            self.items.remove(0);
        }
        self.items.push(Message {
            at,
            level,
            text: text.into(),
        });
    }

    /// The messages, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Message> {
        self.items.iter()
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether none was logged.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The symbol and colour of a level (the symbol alone carries it).
pub fn level_mark(level: Level) -> (&'static str, Slot) {
    match level {
        Level::Info => ("ℹ", Slot::Accent),
        Level::Ok => ("✓", Slot::Ok),
        Level::Error => ("✗", Slot::Error),
    }
}

/// The log as lines, one per message, unwrapped.
pub fn lines(log: &MessageLog, theme: &Theme) -> Vec<Line<'static>> {
    if log.is_empty() {
        return vec![Line::from(Span::styled(
            "no messages yet",
            theme.style(Slot::Muted),
        ))];
    }
    log.iter()
        .map(|m| {
            let (mark, slot) = level_mark(m.level);
            Line::from(vec![
                Span::styled(
                    format!(
                        "{:02}:{:02}:{:02} ",
                        m.at.hour(),
                        m.at.minute(),
                        m.at.second()
                    ),
                    theme.style(Slot::Muted),
                ),
                Span::styled(format!("{mark} "), theme.style(slot)),
                Span::raw(m.text.clone()),
            ])
        })
        .collect()
}

/// Rows of text the log popup shows on a frame `height` rows tall.
pub fn page_rows(height: u16) -> u16 {
    height.saturating_sub(4).max(1)
}

/// Draws the log over `area`, scrolled by `scroll` wrapped lines.
pub fn render(log: &MessageLog, scroll: u16, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rect = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let title = format!(
        "Messages ({}) — ↑/↓ PgUp/PgDn scroll · Esc close",
        log.len()
    );
    let inner = popup_frame(frame, rect, &title, theme);
    frame.render_widget(
        Paragraph::new(lines(log, theme))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}

/// How far the log can scroll on a frame of `area` (so scrolling stops at the end).
pub fn max_scroll(log: &MessageLog, theme: &Theme, area: Rect) -> u16 {
    let rect = centered(
        area,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    );
    let width = rect.width.saturating_sub(2);
    let height = rect.height.saturating_sub(2);
    let total = Paragraph::new(lines(log, theme))
        .wrap(Wrap { trim: false })
        .line_count(width) as u16;
    total.saturating_sub(height)
}

/// Draws a notice that waits for Enter.
pub fn render_notice(text: &str, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rect = centered(area, 72, 9);
    let inner = popup_frame(frame, rect, "Notice", theme);
    let lines = vec![
        Line::from(Span::styled(
            "ℹ Read this before you go on",
            theme.style(Slot::Warn),
        )),
        Line::default(),
        Line::from(text.to_string()),
        Line::default(),
        Line::from(Span::styled(
            "Enter / Esc: understood (kept in the message log, L)",
            theme.style(Slot::Muted),
        )),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), inner);
}

//! The audit history screen (`h`): the selected scope's entries, newest
//! first — time, actor, action, changed fields and detail. Never a key, only
//! its fingerprint.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};
use time::format_description::well_known::Rfc3339;

use crate::domain::{AuditEntry, Scope};
use crate::tui::theme::{Slot, Theme};

/// How many entries are fetched.
pub const AUDIT_LIMIT: usize = 200;

/// The screen's state.
#[derive(Debug)]
pub struct AuditState {
    /// Whose history.
    pub scope: Scope,
    /// `None` while loading; `Err` with the reason when loading failed.
    pub entries: Option<Result<Vec<AuditEntry>, String>>,
    /// First row shown.
    pub offset: usize,
}

impl AuditState {
    /// A loading screen for `scope`.
    pub fn loading(scope: Scope) -> AuditState {
        AuditState {
            scope,
            entries: None,
            offset: 0,
        }
    }

    /// Scrolls by `delta` rows.
    pub fn scroll(&mut self, delta: isize) {
        let len = match &self.entries {
            Some(Ok(e)) => e.len(),
            _ => 0,
        };
        self.offset = self
            .offset
            .saturating_add_signed(delta)
            .min(len.saturating_sub(1));
    }
}

/// Draws the screen into `area`.
pub fn render(state: &AuditState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.style(Slot::Accent))
        .title(Span::styled(
            format!(" Audit history — {} ", state.scope),
            theme.style(Slot::Accent),
        ));
    let entries = match &state.entries {
        None => return frame.render_widget(Paragraph::new("loading…").block(block), area),
        Some(Err(why)) => {
            let p = Paragraph::new(Span::styled(format!("✗ {why}"), theme.style(Slot::Error)));
            return frame.render_widget(p.block(block), area);
        }
        Some(Ok(e)) if e.is_empty() => {
            return frame.render_widget(Paragraph::new("no entries").block(block), area);
        }
        Some(Ok(e)) => e,
    };
    let rows = entries.iter().skip(state.offset).map(|e| {
        let detail = match (&e.key_fingerprint, &e.detail) {
            (Some(fp), Some(d)) => format!("key {fp} · {d}"),
            (Some(fp), None) => format!("key {fp}"),
            (None, Some(d)) => d.clone(),
            (None, None) => String::new(),
        };
        Row::new(vec![
            e.at.format(&Rfc3339).unwrap_or_default(),
            e.actor.clone(),
            e.action.to_string(),
            e.fields.join(","),
            detail,
        ])
    });
    let header = Row::new(vec!["Time", "Actor", "Action", "Fields", "Detail"])
        .style(theme.style(Slot::Accent));
    let widths = [
        Constraint::Length(20),
        Constraint::Length(16),
        Constraint::Length(12),
        Constraint::Length(22),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

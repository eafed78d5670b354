//! The audit history screen (`h`): the selected scope's entries, newest
//! first — time, actor, action, changed fields and detail. Never a key, only
//! its fingerprint.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::{Row, Table};
use time::format_description::well_known::Rfc3339;

use crate::crypto::fingerprint;
use crate::domain::{AuditEntry, Scope};
use crate::tui::screens::chrome::screen_block;
use crate::tui::screens::selection::{Loaded, loaded, rows_or_notice, step};
use crate::tui::theme::{Slot, Theme};

/// How many entries are fetched.
pub const AUDIT_LIMIT: usize = 200;

/// The screen's state.
#[derive(Debug)]
pub struct AuditState {
    /// Whose history.
    pub scope: Scope,
    /// The entries, once loaded.
    pub entries: Loaded<AuditEntry>,
    /// First row shown (the screen scrolls; it has no selection).
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
        self.offset = step(self.offset, delta, loaded(&self.entries).len());
    }
}

/// Draws the screen into `area`.
pub fn render(state: &AuditState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = screen_block(&format!("Audit history — {}", state.scope), theme);
    let Some(entries) = rows_or_notice(&state.entries, "no entries", &block, theme, frame, area)
    else {
        return;
    };
    // Actor and fields as wide as their widest visible value (within a
    // cap), the detail the rest: nothing is cut while columns stand blank.
    let visible = || entries.iter().skip(state.offset).take(area.height as usize);
    let widest = |title: &str, cap: usize, value: &dyn Fn(&AuditEntry) -> usize| {
        visible()
            .map(value)
            .max()
            .unwrap_or(0)
            .max(title.len())
            .min(cap) as u16
    };
    let actor_w = widest("Actor", 40, &|e| e.actor.chars().count());
    let fields_w = widest("Fields", 40, &|e| e.fields.join(",").chars().count());
    let rows = entries.iter().skip(state.offset).map(|e| {
        let shown = e.key_fingerprint.as_deref().map(fingerprint::shown);
        let detail = match (shown, &e.detail) {
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
        Constraint::Length(actor_w),
        Constraint::Length(12),
        Constraint::Length(fields_w),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(rows, widths).header(header).block(block), area);
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_withheld_unkeyed_fingerprint_is_said_in_words() {
        let entry = AuditEntry {
            id: 1,
            at: datetime!(2026-02-20 09:00 UTC),
            actor: "local:admin".into(),
            instance_id: None,
            action: "create".into(),
            fields: vec!["api_key".into()],
            key_fingerprint: Some(fingerprint::WITHHELD.into()),
            detail: None,
        };
        let state = AuditState {
            scope: Scope::Global,
            entries: Some(Ok(vec![entry])),
            offset: 0,
        };
        let mut terminal = Terminal::new(TestBackend::new(140, 8)).unwrap();
        terminal
            .draw(|f| render(&state, &Theme::monochrome(), f, f.area()))
            .unwrap();
        let screen: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(
            screen.contains("(unkeyed fingerprint withheld)"),
            "{screen}"
        );
        assert!(!screen.contains(fingerprint::WITHHELD), "{screen}");
    }
}

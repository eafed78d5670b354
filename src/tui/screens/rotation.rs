//! A rotation started from the key map, as the key map shows it: a progress
//! gauge while the new key is tested in every scope, then the report — one
//! row per scope (swapped, kept with the reason, unreachable) and a summary
//! line. Only fingerprints are shown, never a key.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph, Row, Table, Wrap};

use crate::service::rotation::{RotationProgress, RotationReport, ScopeOutcome};
use crate::tui::screens::chrome::screen_block;
use crate::tui::text::ellipsize_end;
use crate::tui::theme::{Slot, Theme};

/// Where the rotation is.
#[derive(Debug)]
pub enum RotationPhase {
    /// Testing the new key: `done` of `total` scopes finished.
    Testing {
        /// Tests finished.
        done: usize,
        /// Tests to run (the key map's count until the service says).
        total: usize,
    },
    /// The tests are over; the swaps run.
    Swapping,
    /// Finished: the report, or why the rotation could not run.
    Done(Result<RotationReport, String>),
}

/// A rotation of one key.
#[derive(Debug)]
pub struct RotationView {
    /// Fingerprint of the key being replaced.
    pub fingerprint: String,
    /// Where it is.
    pub phase: RotationPhase,
    /// Report rows scrolled off the top.
    pub offset: usize,
}

/// Report rows that fit on a terminal `height` rows high: less the header
/// and footer lines, the frame, the summary and its gap, and the column
/// titles.
pub fn report_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(8)).max(1)
}

impl RotationView {
    /// A rotation of `fingerprint`, about to test the `scopes` that use it
    /// (the key map's count, so the first frame never reads "0/0"; the
    /// service's own count replaces it when the run starts).
    pub fn new(fingerprint: String, scopes: usize) -> RotationView {
        RotationView {
            fingerprint,
            phase: RotationPhase::Testing {
                done: 0,
                total: scopes,
            },
            offset: 0,
        }
    }

    /// The header's badge while it runs: `rotating 3/12` or `rotating: swapping`.
    pub fn badge(&self) -> Option<String> {
        match &self.phase {
            RotationPhase::Testing { done, total } => Some(format!("rotating {done}/{total}")),
            RotationPhase::Swapping => Some("rotating: swapping".to_string()),
            _ => None,
        }
    }

    /// Scrolls the report by `delta` rows, `visible` of them on screen,
    /// stopping with the last row at the bottom.
    pub fn scroll(&mut self, delta: isize, visible: usize) {
        if let RotationPhase::Done(Ok(report)) = &self.phase {
            let max = report.scopes.len().saturating_sub(visible) as isize;
            self.offset = (self.offset as isize).saturating_add(delta).clamp(0, max) as usize;
        }
    }

    /// True until the report (or the error) arrived.
    pub fn running(&self) -> bool {
        !matches!(self.phase, RotationPhase::Done(_))
    }

    /// Applies one progress event.
    pub fn advance(&mut self, progress: RotationProgress) {
        match (&mut self.phase, progress) {
            (RotationPhase::Testing { total, .. }, RotationProgress::Testing { total: n }) => {
                *total = n
            }
            (RotationPhase::Testing { done, .. }, RotationProgress::Tested { .. }) => *done += 1,
            (RotationPhase::Testing { .. }, RotationProgress::Swapping) => {
                self.phase = RotationPhase::Swapping
            }
            _ => {}
        }
    }
}

/// Counts of a report's outcomes: `2 swapped · 1 kept`, zero counts left out.
pub fn summary(report: &RotationReport) -> String {
    let outcomes = [
        ScopeOutcome::Swapped,
        ScopeOutcome::Passed,
        ScopeOutcome::Kept,
        ScopeOutcome::Unreachable,
        ScopeOutcome::AlreadyRotated,
    ];
    let parts: Vec<String> = outcomes
        .into_iter()
        .map(|o| (report.count(o), o))
        .filter(|(n, _)| *n > 0)
        .map(|(n, o)| format!("{n} {}", o.as_str()))
        .collect();
    if parts.is_empty() {
        "no scope used the key".into()
    } else {
        parts.join(" · ")
    }
}

/// Draws the rotation into `area`.
pub fn render(view: &RotationView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = screen_block(&format!("Rotating {}", view.fingerprint), theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    match &view.phase {
        RotationPhase::Testing { done, total } => {
            let ratio = if *total == 0 {
                0.0
            } else {
                (*done as f64 / *total as f64).min(1.0)
            };
            let gauge = Gauge::default()
                .gauge_style(theme.style(Slot::Accent))
                .ratio(ratio)
                .label(format!("testing the new key: {done}/{total} scopes"));
            frame.render_widget(gauge, inner.intersection(Rect { height: 1, ..inner }));
        }
        RotationPhase::Swapping => {
            frame.render_widget(Paragraph::new("tests done; swapping…"), inner);
        }
        RotationPhase::Done(Err(why)) => {
            let p = Paragraph::new(Span::styled(format!("✗ {why}"), theme.style(Slot::Error)));
            frame.render_widget(p.wrap(Wrap { trim: true }), inner);
        }
        RotationPhase::Done(Ok(report)) => render_report(report, view.offset, theme, frame, inner),
    }
}

fn render_report(
    report: &RotationReport,
    offset: usize,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) {
    // The summary goes on top: toasts sit at the bottom right.
    let [head, _, table_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    let reason_w = (area.width as usize).saturating_sub(20 + 10 + 16 + 3);
    let visible = usize::from(table_area.height.saturating_sub(1)).max(1);
    let total = report.scopes.len();
    let offset = offset.min(total.saturating_sub(visible));
    let rows = report.scopes.iter().skip(offset).take(visible).map(|s| {
        let slot = match s.outcome {
            ScopeOutcome::Swapped | ScopeOutcome::Passed | ScopeOutcome::AlreadyRotated => Slot::Ok,
            ScopeOutcome::Kept | ScopeOutcome::Unreachable => Slot::Error,
        };
        Row::new(vec![
            Span::raw(match &s.instance_id {
                Some(id) => format!("tenant: {id}"),
                None => "control plane".into(),
            }),
            Span::raw(s.provider.clone()),
            Span::styled(s.outcome.as_str(), theme.style(slot)),
            Span::raw(ellipsize_end(s.reason.as_deref().unwrap_or(""), reason_w)),
        ])
    });
    let header =
        Row::new(vec!["Scope", "Provider", "Result", "Reason"]).style(theme.style(Slot::Accent));
    let widths = [
        Constraint::Length(20),
        Constraint::Length(10),
        Constraint::Length(16),
        Constraint::Fill(1),
    ];
    frame.render_widget(Table::new(rows, widths).header(header), table_area);
    let mut lines = vec![Line::from(format!(
        "{} → {}: {}",
        report.old_fingerprint,
        report.new_fingerprint,
        summary(report)
    ))];
    // The undo command only when there is something to undo.
    let mut hint = match report.undo_id() {
        Some(id) => format!("undo: llmcfg rollback --rotation {id} · Esc back to the key map"),
        None => "Esc back to the key map".to_string(),
    };
    if total > visible {
        // More rows than fit: say which are shown and how to reach the rest.
        hint = format!(
            "rows {}–{} of {total} · ↑/↓ PgUp/PgDn g/G scroll · {hint}",
            offset + 1,
            (offset + visible).min(total)
        );
    }
    lines.push(Line::from(Span::styled(hint, theme.style(Slot::Muted))));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), head);
}

//! The "test all" screen (`T`): a progress gauge while the run streams in,
//! and a results table (scope, mark and status, latency, message).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Gauge, Row, Table};

use crate::domain::Scope;
use crate::domain::TestResult;
use crate::service::ServiceError;
use crate::tui::screens::instances::{scope_label, test_mark};
use crate::tui::theme::{Slot, Theme};

/// The screen's state.
#[derive(Debug, Default)]
pub struct TestAllState {
    /// Which run this shows (results of older runs are dropped).
    pub generation: u64,
    /// Scopes in the run, once known.
    pub total: Option<usize>,
    /// Finished scopes, in arrival order.
    pub results: Vec<(Scope, Result<TestResult, String>)>,
    /// The run is over.
    pub done: bool,
    /// The run could not start.
    pub error: Option<String>,
}

impl TestAllState {
    /// Records one finished scope.
    pub fn record(&mut self, scope: Scope, result: Result<TestResult, ServiceError>) {
        self.results
            .push((scope, result.map_err(|e| e.to_string())));
    }
}

/// Draws the screen into `area`.
pub fn render(state: &TestAllState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let [gauge_area, table_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(area);
    let done = state.results.len();
    let total = state.total.unwrap_or(0);
    let ratio = if total == 0 {
        if state.done { 1.0 } else { 0.0 }
    } else {
        done as f64 / total as f64
    };
    let ok = state
        .results
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|t| t.success))
        .count();
    let label = match (&state.error, state.done) {
        (Some(e), _) => format!("✗ {e}"),
        (None, true) => format!("done: {done}/{total} tested · {ok} ✓ · {} ✗", done - ok),
        (None, false) => format!("testing {done}/{total}…"),
    };
    let gauge = Gauge::default()
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(" Test all ", theme.style(Slot::Accent))),
        )
        .gauge_style(theme.style(Slot::Ok))
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label);
    frame.render_widget(gauge, gauge_area);
    let rows = state.results.iter().map(|(scope, r)| match r {
        Ok(t) => {
            let (mark, slot) = test_mark(Some(t));
            Row::new(vec![
                Span::raw(scope_label(scope)),
                Span::styled(format!("{mark} {}", t.status.as_str()), theme.style(slot)),
                Span::raw(format!("{} ms", t.latency_ms)),
                Span::raw(t.message.clone()),
            ])
        }
        Err(e) => Row::new(vec![
            Span::raw(scope_label(scope)),
            Span::styled("✗ error", theme.style(Slot::Error)),
            Span::raw(""),
            Span::raw(e.clone()),
        ]),
    });
    let header =
        Row::new(vec!["Scope", "Status", "Latency", "Message"]).style(theme.style(Slot::Accent));
    let widths = [
        Constraint::Length(24),
        Constraint::Length(22),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    let table = Table::new(rows, widths).header(header).block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.style(Slot::Border)),
    );
    frame.render_widget(table, table_area);
}

//! The monitor's health in the TUI: the list's health column (state, and
//! for a failing scope how long it has been failing) and the detail pane's
//! sparkline of recent latency, drawn with ratatui's own `Sparkline`, each
//! failed result's bar in the error colour (inconclusive ones in the
//! warning colour). Both draw nothing until the monitor has results, so a
//! store without a monitor looks as it always did.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, SparklineBar};
use time::OffsetDateTime;

use super::instances::age;
use crate::domain::{HealthState, Scope, TestStatus};
use crate::service::HealthBoard;
use crate::tui::theme::{Slot, Theme};

/// Width of the list's health column, spaces included.
pub const COLUMN_WIDTH: usize = 14;

/// The health column's text and colour for `scope`; `None` when the board
/// has no states at all (no monitor has run), so the column is not drawn.
pub fn column(
    board: Option<&HealthBoard>,
    scope: &Scope,
    now: OffsetDateTime,
) -> Option<(String, Slot)> {
    let board = board.filter(|b| !b.states.is_empty())?;
    Some(match board.states.get(scope) {
        Some(s) if s.state == HealthState::Failing => {
            (format!("failing {}", age(now, s.since)), Slot::Error)
        }
        Some(s) if s.state == HealthState::Healthy => ("healthy".to_string(), Slot::Ok),
        _ => ("unknown".to_string(), Slot::Muted),
    })
}

/// Lines of the detail pane's health section for `scope`, if it has one.
pub fn detail_lines(
    board: Option<&HealthBoard>,
    scope: &Scope,
    now: OffsetDateTime,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let Some(s) = board.and_then(|b| b.states.get(scope)) else {
        return Vec::new();
    };
    let slot = match s.state {
        HealthState::Healthy => Slot::Ok,
        HealthState::Failing => Slot::Error,
        HealthState::Unknown => Slot::Muted,
    };
    let mut lines = vec![
        Line::default(),
        Line::from(Span::styled("Health", theme.style(Slot::Accent))),
        Line::from(vec![
            Span::styled(format!("{:<12}", "State"), theme.style(Slot::Muted)),
            Span::styled(
                format!("{} for {}", s.state.as_str(), age(now, s.since)),
                theme.style(slot),
            ),
        ]),
    ];
    if let Some(ok) = s.last_ok {
        lines.push(Line::from(vec![
            Span::styled(format!("{:<12}", "Last ok"), theme.style(Slot::Muted)),
            Span::raw(format!("{} ago", age(now, ok))),
        ]));
    }
    lines
}

/// Rows the sparkline takes when drawn (a caption and the bars).
pub const SPARK_ROWS: u16 = 4;

/// Whether `scope` has recent results to draw.
pub fn has_sparkline(board: Option<&HealthBoard>, scope: &Scope) -> bool {
    board.is_some_and(|b| b.focus.as_ref() == Some(scope) && !b.recent.is_empty())
}

/// Draws the recent latency of the board's focus into `area` (the newest
/// bars that fit, newest on the right).
pub fn sparkline(board: &HealthBoard, theme: &Theme, frame: &mut Frame, area: Rect) {
    let failed = board
        .recent
        .iter()
        .filter(|s| s.status != TestStatus::Ok && !s.status.is_inconclusive())
        .count();
    let caption = Line::from(vec![
        Span::styled(
            format!("Latency, last {} tests", board.recent.len()),
            theme.style(Slot::Muted),
        ),
        Span::styled(
            if failed > 0 {
                format!(" · {failed} failed (red)")
            } else {
                String::new()
            },
            theme.style(Slot::Error),
        ),
    ]);
    frame.render_widget(Paragraph::new(caption), Rect { height: 1, ..area });
    let bars_area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let keep = bars_area.width as usize;
    let skip = board.recent.len().saturating_sub(keep);
    let bars: Vec<SparklineBar> = board.recent[skip..]
        .iter()
        .map(|s| {
            let slot = if s.status == TestStatus::Ok {
                Slot::Ok
            } else if s.status.is_inconclusive() {
                Slot::Warn
            } else {
                Slot::Error
            };
            // A failure with no latency still shows as a full-height bar.
            let value = if slot == Slot::Error {
                s.latency_ms.max(1)
            } else {
                s.latency_ms
            };
            SparklineBar::from(value).style(theme.style(slot))
        })
        .collect();
    let max = board.recent[skip..]
        .iter()
        .map(|s| s.latency_ms)
        .max()
        .unwrap_or(1)
        .max(1);
    frame.render_widget(Sparkline::default().data(bars).max(max), bars_area);
}

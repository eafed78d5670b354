//! The results view of a job ("test all" or a bulk action): a gauge, then
//! one row per finished scope with failures first, a status filter, a text
//! filter, scrolling and paging, and the selected row's full message on a
//! detail line. `Enter` jumps to the scope. The job itself lives in
//! [`crate::tui::state::AppState::job`], so the view can be reopened.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Row, Table, Wrap};

use crate::tui::job::{JobRow, JobState, Phase};
use crate::tui::screens::instances::scope_label;
use crate::tui::screens::selection::{Selection, highlight};
use crate::tui::screens::text_filter::{TextFilter, matches};
use crate::tui::text::{ellipsize_end, ellipsize_middle};
use crate::tui::theme::{Slot, Theme};

/// Which rows the status filter lets through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every row.
    #[default]
    All,
    /// Failures only.
    Failed,
    /// Successes only.
    Ok,
}

impl StatusFilter {
    /// The next filter in the `f` cycle.
    pub fn next(self) -> StatusFilter {
        match self {
            StatusFilter::All => StatusFilter::Failed,
            StatusFilter::Failed => StatusFilter::Ok,
            StatusFilter::Ok => StatusFilter::All,
        }
    }

    fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Failed => "failed",
            StatusFilter::Ok => "ok",
        }
    }

    fn keeps(self, row: &JobRow) -> bool {
        match self {
            StatusFilter::All => true,
            StatusFilter::Failed => row.failed(),
            StatusFilter::Ok => !row.failed(),
        }
    }
}

/// The view's own state (the rows are the job's).
#[derive(Debug, Default)]
pub struct ResultsView {
    /// Position in `visible`.
    pub selected: Selection,
    /// Status filter (`f`).
    pub status: StatusFilter,
    /// Text filter (`/`) on scope, status and message.
    pub text: TextFilter,
    /// The user moved the selection: keep that row selected as rows stream
    /// in (otherwise the selection stays on the top row, the worst failure).
    pinned: bool,
    /// Row indices shown, in order.
    visible: Vec<usize>,
    /// The job revision and filters `visible` was computed for.
    computed_for: Option<(u64, StatusFilter, String)>,
}

impl ResultsView {
    /// Recomputes the shown rows if the job or a filter changed.
    pub fn flush(&mut self, job: &JobState) {
        let key = (job.revision, self.status, self.text.needle());
        if self.computed_for.as_ref() == Some(&key) {
            return;
        }
        let selected_row = self.selected_row();
        let needle = &key.2;
        self.visible = job
            .order()
            .iter()
            .copied()
            .filter(|&i| {
                let r = &job.rows[i];
                self.status.keeps(r)
                    && (matches(&scope_label(&r.scope), needle)
                        || r.status().contains(needle.as_str())
                        || matches(r.message(), needle))
            })
            .collect();
        // Keep the row the user chose selected while results stream in.
        self.selected = Selection::at(
            selected_row
                .filter(|_| self.pinned)
                .and_then(|s| self.visible.iter().position(|&i| i == s))
                .unwrap_or(0),
        );
        self.computed_for = Some(key);
    }

    /// Moves by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        self.selected.move_by(delta, self.visible.len());
        self.pinned = !self.selected.is(0);
    }

    /// First row (and follow the top again).
    pub fn top(&mut self) {
        self.selected.top();
        self.pinned = false;
    }

    /// Last row.
    pub fn bottom(&mut self) {
        self.selected.bottom(self.visible.len());
        self.pinned = true;
    }

    /// The selected row's index in the job.
    pub fn selected_row(&self) -> Option<usize> {
        self.visible.get(self.selected.pos()).copied()
    }

    /// Number of rows shown.
    pub fn len(&self) -> usize {
        self.visible.len()
    }

    /// Whether no row is shown.
    pub fn is_empty(&self) -> bool {
        self.visible.is_empty()
    }
}

/// Rows of the table that fit in a body `height` rows tall (gauge, borders,
/// header, detail line).
pub fn page_rows(height: u16) -> usize {
    height.saturating_sub(3 + 2 + 1 + 3).max(1) as usize
}

/// The view's gauge, table and detail line in `area`.
fn areas(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(3),
        Constraint::Fill(1),
        Constraint::Length(3),
    ])
    .areas(area)
}

/// The table's place in `area` (between the gauge and the detail line).
pub fn table_area(area: Rect) -> Rect {
    areas(area)[1]
}

/// Draws the view into `area`.
pub fn render(view: &ResultsView, job: &JobState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let [gauge_area, table_area, detail_area] = areas(area);
    let done = job.rows.len();
    let ratio = if job.total == 0 {
        1.0
    } else {
        done as f64 / job.total as f64
    };
    let failed = job.failures();
    let label = match &job.phase {
        Phase::Failed(e) => format!("✗ {e}"),
        Phase::Done => format!(
            "done: {done}/{} · {} ✓ · {failed} ✗",
            job.total,
            done - failed
        ),
        Phase::Cancelled => format!(
            "cancelled: {done}/{} finished · {failed} ✗ · no new scope started",
            job.total
        ),
        Phase::Running => format!("{} {done}/{}… · Esc cancels", verb(job), job.total),
    };
    let title = if job.all {
        " Test all ".to_string()
    } else {
        format!(" Bulk {} ", job.label)
    };
    let gauge = Gauge::default()
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title, theme.style(Slot::Accent))),
        )
        .gauge_style(theme.style(Slot::Ok))
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label);
    frame.render_widget(gauge, gauge_area);

    let height = table_area.height.saturating_sub(3) as usize;
    let scope_w = (table_area.width as usize / 3).clamp(12, 40);
    // Borders, the three column gaps, status and latency: the message gets
    // the rest and an ellipsis when cut (the detail line has it in full).
    let message_w = (table_area.width as usize).saturating_sub(2 + 3 + scope_w + 22 + 9);
    let rows = view.selected.page(&view.visible, height).map(|(pos, &i)| {
        let r = &job.rows[i];
        let (mark, slot) = if r.failed() {
            ("✗", Slot::Error)
        } else {
            ("✓", Slot::Ok)
        };
        let row = Row::new(vec![
            Span::raw(ellipsize_middle(&scope_label(&r.scope), scope_w)),
            Span::styled(format!("{mark} {}", r.status()), theme.style(slot)),
            Span::raw(
                r.latency_ms()
                    .map(|l| format!("{l} ms"))
                    .unwrap_or_default(),
            ),
            Span::raw(ellipsize_end(r.message(), message_w)),
        ]);
        highlight(row, view.selected.is(pos), theme)
    });
    let filter = view.text.title();
    let block_title = format!(
        " {} of {} rows · status: {} (f){filter}",
        view.visible.len(),
        done,
        view.status.label()
    );
    let header =
        Row::new(vec!["Scope", "Status", "Latency", "Message"]).style(theme.style(Slot::Accent));
    let widths = [
        Constraint::Length(scope_w as u16),
        Constraint::Length(22),
        Constraint::Length(9),
        Constraint::Fill(1),
    ];
    let table = Table::new(rows, widths).header(header).block(
        Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(block_title, theme.style(Slot::Muted)))
            .border_style(theme.style(Slot::Border)),
    );
    frame.render_widget(table, table_area);

    let detail = match view.selected_row().map(|i| &job.rows[i]) {
        Some(r) => Line::from(vec![
            Span::styled(format!("{}: ", r.scope), theme.style(Slot::Accent)),
            Span::raw(r.message().to_string()),
        ]),
        None => Line::from(Span::styled("no row", theme.style(Slot::Muted))),
    };
    frame.render_widget(
        Paragraph::new(detail)
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::TOP)),
        detail_area,
    );
}

fn verb(job: &JobState) -> &'static str {
    match job.label {
        "test" => "testing",
        "delete" => "deleting",
        _ => "updating",
    }
}

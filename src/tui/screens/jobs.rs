//! The jobs screen (`J`): every job of this process, the ones the TUI
//! started and any other (a rotation from the key map, a run started by
//! another part of the process), oldest first — id, kind, progress n/m,
//! state and who started it. `x` cancels the selected job: no new scope
//! starts, those under way finish. The app refreshes the list from the
//! service before each frame; rendering only reads it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table};

use crate::service::jobs::{JobId, JobPhase, JobSummary};
use crate::tui::screens::chrome::screen_block;
use crate::tui::screens::selection::{Selection, highlight};
use crate::tui::theme::{Slot, Theme};

/// The screen's state: the jobs as last read, and the selection.
#[derive(Debug, Default)]
pub struct JobsView {
    /// The jobs, oldest first.
    pub jobs: Vec<JobSummary>,
    /// The selected job.
    pub selection: Selection,
}

impl JobsView {
    /// A view of `jobs` with the newest selected.
    pub fn new(jobs: Vec<JobSummary>) -> JobsView {
        let mut view = JobsView {
            jobs,
            selection: Selection::default(),
        };
        view.selection.bottom(view.jobs.len());
        view
    }

    /// Takes the jobs as they stand now, keeping the selected job selected.
    pub fn update(&mut self, jobs: Vec<JobSummary>) {
        let id = self.selected().map(|j| j.id);
        self.jobs = jobs;
        if let Some(pos) = id.and_then(|id| self.jobs.iter().position(|j| j.id == id)) {
            self.selection = Selection::at(pos);
        }
        self.selection.move_by(0, self.jobs.len());
    }

    /// The selected job.
    pub fn selected(&self) -> Option<&JobSummary> {
        self.jobs.get(self.selection.pos())
    }

    /// The selected job's id while it runs (what `x` cancels).
    pub fn cancellable(&self) -> Option<JobId> {
        self.selected()
            .filter(|j| j.phase == JobPhase::Running)
            .map(|j| j.id)
    }

    /// Whether a job is running (the view then redraws as it moves).
    pub fn any_running(&self) -> bool {
        self.jobs.iter().any(|j| j.phase == JobPhase::Running)
    }

    /// Moves the selection by `delta` rows.
    pub fn move_by(&mut self, delta: isize) {
        self.selection.move_by(delta, self.jobs.len());
    }
}

/// The state word of a job, as the table shows it.
fn state_word(phase: &JobPhase) -> &'static str {
    match phase {
        JobPhase::Running => "running",
        JobPhase::Done => "done",
        JobPhase::Cancelled => "cancelled",
        JobPhase::Failed(_) => "failed",
    }
}

/// `n/m`, or `n/?` while the number of scopes is not known.
fn progress(job: &JobSummary) -> String {
    match (job.total, &job.phase) {
        (0, JobPhase::Running) => format!("{}/?", job.finished),
        (total, _) => format!("{}/{total}", job.finished),
    }
}

/// Draws the screen into `area`.
pub fn render(view: &JobsView, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = screen_block("Jobs of this process", theme);
    if view.jobs.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "no job has run in this process (T tests all; marks and m, P or d run bulk jobs)",
                theme.style(Slot::Muted),
            ))
            .block(block),
            area,
        );
        return;
    }
    let [table_area, hint_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(2)]).areas(area);
    let rows = view.jobs.iter().enumerate().map(|(i, job)| {
        let state = match &job.phase {
            JobPhase::Running => Span::styled("running", theme.style(Slot::Warn)),
            JobPhase::Done if job.failures == 0 => Span::styled("done", theme.style(Slot::Ok)),
            phase @ (JobPhase::Done | JobPhase::Cancelled | JobPhase::Failed(_)) => {
                Span::styled(state_word(phase), theme.style(Slot::Error))
            }
        };
        let failed = if job.failures > 0 {
            format!("{} failed", job.failures)
        } else {
            String::new()
        };
        let cells = vec![
            Span::raw(job.id.to_string()),
            Span::raw(job.label),
            Span::raw(progress(job)),
            state,
            Span::raw(failed),
            Span::raw(job.caller.clone()),
        ];
        highlight(Row::new(cells), view.selection.is(i), theme)
    });
    let header = Row::new(["Id", "Kind", "Progress", "State", "Failed", "By"])
        .style(theme.style(Slot::Accent));
    let widths = [
        Constraint::Length(5),
        Constraint::Length(14),
        Constraint::Length(13),
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Fill(1),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).block(block),
        table_area,
    );
    frame.render_widget(
        Paragraph::new(hint(view, theme)).block(Block::default().borders(Borders::TOP)),
        hint_area,
    );
}

/// The line under the table: what `x` would do, or why the job ended.
fn hint<'a>(view: &JobsView, theme: &Theme) -> Line<'a> {
    let Some(job) = view.selected() else {
        return Line::default();
    };
    match &job.phase {
        JobPhase::Running => Line::from(vec![
            Span::styled("x ", theme.style(Slot::Key)),
            Span::raw(format!(
                "cancels job {}: no new scope starts, those under way finish",
                job.id
            )),
        ]),
        JobPhase::Failed(why) => Line::from(Span::styled(
            format!("job {} could not run: {why}", job.id),
            theme.style(Slot::Error),
        )),
        JobPhase::Cancelled => Line::from(Span::styled(
            format!(
                "job {} was cancelled: {} of {} scopes ran",
                job.id, job.finished, job.total
            ),
            theme.style(Slot::Muted),
        )),
        JobPhase::Done => Line::from(Span::styled(
            format!("job {} is done", job.id),
            theme.style(Slot::Muted),
        )),
    }
}

//! Where toasts go, rendered into a `TestBackend`: inside the frame of the
//! screen's bottom-right pane, never over a border, and on the results view
//! above the detail line (the selected row's full message). Each frame is
//! compared with the same state drawn without toasts: every border cell and
//! every cell of the detail line must be the same.

#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::domain::Scope;
use llmcfg::tui::job::{JobKind, JobRow, JobState, Phase, RowOutcome};
use llmcfg::tui::screens::Screen;
use llmcfg::tui::screens::results::ResultsView;
use llmcfg::tui::state::AppState;
use llmcfg::tui::widgets::toast::{Level, Toasts};
use ratatui::buffer::Buffer;
use tui_frame::{NOW, draw, loaded_state, scope};

const BORDERS: &str = "│─┌┐└┘├┤┬┴┼";

fn toasts() -> Toasts {
    let mut t = Toasts::default();
    t.push(Level::Ok, "control plane: Connection successful");
    t.push(
        Level::Error,
        "tenant: acme-prod: HTTP 401: the provider rejected the API key; check it and enter it again with e",
    );
    t
}

/// A finished bulk test of two scopes, its failure selected.
fn results() -> AppState {
    let mut s = loaded_state(NOW);
    let mut job = JobState::new(1, &JobKind::Test, true, 2);
    job.record(JobRow {
        scope: Scope::Global,
        outcome: RowOutcome::failed("the service has stopped: DETAIL-LINE-END"),
    });
    job.record(JobRow {
        scope: scope("acme-prod"),
        outcome: RowOutcome::failed("the service has stopped"),
    });
    job.phase = Phase::Done;
    job.flush();
    let mut view = ResultsView::default();
    view.flush(&job);
    s.job = Some(job);
    s.screen = Screen::Results(view);
    s
}

/// The cells of `plain` that `keep` says must stay, changed in `toasted`.
fn changed(
    plain: &Buffer,
    toasted: &Buffer,
    keep: impl Fn(u16, u16, &str) -> bool,
) -> Vec<(u16, u16)> {
    let area = plain.area;
    let mut out = Vec::new();
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let before = plain[(x, y)].symbol();
            if keep(x, y, before) && toasted[(x, y)].symbol() != before {
                out.push((x, y));
            }
        }
    }
    out
}

fn with_toasts(mut s: AppState) -> AppState {
    s.toasts = toasts();
    s
}

#[test]
fn toasts_never_cover_a_border() {
    for (w, h) in [(80, 24), (120, 40)] {
        for (name, make) in [
            ("list", (|| loaded_state(NOW)) as fn() -> AppState),
            ("results", results),
        ] {
            let plain = draw(&make(), w, h);
            let toasted = draw(&with_toasts(make()), w, h);
            let text = llmcfg::tui::buffer_text(&toasted);
            assert!(
                text.contains("Connection successful"),
                "{name} {w}x{h}: no toast drawn\n{text}"
            );
            let hit = changed(&plain, &toasted, |_, _, s| BORDERS.contains(s));
            assert!(
                hit.is_empty(),
                "{name} {w}x{h}: toasts drawn over border cells {hit:?}\n{text}"
            );
        }
    }
}

#[test]
fn toasts_stay_above_the_results_detail_line() {
    for (w, h) in [(80, 24), (120, 40)] {
        let plain = draw(&results(), w, h);
        let toasted = draw(&with_toasts(results()), w, h);
        let text = llmcfg::tui::buffer_text(&toasted);
        assert!(text.contains("DETAIL-LINE-END"), "{w}x{h}\n{text}");
        // The detail line: the three rows above the footer.
        let hit = changed(&plain, &toasted, |_, y, _| y + 4 >= h && y + 1 < h);
        assert!(
            hit.is_empty(),
            "{w}x{h}: toasts drawn over the detail line at {hit:?}\n{text}"
        );
    }
}

//! The jobs screen (`J`) rendered into a ratatui `TestBackend` over the
//! jobs of a real service handle: one running (its progress n/m and the
//! hint that `x` cancels it), one done with a failure, one cancelled; at 80
//! and 200 columns. The list footer offers `J`.

#[path = "support/local_service.rs"]
mod local_service;
#[path = "support/tui_frame.rs"]
mod tui_frame;

use llmcfg::service::jobs::{JobLink, JobRow, RowOutcome};
use llmcfg::service::{ServiceError, ServiceHandle};
use llmcfg::tui::screens::Screen;
use llmcfg::tui::screens::jobs::JobsView;
use tui_frame::{NOW, loaded_state, render, scope};

/// Reports `done` of `total` scopes, the first failed, then ends (or, with
/// `hold`, waits to be cancelled).
async fn work(link: JobLink, total: usize, done: usize, hold: bool) -> Result<(), ServiceError> {
    link.started(total);
    for i in 0..done {
        let outcome = if i == 0 {
            RowOutcome::failed("invalid_key: the provider refused the key")
        } else {
            RowOutcome::done("deleted")
        };
        link.row(JobRow {
            scope: scope(&format!("t-{i}")),
            outcome,
        });
    }
    if hold {
        link.cancel_token().cancelled().await;
    }
    Ok(())
}

async fn three_jobs(handle: &ServiceHandle) {
    let h = handle.with_caller("alice");
    h.spawn_job("delete", |link| work(link, 2, 2, false))
        .outcome()
        .await
        .unwrap();
    let cancelled = h.spawn_job("apply", |link| work(link, 5, 1, true));
    handle.cancel_job(cancelled.ticket.id);
    cancelled.outcome().await.unwrap();
    // Left running (the runtime outlives the frames), once its start and
    // three rows are on the board.
    let mut running = h.spawn_job("test all", |link| work(link, 40, 3, true));
    for _ in 0..4 {
        running.ticket.events.recv().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_jobs_screen_lists_each_job_with_progress_and_state() {
    let dir = tempfile::tempdir().unwrap();
    let handle = local_service::open_in_dir(dir.path()).await;
    three_jobs(&handle).await;
    let jobs = handle.job_summaries();
    assert_eq!(jobs.len(), 3);

    let mut state = loaded_state(NOW);
    let list = render(&state, 200, 30);
    assert!(list.contains("J jobs"), "{list}");

    state.screen = Screen::Jobs(JobsView::new(jobs));
    for (w, h) in [(80, 24), (200, 30)] {
        let text = render(&state, w, h);
        for needed in [
            "Jobs of this process",
            "delete",
            "2/2",
            "1 failed",
            "apply",
            "1/5",
            "cancelled",
            "test all",
            "3/40",
            "running",
            "alice",
            "x cancels job 3",
        ] {
            assert!(text.contains(needed), "{needed:?} at {w}x{h}:\n{text}");
        }
        insta::assert_snapshot!(format!("jobs_{w}x{h}"), text);
    }

    state.screen = Screen::Jobs(JobsView::new(Vec::new()));
    let empty = render(&state, 80, 24);
    assert!(empty.contains("no job has run in this process"), "{empty}");
}

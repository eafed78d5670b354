//! The jobs screen in the built binary in a real pseudo-terminal: a bulk
//! test of 40 scopes whose fake provider answers each after a wait (one
//! test at a time) is started with `T`, `J` opens the jobs screen, which
//! shows it running with its progress, and `x` cancels it there: the job
//! ends cancelled with fewer than its 40 scopes run, and the list's own
//! run says so too.

mod tui_support;

use tui_support::fake_provider::{self, WAIT_KEY};
use tui_support::pty::{Pty, Spawn, Store, tenant_ids};

/// Scopes in the run: at one test at a time each waited for, the run lasts
/// long enough to be cancelled.
const SCOPES: usize = 40;

#[test]
fn the_jobs_screen_shows_a_running_bulk_test_and_cancels_it() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("[prober]\nconcurrency = 1\n");
    store.seed(&tenant_ids(SCOPES), WAIT_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| {
        s.contains(&format!("Instances ({})", SCOPES + 1))
    });
    pty.send("T");
    pty.wait("the run under way", |s| {
        s.contains(&format!("testing 1/{SCOPES}"))
    });
    pty.send("\r"); // to the list; the run goes on (Esc here would cancel it)
    pty.wait("the list, the run in the header", |s| {
        s.contains("Instances (41)") && s.contains("⟳ test ")
    });
    pty.send("J");
    pty.wait("the jobs screen with the run", |s| {
        s.contains("Jobs of this process")
            && s.contains("running")
            && s.contains(&format!("/{SCOPES}"))
    });
    pty.send("x");
    pty.wait("the job cancelled", |s| {
        s.contains("cancelled") && s.contains("job 1 was cancelled")
    });
    let screen = pty.contents();
    let ran: usize = screen
        .split("job 1 was cancelled: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of what ran:\n{screen}"));
    assert!(
        ran < SCOPES,
        "the whole run finished before the cancel:\n{screen}"
    );
    pty.send("\x1b");
    pty.wait("back on the list", |s| s.contains("Instances (41)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

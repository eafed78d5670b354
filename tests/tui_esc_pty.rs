//! `Esc` on the list has one meaning, in the built binary in a real
//! pseudo-terminal: it clears the marks (then the filters), and never
//! cancels a run going on in the background, which is cancelled in its own
//! view. A run of 20 slow tests is left running, every row is marked, and
//! `Esc` must clear the marks while the run goes on to finish all 20.

mod tui_support;

use tui_support::fake_provider::{self, WAIT_KEY};
use tui_support::pty::{Pty, Spawn, Store, tenant_ids};

#[test]
fn esc_on_the_list_clears_marks_and_leaves_the_running_job_alone() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("[prober]\nconcurrency = 1\n");
    store.seed(&tenant_ids(20), WAIT_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (21)"));
    pty.send("T");
    pty.wait("the run under way", |s| s.contains("testing 1/20"));
    pty.send("\r"); // to the list; the run goes on
    pty.wait("the list, the run in the header", |s| {
        s.contains("Instances (21)") && s.contains("⟳ test ")
    });
    pty.send("\x01");
    pty.wait("all marked", |s| s.contains("21 marked"));
    pty.send("\x1b");
    pty.wait("the marks cleared", |s| !s.contains("marked"));
    pty.wait("the run finished, not cancelled", |s| {
        s.contains("test finished: 20 scopes")
    });
    pty.send("v");
    pty.wait("its results", |s| s.contains("done: 20/20"));
    assert!(!pty.contents().contains("cancelled"), "{}", pty.contents());
    pty.send("\x1b");
    pty.wait("back", |s| s.contains("Instances (21)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

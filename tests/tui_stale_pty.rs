//! A verdict speaks only for the config it tested, in the built binary in a
//! real pseudo-terminal: a scope's test fails, then another writer (the
//! CLI) changes its model; the TUI picks the change up, shows "changed since
//! last test", and the `f` (failing only) filter no longer lists the scope.

mod tui_support;

use tui_support::fake_provider::{self, BAD_KEY};
use tui_support::pty::{Pty, Spawn, Store};

#[test]
fn a_cli_model_change_makes_the_failed_verdict_stale() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&[Some("t1".into())], BAD_KEY, &format!("{base}/v1"));
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (2)"));
    pty.send("j");
    pty.wait("t1 selected", |s| s.contains("tenant: t1"));
    pty.send("t");
    pty.wait("the failed test", |s| s.contains("✗ invalid_key"));
    pty.send("f");
    pty.wait("t1 failing", |s| {
        s.contains("Instances (1 of 2) · failing only") && s.contains("t1")
    });
    pty.send("f");
    pty.wait("the whole list", |s| s.contains("Instances (2)"));

    let (code, out) = store.cli(&["-i", "t1", "update", "--model", "gpt-4.1"]);
    assert_eq!(code, 0, "{out}");
    pty.wait("the change seen, the verdict stale", |s| {
        s.contains("gpt-4.1") && s.contains("changed since last test")
    });
    pty.send("f");
    pty.wait("no failing scope", |s| {
        s.contains("Instances (0 of 2) · failing only") && s.contains("no match")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

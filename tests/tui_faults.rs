//! One real-PTY run of the built binary per reported TUI fault that is about
//! safety: keys behind the "too small" screen, Esc on "test all", the
//! selection after clearing a filter, Ctrl-c in a dirty form, and the
//! master-key notice. Each test failed before its fix.

mod tui_support;

use std::time::{Duration, Instant};

use tui_support::fake_provider::{self, GOOD_KEY, WAIT, WAIT_KEY};
use tui_support::pty::{Pty, Spawn, Store, tenant_ids};

const ACME: &str = "[[instances]]\nid = \"acme-prod\"\nname = \"ACME\"\n";

fn count_tests(store: &Store) -> usize {
    let (code, out) = store.cli(&["audit", "--all", "--limit", "10000", "--json"]);
    assert_eq!(code, 0, "audit: {out}");
    let entries: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    entries.iter().filter(|e| e["action"] == "test").count()
}

/// Fault 1: at 40×10, `Ctrl-p acme Enter d y` deleted a config never shown.
#[test]
fn keys_do_nothing_behind_the_too_small_screen() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new(ACME);
    store.seed(&[Some("acme-prod".into())], GOOD_KEY, &base);
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            cols: 40,
            rows: 10,
            ..Spawn::default()
        },
    );
    pty.wait("the too-small notice", |s| s.contains("Terminal too small"));
    // Let the instance list arrive behind the notice.
    std::thread::sleep(Duration::from_millis(500));
    pty.send("\x10acme\r");
    std::thread::sleep(Duration::from_millis(200));
    pty.send("dy");
    std::thread::sleep(Duration::from_millis(500));
    pty.resize(120, 40);
    pty.wait("the list after the resize", |s| {
        s.contains("acme-prod") && s.contains("Instances")
    });
    let screen = pty.contents();
    assert!(
        !screen.contains("Switch scope"),
        "no picker opened:\n{screen}"
    );
    assert!(!screen.contains("deleted"), "nothing deleted:\n{screen}");
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    let (code, out) = store.cli(&["-i", "acme-prod", "get", "--json"]);
    assert_eq!(code, 0);
    assert!(out.contains("gpt-4o"), "the config is still there: {out}");
}

/// Fault 2: Esc closed the results and the run went on; a second `T`
/// started a second full run and every tenant got two audit entries.
#[test]
fn esc_cancels_test_all() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("[prober]\nconcurrency = 2\n");
    let n = 30;
    store.seed(&tenant_ids(n), WAIT_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("t029"));
    pty.send("T");
    pty.wait("the run under way", |s| s.contains("testing 2/30"));
    pty.send("\x1b");
    pty.wait("the run cancelled, the results still shown", |s| {
        s.contains("cancelled") && s.contains("Test all")
    });
    // A full run at concurrency 2 lasts n/2 × WAIT; wait that long and
    // check nothing went on in the background.
    std::thread::sleep(WAIT * (n as u32 / 2) + Duration::from_millis(500));
    let after_cancel = count_tests(&store);
    assert!(
        after_cancel < 10,
        "the run stopped: {after_cancel} of {n} tested"
    );
    // A second run tests each tenant once more, not twice.
    pty.send("\x1b");
    pty.wait("the list again", |s| s.contains("Instances (31)"));
    pty.send("T");
    pty.wait("the second run done", |s| s.contains("done: 30/30"));
    let total = count_tests(&store);
    assert_eq!(
        total,
        after_cancel + n,
        "one audit entry per tenant per run"
    );
    pty.send("\x1b");
    pty.wait("the list again", |s| s.contains("Instances (31)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

/// Fault 5: clearing a filter moved the selection to the control plane,
/// so the next `e` edited the wrong scope.
#[test]
fn clearing_the_filter_keeps_the_selection() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    let mut ids = tenant_ids(5);
    ids.push(None);
    store.seed(&ids, GOOD_KEY, &base);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("t004"));
    pty.send("/t003\r");
    pty.wait("t003 selected", |s| s.contains("tenant: t003"));
    pty.send("\x1b");
    pty.wait("the filter cleared", |s| s.contains("Instances (6)"));
    assert!(
        pty.contents().contains("tenant: t003"),
        "t003 stays selected:\n{}",
        pty.contents()
    );
    pty.send("e");
    pty.wait("the edit form", |s| s.contains("Edit configuration"));
    assert!(pty.contents().contains("t003"), "{}", pty.contents());
    pty.send("\x1b");
    pty.wait("the list again", |s| s.contains("Instances (6)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

/// Fault 6: Ctrl-c in a dirty form quit without asking.
#[test]
fn ctrl_c_in_a_dirty_form_asks_first() {
    let store = Store::new("");
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("control plane"));
    pty.send("n");
    pty.wait("the form", |s| s.contains("Create configuration"));
    pty.send("\x1b[C"); // another provider: the form is now dirty
    pty.wait("openai", |s| s.contains("OpenAI (openai)"));
    pty.send("\x03");
    pty.wait("the question", |s| s.contains("Discard"));
    assert!(pty.running(), "Ctrl-c asked instead of quitting");
    pty.send("n");
    pty.wait("back in the form", |s| {
        s.contains("OpenAI (openai)") && !s.contains("Discard")
    });
    assert!(pty.running());
    pty.send("\x03");
    pty.wait("the question again", |s| s.contains("Discard"));
    pty.send("y");
    assert_eq!(pty.exit_code(), 0);
}

/// Fault 7: the master-key backup notice was printed before the alternate
/// screen and seen only after quitting.
#[test]
fn the_master_key_notice_is_shown_in_the_tui() {
    let store = Store::new("");
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            key_file: false,
            ..Spawn::default()
        },
    );
    // Inside the UI (the alternate screen), not only printed before it.
    pty.wait("the notice on screen", |s| {
        s.contains("new master key") && s.contains("Back it up") && s.contains("Instances")
    });
    let start = Instant::now();
    // It stays until acknowledged (it is not a toast that fades).
    std::thread::sleep(Duration::from_secs(5));
    assert!(pty.contents().contains("Back it up"), "{}", pty.contents());
    pty.send("\r");
    pty.wait("the notice acknowledged", |s| !s.contains("Back it up"));
    assert!(start.elapsed() >= Duration::from_secs(5));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

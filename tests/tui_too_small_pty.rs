//! The too-small notice offers `q` only when `q` quits, in the built binary
//! in a real pseudo-terminal: with a changed form open, the terminal shrinks
//! below the minimum; the notice says the form has unsaved changes instead
//! of "q to quit", and `q` indeed leaves the program running.

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store};

#[test]
fn with_a_changed_form_the_notice_does_not_offer_q() {
    let store = Store::new("");
    store.seed(
        &[None],
        "sk-small-0123456789abcdef",
        "http://127.0.0.1:9/v1",
    );
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (1)"));
    pty.send("e");
    pty.wait("the edit form", |s| s.contains("Edit configuration"));
    pty.send("\x1b[C"); // another provider: the form is changed
    pty.wait("changed", |s| !s.contains("(openai) ›"));
    pty.resize(40, 10);
    pty.wait("the notice", |s| {
        s.contains("Terminal too small") && s.contains("unsaved")
    });
    assert!(!pty.contents().contains("q to quit"), "{}", pty.contents());
    pty.send("q");
    pty.resize(120, 40);
    pty.wait("the form again", |s| s.contains("Edit configuration"));
    assert!(pty.running(), "q quit although the notice did not offer it");
    pty.send("\x1b");
    pty.wait("the discard question", |s| s.contains("Discard changes"));
    pty.send("y");
    pty.wait("the list", |s| s.contains("Instances (1)"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

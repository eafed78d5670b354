//! A new tenant can be found and added from the picker, in the built binary
//! in a real pseudo-terminal: `:` and an id that is not listed says "no
//! match" and what Enter does; Enter offers the add dialog with that id
//! typed in, and Enter there registers it (seen through the CLI).

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store};

#[test]
fn enter_on_no_match_offers_to_add_the_typed_id() {
    let store = Store::new("");
    store.seed(
        &[Some("acme".into())],
        "sk-picker-0123456789abcdef",
        "http://127.0.0.1:9/v1",
    );
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (2)"));
    pty.send(":");
    pty.wait("the picker", |s| s.contains("Switch scope"));
    pty.send("newco");
    pty.wait("no match, and what Enter does", |s| {
        s.contains("no match · Enter adds \"newco\"")
    });
    pty.send("\r");
    pty.wait("the add dialog with the id", |s| {
        s.contains("Add instance") && s.contains("newco") && !s.contains("Switch scope")
    });
    pty.send("\r");
    pty.wait("added and listed", |s| {
        s.contains("Instances (3)") && s.contains("newco")
    });
    let (code, out) = store.cli(&["instances", "--json"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"newco\""), "{out}");
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

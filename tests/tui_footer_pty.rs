//! The list's footer in the built binary at 120 columns: one key per action,
//! so `a add id` (register a new tenant) fits beside the others.

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store};

#[test]
fn the_list_footer_offers_a_at_120_columns() {
    let store = Store::new("");
    store.seed(
        &[None],
        "sk-footer-0123456789abcdefgh",
        "http://127.0.0.1:9/v1",
    );
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (1)"));
    let screen = pty.contents();
    let footer = screen.lines().last().unwrap_or_default().to_string();
    assert!(footer.contains("a add id"), "{footer}");
    assert!(footer.contains("h history"), "{footer}");
    pty.send("a");
    pty.wait("the add-instance dialog", |s| s.contains("Add instance"));
    pty.send("\x1b");
    pty.wait("the dialog closed", |s| !s.contains("Add instance"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

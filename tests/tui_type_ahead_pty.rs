//! The type-ahead rule in the built binary, in a real pseudo-terminal: a
//! key acts only on what was on screen when it was pressed. At 20,001
//! configured scopes, `Ctrl-a d y` arrives in one write (as from a fast
//! typist or a frozen UI catching up): the `y` was read before the delete
//! dialog was drawn, so it must not answer it. Nothing is deleted, the
//! dialog is on screen, and the dropped key is reported.

mod tui_support;

use tui_support::big_fleet::{config_count, seed_fleet};
use tui_support::pty::{Pty, Spawn, Store};

const TENANTS: usize = 20_000;
const KEY: &str = "sk-typeahead-0123456789abcdefghijklmnop";

#[test]
fn ctrl_a_d_y_in_one_write_deletes_nothing_and_shows_the_confirm() {
    let store = Store::new("");
    seed_fleet(&store, TENANTS, KEY, "http://127.0.0.1:9/v1");
    let all = TENANTS + 1;
    assert_eq!(config_count(&store), all);

    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains(&format!("Instances ({all})")));
    pty.send("\x01dy");
    pty.wait("the delete dialog, unanswered", |s| {
        s.contains(&format!("Delete {all} configurations")) && s.contains("y/n")
    });
    assert_eq!(config_count(&store), all, "the unseen dialog was answered");
    pty.wait("the dropped key reported", |s| {
        s.contains("ignored 1 key typed before")
    });
    // The dialog answers keys read after it was drawn: `n` closes it.
    pty.send("n");
    pty.wait("the dialog closed", |s| {
        !s.contains(&format!("Delete {all} configurations")) && s.contains(&format!("{all} marked"))
    });
    assert_eq!(config_count(&store), all);
    pty.assert_never_shown(KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

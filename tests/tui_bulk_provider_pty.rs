//! The bulk `P` dialog's provider field answers letters like the form's
//! does, in the built binary in a real pseudo-terminal: `g` jumps to the
//! first provider whose id starts with it (gemini), `g` again to the next
//! (groq), and the arrows still step.

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store, tenant_ids};

#[test]
fn letters_pick_the_provider_in_the_bulk_dialog() {
    let store = Store::new("");
    store.seed(
        &tenant_ids(3),
        "sk-bulkp-0123456789abcdef",
        "http://127.0.0.1:9/v1",
    );
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (4)"));
    pty.send("\x01");
    pty.wait("all marked", |s| s.contains("4 marked"));
    pty.send("P");
    pty.wait("the bulk dialog on anthropic", |s| {
        s.contains("(anthropic) ▶")
    });
    pty.send("g");
    pty.wait("gemini", |s| s.contains("(gemini) ▶"));
    pty.send("g");
    pty.wait("groq", |s| s.contains("(groq) ▶"));
    pty.send("\x1b[C"); // →
    pty.wait("the next one", |s| s.contains("(cohere) ▶"));
    pty.send("\x1b");
    pty.wait("closed", |s| !s.contains("▶"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

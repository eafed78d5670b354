//! The built binary in a pseudo-terminal: portable-pty runs it, a reader
//! thread feeds vt100, and the tests poll the parsed screen (never raw-byte
//! matching, since ratatui sends cell diffs). Checks start-up, creating a
//! config through the form, `t` (needs the prober), and that `q` exits 0
//! with the terminal restored.

mod tui_support;

use tui_support::fake_provider::{self, GOOD_KEY};
use tui_support::pty::{Pty, Spawn, Store};

#[test]
fn start_then_quit_restores_the_terminal() {
    let store = Store::new("");
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the instance list", |s| {
        s.contains("Instances") && s.contains("control plane")
    });
    pty.send(":");
    pty.wait("the picker", |s| s.contains("Switch scope"));
    pty.send("\x1b");
    pty.wait("picker closed", |s| !s.contains("Switch scope"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    assert!(pty.raw_contains(b"\x1b[?1049l"), "alternate screen left");
    assert!(pty.raw_contains(b"\x1b[?25h"), "cursor shown");
}

#[test]
fn create_through_the_form_and_test() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the instance list", |s| {
        s.contains("control plane") && s.contains("no config")
    });
    pty.send("n");
    pty.wait("the form", |s| s.contains("Create configuration"));
    pty.send("\x1b[C"); // → openai
    pty.wait("openai", |s| s.contains("OpenAI (openai)"));
    pty.send("\t\t");
    pty.send(GOOD_KEY);
    pty.wait("masked key", |s| s.contains("••••••••"));
    assert!(!pty.contents().contains(GOOD_KEY), "the key is masked");
    pty.send("\t");
    pty.send(&base);
    pty.send("\x13"); // Ctrl-s saves
    pty.wait("saved", |s| {
        s.contains("OpenAI (openai)") && s.contains("never tested")
    });
    pty.send("t");
    pty.wait("test result", |s| s.contains("Connection successful"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    assert!(pty.raw_contains(b"\x1b[?1049l"), "alternate screen left");
    assert!(pty.raw_contains(b"\x1b[?25h"), "cursor shown");
}

//! The undo screens in remote mode against a real `llmcfg serve` child
//! process (which offers the extension routes): the TUI lists the server's
//! versions of a scope, restores the previous one through the confirm (the
//! server's store has the old model again) and shows the server's key map.
//! No key reaches the screen.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
mod tui_support;

use llmcfg_process::ServeChild;

use tui_support::fake_provider::GOOD_KEY;
use tui_support::pty::{Pty, Spawn, Store};

const BASE: &str = "http://127.0.0.1:9/v1";

#[test]
fn restore_and_key_map_over_llmcfg_serve() {
    let server_store = Store::new("");
    server_store.seed(&[Some("acme".into())], GOOD_KEY, BASE);
    let (code, out) = server_store.cli(&["-i", "acme", "update", "--model", "gpt-4.1"]);
    assert_eq!(code, 0, "{out}");
    let (code, out) =
        server_store.cli(&["token", "create", "--name", "ops", "--role", "superadmin"]);
    assert_eq!(code, 0, "{out}");
    let token = out.trim().to_string();
    let server = ServeChild::spawn(server_store.command());
    let url = server.url.clone();

    let client = Store::new("");
    let mut pty = Pty::spawn(
        &client,
        Spawn {
            key_file: false,
            env: &[("LLMCFG_REMOTE", &url), ("LLMCFG_TOKEN", &token)],
            ..Spawn::default()
        },
    );
    pty.wait("the server's list", |s| {
        s.contains("acme") && s.contains("gpt-4.1")
    });
    pty.send(":");
    pty.wait("the picker", |s| s.contains("Switch scope"));
    pty.send("acme\r");
    pty.wait("acme selected", |s| {
        s.contains("tenant: acme") && !s.contains("Switch scope")
    });
    pty.send("u");
    pty.wait("the server's versions", |s| {
        s.contains("Versions — tenant: acme") && s.contains("v2") && s.contains("v1")
    });
    pty.send("j");
    pty.wait("v1 selected", |s| s.contains("Enter/r restores v1"));
    pty.send("r");
    pty.wait("the confirm", |s| {
        s.contains("Restore version 1 of the tenant: acme?")
    });
    pty.send("y");
    pty.wait("restored", |s| s.contains("restored v1 of the"));
    assert_eq!(server_store.model(Some("acme")), "gpt-4o");
    pty.send("\x1b");
    pty.wait("the list", |s| {
        s.contains("Instances") && !s.contains("gpt-4.1")
    });

    pty.send("K");
    pty.wait("the server's key map", |s| {
        s.contains("Key map")
            && s.lines()
                .any(|l| l.contains("1 scope") && l.contains("hmac:"))
    });
    pty.assert_never_shown(GOOD_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

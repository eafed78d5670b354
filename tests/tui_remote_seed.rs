//! The TUI (the built binary in a pseudo-terminal) against a strict
//! seed-only server: the picker lists the control plane and the configured
//! instances although the server cannot list instances, `t` shows the
//! server's own verdict, create, edit and delete go through, features the
//! server lacks (live model list, audit history, versions, key map) say so
//! in one line, and no key reaches the screen.

mod seed_server;
mod tui_support;

use std::time::{Duration, Instant};

use seed_server::{ADMIN_TOKEN, SeedServer};
use tui_support::fake_provider::{BAD_KEY, GOOD_KEY};
use tui_support::pty::{DEADLINE, Pty, Spawn, Store};

const POLL: Duration = Duration::from_millis(20);

/// The binary in remote mode against `url`, with `config` as its
/// config.toml and every XDG directory in a temp dir.
fn spawn_remote(store: &Store, url: &str) -> Pty {
    Pty::spawn(
        store,
        Spawn {
            key_file: false,
            env: &[("LLMCFG_REMOTE", url), ("LLMCFG_TOKEN", ADMIN_TOKEN)],
            ..Spawn::default()
        },
    )
}

/// Polls `check` against the seed server's state until it holds.
fn eventually(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        if check() {
            return;
        }
        std::thread::sleep(POLL);
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn picker_test_create_edit_delete_against_a_seed_only_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seed = rt.block_on(SeedServer::default_variant(&[GOOD_KEY]));
    seed.insert(Some("globex"), "openai", "gpt-4o", BAD_KEY);
    let store = Store::new(
        "[[instances]]\nid = \"acme-prod\"\nname = \"ACME\"\n\n[[instances]]\nid = \"globex\"\n",
    );
    let mut pty = spawn_remote(&store, &seed.url);
    pty.wait("the instance list", |s| {
        s.contains("control plane") && s.contains("acme-prod") && s.contains("globex")
    });
    pty.send(":");
    pty.wait("the picker with every scope", |s| {
        s.contains("Switch scope")
            && s.contains("control plane")
            && s.contains("acme-prod")
            && s.contains("globex")
    });
    pty.send("glbx\r");
    pty.wait("globex selected", |s| s.contains("tenant: globex"));

    // The server's own verdict on a bad key: its message, and that it gave
    // no reason of ours.
    pty.send("t");
    pty.wait("the server's verdict", |s| {
        s.contains("Authentication failed") && s.contains("no_reason")
    });

    // Create on the control plane through the form.
    pty.send(":");
    pty.wait("the picker", |s| s.contains("Switch scope"));
    pty.send("control\r");
    pty.wait("control plane selected", |s| !s.contains("Switch scope"));
    pty.send("n");
    pty.wait("the form", |s| s.contains("Create configuration"));
    pty.send("\x1b[C"); // → openai
    pty.wait("openai", |s| s.contains("OpenAI (openai)"));
    pty.send("\t\t");
    pty.send(GOOD_KEY);
    pty.wait("masked key", |s| s.contains("••••••••"));
    pty.send("\x13"); // Ctrl-S
    pty.wait("saved", |s| s.contains("saved the configuration"));
    eventually("the row on the server", || seed.row(None).is_some());
    assert_eq!(seed.stored_key(None).as_deref(), Some(GOOD_KEY));
    assert_eq!(
        seed.requests_containing(GOOD_KEY),
        1,
        "the key is sent once"
    );

    pty.send("t");
    pty.wait("a good verdict", |s| s.contains("Connection successful"));

    // Edit the model only.
    pty.send("e");
    pty.wait("edit form", |s| s.contains("Edit configuration"));
    pty.send("\t\x0c"); // Tab to the model, Ctrl-L: the live list is an extension
    pty.wait("live list not offered", |s| {
        s.contains("does not offer live model lists")
    });
    pty.send("\x15gpt-4.1\x13"); // Ctrl-U, type, Ctrl-S
    pty.wait("edited", |s| {
        s.contains("gpt-4.1") && !s.contains("Edit configuration")
    });
    eventually("the edit on the server", || {
        seed.row(None).is_some_and(|r| r.model == "gpt-4.1")
    });
    assert_eq!(seed.stored_key(None).as_deref(), Some(GOOD_KEY));

    // The audit log is an llmcfg serve extension: one line says so.
    pty.send("h");
    pty.wait("not offered", |s| {
        s.contains("this server does not offer an audit log")
    });
    pty.send("\x1b");
    // Wait before the next key: ESC then a quick `d` would read as Alt-d.
    pty.wait("back on the list", |s| !s.contains("Audit history"));

    // Versions (the undo screen) and the key map are extensions too: each
    // says so in one line instead of an empty or broken screen.
    pty.send("u");
    pty.wait("versions not offered", |s| {
        s.contains("Versions — control plane")
            && s.lines()
                .any(|l| l.contains("this server does not offer version history"))
    });
    pty.send("\x1b");
    pty.wait("back on the list", |s| !s.contains("Versions —"));
    pty.send("K");
    pty.wait("key map not offered", |s| {
        s.contains("Key map")
            && s.lines()
                .any(|l| l.contains("this server does not offer the key-usage map"))
    });
    pty.send("\x1b");
    pty.wait("back on the list", |s| !s.contains("Key map"));

    // Delete, confirmed.
    pty.send("d");
    pty.wait("confirm", |s| s.contains("Delete the LLM configuration"));
    pty.send("y");
    pty.wait("deleted", |s| {
        s.contains("No LLM configuration for the control plane")
    });
    eventually("the row gone", || seed.row(None).is_none());

    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    for key in [GOOD_KEY, BAD_KEY] {
        assert!(
            !pty.raw_contains(key.as_bytes()),
            "a key reached the terminal"
        );
        assert!(
            !pty.raw_contains(&key.as_bytes()[8..20]),
            "part of a key reached the terminal"
        );
    }
    rt.block_on(seed.stop());
}

//! The undo screens in the built binary, in a real pseudo-terminal: edit a
//! scope's model, open its versions (`u`), restore the previous version
//! through the confirm and see the old model back in the list (and in the
//! store); open the key map (`K`) and see a key shared by three scopes as
//! one row with its scope count, expanding into those scopes. The key never
//! reaches the screen or the terminal output.

mod tui_support;

use tui_support::fake_provider::{BAD_KEY, GOOD_KEY};
use tui_support::pty::{Pty, Spawn, Store};

/// Never contacted: these tests run no connection test.
const BASE: &str = "http://127.0.0.1:9/v1";

#[test]
fn edit_then_restore_the_previous_version_with_a_confirm() {
    let store = Store::new("");
    store.seed(&[None], GOOD_KEY, BASE);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the configured control plane", |s| {
        s.contains("control plane") && s.contains("gpt-4o")
    });

    // Edit: the model becomes gpt-4.1.
    pty.send("e");
    pty.wait("the edit form", |s| s.contains("Edit configuration"));
    pty.send("\t\x15gpt-4.1\x13"); // Tab to the model, Ctrl-u clears it, Ctrl-s saves.
    pty.wait("saved with the new model", |s| {
        s.contains("saved the configuration") && s.contains("gpt-4.1")
    });
    assert_eq!(store.model(None), "gpt-4.1");

    // The versions, newest first: the update on top, the create under it.
    pty.send("u");
    pty.wait("the versions of the control plane", |s| {
        s.contains("Versions — control plane")
            && s.contains("v2")
            && s.contains("v1")
            && s.contains("v2 is already the current version")
    });
    pty.send("j");
    pty.wait("v1 selected", |s| {
        s.contains("Enter/r restores v1: openai · gpt-4o")
    });
    pty.send("r");
    pty.wait("the confirm naming scope and version", |s| {
        s.contains("Restore version 1 of the control plane?")
    });
    // Both sides name the key by its mask (never the key itself).
    // The dialog's text, unwrapped: its lines inside the border, joined.
    let mask = format!("key {}", llmcfg::domain::mask_key(GOOD_KEY));
    let screen = pty.contents();
    let dialog: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.split('│').nth(2))
        .map(str::trim)
        .collect();
    let text = dialog
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(&format!("now: openai · gpt-4.1 @ {BASE} · {mask}"))
            && text.contains(&format!("after: openai · gpt-4o @ {BASE} · {mask}")),
        "{text}\n{screen}"
    );
    pty.send("y");
    pty.wait("the toast and the restore on top", |s| {
        // The toast wraps at its width, so only its start is one line.
        s.contains("restored v1 of the control") && s.contains("restore") && s.contains("v3")
    });
    assert_eq!(store.model(None), "gpt-4o", "the store has the old model");

    pty.send("\x1b");
    pty.wait("the list with the old model", |s| {
        s.contains("Instances") && s.contains("gpt-4o") && !s.contains("gpt-4.1")
    });
    pty.assert_never_shown(GOOD_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn key_map_groups_a_shared_key_with_its_scope_count() {
    let store = Store::new("");
    store.seed(
        &[None, Some("t1".into()), Some("t2".into())],
        GOOD_KEY,
        BASE,
    );
    store.seed(&[Some("t3".into())], BAD_KEY, BASE);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("t3"));
    pty.send("K");
    pty.wait("the key map with the shared key as one row", |s| {
        s.contains("Key map")
            && s.lines()
                .any(|l| l.contains("3 scopes") && l.contains("3 untested"))
            && s.lines()
                .any(|l| l.contains("1 scope ") || l.ends_with("1 scope"))
    });
    let before = pty.contents();
    assert!(
        !before.contains("tenant: t2"),
        "collapsed at first:\n{before}"
    );
    pty.send("\r");
    pty.wait("the shared key's scopes", |s| {
        s.contains("control plane") && s.contains("tenant: t1") && s.contains("tenant: t2")
    });
    assert!(
        !pty.contents().contains("tenant: t3"),
        "only the selected key expands"
    );
    pty.assert_never_shown(GOOD_KEY);
    pty.assert_never_shown(BAD_KEY);
    pty.send("\x1b");
    pty.wait("back on the list", |s| !s.contains("Key map"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn a_deleted_scope_comes_back_from_the_version_before_its_deletion() {
    // Listed under [[instances]], so the row stays once its config is gone.
    let store = Store::new("[[instances]]\nid = \"acme\"\n");
    store.seed(&[Some("acme".into())], GOOD_KEY, BASE);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("acme") && s.contains("gpt-4o"));
    pty.send(":");
    pty.wait("the picker", |s| s.contains("Switch scope"));
    pty.send("acme\r");
    pty.wait("acme selected", |s| {
        s.contains("tenant: acme") && !s.contains("Switch scope")
    });
    pty.send("d");
    pty.wait("the delete confirm", |s| {
        s.contains("Delete the LLM configuration")
    });
    pty.send("y");
    pty.wait("deleted", |s| s.contains("deleted the configuration"));
    let (_, out) = store.cli(&["-i", "acme", "get"]);
    assert!(!out.contains("gpt-4o"), "the config is gone: {out}");

    // The deletion is listed on top, and restoring it is refused with why.
    pty.send("u");
    pty.wait("the deletion version", |s| {
        s.contains("Versions — tenant: acme") && s.contains("(deleted)")
    });
    pty.send("r");
    pty.wait("why it cannot be restored", |s| {
        s.contains("records the deletion") && !s.contains("Restore version")
    });
    pty.send("j");
    pty.wait("the version before", |s| s.contains("Enter/r restores v1"));
    pty.send("\r");
    pty.wait("the confirm", |s| {
        s.contains("Restore version 1 of the tenant: acme?")
    });
    pty.send("y");
    pty.wait("restored", |s| s.contains("restored v1 of the"));
    assert_eq!(store.model(Some("acme")), "gpt-4o");
    pty.assert_never_shown(GOOD_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn read_only_lists_versions_but_refuses_the_restore() {
    let store = Store::new("");
    store.seed(&[None], GOOD_KEY, BASE);
    let (code, out) = store.cli(&["update", "--model", "gpt-4.1"]);
    assert_eq!(code, 0, "{out}");
    let mut pty = Pty::spawn(&store, Spawn::with_args(&["--read-only"]));
    pty.wait("the list", |s| s.contains("gpt-4.1"));
    pty.send("u");
    pty.wait("the versions", |s| s.contains("v2") && s.contains("v1"));
    pty.send("j");
    pty.wait("v1 selected", |s| s.contains("Enter/r restores v1"));
    pty.send("r");
    pty.wait("refused", |s| {
        s.contains("read-only mode: restore is disabled")
    });
    assert!(!pty.contents().contains("Restore version"), "no confirm");
    assert_eq!(store.model(None), "gpt-4.1", "nothing restored");
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

//! Key rotation from the TUI's key map, in the built binary in a real
//! pseudo-terminal: two scopes share a key; `K`, `r`, paste the new key,
//! Enter, and the report says "swapped" for both; the CLI then lists the
//! new fingerprint for both scopes and not the old one. Neither key ever
//! reaches the screen or the terminal output. Read-only mode refuses `r`.

#[path = "support/file_tree.rs"]
mod file_tree;
mod tui_support;

use file_tree::files_under;
use tui_support::fake_provider::{self, BAD_KEY, GOOD_KEY};

use tui_support::pty::{Pty, Spawn, Store, file_contains};

/// `llmcfg --json keys`: (fingerprint, scope count) of every key in use.
fn keys(store: &Store) -> Vec<(String, u64)> {
    let (code, out) = store.cli(&["--json", "keys"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap_or_else(|| panic!("an array of keys: {out}"))
        .iter()
        .map(|g| {
            (
                g["key_fingerprint"].as_str().unwrap().to_string(),
                g["scope_count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn r_on_a_shared_key_tests_and_swaps_both_scopes() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    // The old key is the one the fake rejects: only the new key is tested.
    store.seed(&[None, Some("t1".into())], BAD_KEY, &format!("{base}/v1"));
    let before = keys(&store);
    assert_eq!(before.len(), 1, "{before:?}");
    let (old_fp, count) = before[0].clone();
    assert_eq!(count, 2);

    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("t1"));
    pty.send("K");
    pty.wait("the key map", |s| {
        s.contains("Key map") && s.contains("2 scopes")
    });
    pty.send("r");
    pty.wait("the key dialog", |s| {
        s.contains("Rotate key") && s.contains("Replace") && s.contains("in 2 scopes")
    });
    pty.send(GOOD_KEY);
    let bullets = "•".repeat(GOOD_KEY.len());
    pty.wait("the key masked", |s| s.contains(&bullets));
    pty.send("\r");
    pty.wait("the report", |s| {
        s.contains("Rotating") && s.contains("2 swapped") && s.matches("swapped").count() >= 3
    });
    let screen = pty.contents();
    for who in ["control plane", "tenant: t1"] {
        let row = screen
            .lines()
            .find(|l| l.contains(who) && l.contains("swapped"))
            .unwrap_or_else(|| panic!("{who} swapped in\n{screen}"));
        assert!(!row.contains("kept"), "{row}");
    }

    let after = keys(&store);
    assert_eq!(after.len(), 1, "both scopes share the new key: {after:?}");
    let (new_fp, count) = after[0].clone();
    assert_eq!(count, 2);
    assert_ne!(new_fp, old_fp, "the old key is gone");
    assert!(
        screen.contains(&new_fp),
        "the report names {new_fp}:\n{screen}"
    );

    // Esc closes the report onto the reloaded map: the new key's row.
    pty.send("\x1b");
    pty.wait("the reloaded key map", |s| {
        s.contains("Key map") && !s.contains("Rotating") && s.contains(&new_fp[..20])
    });
    pty.assert_never_shown(GOOD_KEY);
    pty.assert_never_shown(BAD_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    // Nor in the store file (sealed) or the logs.
    let mut scanned = files_under(&store.path("state"));
    scanned.extend(files_under(store.db().parent().unwrap()));
    assert!(scanned.contains(&store.db()), "{scanned:?}");
    for f in &scanned {
        assert!(
            !file_contains(f, GOOD_KEY),
            "the new key in {}",
            f.display()
        );
    }
}

#[test]
fn esc_drops_the_key_and_read_only_refuses_r() {
    let store = Store::new("");
    store.seed(&[None], BAD_KEY, "http://127.0.0.1:9/v1");
    let before = keys(&store);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("control plane"));
    pty.send("K");
    pty.wait("the key map", |s| {
        s.contains("Key map") && s.contains("1 scope")
    });
    pty.send("r");
    pty.wait("the key dialog", |s| s.contains("Rotate key"));
    pty.send(GOOD_KEY);
    pty.send("\x1b");
    pty.wait("the dialog closed", |s| {
        !s.contains("Rotate key") && s.contains("Key map")
    });
    assert_eq!(keys(&store), before, "nothing rotated");
    pty.assert_never_shown(GOOD_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);

    let mut pty = Pty::spawn(&store, Spawn::with_args(&["--read-only"]));
    pty.wait("the list", |s| s.contains("control plane"));
    pty.send("K");
    pty.wait("the key map", |s| s.contains("Key map"));
    pty.send("r");
    pty.wait("refused", |s| {
        s.contains("read-only mode: key rotation is disabled")
    });
    assert!(!pty.contents().contains("Rotate key"), "no dialog");
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

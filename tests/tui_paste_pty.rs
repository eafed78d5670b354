//! Pasting in the built binary, in a real pseudo-terminal that brackets a
//! paste only when the program asked for it (as terminals do). A paste of
//! `xdy` into the list runs nothing and deletes nothing; a paste into the
//! form's key field, with the trailing newline a copied line brings, stays
//! in that field and stores exactly the pasted key (the fake provider
//! accepts only that exact key).

mod tui_support;

use tui_support::fake_provider::{self, BAD_KEY, GOOD_KEY};
use tui_support::pty::{Pty, Spawn, Store};

#[test]
fn a_paste_never_runs_commands_and_lands_whole_in_the_key_field() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&[None, Some("t1".into())], BAD_KEY, &format!("{base}/v1"));
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| {
        s.contains("t1") && s.contains("control plane")
    });

    pty.paste("xdy");
    pty.wait("the paste refused", |s| s.contains("paste ignored"));
    let screen = pty.contents();
    assert!(!screen.contains("Delete configuration"), "{screen}");
    assert_eq!(store.model(None), "gpt-4o", "the control plane is kept");

    pty.send("e");
    pty.wait("the edit form", |s| {
        s.contains("Edit configuration") && s.contains("›Provider")
    });
    pty.send("\t\t");
    pty.wait("the key field focused", |s| s.contains("›API key"));
    pty.paste(&format!("{GOOD_KEY}\n"));
    let bullets = "•".repeat(GOOD_KEY.len());
    pty.wait("the key typed in, masked, focus kept", |s| {
        s.contains(&bullets) && s.contains("›API key")
    });
    pty.send("\x13"); // Ctrl-s
    pty.wait("saved, back on the list", |s| {
        !s.contains("Edit configuration") && s.contains("control plane")
    });
    let (code, out) = store.cli(&["--json", "test"]);
    assert_eq!(code, 0, "the stored key is exactly the pasted one: {out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["success"], true, "{out}");
    pty.assert_never_shown(GOOD_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

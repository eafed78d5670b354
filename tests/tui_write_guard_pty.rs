//! A write never silently replaces a change the user has not seen, in the
//! built binary in a real pseudo-terminal. The form is open while another
//! writer (the CLI) changes the same config; `Ctrl-s` then shows, per
//! changed field, the value the form loaded and the one stored now (the
//! key as masks only) and writes nothing until the user chooses: overwrite
//! stores the form as shown, reload drops the edits and edits what is
//! stored. A bulk edit lists the scopes changed since its dialog opened,
//! and skipping them leaves them as the other writer left them.

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store, eventually, tenant_ids};

const KEY: &str = "sk-guard-0123456789abcdefgh";
const OTHER_KEY: &str = "sk-other-0123456789abcdwxyz";
const BASE: &str = "http://127.0.0.1:9/v1";

/// Opens the edit form of the selected scope and appends `suffix` to its model.
fn edit_model(pty: &mut Pty, suffix: &str) {
    pty.send("e");
    pty.wait("the edit form", |s| {
        s.contains("Edit configuration") && s.contains("›Provider")
    });
    pty.send("\t");
    pty.wait("the model field focused", |s| s.contains("›Model"));
    pty.send(suffix);
    pty.wait("the model edited", |s| s.contains(suffix));
}

#[test]
fn the_form_asks_before_overwriting_a_concurrent_change() {
    let store = Store::new("");
    store.seed(&[None], KEY, BASE);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("control plane"));

    // Overwrite: the form's values win, as shown.
    edit_model(&mut pty, "-mine");
    let (code, out) = store.cli(&["update", "--model", "gpt-4.1"]);
    assert_eq!(code, 0, "{out}");
    pty.send("\x13"); // Ctrl-s
    pty.wait("both values of the changed field", |s| {
        s.contains("Changed since you opened the form")
            && s.contains("model")
            && s.contains("loaded \"gpt-4o\"")
            && s.contains("now \"gpt-4.1\"")
    });
    assert_eq!(
        store.model(None),
        "gpt-4.1",
        "nothing written before choosing"
    );
    pty.send("o");
    pty.wait("saved, back on the list", |s| {
        !s.contains("Edit configuration") && s.contains("saved the configuration")
    });
    assert_eq!(store.model(None), "gpt-4o-mine");

    // Reload: the edits go, the form shows what is stored now, key by mask.
    edit_model(&mut pty, "-again");
    let mut update = store.command();
    update
        .args(["update", "--model", "gpt-4.2", "--api-key-env", "GUARD_KEY"])
        .env("GUARD_KEY", OTHER_KEY);
    let out = update.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    pty.send("\x13");
    pty.wait("the model and the key masks, loaded and now", |s| {
        s.contains("loaded \"gpt-4o-mine\"")
            && s.contains("now \"gpt-4.2\"")
            && s.contains("api_key")
            && s.contains("sk-...efgh")
            && s.contains("sk-...wxyz")
    });
    pty.send("r");
    pty.wait("the form reloaded with the stored model", |s| {
        s.contains("Edit configuration") && s.contains("gpt-4.2") && !s.contains("-again")
    });
    assert_eq!(store.model(None), "gpt-4.2", "a reload writes nothing");
    pty.send("\x1b");
    pty.wait("back on the list", |s| !s.contains("Edit configuration"));
    pty.assert_never_shown(KEY);
    pty.assert_never_shown(OTHER_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

#[test]
fn a_bulk_edit_lists_the_scopes_changed_since_its_dialog_opened() {
    let store = Store::new("");
    store.seed(&tenant_ids(3), KEY, BASE);
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains("Instances (4)"));
    pty.send("\x01");
    pty.wait("all marked", |s| s.contains("4 marked"));
    pty.send("m");
    pty.wait("the set-model dialog", |s| {
        s.contains("Set the model of 3 scopes")
    });
    pty.send("gpt-bulk");
    pty.wait("the model typed", |s| s.contains("gpt-bulk"));
    let (code, out) = store.cli(&["-i", "t001", "update", "--model", "gpt-theirs"]);
    assert_eq!(code, 0, "{out}");
    pty.send("\r");
    pty.wait("the changed scope listed", |s| {
        s.contains("1 of the 3 scopes changed") && s.contains("tenant: t001")
    });
    assert_eq!(
        store.model(Some("t000")),
        "gpt-4o",
        "nothing written before choosing"
    );
    pty.send("s");
    pty.wait("the edit ran on the others", |s| s.contains("gpt-bulk"));
    eventually("the edit on the unchanged scopes", || {
        ["t000", "t002"]
            .iter()
            .all(|id| store.model(Some(id)) == "gpt-bulk")
    });
    assert_eq!(
        store.model(Some("t001")),
        "gpt-theirs",
        "the changed scope is kept"
    );
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

//! The production marker in the built binary in a real pseudo-terminal: a
//! `[[tui.contexts]]` entry for the store shows its name in the header, and
//! with `confirm = "name"` a bulk delete runs only once the name is typed
//! exactly — a wrong name deletes nothing.

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store, eventually, tenant_ids};

fn deleted(store: &Store, id: &str) -> bool {
    let (code, out) = store.cli(&["--json", "-i", id, "get"]);
    assert_eq!(code, 0, "{out}");
    out.trim() == "null"
}

#[test]
fn a_bulk_delete_on_production_needs_its_name_typed() {
    let store = Store::new("");
    std::fs::write(
        store.path("config.toml"),
        format!(
            "[[tui.contexts]]\ntarget = {:?}\nname = \"production\"\ncolour = \"red\"\nconfirm = \"name\"\n",
            store.db().display().to_string()
        ),
    )
    .unwrap();
    store.seed(
        &tenant_ids(3),
        "sk-ctx-0123456789abcdefgh",
        "http://127.0.0.1:9/v1",
    );
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list under the production marker", |s| {
        s.lines().next().is_some_and(|l| l.contains("production")) && s.contains("Instances (4)")
    });
    pty.send("\x01");
    pty.wait("all marked", |s| s.contains("4 marked"));
    pty.send("d");
    pty.wait("the bulk delete confirm", |s| {
        s.contains("Delete 3 configurations")
    });
    pty.send("y");
    pty.wait("the name asked for", |s| {
        s.contains("Type production to confirm")
    });
    pty.send("prod\r");
    pty.wait("a wrong name refused", |s| {
        s.contains("not \"production\": nothing was changed")
    });
    assert!(!deleted(&store, "t000"), "a wrong name deletes nothing");
    pty.send("uction\r");
    pty.wait("the dialog gone", |s| !s.contains("Type production"));
    eventually("the bulk delete", || {
        ["t000", "t001", "t002"]
            .iter()
            .all(|id| deleted(&store, id))
    });
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

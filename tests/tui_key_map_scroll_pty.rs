//! The key map's open key at fleet scale, in the built binary in a real
//! pseudo-terminal: 100,001 scopes share one key. Expanded, its scopes
//! scroll and page like the results view — the title says which rows are
//! shown, `G` reaches the last scope, `PgUp` goes back a page — and `/`
//! filters them down to one tenant. The old map showed the first screenful
//! with no way to the rest.

mod tui_support;

use tui_support::big_fleet::seed_fleet;
use tui_support::pty::{Pty, Spawn, Store};

const TENANTS: usize = 100_000;
const KEY: &str = "sk-keymap-0123456789abcdefghijklmnop";

#[test]
fn an_open_key_with_100001_scopes_reaches_its_last_scope_and_filters() {
    let store = Store::new("");
    seed_fleet(&store, TENANTS, KEY, "http://127.0.0.1:9/v1");
    let scopes = TENANTS + 1;
    // The key's own line and one line per scope.
    let lines = scopes + 1;

    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list", |s| s.contains(&format!("Instances ({scopes})")));
    pty.send("K");
    pty.wait("the key map", |s| s.contains(&format!("{scopes} scopes")));
    pty.send("\r");
    // 40 rows: header, footer, the table's borders and column titles.
    pty.wait("the first page of the open key", |s| {
        s.contains("control plane") && s.contains(&format!("rows 1–35 of {lines}"))
    });
    assert!(
        !pty.contents().contains("099999"),
        "the last scope is below"
    );
    pty.send("G");
    pty.wait("the last scope", |s| {
        s.contains("099999") && s.contains(&format!("rows 99996–{lines} of {lines}"))
    });
    pty.send("\x1b[5~"); // PgUp
    pty.wait("a page up", |s| {
        !s.contains("099999") && s.contains(&format!("rows 99961–99995 of {lines}"))
    });
    pty.send("/");
    pty.wait("the filter open", |s| s.contains(" /▏"));
    pty.send("042424\r");
    pty.wait("one tenant under its key", |s| {
        s.contains("042424") && s.contains("/042424") && !s.contains("042425")
    });
    pty.send("\x1b");
    pty.wait("the filter dropped", |s| {
        !s.contains("/042424") && s.contains(&format!("of {lines}"))
    });
    pty.send("\x1b");
    pty.wait("back on the list", |s| !s.contains("Key map"));
    pty.assert_never_shown(KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

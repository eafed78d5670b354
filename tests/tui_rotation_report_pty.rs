//! A rotation report longer than the screen can be browsed, in the built
//! binary in a real pseudo-terminal: 45 tenants share a key, the report has
//! 45 rows on a 24-row terminal; it says which rows it shows, and `G`,
//! `PgUp`, `g` reach the last and the first rows.

mod tui_support;

use tui_support::fake_provider::{self, BAD_KEY, GOOD_KEY};
use tui_support::pty::{Pty, Spawn, Store, tenant_ids};

#[test]
fn the_rotation_report_scrolls_to_its_last_row() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let store = Store::new("");
    store.seed(&tenant_ids(45), BAD_KEY, &format!("{base}/v1"));
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            rows: 24,
            ..Spawn::default()
        },
    );
    pty.wait("the list", |s| s.contains("Instances (46)"));
    pty.send("K");
    pty.wait("the key map", |s| s.contains("45 scopes"));
    pty.send("r");
    pty.wait("the key dialog", |s| s.contains("in 45 scopes"));
    pty.send(GOOD_KEY);
    pty.wait("the key masked", |s| {
        s.contains(&"•".repeat(GOOD_KEY.len()))
    });
    pty.send("\r");
    pty.wait("the report's first rows", |s| {
        s.contains("45 swapped") && s.contains("tenant: t000") && s.contains("rows 1–16 of 45")
    });
    assert!(
        !pty.contents().contains("tenant: t044"),
        "the last row is below"
    );
    pty.send("G");
    pty.wait("the last row", |s| {
        s.contains("tenant: t044") && s.contains("rows 30–45 of 45") && !s.contains("tenant: t000")
    });
    pty.send("\x1b[5~"); // PgUp
    pty.wait("a page up", |s| s.contains("rows 14–29 of 45"));
    pty.send("g");
    pty.wait("the first row again", |s| s.contains("tenant: t000"));
    pty.assert_never_shown(GOOD_KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

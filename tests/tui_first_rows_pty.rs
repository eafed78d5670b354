//! The list first, the whole fleet after, in the built binary in a real
//! pseudo-terminal at 100,001 configured scopes: the first rows are drawn
//! under a title that says the rest is loading (never as a count of the
//! fleet), then the whole list replaces them and the title counts every
//! scope. How long each takes is measured by `benches/tui/start.rs`, not
//! here. The keys that wait for the whole list are tested in
//! `tui_first_rows.rs`, where the moment the list swaps in is the test's.

mod tui_support;

use tui_support::big_fleet::seed_fleet;
use tui_support::pty::{Pty, Spawn, Store};

const TENANTS: usize = 100_000;
const KEY: &str = "sk-firstrows-0123456789abcdefghijklmnop";

#[test]
fn the_first_rows_show_first_then_the_whole_fleet_arrives() {
    let store = Store::new("");
    seed_fleet(&store, TENANTS, KEY, "http://127.0.0.1:9/v1");
    let all = TENANTS + 1;

    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the first rows", |s| {
        s.contains("Instances (first 256, loading the rest…)")
            && s.contains("control plane")
            && s.contains("tenant-000000")
    });
    pty.wait("the whole list", |s| {
        s.contains(&format!("Instances ({all})")) && s.contains("tenant-000000")
    });
    assert!(!pty.contents().contains("loading the rest"));
    // The whole list is in: the last tenant is one key away.
    pty.send("G");
    pty.wait("the last row", |s| s.contains("tenant-099999"));
    pty.assert_never_shown(KEY);
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

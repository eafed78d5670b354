//! Drift marks in the real binary in a real PTY: with `[fleet] file` in
//! config.toml the instance list marks (≠) the scopes that differ from the
//! fleet file, and a CLI write in another process that makes a scope drift
//! (or brings it back) shows without a keypress.

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store};

const BASE: &str = "http://127.0.0.1:9/v1";

fn row_of<'a>(screen: &'a str, id: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(&format!(" {id} ")) && !l.contains("tenant:"))
        .unwrap_or_default()
}

#[test]
fn drifted_scopes_are_marked_and_follow_writes_from_another_process() {
    let store = Store::new("[fleet]\nfile = \"fleet.toml\"\n");
    store.seed(
        &[None, Some("t1".into()), Some("t2".into())],
        "sk-proj-Hy7Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0JsWu",
        BASE,
    );
    std::fs::write(
        store.path("fleet.toml"),
        format!(
            "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\nbase_url = \"{BASE}\"\n\
             keep_key = true\n[control_plane]\n[instances.t1]\n[instances.t2]\n"
        ),
    )
    .unwrap();
    let mut pty = Pty::spawn(&store, Spawn::default());
    pty.wait("the list, none drifted", |s| {
        s.contains("Instances (3)") && s.contains("0 drifted from fleet.toml")
    });
    assert!(!pty.contents().contains('≠'), "{}", pty.contents());

    let (code, out) = store.cli(&["-i", "t2", "update", "--model", "gpt-4.1"]);
    assert_eq!(code, 0, "{out}");
    pty.wait("t2 marked, without a keypress", |s| {
        s.contains("1 drifted from fleet.toml") && row_of(s, "t2").contains('≠')
    });
    let screen = pty.contents();
    assert!(!row_of(&screen, "t1").contains('≠'), "{screen}");

    let (code, out) = store.cli(&["-i", "t2", "update", "--model", "gpt-4o"]);
    assert_eq!(code, 0, "{out}");
    pty.wait("t2 back in line", |s| {
        s.contains("0 drifted from fleet.toml")
    });
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
}

//! The window between showing a plan and the answer at the confirm prompt,
//! through the real binary in a real PTY: a scope changed by another process
//! while `apply` waits for "y" refuses the run (exit 4, naming the scope)
//! and nothing is written; with no change in between, "y" applies.

mod tui_support;

use tui_support::pty::{Pty, Spawn, Store};

const BASE: &str = "http://127.0.0.1:9/v1";
const KEY: &str = "sk-proj-Hy7Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0JsWu";

fn fleet(store: &Store) -> String {
    let path = store.path("fleet.toml");
    std::fs::write(
        &path,
        format!(
            "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4.1\"\nbase_url = \"{BASE}\"\n\
             keep_key = true\n[instances.t1]\n[instances.t2]\n"
        ),
    )
    .unwrap();
    path.display().to_string()
}

/// t1 and t2 on gpt-4o, and `apply` of the fleet file (both to gpt-4.1)
/// waiting at its confirm prompt.
fn apply_waiting_at_the_prompt(store: &Store) -> Pty {
    store.seed(&[Some("t1".into()), Some("t2".into())], KEY, BASE);
    let path = fleet(store);
    let pty = Pty::spawn(store, Spawn::with_args(&["apply", "-f", path.as_str()]));
    pty.wait("the prompt", |s| s.contains("[y/N]"));
    pty
}

#[test]
fn a_change_made_while_the_prompt_waits_refuses_the_apply() {
    let store = Store::new("");
    let mut pty = apply_waiting_at_the_prompt(&store);
    let (code, out) = store.cli(&["-i", "t2", "update", "--model", "o3"]);
    assert_eq!(code, 0, "{out}");
    pty.send("y\r");
    assert_eq!(pty.exit_code(), 4, "{}", pty.contents());
    let screen = pty.contents();
    assert!(
        screen.contains("the plan is stale: tenant: t2 changed since it was made"),
        "{screen}"
    );
    assert_eq!(store.model(Some("t1")), "gpt-4o", "nothing written");
    assert_eq!(
        store.model(Some("t2")),
        "o3",
        "the other writer's change stands"
    );
}

#[test]
fn with_no_change_in_between_yes_applies() {
    let store = Store::new("");
    let mut pty = apply_waiting_at_the_prompt(&store);
    pty.send("y\r");
    assert_eq!(pty.exit_code(), 0, "{}", pty.contents());
    assert_eq!(store.model(Some("t1")), "gpt-4.1");
    assert_eq!(store.model(Some("t2")), "gpt-4.1");
}

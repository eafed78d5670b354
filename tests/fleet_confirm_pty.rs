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

fn model(store: &Store, id: &str) -> String {
    let (code, out) = store.cli(&["-i", id, "--json", "get"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["model"].as_str().unwrap().to_string()
}

#[test]
fn a_change_made_while_the_prompt_waits_refuses_the_apply() {
    let store = Store::new("");
    store.seed(&[Some("t1".into()), Some("t2".into())], KEY, BASE);
    let path = fleet(&store);
    let args = ["apply", "-f", path.as_str()];
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            args: &args,
            ..Spawn::default()
        },
    );
    pty.wait("the prompt", |s| s.contains("[y/N]"));
    let (code, out) = store.cli(&["-i", "t2", "update", "--model", "o3"]);
    assert_eq!(code, 0, "{out}");
    pty.send("y\r");
    assert_eq!(pty.exit_code(), 4, "{}", pty.contents());
    let screen = pty.contents();
    assert!(
        screen.contains("the plan is stale: tenant: t2 changed since it was made"),
        "{screen}"
    );
    assert_eq!(model(&store, "t1"), "gpt-4o", "nothing written");
    assert_eq!(
        model(&store, "t2"),
        "o3",
        "the other writer's change stands"
    );
}

#[test]
fn with_no_change_in_between_yes_applies() {
    let store = Store::new("");
    store.seed(&[Some("t1".into()), Some("t2".into())], KEY, BASE);
    let path = fleet(&store);
    let args = ["apply", "-f", path.as_str()];
    let mut pty = Pty::spawn(
        &store,
        Spawn {
            args: &args,
            ..Spawn::default()
        },
    );
    pty.wait("the prompt", |s| s.contains("[y/N]"));
    pty.send("y\r");
    assert_eq!(pty.exit_code(), 0, "{}", pty.contents());
    assert_eq!(model(&store, "t1"), "gpt-4.1");
    assert_eq!(model(&store, "t2"), "gpt-4.1");
}

//! Several processes of the real binary on one store: exactly one concurrent
//! create wins (the rest exit 4), and concurrent updates lose nothing.

mod cli_env;
#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;

use std::process::Child;

use cli_env::{Env, KEY, KEY2, code, stderr};
use llmcfg_process::spawn_with_stdin;

const PROCS: usize = 8;

fn spawn(env: &Env, args: &[&str], stdin: &str) -> Child {
    spawn_with_stdin(env.std_cmd(env!("CARGO_BIN_EXE_llmcfg")).args(args), stdin)
}

fn codes(children: Vec<Child>) -> Vec<(i32, String)> {
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            (code(&out), stderr(&out))
        })
        .collect()
}

#[test]
fn racing_creates_on_a_fresh_store_exactly_one_wins() {
    let env = Env::new();
    let children: Vec<_> = (0..PROCS)
        .map(|i| {
            let model = format!("model-{i}");
            spawn(
                &env,
                &[
                    "-i",
                    "acme",
                    "create",
                    "--provider",
                    "openai",
                    "--model",
                    &model,
                ],
                &format!("{KEY}\n"),
            )
        })
        .collect();
    let results = codes(children);
    let wins = results.iter().filter(|(c, _)| *c == 0).count();
    let conflicts = results.iter().filter(|(c, _)| *c == 4).count();
    assert_eq!(wins, 1, "{results:?}");
    assert_eq!(conflicts, PROCS - 1, "{results:?}");
    // Every process agreed on one master key: the winner's row opens with it.
    let out = env.run(&["master-key", "rotate"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let audit: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM audit WHERE action = 'create'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audit, 1);
}

#[test]
fn concurrent_updates_of_different_scopes_and_fields_lose_nothing() {
    let env = Env::new();
    for i in 0..PROCS {
        env.create(Some(&format!("t{i}")), "openai", "gpt-4o", KEY);
    }
    env.create(None, "openai", "gpt-4o", KEY);
    let before_mask = env.get_json(None)["api_key_masked"].clone();
    // Each tenant gets its own model; meanwhile two more processes change two
    // different fields of the control plane's config.
    let mut children: Vec<_> = (0..PROCS)
        .map(|i| {
            let (scope, model) = (format!("t{i}"), format!("model-{i}"));
            spawn(&env, &["-i", &scope, "update", "--model", &model], "")
        })
        .collect();
    children.push(spawn(&env, &["update", "--model", "gpt-4.1"], ""));
    children.push(spawn(
        &env,
        &["update", "--api-key-stdin"],
        &format!("{KEY2}\n"),
    ));
    for (c, err) in codes(children) {
        assert_eq!(c, 0, "{err}");
    }
    for i in 0..PROCS {
        assert_eq!(
            env.get_json(Some(&format!("t{i}")))["model"],
            format!("model-{i}")
        );
    }
    let cp = env.get_json(None);
    assert_eq!(cp["model"], "gpt-4.1");
    assert_ne!(cp["api_key_masked"], before_mask);
    assert!(
        cp["api_key_masked"]
            .as_str()
            .unwrap()
            .starts_with("sk-proj-")
    );
}

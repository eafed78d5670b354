//! Saved plans and `--atomic` through the real binary on a real SQLite
//! store: `plan --out` then `apply PLANFILE` applies exactly the reviewed
//! plan without asking; a scope changed by another writer in between, or an
//! edited fleet file, refuses it with exit 4, naming what changed, and
//! nothing is written; `apply --atomic` writes all or nothing, and with a
//! scope that fails inside SQLite (a trigger) reports which and why.

mod cli_env;

use std::process::Output;

use cli_env::{Env, KEY, KEY2, code, contains_key_fragment, stderr, stdout};

const FLEET: &str = "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4.1\"\nkeep_key = true\n\
                     [instances.acme]\n[instances.globex]\n";

fn seeded() -> Env {
    let env = Env::new();
    env.create(Some("acme"), "openai", "gpt-4o", KEY);
    env.create(Some("globex"), "openai", "gpt-4o", KEY2);
    std::fs::write(env.path().join("fleet.toml"), FLEET).unwrap();
    env
}

fn llmcfg(env: &Env, args: &[&str]) -> Output {
    let out = env
        .cmd()
        .current_dir(env.path())
        .args(args)
        .write_stdin("")
        .output()
        .unwrap();
    for key in [KEY, KEY2] {
        assert!(
            !contains_key_fragment(&out.stdout, key) && !contains_key_fragment(&out.stderr, key),
            "a key leaked"
        );
    }
    out
}

fn models(env: &Env) -> [String; 2] {
    ["acme", "globex"].map(|i| env.get_json(Some(i))["model"].as_str().unwrap().to_string())
}

/// [`seeded`], with the plan of `fleet.toml` saved to `plan.json`.
fn seeded_with_a_saved_plan() -> Env {
    let env = seeded();
    let out = llmcfg(
        &env,
        &[
            "plan",
            "-f",
            "fleet.toml",
            "--resolve-keys",
            "--out",
            "plan.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    env
}

#[test]
fn a_saved_plan_applies_exactly_as_reviewed_without_asking() {
    let env = seeded_with_a_saved_plan();
    let saved = std::fs::read_to_string(env.path().join("plan.json")).unwrap();
    assert!(saved.contains("\"observed\""), "{saved}");
    // No --yes, stdin not a terminal: a saved plan was reviewed already.
    let out = llmcfg(&env, &["apply", "plan.json"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Apply: 2 applied"),
        "{}",
        stdout(&out)
    );
    assert_eq!(models(&env), ["gpt-4.1", "gpt-4.1"]);
    // Applied once, the saved plan is stale: its scopes moved.
    let again = llmcfg(&env, &["apply", "plan.json"]);
    assert_eq!(code(&again), 4, "{}", stderr(&again));
}

#[test]
fn a_scope_changed_after_the_plan_refuses_it_naming_the_scope() {
    let env = seeded_with_a_saved_plan();
    let other = llmcfg(&env, &["-i", "globex", "update", "--model", "gpt-4o-mini"]);
    assert_eq!(code(&other), 0, "{}", stderr(&other));
    let out = llmcfg(&env, &["apply", "plan.json"]);
    assert_eq!(code(&out), 4, "{}{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the plan is stale: tenant: globex changed since it was made"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(
        models(&env),
        ["gpt-4o", "gpt-4o-mini"],
        "acme untouched too"
    );
}

#[test]
fn an_edited_fleet_file_refuses_the_saved_plan() {
    let env = seeded_with_a_saved_plan();
    std::fs::write(
        env.path().join("fleet.toml"),
        FLEET.replace("gpt-4.1", "o3"),
    )
    .unwrap();
    let out = llmcfg(&env, &["apply", "plan.json"]);
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("fleet.toml changed since it was made"),
        "{}",
        stderr(&out)
    );
    assert_eq!(models(&env), ["gpt-4o", "gpt-4o"]);
    let bad = llmcfg(&env, &["apply", "fleet.toml"]);
    assert_eq!(code(&bad), 2, "a fleet file is not a saved plan");
    assert!(
        stderr(&bad).contains("not a saved plan"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn atomic_apply_through_the_binary_writes_all_and_says_so() {
    let env = seeded();
    let out = llmcfg(&env, &["apply", "-f", "fleet.toml", "--yes", "--atomic"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("Apply: 2 applied"),
        "{}",
        stdout(&out)
    );
    assert_eq!(models(&env), ["gpt-4.1", "gpt-4.1"]);
    let json = llmcfg(
        &env,
        &["--json", "apply", "-f", "fleet.toml", "--yes", "--atomic"],
    );
    assert_eq!(code(&json), 0);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        v["report"],
        serde_json::Value::Null,
        "no changes the second time"
    );
}

#[test]
fn atomic_apply_with_a_failing_scope_writes_nothing_and_says_why() {
    let env = seeded();
    // A fault inside SQLite itself: every write to globex's row aborts.
    rusqlite::Connection::open(env.store())
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER break_globex BEFORE UPDATE ON configs WHEN NEW.scope = 'globex'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let out = llmcfg(&env, &["apply", "-f", "fleet.toml", "--yes", "--atomic"]);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("✗ tenant: globex: failed") && text.contains("injected failure"),
        "{text}"
    );
    assert!(
        text.contains("- tenant: acme: not written, the tenant: globex failed"),
        "{text}"
    );
    assert!(
        text.contains("Atomic apply: nothing was written."),
        "{text}"
    );
    assert!(
        stderr(&out).contains("the atomic apply wrote nothing"),
        "{}",
        stderr(&out)
    );
    assert_eq!(models(&env), ["gpt-4o", "gpt-4o"]);
}

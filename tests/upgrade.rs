//! Upgrades keep data: a store written by llmcfg 0.1.0 (committed under
//! `tests/fixtures/`, see its README) opens with today's code, lists and
//! reads every scope, keeps its audit trail (including the old
//! `rotate_master_key` action string), still opens every sealed key, still
//! knows its token, and takes new writes.

mod cli_env;
#[path = "support/local_service.rs"]
mod local_service;

use cli_env::{Env, code, stderr, stdout};
use llmcfg::domain::{ConfigPatch, Scope};
use local_service::open_local;
use serde_json::Value;

/// The fixture's master key (a test key).
const FIXTURE_KEY: &str = "c6fdef129445cd06dba4024d54d492f85180240571da501bd73cb14043642877";
/// The fixture's token secret.
const FIXTURE_TOKEN: &str =
    "llmcfg_e6af113a79b1ab7549ff3949799b80e2176922279d9b69cc28f2616feb40d078";
/// The plaintext keys sealed in the fixture; none may appear in any output.
const FIXTURE_KEYS: [&str; 3] = [
    "sk-fixture-global-0123456789abcdef",
    "sk-ant-fixture-acme-0123456789",
    "fixture-compat-key-0123456789",
];

/// An environment whose store is a fresh copy of the fixture.
fn fixture_env() -> Env {
    let env = Env::new();
    std::fs::create_dir_all(env.store().parent().unwrap()).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-0.1.0.db"),
        env.store(),
    )
    .unwrap();
    env
}

fn run(env: &Env, args: &[&str]) -> std::process::Output {
    let out = env
        .cmd()
        .env("LLMCFG_MASTER_KEY", FIXTURE_KEY)
        .args(args)
        .output()
        .unwrap();
    for key in FIXTURE_KEYS {
        assert!(!stdout(&out).contains(key) && !stderr(&out).contains(key));
    }
    out
}

fn json(env: &Env, args: &[&str]) -> Value {
    let out = run(env, args);
    assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn an_old_store_lists_reads_and_keeps_its_audit_trail() {
    let env = fixture_env();
    let list = json(&env, &["--json", "instances"]);
    let ids: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["instance_id"])
        .collect();
    assert_eq!(
        ids,
        [
            &Value::Null,
            &"acme".into(),
            &"beta".into(),
            &"gamma".into()
        ]
    );
    let beta = &list[2];
    assert_eq!(beta["last_test"]["status"], "unreachable");
    assert_eq!(list[3]["config"], Value::Null);

    let global = json(&env, &["--json", "get"]);
    assert_eq!(global["provider"], "openai");
    assert_eq!(global["model"], "gpt-4o");
    assert_eq!(global["api_key_masked"], "sk-...cdef");
    let acme = json(&env, &["-i", "acme", "--json", "get"]);
    assert_eq!(acme["model"], "claude-opus-4-1");
    assert_eq!(acme["api_key_masked"], "sk-ant-...6789");
    assert_eq!(acme["id"], "01a230cf-9852-733d-a2a5-19263ad2c0a3");
    assert_eq!(acme["created_at"], "2026-12-01T08:54:01Z");

    let audit = json(&env, &["--json", "audit", "--all"]);
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), 8, "{actions:?}");
    assert_eq!(actions[0], "rotate_master_key");
    assert_eq!(
        actions[1..],
        [
            "token_create",
            "test",
            "update",
            "add_instance",
            "create",
            "create",
            "create"
        ]
    );
    assert_eq!(audit[3]["fields"], serde_json::json!(["model"]));
    // The unkeyed fingerprint the fixture recorded was re-derived under the
    // store's fingerprint key on open.
    let fp = audit[7]["key_fingerprint"].as_str().unwrap();
    assert!(fp.starts_with("hmac:") && fp.len() == 37, "{fp}");
    assert!(!audit.to_string().contains("sha256:39219014e1eb"));
}

#[test]
fn an_old_store_opens_every_key_tests_and_takes_writes() {
    let env = fixture_env();
    // The key of `beta` opens (an integrity failure would be exit 7); the
    // probe then fails to connect to the fixture's closed port.
    let out = run(&env, &["-i", "beta", "test"]);
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stdout(&out).contains("unreachable"), "{}", stdout(&out));

    let out = run(
        &env,
        &["-i", "acme", "update", "--model", "claude-sonnet-4-5"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = run(&env, &["instances", "add", "delta", "--name", "Delta"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let acme = json(&env, &["-i", "acme", "--json", "get"]);
    assert_eq!(acme["model"], "claude-sonnet-4-5");
    assert_eq!(acme["api_key_masked"], "sk-ant-...6789");

    // Rotation opens every stored key with the fixture's master key and
    // re-seals it: all three must open.
    let new_key = env.path().join("rotated.key");
    let out = run(
        &env,
        &[
            "master-key",
            "rotate",
            "--new-key-file",
            new_key.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("3 stored API key(s)"),
        "{}",
        stdout(&out)
    );
    let out = env
        .cmd()
        .env("LLMCFG_MASTER_KEY_FILE", &new_key)
        .args(["--json", "-i", "beta", "get"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

#[tokio::test]
async fn an_old_store_still_knows_its_token() {
    let env = fixture_env();
    let handle = open_local(env.store(), env.path().join("master.key"), FIXTURE_KEY).await;
    let token = handle.authenticate(FIXTURE_TOKEN).await.unwrap().unwrap();
    assert_eq!(token.name, "fixture-ci");
    assert_eq!(handle.authenticate("llmcfg_nope").await.unwrap(), None);
    let tokens = handle.list_tokens().await.unwrap();
    assert_eq!(tokens.len(), 1);
    // A write through the library path lands on the old rows.
    let view = handle
        .update(
            &Scope::Global,
            ConfigPatch {
                model: Some("gpt-4o-mini".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(view.model, "gpt-4o-mini");
    assert_eq!(view.api_key_masked, "sk-...cdef");
}

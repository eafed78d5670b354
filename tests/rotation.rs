//! `rotate-key` and `rollback` through the real binary, against a fake
//! OpenAI on 127.0.0.1 that checks the bearer key and answers 401 with the
//! documented `invalid_api_key` body for any other key: the new key is
//! tested against each scope's own base URL and model; only passing scopes
//! are swapped (or, `--atomic`, all or none; `--dry-run`, none); the report
//! says swapped / kept with the reason / unreachable and the exit is 5 when
//! any scope keeps the old key; `rollback --rotation` restores exactly the
//! swapped scopes and refuses (exit 4, naming it) a scope changed since.
//! The bad-input faults exit 3 / 2, and no key lands in output, log or file.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
mod rotation_cli;

use std::process::Output;
use std::sync::Arc;

use cli_env::{Env, KEY2, code, contains_key_fragment, stderr, stdout};
use fake_provider::{FakeProvider, Flavor};
use rotation_cli::{create, json, run};

/// The key that leaked.
const OLD: &str = KEY2;
/// Its replacement.
const NEW: &str = "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm";

/// The fingerprint of `id`'s key, from the key map.
fn fingerprint_of(env: &Env, id: &str) -> String {
    let out = env.run(&["--json", "keys"], "");
    let groups: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    groups
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["scopes"].as_array().unwrap().iter())
        .find(|s| s["instance_id"] == id)
        .map(|s| s["key_fingerprint"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("{id} has no key"))
}

fn outcomes(report: &serde_json::Value) -> Vec<(String, String)> {
    report["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["instance_id"].as_str().unwrap().to_string(),
                s["outcome"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every byte a run could have left a key in: its output, the log and the
/// store's files.
fn assert_no_key_anywhere(env: &Env, outs: &[&Output]) {
    let mut seen = Vec::new();
    for out in outs {
        seen.extend(&out.stdout);
        seen.extend(&out.stderr);
    }
    seen.extend(std::fs::read(env.log_file()).unwrap_or_default());
    for f in env.store_files() {
        seen.extend(std::fs::read(f).unwrap());
    }
    for key in [OLD, NEW] {
        assert!(
            !contains_key_fragment(&seen, key),
            "a fragment of {key} leaked"
        );
    }
}

/// Four scopes on the old key: two the new key works for, one whose model
/// the new key cannot use, one whose provider is unreachable.
async fn fleet() -> (FakeProvider, Arc<Env>, String) {
    let fake = FakeProvider::start(Flavor::OpenAi, &[OLD, NEW], &["gpt-4o"]).await;
    let env = Env::new();
    let base = fake.base_url();
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    create(&env, "acme", "gpt-4o", &base, OLD);
    create(&env, "beta", "gpt-4o", &base, OLD);
    create(&env, "gamma", "gpt-nope", &base, OLD);
    create(&env, "delta", "gpt-4o", &closed, OLD);
    let fp = fingerprint_of(&env, "acme");
    (fake, Arc::new(env), fp)
}

#[tokio::test(flavor = "multi_thread")]
async fn rotation_swaps_only_passing_scopes_and_rollback_restores_them() {
    let (fake, env, old_fp) = fleet().await;

    let dry = run(
        &env,
        &[
            "--json",
            "rotate-key",
            "--fingerprint",
            &old_fp,
            "--dry-run",
        ],
        &format!("{NEW}\n"),
    )
    .await;
    assert_eq!(code(&dry), 5, "{}", stderr(&dry));
    let report = json(&dry);
    assert!(report["rotation_id"].is_null());
    assert!(outcomes(&report).contains(&("acme".into(), "passed".into())));
    assert_eq!(
        fingerprint_of(&env, "acme"),
        old_fp,
        "a dry run swaps nothing"
    );

    fake.reset_counts();
    let out = run(
        &env,
        &["--json", "rotate-key", "--fingerprint", &old_fp],
        &format!("{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 5, "a scope kept the old key: {}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        outcomes(&report),
        vec![
            ("acme".into(), "swapped".into()),
            ("beta".into(), "swapped".into()),
            ("delta".into(), "unreachable".into()),
            ("gamma".into(), "kept".into()),
        ]
    );
    let gamma = &report["scopes"][3];
    assert_eq!(gamma["test_status"], "model_not_found");
    assert!(
        gamma["reason"].as_str().unwrap().contains("gpt-nope"),
        "{gamma}"
    );
    // Each scope was tested with the new key, at its own base URL.
    let creds: Vec<String> = fake
        .seen()
        .into_iter()
        .filter_map(|s| s.credential)
        .collect();
    assert_eq!(
        creds.iter().filter(|c| c.contains(NEW)).count(),
        fake.requests()
    );
    assert!(fake.requests() >= 3);

    let new_fp = report["new_fingerprint"].as_str().unwrap().to_string();
    for id in ["acme", "beta"] {
        assert_eq!(fingerprint_of(&env, id), new_fp);
        assert_eq!(env.get_json(Some(id))["api_key_masked"], "sk-proj-...CvQm");
    }
    for id in ["gamma", "delta"] {
        assert_eq!(fingerprint_of(&env, id), old_fp, "{id} keeps the old key");
    }
    // The swap is a version of its own, with an audit entry naming the rotation.
    let id = report["rotation_id"].as_str().unwrap().to_string();
    let history = json(&run(&env, &["-i", "acme", "--json", "history"], "").await);
    assert_eq!(history[0]["version"], 2);
    assert_eq!(history[0]["key_fingerprint"], new_fp.as_str());
    let audit = run(&env, &["-i", "acme", "--json", "audit"], "").await;
    assert!(
        stdout(&audit).contains(&format!("rotation {id}")),
        "{}",
        stdout(&audit)
    );

    // The text report names each outcome and the rollback command.
    let text = run(
        &env,
        &["rotate-key", "--fingerprint", &old_fp, "--dry-run"],
        &format!("{NEW}\n"),
    )
    .await;
    assert!(stdout(&text).contains("unreachable"), "{}", stdout(&text));

    let back = run(&env, &["--json", "rollback", "--rotation", &id], "").await;
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    let restored = json(&back);
    assert_eq!(restored["restored"].as_array().unwrap().len(), 2);
    for id in ["acme", "beta", "gamma", "delta"] {
        assert_eq!(
            fingerprint_of(&env, id),
            old_fp,
            "{id} is on the old key again"
        );
    }
    let history = json(&run(&env, &["-i", "acme", "--json", "history"], "").await);
    assert_eq!(history[0]["action"], "restore");
    assert_eq!(history[0]["version"], 3);

    assert_no_key_anywhere(&env, &[&dry, &out, &text, &back, &audit]);
}

#[tokio::test(flavor = "multi_thread")]
async fn atomic_swaps_none_unless_every_test_passes() {
    let (fake, env, old_fp) = fleet().await;
    let out = run(
        &env,
        &["--json", "rotate-key", "--fingerprint", &old_fp, "--atomic"],
        &format!("{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let report = json(&out);
    for (id, outcome) in outcomes(&report) {
        assert_ne!(outcome, "swapped", "{id}");
        assert_eq!(fingerprint_of(&env, &id), old_fp, "{id}");
    }
    assert!(
        report["scopes"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("--atomic")
    );

    // With the two failing scopes on another key, all the rest swap at once.
    for id in ["gamma", "delta"] {
        let out = run(&env, &["-i", id, "delete", "--yes"], "").await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let out = run(
        &env,
        &["--json", "rotate-key", "--fingerprint", &old_fp, "--atomic"],
        &format!("{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(
        outcomes(&report),
        vec![
            ("acme".into(), "swapped".into()),
            ("beta".into(), "swapped".into())
        ]
    );
    // The batch recorded its scopes: the rollback restores both.
    let id = report["rotation_id"].as_str().unwrap().to_string();
    let back = run(&env, &["--json", "rollback", "--rotation", &id], "").await;
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    assert_eq!(fingerprint_of(&env, "beta"), old_fp);
    drop(fake);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_and_a_changed_scope_are_refused_with_their_exit_codes() {
    let (_fake, env, old_fp) = fleet().await;

    let out = run(
        &env,
        &[
            "rotate-key",
            "--fingerprint",
            "hmac:00000000000000000000000000000000",
        ],
        &format!("{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 3, "unknown fingerprint: {}", stderr(&out));
    assert!(
        stderr(&out).contains("hmac:00000000000000000000000000000000"),
        "{}",
        stderr(&out)
    );

    let out = run(
        &env,
        &["rotate-key", "--from-stdin-old"],
        &format!("{OLD}\n{OLD}\n"),
    )
    .await;
    assert_eq!(code(&out), 2, "same key: {}", stderr(&out));
    assert!(stderr(&out).contains("api_key"), "{}", stderr(&out));

    let out = run(&env, &["rollback", "--rotation", "no-such-rotation"], "").await;
    assert_eq!(code(&out), 3, "unknown rotation: {}", stderr(&out));

    // --from-stdin-old finds the scopes by the old key itself.
    let out = run(
        &env,
        &["--json", "rotate-key", "--from-stdin-old"],
        &format!("{OLD}\n{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let id = json(&out)["rotation_id"].as_str().unwrap().to_string();

    // beta changes after the rotation: the rollback refuses, naming it,
    // and restores nothing.
    let upd = run(
        &env,
        &["-i", "beta", "update", "--model", "gpt-4o-mini"],
        "",
    )
    .await;
    assert_eq!(code(&upd), 0, "{}", stderr(&upd));
    let out = run(&env, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&out), 4, "{}", stderr(&out));
    assert!(stderr(&out).contains("beta"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("acme"), "{}", stderr(&out));
    assert_ne!(fingerprint_of(&env, "acme"), old_fp, "nothing was restored");

    let out = run(&env, &["rollback", "--rotation", &id, "--force"], "").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(fingerprint_of(&env, "acme"), old_fp);
    assert_eq!(fingerprint_of(&env, "beta"), old_fp);
    assert_eq!(
        env.get_json(Some("beta"))["model"],
        "gpt-4o",
        "beta's version before the swap"
    );
}

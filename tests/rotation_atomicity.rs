//! The all-or-nothing promises of `rotate-key --atomic` and `rollback
//! --rotation`, through the real binary on a real SQLite store, with
//! faults injected by SQLite triggers in the store file:
//!
//! - an atomic rotation writes its swaps and the rotation's entry for each
//!   scope in one transaction, so a failure recording the entries leaves no
//!   scope swapped behind the rollback's back, and a failure of the last
//!   scope's swap writes neither swaps nor entries;
//! - a rollback restores every scope or none: a restore failing on the
//!   second scope leaves the first on the new key too (a refusal naming
//!   the one scope that changed restores none either: `rotation.rs`);
//! - a rollback that completed says there is nothing left to roll back
//!   when run again, rather than refusing every scope as "changed".

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
mod rotation_cli;

use std::process::Output;
use std::sync::Arc;

use cli_env::{Env, KEY2, code, stderr, stdout};
use fake_provider::{FakeProvider, Flavor};
use rotation_cli::{create, json, run};

const OLD: &str = KEY2;
const NEW: &str = "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm";
const SCOPES: [&str; 3] = ["acme", "beta", "gamma"];

fn db(env: &Env) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(env.store()).unwrap();
    db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    db
}

fn count(env: &Env, sql: &str) -> i64 {
    db(env).query_row(sql, [], |r| r.get(0)).unwrap()
}

/// The stored mask of each scope's key, in [`SCOPES`] order.
fn masks(env: &Env) -> Vec<String> {
    SCOPES
        .iter()
        .map(|id| {
            env.get_json(Some(id))["api_key_masked"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

const OLD_MASK: &str = "sk-proj-...JsWu";
const NEW_MASK: &str = "sk-proj-...CvQm";

/// Three scopes on the old key, all of which the new key works for.
async fn fleet() -> (FakeProvider, Arc<Env>) {
    let fake = FakeProvider::start(Flavor::OpenAi, &[OLD, NEW], &["gpt-4o"]).await;
    let env = Env::new();
    for id in SCOPES {
        create(&env, id, "gpt-4o", &fake.base_url(), OLD);
    }
    let env = Arc::new(env);
    assert_eq!(masks(&env), vec![mask_of(OLD); 3]);
    (fake, env)
}

fn mask_of(key: &str) -> String {
    if key == OLD { OLD_MASK } else { NEW_MASK }.to_string()
}

async fn rotate_atomic(env: &Arc<Env>) -> Output {
    run(
        env,
        &["--json", "rotate-key", "--from-stdin-old", "--atomic"],
        &format!("{OLD}\n{NEW}\n"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_atomic_rotation_records_its_scopes_in_the_swaps_transaction() {
    let (_fake, env) = fleet().await;

    // Recording a scope's rotation entry fails: no scope may be swapped,
    // or the rollback could not see it.
    db(&env)
        .execute_batch(
            "CREATE TRIGGER break_entries BEFORE INSERT ON rotation_scopes
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let out = rotate_atomic(&env).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    for (id, outcome) in json(&out)["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (&s["instance_id"], &s["outcome"]))
    {
        assert_eq!(outcome, "kept", "{id}");
    }
    assert_eq!(masks(&env), vec![mask_of(OLD); 3], "nothing was swapped");
    assert_eq!(count(&env, "SELECT COUNT(*) FROM rotation_scopes"), 0);
    db(&env)
        .execute_batch("DROP TRIGGER break_entries;")
        .unwrap();

    // The last scope's swap fails: neither the swaps nor any entry.
    db(&env)
        .execute_batch(
            "CREATE TRIGGER break_gamma BEFORE UPDATE ON configs WHEN NEW.scope = 'gamma'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let out = rotate_atomic(&env).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert_eq!(masks(&env), vec![mask_of(OLD); 3], "nothing was swapped");
    assert_eq!(count(&env, "SELECT COUNT(*) FROM rotation_scopes"), 0);
    db(&env).execute_batch("DROP TRIGGER break_gamma;").unwrap();

    // Without a fault every scope is swapped, each with its entry naming
    // the version the swap wrote.
    let out = rotate_atomic(&env).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(masks(&env), vec![mask_of(NEW); 3]);
    let id = json(&out)["rotation_id"].as_str().unwrap().to_string();
    let unrecorded = count(
        &env,
        &format!(
            "SELECT COUNT(*) FROM configs c WHERE NOT EXISTS (
                 SELECT 1 FROM rotation_scopes r WHERE r.rotation_id = '{id}'
                 AND r.scope = c.scope AND r.version_after =
                     (SELECT MAX(version) FROM config_versions v WHERE v.scope = c.scope))"
        ),
    );
    assert_eq!(unrecorded, 0, "every swapped scope has its entry");
    let back = run(&env, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    assert_eq!(masks(&env), vec![mask_of(OLD); 3]);
}

/// Rotates every scope (each in its own transaction) and returns the id.
async fn rotate_all(env: &Arc<Env>) -> String {
    let out = run(
        env,
        &["--json", "rotate-key", "--from-stdin-old"],
        &format!("{OLD}\n{NEW}\n"),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(masks(env), vec![mask_of(NEW); 3]);
    json(&out)["rotation_id"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_restores_every_scope_or_none() {
    let (_fake, env) = fleet().await;
    let id = rotate_all(&env).await;

    // Forced, the restore of the second scope fails: the first is not
    // restored either.
    db(&env)
        .execute_batch(
            "CREATE TRIGGER break_beta BEFORE INSERT ON configs WHEN NEW.scope = 'beta'
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
        )
        .unwrap();
    let out = run(&env, &["rollback", "--rotation", &id, "--force"], "").await;
    assert_ne!(code(&out), 0, "{}", stdout(&out));
    assert_eq!(masks(&env), vec![mask_of(NEW); 3], "nothing was restored");
    db(&env).execute_batch("DROP TRIGGER break_beta;").unwrap();

    let out = run(&env, &["rollback", "--rotation", &id, "--force"], "").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(masks(&env), vec![mask_of(OLD); 3]);
    assert!(
        stdout(&out).contains("3 scope(s) restored"),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rollback_run_again_has_nothing_to_roll_back() {
    let (_fake, env) = fleet().await;
    let id = rotate_all(&env).await;
    let out = run(&env, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let versions = count(&env, "SELECT COUNT(*) FROM config_versions");

    let again = run(&env, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(
        stdout(&again).contains("Nothing to roll back"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        count(&env, "SELECT COUNT(*) FROM config_versions"),
        versions,
        "nothing was written"
    );
    assert_eq!(masks(&env), vec![mask_of(OLD); 3]);
    let report = json(&run(&env, &["--json", "rollback", "--rotation", &id], "").await);
    assert_eq!(report["restored"].as_array().unwrap().len(), 0);
}

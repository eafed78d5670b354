//! `rotate-key` and `rollback` on a PostgreSQL store, through the real
//! binary against a fake OpenAI on 127.0.0.1: the rotations tables of the
//! PostgreSQL migration, a swap per scope with its rotation entry, a re-run
//! that continues the rotation, the atomic batch's entries (in the swaps'
//! own transaction: a failure recording them swaps nothing), and
//! rollbacks, all or nothing (a refusal or a failing restore restores no
//! scope), with nothing left to do when run again.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::process::Output;
use std::sync::Arc;

use cli_env::{Env, KEY2, code, stderr};
use fake_provider::{FakeProvider, Flavor};

const OLD: &str = KEY2;
const NEW: &str = "sk-proj-Nw4Rt8Yu2Io6Pa9Sd3Fg7Hj1Kl5Zx0CvQm";

async fn run(env: &Arc<Env>, db: &str, args: &[&str], stdin: &str) -> Output {
    let (env, db, stdin) = (env.clone(), db.to_string(), stdin.to_string());
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = env.cmd();
        cmd.env("LLMCFG_STORE", &db).args(&args);
        cmd.write_stdin(stdin).output().unwrap()
    })
    .await
    .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(out)))
}

fn outcomes(report: &serde_json::Value) -> Vec<String> {
    report["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}={}",
                s["instance_id"].as_str().unwrap(),
                s["outcome"].as_str().unwrap()
            )
        })
        .collect()
}

async fn masks(env: &Arc<Env>, db: &str) -> Vec<String> {
    let mut out = Vec::new();
    for id in ["acme", "beta", "gamma"] {
        let got = run(env, db, &["-i", id, "--json", "get"], "").await;
        let v = json(&got);
        out.push(format!(
            "{id}={}",
            v["api_key_masked"].as_str().unwrap_or("-")
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn rotation_and_rollback_on_postgres() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[OLD, NEW], &["gpt-4o"]).await;
    let db = pg_cluster::fresh_db();
    let env = Arc::new(Env::new());
    for (id, model) in [
        ("acme", "gpt-4o"),
        ("beta", "gpt-4o"),
        ("gamma", "gpt-nope"),
    ] {
        let out = run(
            &env,
            &db.url,
            &[
                "-i",
                id,
                "create",
                "--provider",
                "openai",
                "--model",
                model,
                "--base-url",
                &fake.base_url(),
            ],
            &format!("{OLD}\n"),
        )
        .await;
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    let rotate = |extra: &'static [&'static str]| {
        let (env, url) = (env.clone(), db.url.clone());
        async move {
            let mut args = vec!["--json", "rotate-key", "--from-stdin-old"];
            args.extend(extra);
            run(&env, &url, &args, &format!("{OLD}\n{NEW}\n")).await
        }
    };

    let out = rotate(&[]).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    let first = json(&out);
    assert_eq!(
        outcomes(&first),
        ["acme=swapped", "beta=swapped", "gamma=kept"]
    );
    assert_eq!(
        masks(&env, &db.url).await,
        [
            "acme=sk-proj-...CvQm",
            "beta=sk-proj-...CvQm",
            "gamma=sk-proj-...JsWu"
        ]
    );

    // The re-run continues the same rotation and tests only gamma again.
    fake.reset_counts();
    let out = rotate(&[]).await;
    let again = json(&out);
    assert_eq!(again["rotation_id"], first["rotation_id"]);
    assert_eq!(
        outcomes(&again),
        ["acme=already_rotated", "beta=already_rotated", "gamma=kept"]
    );
    assert!(
        fake.requests() >= 1 && fake.requests() <= 2,
        "{}",
        fake.requests()
    );

    let id = first["rotation_id"].as_str().unwrap().to_string();
    let back = run(&env, &db.url, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    assert!(
        masks(&env, &db.url)
            .await
            .iter()
            .all(|m| m.ends_with("JsWu"))
    );

    // Atomic, once gamma is gone: both swap in one batch, and the batch's
    // entries let the rollback restore both.
    let out = run(&env, &db.url, &["-i", "gamma", "delete", "--yes"], "").await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // Recording the rotation's entries fails: the atomic swaps roll back
    // with them, so no scope is swapped where the rollback cannot see it.
    pg_cluster::admin(
        &db.url,
        "CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql
             AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$;
         CREATE TRIGGER break_entries BEFORE INSERT ON rotation_scopes
             FOR EACH ROW EXECUTE FUNCTION injected_failure();",
    );
    let out = rotate(&["--atomic"]).await;
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(
        masks(&env, &db.url)
            .await
            .iter()
            .all(|m| m.ends_with("JsWu") || m.ends_with('-'))
    );
    pg_cluster::admin(&db.url, "DROP TRIGGER break_entries ON rotation_scopes;");
    let out = rotate(&["--atomic"]).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let atomic = json(&out);
    assert_eq!(outcomes(&atomic), ["acme=swapped", "beta=swapped"]);
    let id = atomic["rotation_id"].as_str().unwrap().to_string();
    let changed = run(
        &env,
        &db.url,
        &["-i", "beta", "update", "--model", "gpt-4o-mini"],
        "",
    )
    .await;
    assert_eq!(code(&changed), 0, "{}", stderr(&changed));
    let refused = run(&env, &db.url, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&refused), 4, "{}", stderr(&refused));
    assert!(stderr(&refused).contains("beta"), "{}", stderr(&refused));
    assert!(!stderr(&refused).contains("acme"), "{}", stderr(&refused));
    assert_eq!(
        masks(&env, &db.url).await[0],
        "acme=sk-proj-...CvQm",
        "nothing restored"
    );

    // Forced, the restore of beta (the second scope) fails: acme is not
    // restored either.
    pg_cluster::admin(
        &db.url,
        "CREATE TRIGGER break_beta BEFORE INSERT ON configs
             FOR EACH ROW WHEN (NEW.scope = 'beta') EXECUTE FUNCTION injected_failure();",
    );
    let failed = run(
        &env,
        &db.url,
        &["rollback", "--rotation", &id, "--force"],
        "",
    )
    .await;
    assert_ne!(code(&failed), 0, "{}", stderr(&failed));
    assert_eq!(
        masks(&env, &db.url).await[0],
        "acme=sk-proj-...CvQm",
        "nothing restored"
    );
    pg_cluster::admin(&db.url, "DROP TRIGGER break_beta ON configs;");

    let forced = run(
        &env,
        &db.url,
        &["rollback", "--rotation", &id, "--force"],
        "",
    )
    .await;
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert_eq!(masks(&env, &db.url).await[0], "acme=sk-proj-...JsWu");

    // Run again, the completed rollback has nothing left to do.
    let again = run(&env, &db.url, &["rollback", "--rotation", &id], "").await;
    assert_eq!(code(&again), 0, "{}", stderr(&again));
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("Nothing to roll back"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
}

//! `llmcfg lifecycle` and `plan --migrate-retiring` on the real binary,
//! against a fake OpenAI provider on 127.0.0.1. Facts are recorded in the
//! store as a test that read them would: acme's model retires in 40 days
//! (successor gpt-4.1), gamma's in 30 with no successor named, beta's in
//! 200 (outside the window), delta has 5% credit left, and omega's facts
//! belong to a model it no longer uses. `lifecycle` lists the three at risk,
//! soonest first; the migration file moves acme alone, `plan -f` shows that
//! one model change and `apply --test` tries the kept key on the new model
//! at the provider before writing it. Against a seed-only remote,
//! `lifecycle` and `plan --migrate-retiring` say in one line that the
//! server reports no facts.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
mod seed_cli;
mod seed_server;

use cli_env::{Env, KEY, code, contains_key_fragment, stderr, stdout};
use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{
    AuditAction, Credit, FactSource, InstanceId, Lifecycle, Retirement, Scope, TestResult,
    TestStatus,
};
use llmcfg::store::{AuditRecord, Store};
use time::OffsetDateTime;

fn retiring(model: &str, days: i64, successor: Option<&str>) -> Lifecycle {
    let on = OffsetDateTime::now_utc().date() + time::Duration::days(days);
    let r = Retirement::new(model, on, FactSource::Api);
    Lifecycle {
        retirement: Some(match successor {
            Some(s) => r.with_successor(s),
            None => r,
        }),
        ..Lifecycle::default()
    }
}

/// Records an ok test of tenant `id` on `model` that learned `facts`.
async fn record(store: &Store, id: &str, model: &str, facts: Lifecycle) {
    let scope = Scope::Instance(InstanceId::parse(id).unwrap());
    let result = TestResult::new(
        "openai",
        model,
        TestStatus::Ok,
        "Connection successful",
        80,
        OffsetDateTime::now_utc(),
    )
    .with_lifecycle(facts);
    let audit = AuditRecord::new("test", &scope, AuditAction::Test);
    assert!(store.record_test(&scope, result, audit).await.unwrap());
}

fn run(env: &Env, args: &[&str]) -> std::process::Output {
    env.cmd()
        .current_dir(env.path())
        .args(args)
        .write_stdin("")
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn lifecycle_lists_the_scopes_at_risk_and_the_migration_applies_with_test() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o", "gpt-4.1"]).await;
    let env = std::sync::Arc::new(Env::new());
    for id in ["acme", "beta", "gamma", "delta", "omega"] {
        env.create_at(Some(id), "openai", "gpt-4o", &fake.base_url(), KEY);
    }
    {
        let store = Store::open(&env.store()).await.unwrap();
        record(
            &store,
            "acme",
            "gpt-4o",
            retiring("gpt-4o", 40, Some("gpt-4.1")),
        )
        .await;
        record(
            &store,
            "beta",
            "gpt-4o",
            retiring("gpt-4o", 200, Some("gpt-4.1")),
        )
        .await;
        record(&store, "gamma", "gpt-4o", retiring("gpt-4o", 30, None)).await;
        let low = Lifecycle {
            credit: Some(Credit {
                limit: Some(100.0),
                remaining: Some(5.0),
                ..Credit::default()
            }),
            ..Lifecycle::default()
        };
        record(&store, "delta", "gpt-4o", low).await;
        // A test of another model says nothing of the one configured now.
        record(
            &store,
            "omega",
            "gpt-3.5",
            retiring("gpt-3.5", 5, Some("gpt-4o")),
        )
        .await;
    }
    let e = env.clone();
    let (text, json, migrate) = tokio::task::spawn_blocking(move || {
        (
            run(&e, &["lifecycle"]),
            run(&e, &["--json", "lifecycle"]),
            run(&e, &["plan", "--migrate-retiring"]),
        )
    })
    .await
    .unwrap();

    assert_eq!(code(&text), 0, "{}", stderr(&text));
    let lines: Vec<String> = stdout(&text).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 4, "a header and three scopes: {lines:#?}");
    assert!(
        lines[1].starts_with("gamma") && lines[1].contains("(in 30 days)"),
        "{lines:#?}"
    );
    assert!(
        lines[2].starts_with("acme") && lines[2].ends_with("(in 40 days); successor gpt-4.1"),
        "{lines:#?}"
    );
    assert!(
        lines[3].starts_with("delta") && lines[3].contains("credit 5% left"),
        "{lines:#?}"
    );

    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["instance_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gamma", "acme", "delta"]);
    assert_eq!(rows[1]["days_left"], 40);
    assert_eq!(rows[1]["lifecycle"]["retirement"]["successor"], "gpt-4.1");
    assert_eq!(rows[2]["days_left"], serde_json::Value::Null);

    assert_eq!(code(&migrate), 0, "{}", stderr(&migrate));
    let file = stdout(&migrate);
    let doc: toml::Table = toml::from_str(&file).unwrap();
    let instances = doc["instances"].as_table().unwrap();
    assert_eq!(
        instances.keys().collect::<Vec<_>>(),
        ["acme"],
        "only the retiring scope with a successor moves:\n{file}"
    );
    assert_eq!(instances["acme"]["model"].as_str(), Some("gpt-4.1"));
    assert_eq!(instances["acme"]["keep_key"].as_bool(), Some(true));
    assert!(
        stderr(&migrate).contains("gamma") && stderr(&migrate).contains("no successor"),
        "{}",
        stderr(&migrate)
    );
    assert!(!contains_key_fragment(&migrate.stdout, KEY), "{file}");
    std::fs::write(env.path().join("migrate.toml"), &file).unwrap();

    fake.reset_counts();
    let e = env.clone();
    let (plan, apply) = tokio::task::spawn_blocking(move || {
        (
            run(&e, &["plan", "-f", "migrate.toml"]),
            run(&e, &["apply", "-f", "migrate.toml", "--yes", "--test"]),
        )
    })
    .await
    .unwrap();
    assert_eq!(code(&plan), 0, "{}", stderr(&plan));
    let plan_text = stdout(&plan);
    assert!(
        plan_text.contains("gpt-4o") && plan_text.contains("gpt-4.1"),
        "{plan_text}"
    );
    let apply_text = stdout(&apply);
    assert_eq!(code(&apply), 0, "{apply_text}{}", stderr(&apply));
    assert!(
        apply_text.contains("key accepted by the provider"),
        "{apply_text}"
    );
    assert_eq!(
        fake.requests(),
        1,
        "the kept key was tried once on the new model"
    );
    let sent = fake.seen();
    assert!(
        sent[0]
            .credential
            .as_deref()
            .is_some_and(|c| c.contains(KEY))
    );
    assert_eq!(env.get_json(Some("acme"))["model"], "gpt-4.1");
    assert_eq!(env.get_json(Some("gamma"))["model"], "gpt-4o");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_only_server_is_said_to_report_no_facts_in_one_line() {
    let seed = seed_server::SeedServer::default_variant(&[]).await;
    seed.insert(None, "openai", "gpt-4o", KEY);
    let env = Env::new();
    seed_cli::config(&env, "[[instances]]\nid = \"acme\"\n");
    let url = seed.url.clone();
    let outs = tokio::task::spawn_blocking(move || {
        [&["lifecycle"][..], &["plan", "--migrate-retiring"][..]].map(|args| {
            env.cmd()
                .env("LLMCFG_REMOTE", &url)
                .env("LLMCFG_TOKEN", seed_server::ADMIN_TOKEN)
                .args(args)
                .write_stdin("")
                .output()
                .unwrap()
        })
    })
    .await
    .unwrap();
    for out in outs {
        assert_eq!(code(&out), 3, "{}{}", stdout(&out), stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(
            err.contains(llmcfg::domain::lifecycle::NOT_REPORTED),
            "{err}"
        );
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    }
}

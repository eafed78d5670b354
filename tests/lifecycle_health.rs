//! The monitor's lifecycle facts: a monitor probe carries what the provider
//! said, its record puts the facts on the scope's last test, and `llmcfg
//! health` prints them under the scope (and in `--json`), with no provider
//! call of its own; `test --all` carries them on each row.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/local_service.rs"]
mod local_service;

use std::path::Path;

use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{ApiKey, HealthPolicy, HealthRetention, NewConfig, Scope};
use llmcfg::service::ServiceHandle;
use local_service::open_sqlite;
use serde_json::{Value, json};

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY: &str = "sk-proj-health-0123456789abcdefghijklmnopqrs";

async fn llmcfg(store: &Path, args: &[&str]) -> std::process::Output {
    let (store, args): (_, Vec<String>) = (
        store.to_path_buf(),
        args.iter().map(|a| a.to_string()).collect(),
    );
    tokio::task::spawn_blocking(move || {
        let home = store.parent().unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"))
            .args(&args)
            .arg("--store")
            .arg(&store)
            .env("LLMCFG_MASTER_KEY", MASTER_HEX)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("HOME", home)
            .env_remove("LLMCFG_CONFIG")
            .env_remove("LLMCFG_REMOTE")
            .env_remove("LLMCFG_STORE")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// A fake OpenAI provider and a fresh store whose control plane uses it
/// (`gpt-4o`), opened in this process.
async fn global_openai_scope() -> (FakeProvider, tempfile::TempDir, ServiceHandle) {
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    let dir = tempfile::tempdir().unwrap();
    let handle = open_sqlite(&dir.path().join("llmcfg.db"), MASTER_HEX).await;
    handle
        .create(
            &Scope::Global,
            NewConfig::new("openai", "gpt-4o", ApiKey::new(KEY)).with_base_url(&fake.base_url()),
        )
        .await
        .unwrap();
    (fake, dir, handle)
}

#[tokio::test(flavor = "multi_thread")]
async fn monitor_facts_reach_the_last_test_and_health_prints_them() {
    let (fake, dir, handle) = global_openai_scope().await;
    let store = dir.path().join("llmcfg.db");
    // A test before the provider announced anything: no facts.
    let first = handle.test_connection(&Scope::Global).await.unwrap();
    assert_eq!(first.lifecycle, None);

    fake.configure(|c| {
        c.model_facts
            .insert("gpt-4o".into(), json!({"shutdown_date": "2027-03-01"}));
    });
    let access = handle.admin().unwrap().health();
    let check = access.probe(&Scope::Global).await.unwrap().unwrap();
    let retirement = check
        .lifecycle
        .as_ref()
        .unwrap()
        .retirement
        .clone()
        .unwrap();
    assert_eq!(retirement.model, "gpt-4o");
    access
        .record(
            vec![check],
            HealthPolicy::default(),
            HealthRetention::default(),
        )
        .await
        .unwrap();
    let list = handle.list_instances().await.unwrap();
    let last = list[0].last_test.as_ref().unwrap();
    assert_eq!(
        last.lifecycle.as_ref().unwrap().retirement.as_ref(),
        Some(&retirement),
        "the monitor's facts are on the last test"
    );
    drop(handle);

    let requests = fake.requests();
    let out = llmcfg(&store, &["health"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("  gpt-4o retires 2027-03-01 (in "), "{text}");
    let out = llmcfg(&store, &["--json", "health"]).await;
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows[0]["lifecycle"]["retirement"]["retires_on"],
        "2027-03-01"
    );
    assert_eq!(fake.requests(), requests, "health calls no provider");

    let out = llmcfg(&store, &["--json", "test", "--all"]).await;
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        all["results"][0]["result"]["lifecycle"]["retirement"]["retires_on"], "2027-03-01",
        "{all}"
    );
}

/// A scope only the monitor has tested still shows its facts: the
/// monitor's result becomes the last test, so `llmcfg lifecycle` lists the
/// retiring scope without anyone running `test` first.
#[tokio::test(flavor = "multi_thread")]
async fn monitor_facts_of_a_never_tested_scope_become_its_last_test() {
    let (fake, dir, handle) = global_openai_scope().await;
    let store = dir.path().join("llmcfg.db");
    fake.configure(|c| {
        c.model_facts
            .insert("gpt-4o".into(), json!({"shutdown_date": "2027-03-01"}));
    });
    assert!(
        handle.list_instances().await.unwrap()[0]
            .last_test
            .is_none()
    );

    let access = handle.admin().unwrap().health();
    let check = access.probe(&Scope::Global).await.unwrap().unwrap();
    access
        .record(
            vec![check],
            HealthPolicy::default(),
            HealthRetention::default(),
        )
        .await
        .unwrap();
    let list = handle.list_instances().await.unwrap();
    let last = list[0]
        .last_test
        .as_ref()
        .expect("the monitor's result is the last test");
    assert!(last.success);
    assert_eq!(last.model, "gpt-4o");
    let retires_on = last
        .lifecycle
        .as_ref()
        .and_then(|l| l.retirement.as_ref())
        .map(|r| r.retires_on.to_string());
    assert_eq!(retires_on.as_deref(), Some("2027-03-01"));
    drop(handle);

    let out = llmcfg(&store, &["--json", "lifecycle"]).await;
    let rows: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(
        rows[0]["lifecycle"]["retirement"]["retires_on"], "2027-03-01",
        "{rows}"
    );
}

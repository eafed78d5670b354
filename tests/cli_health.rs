//! `llmcfg health` on a real store whose history was written through the
//! service: state, since, last ok, flaps and p50 latency per scope, the
//! `--failing` filter, `--json`, and the refusal in remote mode.

#[path = "support/local_service.rs"]
mod local_service;

use std::path::Path;

use llmcfg::domain::{
    ApiKey, HealthCheck, HealthPolicy, HealthRetention, InstanceId, NewConfig, Scope, TestStatus,
};
use local_service::open_sqlite;
use serde_json::Value;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY: &str = "sk-proj-health-0123456789abcdefghijklmnopqrs";

fn llmcfg(store: &Path, args: &[&str]) -> std::process::Output {
    let home = store.parent().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"))
        .args(args)
        .arg("--store")
        .arg(store)
        .env("LLMCFG_MASTER_KEY", MASTER_HEX)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("HOME", home)
        .env_remove("LLMCFG_CONFIG")
        .env_remove("LLMCFG_REMOTE")
        .env_remove("LLMCFG_STORE")
        .output()
        .unwrap()
}

#[tokio::test]
async fn health_reports_state_flaps_and_latency() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    let handle = open_sqlite(&store, MASTER_HEX).await;
    let scopes = [
        Scope::Global,
        Scope::Instance(InstanceId::parse("acme").unwrap()),
        Scope::Instance(InstanceId::parse("quiet").unwrap()),
    ];
    for s in &scopes {
        handle
            .create(s, NewConfig::new("openai", "gpt-4o", ApiKey::new(KEY)))
            .await
            .unwrap();
    }
    let access = handle.admin().unwrap().health();
    let now = llmcfg::store::rows_now();
    let check = |scope: &Scope, status, latency_ms, ago: i64| HealthCheck {
        http_status: Some(200),
        latency_ms,
        ..HealthCheck::new(
            scope,
            "openai",
            "gpt-4o",
            status,
            now - time::Duration::minutes(ago),
        )
    };
    use TestStatus::*;
    let checks = vec![
        check(&scopes[0], Ok, 10, 50),
        check(&scopes[0], Ok, 30, 40),
        check(&scopes[0], Ok, 20, 30),
        check(&scopes[1], Ok, 100, 50),
        check(&scopes[1], InvalidKey, 200, 40),
        check(&scopes[1], RateLimited, 300, 35),
        check(&scopes[1], InvalidKey, 400, 30),
    ];
    access
        .record(checks, HealthPolicy::default(), HealthRetention::default())
        .await
        .unwrap();
    drop(access);
    drop(handle);

    let out = llmcfg(&store, &["health", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 3);
    let by = |id: Option<&str>| {
        rows.iter()
            .find(|r| r["instance_id"].as_str() == id)
            .unwrap()
            .clone()
    };
    let global = by(None);
    assert_eq!(global["state"], "healthy");
    assert_eq!(global["flaps"], 0);
    assert_eq!(global["p50_latency_ms"], 20);
    let acme = by(Some("acme"));
    assert_eq!(acme["state"], "failing");
    assert_eq!(
        acme["flaps"], 1,
        "ok → invalid_key; the rate limit is skipped"
    );
    assert_eq!(acme["p50_latency_ms"], 200);
    assert_eq!(acme["last_status"], "invalid_key");
    let fmt = |ago: i64| {
        (now - time::Duration::minutes(ago))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    assert_eq!(acme["since"], fmt(30));
    assert_eq!(acme["last_ok"], fmt(50));
    let quiet = by(Some("quiet"));
    assert_eq!(quiet["state"], "unknown");
    assert_eq!(quiet["since"], Value::Null);
    assert_eq!(quiet["p50_latency_ms"], Value::Null);

    let out = llmcfg(&store, &["health", "--failing", "--json"]);
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["instance_id"], "acme");

    let out = llmcfg(&store, &["health", "--failing"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("acme") && text.contains("failing"), "{text}");
    assert!(!text.contains("quiet"));
    assert!(!text.contains(KEY));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"))
        .args(["health", "--remote", "http://127.0.0.1:9"])
        .env("LLMCFG_TOKEN", "t0ken")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env_remove("LLMCFG_CONFIG")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

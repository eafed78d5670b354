//! Lifecycle alerts on real parts: a SQLite store and a real webhook
//! receiver on 127.0.0.1:0. Monitor results carrying facts go through the
//! monitor's lifecycle step in two runs with a restart between them (the
//! store closed and opened again, new sinks): each threshold — a model
//! entering the 90-day window, then 30 days, credit at 10%, a key turning
//! `blocked_key` — reaches the receiver once, never again across the
//! restart, and a fact that went back (key unblocked, credit topped up)
//! alerts again on its next crossing. No delivery carries a key. End to
//! end, the monitor itself tests a scope against a fake OpenAI provider
//! whose model object carries `shutdown_date`, and an xAI scope whose key
//! endpoint says the key is blocked: each alerts once,
//! a second monitor on the reopened store sends nothing more, and `/metrics`
//! shows the days to that retirement.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/local_service.rs"]
mod local_service;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{
    ApiKey, Credit, FactSource, HealthCheck, Lifecycle, LifecycleWindow, NewConfig, Retirement,
    Scope, TestStatus,
};
use llmcfg::monitor::alerts::Alerts;
use llmcfg::monitor::{Metrics, MonitorSettings};
use llmcfg::service::{HealthAccess, ServiceHandle};
use llmcfg::store::SampleQuery;
use local_service::{create_openai, open_sqlite, tenant};
use serde_json::Value;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY: &str = "sk-proj-life-0123456789abcdefghijklmnopqrstu";
const SECRET: &str = "whsec-0123456789abcdef";

/// Every delivery, as the receiver saw it.
#[derive(Default)]
struct Receiver {
    bodies: Mutex<Vec<(String, Value, String)>>,
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let id = headers
        .get("x-llmcfg-event-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let raw = String::from_utf8_lossy(&body).to_string();
    let parsed = serde_json::from_slice(&body).unwrap_or(Value::Null);
    r.bodies.lock().unwrap().push((id, parsed, raw));
    StatusCode::NO_CONTENT
}

async fn start_receiver() -> (String, Arc<Receiver>) {
    let state = Arc::new(Receiver::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(state.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), state)
}

/// One run of the monitor's lifecycle step over `checks`, with sinks of its
/// own, waiting until every delivery is done.
async fn run(handle: &ServiceHandle, hook_url: &str, checks: &[HealthCheck]) {
    let settings: MonitorSettings = toml::from_str(&format!(
        "[[webhooks]]\nurl = \"{hook_url}\"\nsecret = \"{SECRET}\"\n"
    ))
    .unwrap();
    let config = Arc::new(settings.config().unwrap());
    let alerts = Alerts::new(config.clone(), Arc::new(Metrics::new(None)));
    let access = handle.admin().unwrap().health();
    for check in checks {
        llmcfg::monitor::lifecycle::alert(
            &access,
            config.lifecycle,
            std::slice::from_ref(check),
            &alerts,
        )
        .await
        .unwrap();
    }
    alerts.drain(Duration::from_secs(30)).await;
}

fn check(scope: &Scope, status: TestStatus, facts: Option<Lifecycle>) -> HealthCheck {
    let mut c = HealthCheck::new(scope, "openai", "gpt-4o", status, OffsetDateTime::now_utc());
    c.lifecycle = facts.map(Box::new);
    c
}

fn retiring_in(days: i64) -> Option<Lifecycle> {
    let on = OffsetDateTime::now_utc().date() + time::Duration::days(days);
    Some(Lifecycle {
        retirement: Some(Retirement::new("gpt-4o", on, FactSource::Api).with_successor("gpt-4.1")),
        ..Lifecycle::default()
    })
}

fn credit_left(remaining: f64) -> Option<Lifecycle> {
    Some(Lifecycle {
        credit: Some(Credit {
            limit: Some(100.0),
            remaining: Some(remaining),
            ..Credit::default()
        }),
        ..Lifecycle::default()
    })
}

/// The (type, instance, threshold) of each lifecycle event received (not
/// the health transitions a blocked key also causes), sorted.
fn received(r: &Receiver) -> Vec<(String, String, Option<u64>)> {
    let mut out: Vec<_> = r
        .bodies
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, b, _)| {
            b["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("lifecycle."))
        })
        .map(|(_, b, _)| {
            (
                b["type"].as_str().unwrap_or("").to_string(),
                b["instance_id"].as_str().unwrap_or("").to_string(),
                b["threshold_days"].as_u64(),
            )
        })
        .collect();
    out.sort();
    out
}

fn event(kind: &str, instance: &str, days: Option<u64>) -> (String, String, Option<u64>) {
    (kind.to_string(), instance.to_string(), days)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_threshold_alerts_once_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    let (hook_url, receiver) = start_receiver().await;
    let (old, blocky, spender) = (tenant("old-model"), tenant("blocky"), tenant("spender"));
    let handle = open_sqlite(&store, MASTER_HEX).await;
    for scope in [&old, &blocky, &spender] {
        create_openai(&handle, scope, KEY, "http://127.0.0.1:9".into()).await;
    }
    assert_eq!(LifecycleWindow::default().days, 90);

    // First run: two rounds seeing the same facts.
    let first = [
        check(&old, TestStatus::Ok, retiring_in(60)),
        check(&blocky, TestStatus::BlockedKey, None),
        check(&spender, TestStatus::Ok, credit_left(4.0)),
    ];
    run(&handle, &hook_url, &first).await;
    run(&handle, &hook_url, &first).await;
    assert_eq!(
        received(&receiver),
        [
            event("lifecycle.blocked_key", "blocky", None),
            event("lifecycle.credit", "spender", None),
            event("lifecycle.retirement", "old-model", Some(90)),
        ],
        "one event per threshold, none repeated by the second round"
    );

    // Restart: the store is closed and opened again, the sinks are new.
    drop(handle);
    let handle = open_sqlite(&store, MASTER_HEX).await;
    run(&handle, &hook_url, &first).await;
    assert_eq!(
        receiver.bodies.lock().unwrap().len(),
        3,
        "nothing resent after the restart"
    );

    // Time passes: 25 days left crosses 30; the key is unblocked then
    // blocked again; the credit is topped up (no event) and stays up.
    run(
        &handle,
        &hook_url,
        &[
            check(&old, TestStatus::Ok, retiring_in(25)),
            check(&blocky, TestStatus::Ok, None),
            check(&blocky, TestStatus::BlockedKey, None),
            check(&spender, TestStatus::Ok, credit_left(80.0)),
            check(&old, TestStatus::Ok, retiring_in(25)),
        ],
    )
    .await;
    assert_eq!(
        received(&receiver),
        [
            event("lifecycle.blocked_key", "blocky", None),
            event("lifecycle.blocked_key", "blocky", None),
            event("lifecycle.credit", "spender", None),
            event("lifecycle.retirement", "old-model", Some(30)),
            event("lifecycle.retirement", "old-model", Some(90)),
        ]
    );

    let bodies = receiver.bodies.lock().unwrap().clone();
    let mut ids: Vec<&str> = bodies.iter().map(|(id, _, _)| id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), bodies.len(), "every event has its own id");
    for (id, body, raw) in &bodies {
        assert_eq!(body["event_id"], id.as_str());
        assert!(!raw.contains(KEY), "no delivery carries the key: {raw}");
    }
    let retirement = bodies
        .iter()
        .find(|(_, b, _)| b["threshold_days"] == 30)
        .map(|(_, b, _)| b)
        .unwrap();
    assert_eq!(retirement["provider"], "openai");
    let message = retirement["message"].as_str().unwrap();
    assert!(
        message.starts_with("gpt-4o retires ")
            && message.ends_with("(in 25 days); successor gpt-4.1"),
        "{message}"
    );
    assert_eq!(
        retirement["lifecycle"]["retirement"]["successor"],
        "gpt-4.1"
    );
}

/// Results the history holds for `scope`.
async fn results(access: &HealthAccess, scope: &Scope) -> usize {
    access
        .samples(SampleQuery::Newest {
            scope: scope.clone(),
            limit: 100,
        })
        .await
        .unwrap()
        .len()
}

/// Runs the monitor on `handle` until `scope` has `more` results beyond
/// what it had, then stops it (which waits for its deliveries); returns
/// its metrics.
async fn monitor_for(
    handle: &ServiceHandle,
    hook_url: &str,
    scope: &Scope,
    more: usize,
) -> Arc<Metrics> {
    let settings: MonitorSettings = toml::from_str(&format!(
        "interval_secs = 0.5\nlease_secs = 3.0\n\
         [[webhooks]]\nurl = \"{hook_url}\"\nsecret = \"{SECRET}\"\n"
    ))
    .unwrap();
    let access = handle.admin().unwrap().health();
    let before = results(&access, scope).await;
    let stop = CancellationToken::new();
    let metrics = Arc::new(Metrics::new(None));
    let monitor = tokio::spawn(llmcfg::monitor::run(
        access.clone(),
        settings.config().unwrap(),
        metrics.clone(),
        stop.clone(),
    ));
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while results(&access, scope).await < before + more {
        assert!(
            std::time::Instant::now() < deadline,
            "gave up waiting for monitor results"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    monitor.await.unwrap();
    metrics
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monitor_alerts_a_shutdown_date_once_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    let on = OffsetDateTime::now_utc().date() + time::Duration::days(45);
    // OpenAI's model object carries the retirement it announces.
    fake.configure(|c| {
        c.model_facts.insert(
            "gpt-4o".into(),
            serde_json::json!({"shutdown_date": on.to_string()}),
        );
    });
    // xAI's key endpoint says the key is blocked.
    let xai = FakeProvider::start(Flavor::XAi, &[KEY], &["grok-3"]).await;
    xai.configure(|c| {
        c.key_info = Some(serde_json::json!({"acls": ["api-key:model:*"],
            "api_key_blocked": true, "api_key_disabled": false, "team_blocked": false}));
    });
    let (hook_url, receiver) = start_receiver().await;
    let (acme, grok) = (tenant("acme"), tenant("grok"));
    let handle = open_sqlite(&store, MASTER_HEX).await;
    create_openai(&handle, &acme, KEY, fake.base_url()).await;
    handle
        .create(
            &grok,
            NewConfig::new("xai", "grok-3", ApiKey::new(KEY)).with_base_url(&xai.base_url()),
        )
        .await
        .unwrap();

    let metrics = monitor_for(&handle, &hook_url, &acme, 2).await;
    let text = metrics.render();
    assert!(
        text.contains(r#"llmcfg_model_retirement_days{provider="openai",model="gpt-4o"} 45"#),
        "{text}"
    );
    let first = received(&receiver);
    assert_eq!(
        first,
        [
            event("lifecycle.blocked_key", "grok", None),
            event("lifecycle.retirement", "acme", Some(90)),
        ]
    );

    drop(handle);
    let handle = open_sqlite(&store, MASTER_HEX).await;
    monitor_for(&handle, &hook_url, &acme, 2).await;
    assert_eq!(
        received(&receiver),
        first,
        "nothing resent by the restarted monitor"
    );
    let bodies = receiver.bodies.lock().unwrap().clone();
    let blocked = bodies
        .iter()
        .find(|(_, b, _)| b["type"] == "lifecycle.blocked_key")
        .unwrap();
    assert_eq!(blocked.1["outcome"], "blocked_key");
    assert_eq!(blocked.1["provider"], "xai");
    let (_, body, raw) = bodies
        .iter()
        .find(|(_, b, _)| b["type"] == "lifecycle.retirement")
        .unwrap();
    assert_eq!(
        body["lifecycle"]["retirement"]["retires_on"],
        on.to_string()
    );
    assert_eq!(body["lifecycle"]["retirement"]["source"], "api");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("gpt-4o retires {on} (in 45 days)")),
        "{body}"
    );
    assert!(!raw.contains(KEY) && !blocked.2.contains(KEY));
}

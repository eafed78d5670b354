//! The monitor end to end, on real parts: a SQLite store, a fake OpenAI
//! provider on loopback, and a real webhook receiver on 127.0.0.1:0 that
//! checks each delivery's HMAC signature itself, answers 500 to the first
//! one, and deduplicates by event id. A key revoked and restored gives
//! exactly one event per transition (the 500 retried under the same id),
//! the command hook gets the same events on stdin, no delivery carries a
//! key, a scope flapping between `rate_limited` and `ok` never alerts, and
//! monitor results go to the history, not the audit log.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/local_service.rs"]
mod local_service;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use fake_provider::{FakeProvider, Flavor, errors};
use hmac::{Hmac, KeyInit, Mac};
use llmcfg::domain::{HealthState, Scope, TestStatus};
use llmcfg::monitor::{Metrics, MonitorSettings};
use llmcfg::service::HealthAccess;
use llmcfg::store::SampleQuery;
use local_service::{create_openai, open_sqlite, tenant};
use serde_json::Value;
use sha2::Sha256;
use tokio_util::sync::CancellationToken;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY_A: &str = "sk-proj-acme-0123456789abcdefghijklmnopqrstu";
const KEY_F: &str = "sk-proj-flap-0123456789abcdefghijklmnopqrstu";
const SECRET: &str = "whsec-0123456789abcdef";

/// One delivery as the receiver saw it.
#[derive(Debug, Clone)]
struct Received {
    event_id: String,
    body: Value,
    raw: String,
    signature_ok: bool,
}

#[derive(Default)]
struct Receiver {
    received: Mutex<Vec<Received>>,
}

impl Receiver {
    fn all(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
    /// The distinct events, first delivery of each, in order.
    fn events(&self) -> Vec<Received> {
        let mut seen = std::collections::HashSet::new();
        self.all()
            .into_iter()
            .filter(|r| seen.insert(r.event_id.clone()))
            .collect()
    }
}

/// The receiver's own check, written from the README's rule (not ours):
/// HMAC-SHA256 over "<t>.<body>", header `t=<t>,v1=<hex>`.
fn signature_ok(headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(h) = headers
        .get("x-llmcfg-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut t = "";
    let mut v1 = "";
    for part in h.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v,
            Some(("v1", v)) => v1 = v,
            _ => {}
        }
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    hex::encode(mac.finalize().into_bytes()) == v1
}

async fn receive(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let raw = String::from_utf8_lossy(&body).to_string();
    let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut all = r.received.lock().unwrap();
    all.push(Received {
        event_id: headers
            .get("x-llmcfg-event-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: parsed,
        raw,
        signature_ok: signature_ok(&headers, &body),
    });
    // The very first delivery fails, as a receiver mid-deploy would.
    if all.len() == 1 {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
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

async fn wait_for(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !done().await {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn state_of(access: &HealthAccess, scope: &Scope) -> Option<HealthState> {
    let states = access.states().await.unwrap();
    states.iter().find(|s| &s.scope == scope).map(|s| s.state)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transitions_alert_once_each_and_rate_limits_never_do() {
    let dir = tempfile::tempdir().unwrap();
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY_A, KEY_F], &["gpt-4o"]).await;
    let (hook_url, receiver) = start_receiver().await;
    let handle = open_sqlite(&dir.path().join("llmcfg.db"), MASTER_HEX).await;
    let (acme, flappy) = (tenant("acme"), tenant("flappy"));
    for (scope, key) in [(&acme, KEY_A), (&flappy, KEY_F)] {
        create_openai(&handle, scope, key, fake.base_url()).await;
    }
    let audit_before = handle.audit(None, 1000).await.unwrap().len();
    let hook_file = dir.path().join("hook.jsonl");
    let settings: MonitorSettings = toml::from_str(&format!(
        r#"
        interval_secs = 1.0
        fail_after = 2
        retry_after_secs = 0.2
        lease_secs = 3.0
        command = "sh -c 'cat >> {hook}; echo >> {hook}'"
        [[webhooks]]
        url = "{hook_url}"
        secret = "{SECRET}"
        "#,
        hook = hook_file.display()
    ))
    .unwrap();
    let config = settings.config().unwrap();
    let access = handle.admin().unwrap().health();
    let stop = CancellationToken::new();
    let metrics = Arc::new(Metrics::new(None));
    let monitor = tokio::spawn(llmcfg::monitor::run(
        access.clone(),
        config,
        metrics.clone(),
        stop.clone(),
    ));

    wait_for("both scopes healthy", async || {
        state_of(&access, &acme).await == Some(HealthState::Healthy)
            && state_of(&access, &flappy).await == Some(HealthState::Healthy)
    })
    .await;

    // flappy now flips between rate_limited and ok every 150 ms.
    let flapping = CancellationToken::new();
    let toggler = {
        let flapping = flapping.clone();
        let fake_cfg = Arc::new(fake);
        let f = fake_cfg.clone();
        (
            fake_cfg,
            tokio::spawn(async move {
                let mut limited = false;
                while !flapping.is_cancelled() {
                    limited = !limited;
                    f.configure(|c| {
                        if limited {
                            c.per_key
                                .insert(KEY_F.into(), errors::rate_limited(Flavor::OpenAi));
                        } else {
                            c.per_key.remove(KEY_F);
                        }
                    });
                    tokio::time::sleep(Duration::from_millis(150)).await;
                }
            }),
        )
    };
    let fake = toggler.0.clone();

    // acme's key is revoked: after two conclusive failures it is failing.
    fake.configure(|c| c.valid_keys = vec![KEY_F.into()]);
    wait_for("acme failing, delivered", async || {
        receiver.all().len() >= 2 && state_of(&access, &acme).await == Some(HealthState::Failing)
    })
    .await;
    // ... and restored: one ok heals it.
    fake.configure(|c| c.valid_keys = vec![KEY_A.into(), KEY_F.into()]);
    wait_for("acme healthy again, delivered", async || {
        receiver.events().len() >= 2
    })
    .await;
    // Let flappy keep flapping through a few more rounds.
    tokio::time::sleep(Duration::from_secs(3)).await;
    flapping.cancel();
    let _ = toggler.1.await;
    stop.cancel();
    monitor.await.unwrap();

    let all = receiver.all();
    let events = receiver.events();
    assert!(
        all.iter().all(|r| r.signature_ok),
        "every delivery is signed"
    );
    assert_eq!(events.len(), 2, "one event per transition: {all:#?}");
    assert_eq!(
        all.len(),
        3,
        "the 500 was retried once, nothing else repeated"
    );
    assert_eq!(
        all[0].event_id, all[1].event_id,
        "the retry carries the same id"
    );
    let states: Vec<(&str, &str)> = events
        .iter()
        .map(|e| {
            (
                e.body["old_state"].as_str().unwrap(),
                e.body["new_state"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(states, vec![("healthy", "failing"), ("failing", "healthy")]);
    for e in &events {
        assert_eq!(e.body["instance_id"], "acme", "flappy never alerts");
        assert_eq!(e.body["provider"], "openai");
        assert_eq!(e.body["model"], "gpt-4o");
        assert_eq!(e.body["event_id"], e.event_id.as_str());
        assert!(e.body["message"].is_string());
    }
    assert_eq!(events[0].body["outcome"], "invalid_key");
    assert_eq!(events[0].body["http_status"], 401);
    for r in &all {
        assert!(
            !r.raw.contains(KEY_A) && !r.raw.contains(KEY_F),
            "no key in {}",
            r.raw
        );
    }

    // The command hook got the same two events on stdin.
    let hook_text = std::fs::read_to_string(&hook_file).unwrap();
    let hooked: Vec<Value> = hook_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = hooked
        .iter()
        .map(|v| v["event_id"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, want);
    assert!(!hook_text.contains(KEY_A));

    // flappy was rate limited and stayed healthy; its history shows it.
    assert_eq!(state_of(&access, &flappy).await, Some(HealthState::Healthy));
    let history = access
        .samples(SampleQuery::Newest {
            scope: flappy.clone(),
            limit: 1000,
        })
        .await
        .unwrap();
    assert!(
        history.iter().any(|s| s.status == TestStatus::RateLimited),
        "flappy was rate limited at least once: {history:?}"
    );
    // Monitor results never reach the audit log.
    assert_eq!(handle.audit(None, 1000).await.unwrap().len(), audit_before);
    let text = metrics.render();
    assert!(!text.contains(KEY_A));
}

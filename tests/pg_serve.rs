//! Two `llmcfg serve` processes on one PostgreSQL database, as a scaled-out
//! control plane runs them: a create race spread over both replicas has
//! exactly one winner, a change made through one is read through the other
//! at once, both write to the one audit log, and a replica killed with
//! SIGKILL mid-write loses no acknowledged write while the other serves on.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::process::Stdio;
use std::time::{Duration, Instant};

use llmcfg_process::{Replica, store_command};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One master key shared by every replica, as the README requires.
const MASTER_HEX: &str = "2222222222222222222222222222222222222222222222222222222222222222";
const KEY: &str = "sk-ant-api03-REPLICASECRET-0123456789-QRST";
/// Concurrent creates of one scope.
const RACERS: usize = 32;

fn token(db_url: &str, name: &str) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = store_command(home.path(), db_url, MASTER_HEX)
        .args(["token", "create", "--name", name, "--role", "superadmin"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn serve(db_url: &str) -> Replica {
    Replica::start(db_url, MASTER_HEX, "")
}

fn body(model: &str) -> Value {
    json!({"provider": "anthropic", "model": model, "api_key": KEY})
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    scope: &str,
    model: &str,
) -> reqwest::Result<StatusCode> {
    Ok(http
        .post(format!("{url}/llm-config/"))
        .bearer_auth(token)
        .header("X-Instance-Id", scope)
        .json(&body(model))
        .send()
        .await?
        .status())
}

async fn get(http: &reqwest::Client, url: &str, token: &str, scope: &str) -> Value {
    let res = http
        .get(format!("{url}/llm-config/"))
        .bearer_auth(token)
        .header("X-Instance-Id", scope)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn two_replicas_one_database() {
    let db = pg_cluster::fresh_db();
    let token_a = token(&db.url, "replica-a");
    let token_b = token(&db.url, "replica-b");
    let a = serve(&db.url);
    let b = serve(&db.url);
    let http = reqwest::Client::new();

    // 32 concurrent creates of one scope, alternating between replicas.
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..RACERS {
        let (url, tok) = if i % 2 == 0 {
            (a.serve.url.clone(), token_a.clone())
        } else {
            (b.serve.url.clone(), token_b.clone())
        };
        let http = http.clone();
        racers.spawn(async move {
            post(&http, &url, &tok, "race", &format!("model-{i}"))
                .await
                .unwrap()
        });
    }
    let mut statuses = Vec::new();
    while let Some(s) = racers.join_next().await {
        statuses.push(s.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, RACERS - 1), "{statuses:?}");
    assert_eq!(
        get(&http, &a.serve.url, &token_a, "race").await,
        get(&http, &b.serve.url, &token_b, "race").await
    );

    // A PATCH through one replica is what the other reads next, both ways.
    for (writer, wtok, reader, rtok, model) in [
        (&a, &token_a, &b, &token_b, "patched-on-a"),
        (&b, &token_b, &a, &token_a, "patched-on-b"),
    ] {
        let res = http
            .patch(format!("{}/llm-config/", writer.serve.url))
            .bearer_auth(wtok)
            .header("X-Instance-Id", "race")
            .json(&json!({ "model": model }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            get(&http, &reader.serve.url, rtok, "race").await["model"],
            model
        );
    }

    // One audit log: entries written through both replicas, read from either.
    let audit: Value = http
        .get(format!(
            "{}/llm-config/audit?instance=race&limit=100",
            a.serve.url
        ))
        .bearer_auth(&token_a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = audit.as_array().unwrap();
    let by = |actor: &str, action: &str| {
        entries
            .iter()
            .filter(|e| e["actor"] == actor && e["action"] == action)
            .count()
    };
    assert_eq!(by("replica-a", "create") + by("replica-b", "create"), 1);
    assert_eq!(by("replica-a", "update"), 1, "{audit}");
    assert_eq!(by("replica-b", "update"), 1, "{audit}");
    assert!(!audit.to_string().contains(KEY));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn sigkill_of_one_replica_loses_no_acknowledged_write() {
    let db = pg_cluster::fresh_db();
    let tok = token(&db.url, "writer");
    let mut doomed = serve(&db.url);
    let survivor = serve(&db.url);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // Writers keep creating fresh scopes on the doomed replica until it dies;
    // every 201 they saw is an acknowledged write.
    let (acked_tx, mut acked_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..4 {
        let http = http.clone();
        let url = doomed.serve.url.clone();
        let tok = tok.clone();
        let acked = acked_tx.clone();
        writers.spawn(async move {
            for i in 0.. {
                let scope = format!("w{w}-{i}");
                match post(&http, &url, &tok, &scope, "m").await {
                    Ok(StatusCode::CREATED) => {
                        let _ = acked.send(scope);
                    }
                    Ok(other) => panic!("{scope}: {other}"),
                    // The replica is gone: the write was never acknowledged.
                    Err(_) => return,
                }
            }
        });
    }
    drop(acked_tx);
    let mut acked = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while acked.len() < 40 {
        assert!(
            Instant::now() < deadline,
            "writes are not being acknowledged"
        );
        acked.push(acked_rx.recv().await.unwrap());
    }
    doomed.serve.child.kill().unwrap(); // SIGKILL
    doomed.serve.child.wait().unwrap();
    while writers.join_next().await.is_some() {}
    while let Some(scope) = acked_rx.recv().await {
        acked.push(scope);
    }

    // Every acknowledged write is there, read through the survivor, which
    // also keeps taking writes.
    for scope in &acked {
        let view = get(&http, &survivor.serve.url, &tok, scope).await;
        assert_eq!(view["instance_id"], scope.as_str(), "lost {scope}");
    }
    assert_eq!(
        post(&http, &survivor.serve.url, &tok, "after-kill", "m")
            .await
            .unwrap(),
        StatusCode::CREATED
    );
    let instances: Value = http
        .get(format!("{}/llm-config/instances", survivor.serve.url))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let configured = instances
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| !s["config"].is_null())
        .count();
    assert!(configured > acked.len(), "{configured} vs {}", acked.len());
}

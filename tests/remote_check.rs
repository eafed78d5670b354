//! `llmcfg remote check` through the real binary: a read-only probe of a
//! new remote that reports each seed route, the extension routes, the id
//! and timestamp styles, the error shape and a rate limit, and writes
//! nothing.

mod cli_env;
mod seed_cli;
mod seed_server;

use std::time::Duration;

use cli_env::{Env, KEY, code, stderr, stdout};
use seed_cli::run;
use seed_server::{RateLimit, Refusal, SeedOptions, SeedServer, Style};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_server_is_probed_without_a_write() {
    let seed = SeedServer::start(SeedOptions {
        openapi: true,
        // A limit the probe's dozen requests pass, so the report shows it.
        rate_limit: Some(RateLimit {
            per_window: 6,
            window: Duration::from_secs(1),
            answer: Refusal::TooManySeconds,
        }),
        ..SeedOptions::default()
    })
    .await;
    seed.insert(None, "anthropic", "claude-sonnet-4-5", KEY);
    let env = Env::new();
    let out = run(&env, &seed.url, &["--json", "remote", "check"], "");
    assert_eq!(code(&out), 0, "{}\n{}", stderr(&out), stdout(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let routes = report["routes"].as_array().unwrap();
    assert_eq!(routes.len(), 6, "{report}");
    assert!(routes.iter().all(|r| r["verdict"] == "works"), "{report}");
    assert_eq!(report["openapi"], true);
    // FastAPI's document lists the seed routes only.
    let ext = report["extensions"].as_array().unwrap();
    assert!(ext.iter().all(|e| e["offered"] == false), "{report}");
    assert_eq!(report["id_style"], "integer");
    assert_eq!(
        report["timestamp_style"],
        "RFC 3339 with an offset, 6-digit fraction"
    );
    let shapes = report["error_shapes"].as_array().unwrap();
    assert!(
        shapes.contains(&serde_json::json!("detail_list")),
        "{report}"
    );
    assert!(
        report["throttled_answers"].as_u64().unwrap() > 0,
        "{report}"
    );
    // Nothing was written: the control plane's row is as it was, no other.
    assert_eq!(seed.row(None).unwrap().api_key, KEY);
    assert_eq!(seed.state.lock().unwrap().rows.len(), 1);
    seed.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nestjs_server_and_a_wrong_prefix_read_as_such() {
    let seed = SeedServer::start(SeedOptions {
        style: Style::NestJs,
        prefix: "/api/v1",
        ..SeedOptions::default()
    })
    .await;
    let env = Env::new();
    let out = run(&env, &seed.url, &["remote", "check"], "");
    let text = stdout(&out);
    assert_eq!(code(&out), 0, "{}\n{text}", stderr(&out));
    assert!(
        text.contains("✓ POST /llm-config/test-connection"),
        "{text}"
    );
    assert!(
        text.contains("message text or list (NestJS / Express)"),
        "{text}"
    );
    assert!(text.contains("rate limit: none answered"), "{text}");
    assert!(seed.state.lock().unwrap().rows.is_empty());

    let wrong = seed.url.trim_end_matches("/api/v1").to_string();
    let out = run(&env, &wrong, &["--json", "remote", "check"], "");
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let routes = report["routes"].as_array().unwrap();
    assert!(routes.iter().all(|r| r["verdict"] == "missing"), "{report}");
    seed.stop().await;
}

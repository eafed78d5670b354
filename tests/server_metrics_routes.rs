//! `llmcfg serve` with `[monitor] metrics_token`, as the built binary
//!: `/metrics` served on the API's address is part of the one
//! router, so an unknown route still answers `{"detail"}` JSON, and
//! `/metrics` and 404s are in the access log like every other request.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;

use std::time::{Duration, Instant};

use llmcfg_process::{ServeChild, llmcfg_command};

const MASTER_HEX: &str = "0303030303030303030303030303030303030303030303030303030303030303";
const METRICS_TOKEN: &str = "metrics-token-0123456789";

#[tokio::test]
async fn unknown_routes_keep_their_json_and_every_request_is_logged() {
    let home = tempfile::tempdir().unwrap();
    let d = home.path();
    std::fs::create_dir_all(d.join("config/llmcfg")).unwrap();
    std::fs::write(
        d.join("config/llmcfg/config.toml"),
        format!("[monitor]\nmetrics_token = \"{METRICS_TOKEN}\"\n"),
    )
    .unwrap();
    let mut cmd = llmcfg_command(d, MASTER_HEX);
    cmd.env("LLMCFG_LOG", "info");
    let serve = ServeChild::spawn(cmd);
    let http = reqwest::Client::new();

    let r = http
        .get(format!("{}/no-such-route", serve.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.expect("a JSON body");
    assert_eq!(body["detail"], "no such route");

    let r = http
        .get(format!("{}/metrics", serve.url))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    let log = d.join("state/llmcfg/llmcfg.log");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let logged = |path: &str| {
            text.lines()
                .any(|l| l.contains(" request") && l.contains(&format!("path={path}")))
        };
        if logged("/metrics") && logged("/no-such-route") {
            break;
        }
        assert!(Instant::now() < deadline, "not in the access log:\n{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

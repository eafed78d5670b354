//! `GET /metrics` of a real `llmcfg serve` running the monitor against a
//! fake provider, parsed by the reference parser: Python
//! `prometheus_client`'s OpenMetrics parser (`.ci/run` installs it; set
//! `LLMCFG_TEST_PYTHON` to a Python that has it, default `python3`). The
//! token guards the server's own address; the separate listen address
//! serves `/metrics` alone; per-scope series respect their bound; the
//! OpenAPI document does not list `/metrics`; no key appears.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;
#[path = "support/local_service.rs"]
mod local_service;

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fake_provider::{FakeProvider, Flavor};
use llmcfg_process::{ServeChild, llmcfg_command};
use local_service::{create_openai, open_sqlite, tenant};
use serde_json::Value;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY: &str = "sk-proj-metrics-0123456789abcdefghijklmnopqr";
const METRICS_TOKEN: &str = "metrics-token-0123456789";

/// The families of an exposition, as the reference parser reads them:
/// name → (type, samples of (sample name, labels, value)).
type Families = HashMap<String, (String, Vec<(String, HashMap<String, String>, f64)>)>;

fn parse(text: &str) -> Families {
    let python = std::env::var("LLMCFG_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = r#"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
out = {}
for f in text_string_to_metric_families(sys.stdin.read()):
    out[f.name] = [f.type, [[s.name, s.labels, s.value] for s in f.samples]]
print(json.dumps(out))
"#;
    let mut child = Command::new(&python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the OpenMetrics parser refused the exposition (or {python} lacks prometheus_client; \
         pip install prometheus_client): {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_and_are_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    let store = d.join("data/llmcfg/llmcfg.db");
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    {
        let handle = open_sqlite(&store, MASTER_HEX).await;
        for id in ["acme", "beta"] {
            create_openai(&handle, &tenant(id), KEY, fake.base_url()).await;
        }
    }
    std::fs::create_dir_all(d.join("config/llmcfg")).unwrap();
    std::fs::write(
        d.join("config/llmcfg/config.toml"),
        format!(
            "[server]\nallowed_targets = [\"127.0.0.1\"]\n\n[monitor]\nenabled = true\n\
             interval_secs = 1.0\nlease_secs = 3.0\nmetrics_token = \"{METRICS_TOKEN}\"\n\
             metrics_listen = \"127.0.0.1:0\"\nmetrics_per_scope = true\nmetrics_scope_limit = 1\n"
        ),
    )
    .unwrap();
    let mut serve = ServeChild::spawn(llmcfg_command(d, MASTER_HEX));
    let api = serve.url.clone();
    let alone = serve.next_url("/metrics");
    let http = reqwest::Client::new();

    // Wait for the first round's results of both scopes.
    let deadline = Instant::now() + Duration::from_secs(60);
    let families = loop {
        let text = http
            .get(format!("{alone}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let f = parse(&text);
        let ok: f64 = f
            .get("llmcfg_monitor_tests")
            .map(|(_, s)| s.iter().map(|x| x.2).sum())
            .unwrap_or(0.0);
        let healthy = f
            .get("llmcfg_monitor_scopes")
            .and_then(|(_, s)| s.iter().find(|x| x.1["state"] == "healthy"))
            .map_or(0.0, |x| x.2);
        if ok >= 2.0 && healthy >= 2.0 {
            assert!(!text.contains(KEY));
            break f;
        }
        assert!(Instant::now() < deadline, "no results yet:\n{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let (kind, tests) = &families["llmcfg_monitor_tests"];
    assert_eq!(kind, "counter");
    let ok = tests
        .iter()
        .find(|s| s.0 == "llmcfg_monitor_tests_total" && s.1["outcome"] == "ok")
        .unwrap();
    assert_eq!(ok.1["provider"], "openai");
    let (kind, latency) = &families["llmcfg_monitor_test_latency_seconds"];
    assert_eq!(kind, "histogram");
    assert!(
        latency
            .iter()
            .any(|s| s.0.ends_with("_bucket") && s.1["le"] == "+Inf")
    );
    assert_eq!(families["llmcfg_monitor_scopes"].0, "gauge");
    assert_eq!(families["llmcfg_monitor_lag_seconds"].0, "gauge");
    let deliveries = &families["llmcfg_monitor_deliveries"].1;
    assert!(
        deliveries
            .iter()
            .any(|s| s.1["sink"] == "webhook" && s.1["result"] == "failed" && s.2 == 0.0)
    );
    assert_eq!(families["llmcfg_monitor_leader"].1[0].2, 1.0);
    // Per-scope series: the bound is 1, the other scope's results are counted.
    let per_scope = &families["llmcfg_monitor_scope_latency_seconds"].1;
    assert_eq!(per_scope.len(), 1, "{per_scope:?}");
    assert!(families["llmcfg_monitor_scope_series_dropped"].1[0].2 >= 1.0);

    // The server's own address wants the metrics token; an API token or
    // none is refused.
    let get = |auth: Option<&str>| {
        let mut r = http.get(format!("{api}/metrics"));
        if let Some(a) = auth {
            r = r.header("authorization", format!("Bearer {a}"));
        }
        r.send()
    };
    assert_eq!(get(None).await.unwrap().status(), 401);
    assert_eq!(
        get(Some("wrong-token-0123456789")).await.unwrap().status(),
        401
    );
    let resp = get(Some(METRICS_TOKEN)).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    parse(&resp.text().await.unwrap());
    // /metrics is not part of the /llm-config API document.
    let doc: Value = http
        .get(format!("{api}/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"].get("/metrics").is_none());

    serve.sigterm();
    let status = serve.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

//! `GET /metrics` of a real `llmcfg serve` running the monitor against a
//! fake provider, parsed by an independent OpenMetrics parser (the
//! `openmetrics-parser` crate, a dev-dependency: a strict grammar of the
//! OpenMetrics text format, not our encoder reading itself back). The
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
use std::time::{Duration, Instant};

use fake_provider::{FakeProvider, Flavor};
use llmcfg_process::{ServeChild, llmcfg_command};
use local_service::{create_openai, open_sqlite, tenant};
use openmetrics_parser::{OpenMetricsType, OpenMetricsValue, openmetrics::parse_openmetrics};
use serde_json::Value;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY: &str = "sk-proj-metrics-0123456789abcdefghijklmnopqr";
const METRICS_TOKEN: &str = "metrics-token-0123456789";

/// One metric point as the parser read it.
struct Point {
    labels: HashMap<String, String>,
    /// A counter's total, a gauge's value, a histogram's count.
    value: f64,
    /// A histogram's bucket bounds, `+Inf` included.
    bounds: Vec<f64>,
}

/// The families of an exposition: name → (type, points).
type Families = HashMap<String, (OpenMetricsType, Vec<Point>)>;

/// Parses `text` as OpenMetrics; a refusal fails the test with the text.
fn parse(text: &str) -> Families {
    let exposition = parse_openmetrics(text)
        .unwrap_or_else(|e| panic!("the OpenMetrics parser refused the exposition: {e}\n{text}"));
    exposition
        .families
        .into_iter()
        .map(|(name, family)| {
            let points = family
                .iter_samples()
                .map(|sample| {
                    let labels = sample
                        .get_labelset()
                        .expect("a parsed sample is bound to its family")
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    let (value, bounds) = match &sample.value {
                        OpenMetricsValue::Counter(c) => (c.value.as_f64(), Vec::new()),
                        OpenMetricsValue::Gauge(n) | OpenMetricsValue::Unknown(n) => {
                            (n.as_f64(), Vec::new())
                        }
                        OpenMetricsValue::Histogram(h) => (
                            h.count.unwrap_or_default() as f64,
                            h.buckets.iter().map(|b| b.upper_bound).collect(),
                        ),
                        other => panic!("{name}: a type the monitor does not export: {other:?}"),
                    };
                    Point {
                        labels,
                        value,
                        bounds,
                    }
                })
                .collect();
            (name, (family.family_type, points))
        })
        .collect()
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
            .map(|(_, points)| points.iter().map(|p| p.value).sum())
            .unwrap_or(0.0);
        let healthy = f
            .get("llmcfg_monitor_scopes")
            .and_then(|(_, points)| points.iter().find(|p| p.labels["state"] == "healthy"))
            .map_or(0.0, |p| p.value);
        if ok >= 2.0 && healthy >= 2.0 {
            assert!(!text.contains(KEY));
            break f;
        }
        assert!(Instant::now() < deadline, "no results yet:\n{text}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    let (kind, tests) = &families["llmcfg_monitor_tests"];
    assert_eq!(*kind, OpenMetricsType::Counter);
    let ok = tests.iter().find(|p| p.labels["outcome"] == "ok").unwrap();
    assert_eq!(ok.labels["provider"], "openai");
    let (kind, latency) = &families["llmcfg_monitor_test_latency_seconds"];
    assert_eq!(*kind, OpenMetricsType::Histogram);
    assert!(latency.iter().any(|p| p.bounds.contains(&f64::INFINITY)));
    assert_eq!(families["llmcfg_monitor_scopes"].0, OpenMetricsType::Gauge);
    assert_eq!(
        families["llmcfg_monitor_lag_seconds"].0,
        OpenMetricsType::Gauge
    );
    let deliveries = &families["llmcfg_monitor_deliveries"].1;
    assert!(deliveries.iter().any(|p| p.labels["sink"] == "webhook"
        && p.labels["result"] == "failed"
        && p.value == 0.0));
    assert_eq!(families["llmcfg_monitor_leader"].1[0].value, 1.0);
    // Per-scope series: the bound is 1, the other scope's results are counted.
    let per_scope = &families["llmcfg_monitor_scope_latency_seconds"].1;
    assert_eq!(per_scope.len(), 1, "one per-scope series");
    assert!(families["llmcfg_monitor_scope_series_dropped"].1[0].value >= 1.0);

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

//! The jobs extension routes of `llmcfg serve` against a real server on
//! 127.0.0.1:0 and a slow fake provider on loopback: a superadmin starts
//! "test all", follows it by long-poll and cancels it; no new test starts
//! after the cancel, and the report lists what ran. A viewer is refused,
//! an unknown id is a 404, and the OpenAPI document carries the routes.

#[path = "support/fake_provider.rs"]
mod fake_provider;
mod server_support;

use std::time::Duration;

use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Role, Scope};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use server_support::http::Api;
use server_support::{TestServer, wait_until};

const GOOD: &str = "sk-proj-good-0123456789abcdefghijklmnopqrstu";
const SCOPES: usize = 6;
const CONCURRENCY: usize = 2;

/// How long the fake takes to answer: the tests under way are still under
/// way when the cancel comes (this bounds nothing the test asserts).
const ANSWER_DELAY: Duration = Duration::from_secs(4);

/// `SCOPES` tenants, each with `GOOD` at the fake.
async fn configure_fleet(server: &TestServer, base_url: &str) {
    for i in 0..SCOPES {
        let scope = Scope::Instance(InstanceId::parse(&format!("t-{i}")).unwrap());
        let config = NewConfig::new("openai", "gpt-4o", ApiKey::new(GOOD)).with_base_url(base_url);
        server.local.create(&scope, config).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_all_over_http_is_followed_and_cancelled_with_no_new_test_after() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD], &["gpt-4o"]).await;
    fake.configure(|c| c.delay = ANSWER_DELAY);
    let server = TestServer::start(&["127.0.0.1"]).await;
    configure_fleet(&server, &fake.base_url()).await;
    let admin = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let viewer = Api::new(&server, server.token("viewer", Role::Viewer).await);

    let body = json!({"kind": "test_all", "concurrency": CONCURRENCY});
    let r = viewer
        .send(viewer.req(Method::POST, "/llm-config/jobs").json(&body))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .send(admin.req(Method::POST, "/llm-config/jobs").json(&body))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    let id = r.json()["id"].as_u64().unwrap();
    assert_eq!(r.json()["caller"], "admin");

    wait_until("two tests under way", || fake.requests() >= CONCURRENCY).await;
    let cancel = format!("/llm-config/jobs/cancel?id={id}");
    let r = admin.send(admin.req(Method::POST, &cancel)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Follow by long-poll until the job has ended.
    let mut after = 0;
    let job: Value = loop {
        let path = format!("/llm-config/jobs/follow?id={id}&after={after}");
        let r = admin.send(admin.req(Method::GET, &path)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let job = r.json();
        if job["state"] != "running" {
            break job;
        }
        after = job["finished"].as_u64().unwrap() as usize;
    };
    assert_eq!(job["state"], "cancelled", "{job}");
    assert_eq!(job["total"], SCOPES);
    assert_eq!(job["finished"], CONCURRENCY, "{job}");
    let rows = job["rows"].as_array().unwrap();
    assert!(
        rows.iter()
            .all(|r| r["outcome"] == "tested" && r["result"]["status"] == "ok"),
        "{job}"
    );
    assert_eq!(
        fake.requests(),
        CONCURRENCY,
        "a test started after the cancel"
    );

    let r = admin.send(admin.req(Method::GET, "/llm-config/jobs")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()[0]["id"], id);
    let r = admin
        .send(admin.req(Method::POST, "/llm-config/jobs/cancel?id=999"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.detail(), "no job has id 999");
    let r = admin
        .send(
            admin
                .req(Method::POST, "/llm-config/jobs")
                .json(&json!({"kind": "test_all", "concurrency": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.detail().contains("concurrency"), "{}", r.detail());

    let doc = admin
        .send(admin.req(Method::GET, "/openapi.json"))
        .await
        .json();
    for (path, method) in [
        ("/llm-config/jobs", "get"),
        ("/llm-config/jobs", "post"),
        ("/llm-config/jobs/follow", "get"),
        ("/llm-config/jobs/cancel", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{path} {method}");
    }
    server.stop().await;
}

const NEW: &str = "sk-proj-next-0123456789abcdefghijklmnopqrstu";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_over_http_is_a_job_the_jobs_routes_list_and_cancel() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[GOOD, NEW], &["gpt-4o"]).await;
    fake.configure(|c| c.delay = ANSWER_DELAY);
    let server = TestServer::start(&["127.0.0.1"]).await;
    configure_fleet(&server, &fake.base_url()).await;
    let fingerprint = server
        .local
        .key_fingerprint(&ApiKey::new(GOOD))
        .await
        .unwrap();
    let admin = std::sync::Arc::new(Api::new(
        &server,
        server.token("admin", Role::Superadmin).await,
    ));

    let rotating = {
        let admin = admin.clone();
        let body = json!({"fingerprint": fingerprint, "new_api_key": NEW,
                          "mode": "passed", "concurrency": CONCURRENCY});
        tokio::spawn(async move {
            admin
                .send(
                    admin
                        .req(Method::POST, "/llm-config/rotate-key")
                        .json(&body),
                )
                .await
        })
    };
    wait_until("two tests under way", || fake.requests() >= CONCURRENCY).await;
    let r = admin.send(admin.req(Method::GET, "/llm-config/jobs")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let listed = r.json();
    let job = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["label"] == "rotate key")
        .unwrap_or_else(|| panic!("no rotation among the jobs: {listed}"))
        .clone();
    assert_eq!(job["state"], "running", "{job}");
    assert_eq!(job["total"], SCOPES, "{job}");
    let id = job["id"].as_u64().unwrap();
    let cancel = format!("/llm-config/jobs/cancel?id={id}");
    let r = admin.send(admin.req(Method::POST, &cancel)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The rotation answers its own report: the tests under way finished,
    // no test or swap started after the cancel, every scope kept the key.
    let r = rotating.await.unwrap();
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json();
    let reasons: Vec<&str> = report["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap_or(""))
        .collect();
    let count = |text: &str| reasons.iter().filter(|r| r.contains(text)).count();
    assert_eq!(
        count("not swapped: the rotation was cancelled"),
        CONCURRENCY,
        "{report}"
    );
    assert_eq!(
        count("not tested: the rotation was cancelled"),
        SCOPES - CONCURRENCY,
        "{report}"
    );
    assert_eq!(
        fake.requests(),
        CONCURRENCY,
        "a test started after the cancel"
    );
    assert!(!r.body.contains(NEW), "{}", r.body);

    // Followed after its end, the job reports the tests that ran.
    let r = admin
        .send(admin.req(
            Method::GET,
            &format!("/llm-config/jobs/follow?id={id}&after=0"),
        ))
        .await;
    let job = r.json();
    assert_eq!(job["state"], "cancelled", "{job}");
    assert_eq!(job["finished"], CONCURRENCY, "{job}");
    assert!(
        job["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "done"),
        "{job}"
    );
    server.stop().await;
}

//! Raw HTTP tests of auth (401 missing/unknown/revoked, 403 viewer), the
//! 409 race of concurrent creates, and the SSRF guard of connection tests.

mod server_support;

use llmcfg::domain::Role;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use server_support::http::Api;
use server_support::{SECRET_KEY, TestServer};

#[tokio::test]
async fn auth_statuses() {
    let server = TestServer::start(&[]).await;
    let admin = server.token("admin", Role::Superadmin).await;
    let viewer = server.token("auditor", Role::Viewer).await;
    let http = Client::new();
    let url = |p: &str| format!("{}{p}", server.url);
    let routes = [
        (Method::GET, "/llm-config/"),
        (Method::POST, "/llm-config/"),
        (Method::PATCH, "/llm-config/"),
        (Method::DELETE, "/llm-config/"),
        (Method::POST, "/llm-config/test-connection"),
        (Method::GET, "/llm-config/instances"),
        (Method::GET, "/llm-config/providers"),
        (Method::GET, "/llm-config/audit"),
    ];
    for (method, path) in &routes {
        // No token → 401 with a challenge.
        let r = http
            .request(method.clone(), url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        assert!(r.headers().contains_key("www-authenticate"));
        let body: Value = r.json().await.unwrap();
        assert!(body["detail"].is_string());
        // Unknown token, wrong scheme → 401.
        let r = http
            .request(method.clone(), url(path))
            .bearer_auth("llmcfg_notatoken")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = http
            .request(method.clone(), url(path))
            .header("authorization", format!("Basic {admin}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Viewer → 403, even for reads.
        let r = http
            .request(method.clone(), url(path))
            .bearer_auth(&viewer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{method} {path}");
    }
    // Auth comes before the scope check: no token + bad header → 401.
    let r = http
        .get(url("/llm-config/"))
        .header("X-Instance-Id", "")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // ... and for a tenant scope (the GET that reads token and config
    // together): unknown token → 401, viewer → 403, the superadmin's bad
    // header → 400, each with or without a valid scope as the rules say.
    for (token, scope, status) in [
        ("llmcfg_notatoken", "acme", StatusCode::UNAUTHORIZED),
        ("llmcfg_notatoken", " ", StatusCode::UNAUTHORIZED),
        (viewer.as_str(), "acme", StatusCode::FORBIDDEN),
        (viewer.as_str(), " ", StatusCode::FORBIDDEN),
        (admin.as_str(), " ", StatusCode::BAD_REQUEST),
        (admin.as_str(), "acme", StatusCode::OK),
    ] {
        let r = http
            .get(url("/llm-config/"))
            .bearer_auth(token)
            .header("X-Instance-Id", scope)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "GET as {token:.12}… of {scope:?}");
        let body: Value = r.json().await.unwrap();
        if status == StatusCode::OK {
            assert!(body.is_null(), "acme has no config: {body}");
        } else {
            assert!(body["detail"].is_string(), "{body}");
        }
    }

    // The admin token works; once revoked → 401.
    let r = http
        .get(url("/llm-config/"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    server.local.revoke_token("admin").await.unwrap();
    let r = http
        .get(url("/llm-config/"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // /healthz and /openapi.json need no token.
    let r = http.get(url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = http.get(url("/openapi.json")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let doc: Value = r.json().await.unwrap();
    for (method, path) in &routes {
        let m = method.as_str().to_ascii_lowercase();
        assert!(
            doc["paths"][path][&m].is_object(),
            "{m} {path} undocumented"
        );
    }
    assert!(doc["paths"]["/healthz"]["get"].is_object());
    server.stop().await;
}

#[tokio::test]
async fn sixteen_concurrent_creates_one_wins() {
    let server = TestServer::start(&[]).await;
    let token = server.token("admin", Role::Superadmin).await;
    let http = Client::new();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (http, url, token) = (http.clone(), server.url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            http.post(format!("{url}/llm-config/"))
                .bearer_auth(token)
                .header("X-Instance-Id", "race")
                .json(&json!({
                    "provider": "openai", "model": format!("gpt-{i}"),
                    "api_key": format!("sk-proj-race-{i:02}-abcdefghijklmnop"),
                }))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((created, conflicts), (1, 15), "{statuses:?}");
    server.stop().await;
}

#[tokio::test]
async fn ssrf_guard_refuses_loopback_targets() {
    let server = TestServer::start(&[]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    // Something listening on loopback, which the guard must keep probes away from.
    let target = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = target.local_addr().unwrap().port();
    let r = api
        .post(
            Some("inward"),
            json!({"provider": "openai", "model": "gpt-4o", "api_key": SECRET_KEY,
                   "base_url": format!("http://127.0.0.1:{port}/v1")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = api
        .send(api.scoped(Method::POST, "/llm-config/test-connection", Some("inward")))
        .await;
    // Documented choice: 200 with status `blocked` (not a connectivity
    // failure) and the guard's message.
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let result = r.json();
    assert_eq!(result["success"], false);
    assert_eq!(result["status"], "blocked");
    assert!(result["message"].as_str().unwrap().contains("SSRF guard"));
    let reached =
        tokio::time::timeout(std::time::Duration::from_millis(200), target.accept()).await;
    assert!(
        reached.is_err(),
        "the guarded probe connected to the target"
    );
    // The refusal is recorded as the scope's last test.
    let list = api
        .send(api.req(Method::GET, "/llm-config/instances"))
        .await
        .json();
    let inward = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["instance_id"] == "inward")
        .unwrap();
    assert_eq!(inward["last_test"]["status"], "blocked");
    api.assert_key_never_seen();

    // Listed in allowed_targets, the same loopback target is probed for real.
    drop(target);
    server.stop().await;
    let (provider_url, hits) = openai_shaped_provider().await;
    let server = TestServer::start(&["127.0.0.1"]).await;
    let api = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let r = api
        .post(
            Some("allowed"),
            json!({"provider": "openai", "model": "gpt-4o", "api_key": SECRET_KEY,
                   "base_url": provider_url}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = api
        .send(api.scoped(Method::POST, "/llm-config/test-connection", Some("allowed")))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["status"], "ok", "{}", r.body);
    assert_eq!(r.json()["message"], "Connection successful");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    api.assert_key_never_seen();
    server.stop().await;
}

/// An OpenAI-shaped provider on 127.0.0.1:0 that accepts only `SECRET_KEY`
/// and counts the requests that reach it.
async fn openai_shaped_provider() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    let app = axum::Router::new().route(
        "/v1/models/{model}",
        axum::routing::get(
            move |axum::extract::Path(model): axum::extract::Path<String>,
                  headers: axum::http::HeaderMap| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    let bearer = format!("Bearer {SECRET_KEY}");
                    if headers.get("authorization").and_then(|v| v.to_str().ok())
                        == Some(bearer.as_str())
                    {
                        (
                            StatusCode::OK,
                            axum::Json(json!({"id": model, "object": "model"})),
                        )
                    } else {
                        (
                            StatusCode::UNAUTHORIZED,
                            axum::Json(json!({"error": {"message": "Incorrect API key provided",
                                "type": "invalid_request_error", "code": "invalid_api_key"}})),
                        )
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), hits)
}

//! The remote backend against stub servers: requests run concurrently (a
//! slow answer does not hold up the next), statuses map to typed errors,
//! and redirects are never followed with the token.

use std::sync::Arc;

use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use llmcfg::domain::Scope;
use llmcfg::remote::{RemoteBackend, RemoteClient};
use llmcfg::service::{Backend, ServiceError, ServiceHandle};
use tokio::sync::Notify;
use zeroize::Zeroizing;

async fn stub(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

fn handle(url: &str) -> ServiceHandle {
    let client = RemoteClient::new(url, Zeroizing::new("llmcfg_test".into())).unwrap();
    ServiceHandle::spawn(Backend::remote(RemoteBackend::new(client, Vec::new())), "t")
}

fn scope(id: &str) -> Scope {
    Scope::from_optional(Some(id)).unwrap()
}

#[tokio::test]
async fn a_slow_answer_does_not_block_the_next_request() {
    let release = Arc::new(Notify::new());
    let gate = release.clone();
    let app = axum::Router::new().route(
        "/llm-config/",
        get(move |headers: HeaderMap| {
            let gate = gate.clone();
            async move {
                if headers.get("x-instance-id").is_some_and(|v| v == "slow") {
                    gate.notified().await;
                }
                axum::Json(serde_json::Value::Null)
            }
        }),
    );
    let h = handle(&stub(app).await);
    let slow = {
        let h = h.clone();
        tokio::spawn(async move { h.get(&scope("slow")).await })
    };
    // Completes while the slow request is still held open by the stub.
    assert_eq!(h.get(&scope("fast")).await.unwrap(), None);
    assert!(!slow.is_finished());
    release.notify_one();
    assert_eq!(slow.await.unwrap().unwrap(), None);
}

#[tokio::test]
async fn statuses_map_to_typed_errors() {
    let app = axum::Router::new().route(
        "/llm-config/",
        get(|headers: HeaderMap| async move {
            let id = headers
                .get("x-instance-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let (status, detail) = match id.as_str() {
                "e401" => (StatusCode::UNAUTHORIZED, "unknown or revoked token"),
                "e403" => (StatusCode::FORBIDDEN, "viewer token"),
                "e404" => (StatusCode::NOT_FOUND, "none"),
                "e409" => (StatusCode::CONFLICT, "exists"),
                "e422" => (StatusCode::UNPROCESSABLE_ENTITY, "invalid model: too long"),
                "e422raw" => (StatusCode::UNPROCESSABLE_ENTITY, "something else"),
                _ => (StatusCode::INTERNAL_SERVER_ERROR, "boom"),
            };
            (status, axum::Json(serde_json::json!({"detail": detail})))
        }),
    );
    let h = handle(&stub(app).await);
    let err = |id: &'static str| {
        let h = h.clone();
        async move { h.get(&scope(id)).await.unwrap_err() }
    };
    assert!(matches!(err("e401").await, ServiceError::Unauthorized(m) if m.contains("revoked")));
    assert!(matches!(err("e403").await, ServiceError::Forbidden(m) if m == "viewer token"));
    // A product's own 404 for an empty scope reads as the seed's `null`,
    // as local mode answers (so an instance list built from reads holds it
    // as unconfigured rather than failing).
    assert_eq!(h.get(&scope("e404")).await.unwrap(), None);
    assert!(matches!(
        err("e409").await,
        ServiceError::AlreadyExists { .. }
    ));
    match err("e422").await {
        ServiceError::Invalid(v) => assert_eq!((v.field, v.reason.as_str()), ("model", "too long")),
        other => panic!("{other}"),
    }
    assert!(matches!(err("e422raw").await, ServiceError::Invalid(v) if v.field == "body"));
    assert!(matches!(err("e500").await, ServiceError::Remote(m) if m.contains("boom")));
}

#[tokio::test]
async fn redirects_are_not_followed_with_the_token() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let elsewhere = stub(axum::Router::new().fallback(move |headers: HeaderMap| {
        let log = log.clone();
        async move {
            log.lock().unwrap().push(format!("{headers:?}"));
            axum::Json(serde_json::Value::Null)
        }
    }))
    .await;
    let target = format!("{elsewhere}/llm-config/");
    let app = axum::Router::new().route(
        "/llm-config/",
        get(move || {
            let target = target.clone();
            async move { axum::response::Redirect::temporary(&target) }
        }),
    );
    let h = handle(&stub(app).await);
    assert!(matches!(
        h.get(&Scope::Global).await,
        Err(ServiceError::Remote(_))
    ));
    assert!(seen.lock().unwrap().is_empty());
}

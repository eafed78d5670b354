//! The fleet extension routes of `llmcfg serve` against a real server on
//! 127.0.0.1:0: `POST /llm-config/key-fingerprint` answers the server
//! store's keyed fingerprint (the one its audit log and exports carry),
//! only to a superadmin, rejects unknown fields, never echoes the key; and
//! a remote-mode handle uses it.

mod server_support;

use llmcfg::domain::{ApiKey, NewConfig, Role, Scope};
use reqwest::{Method, StatusCode};
use serde_json::json;
use server_support::http::Api;
use server_support::{SECRET_KEY, TestServer};

const PATH: &str = "/llm-config/key-fingerprint";

#[tokio::test]
async fn key_fingerprint_route_answers_the_stores_fingerprint() {
    let server = TestServer::start(&[]).await;
    let admin = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let viewer = Api::new(&server, server.token("viewer", Role::Viewer).await);
    server
        .local
        .create(
            &Scope::Global,
            NewConfig::new("anthropic", "claude-3", ApiKey::new(SECRET_KEY)),
        )
        .await
        .unwrap();
    let stored = server.local.audit(None, 1).await.unwrap()[0]
        .key_fingerprint
        .clone()
        .unwrap();

    let r = admin
        .send(
            admin
                .req(Method::POST, PATH)
                .json(&json!({"api_key": SECRET_KEY})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["fingerprint"], stored.as_str());
    assert!(stored.starts_with("hmac:"));

    let r = viewer
        .send(
            viewer
                .req(Method::POST, PATH)
                .json(&json!({"api_key": SECRET_KEY})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = admin
        .send(
            admin
                .req(Method::POST, PATH)
                .json(&json!({"api_key": SECRET_KEY, "extra": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Remote mode uses the route: the same fingerprint as the server's own.
    let remote = server.remote(&server.token("ops", Role::Superadmin).await);
    assert_eq!(
        remote
            .key_fingerprint(&ApiKey::new(SECRET_KEY))
            .await
            .unwrap(),
        stored
    );
    admin.assert_key_never_seen();
    viewer.assert_key_never_seen();
    server.stop().await;
}

#[tokio::test]
async fn versions_restore_and_keys_routes_serve_remote_mode() {
    let server = TestServer::start(&[]).await;
    let acme = Scope::Instance(llmcfg::domain::InstanceId::parse("acme").unwrap());
    server
        .local
        .create(
            &acme,
            NewConfig::new("anthropic", "claude-3", ApiKey::new(SECRET_KEY)),
        )
        .await
        .unwrap();
    server.local.delete(&acme).await.unwrap();
    let remote = server.remote(&server.token("ops", Role::Superadmin).await);

    let history = remote.history(Some(&acme), 10).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].deleted);
    assert_eq!(
        history,
        server.local.history(Some(&acme), 10).await.unwrap()
    );

    let view = remote.restore(&acme, 1).await.unwrap();
    assert_eq!(view.model, "claude-3");
    assert_eq!(
        server.local.get(&acme).await.unwrap().unwrap().model,
        "claude-3"
    );
    assert!(matches!(
        remote.restore(&acme, 99).await,
        Err(llmcfg::service::ServiceError::NoSuchVersion { version: 99, .. })
    ));
    match remote.restore(&acme, 2).await {
        Err(llmcfg::service::ServiceError::Invalid(v)) => {
            assert!(v.to_string().contains("deletion"), "{v}")
        }
        other => panic!("a deletion is not restorable: {other:?}"),
    }

    let map = remote.key_map().await.unwrap();
    assert_eq!(map, server.local.key_map().await.unwrap());
    assert_eq!(map[0].scope_count, 1);

    let admin = Api::new(&server, server.token("admin", Role::Superadmin).await);
    let r = admin
        .send(admin.scoped(Method::GET, "/llm-config/versions?limit=0", Some("acme")))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .send(
            admin
                .scoped(Method::POST, "/llm-config/restore", Some("acme"))
                .json(&json!({"version": 1, "extra": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A valid version number whose version holds no configuration: the
    // request conflicts with what is stored (a schema cannot state it).
    let r = admin
        .send(
            admin
                .scoped(Method::POST, "/llm-config/restore", Some("acme"))
                .json(&json!({"version": 2})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let doc = admin
        .send(admin.req(Method::GET, "/openapi.json"))
        .await
        .json();
    for path in [
        "/llm-config/versions",
        "/llm-config/restore",
        "/llm-config/keys",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
    admin.assert_key_never_seen();
    server.stop().await;
}

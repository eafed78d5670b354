//! Remote mode against `llmcfg serve` lacks nothing the TUI offers locally:
//! live model lists (of a stored config, and of an unsaved key sent in the
//! body) and registering an instance go through the extension routes, and
//! the OpenAPI document lists them so a client learns they are there.

#[path = "support/fake_provider.rs"]
mod fake_provider;
mod server_support;

use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Role, Scope};
use llmcfg::service::ServiceError;
use server_support::{SECRET_KEY, TestServer};

#[tokio::test]
async fn models_and_instance_registration_work_through_the_remote() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[SECRET_KEY], &["gpt-4o", "gpt-4.1"]).await;
    let server = TestServer::start(&["127.0.0.1"]).await;
    let token = server.token("admin", Role::Superadmin).await;
    let remote = server.remote(&token);
    let acme = Scope::Instance(InstanceId::parse("acme").unwrap());
    remote
        .create(
            &acme,
            NewConfig::new("openai", "gpt-4o", ApiKey::new(SECRET_KEY))
                .with_base_url(&fake.base_url()),
        )
        .await
        .unwrap();

    let mut models = remote.list_models(&acme).await.unwrap();
    models.sort();
    assert_eq!(models, ["gpt-4.1", "gpt-4o"]);

    let unsaved = remote
        .list_models_for(
            NewConfig::new("openai", "", ApiKey::new(SECRET_KEY)).with_base_url(&fake.base_url()),
        )
        .await
        .unwrap();
    assert_eq!(unsaved.len(), 2);
    // The key went to the provider in its header, never in a URL.
    assert!(fake.seen().iter().all(|s| {
        !s.path.contains(SECRET_KEY) && !s.query.as_deref().unwrap_or("").contains(SECRET_KEY)
    }));
    // An unsaved key is checked like a create before it leaves.
    let bad = remote
        .list_models_for(
            NewConfig::new("openai", "", ApiKey::new("  ")).with_base_url(&fake.base_url()),
        )
        .await;
    assert!(matches!(bad, Err(ServiceError::Invalid(v)) if v.field == "api_key"));

    let newco = InstanceId::parse("newco").unwrap();
    remote
        .add_instance(&newco, Some("New Co".into()))
        .await
        .unwrap();
    let list = remote.list_instances().await.unwrap();
    let entry = list
        .iter()
        .find(|s| s.instance_id.as_deref() == Some("newco"))
        .expect("registered instance listed");
    assert_eq!(entry.name.as_deref(), Some("New Co"));
    // Empty scopes stay 404 on the models route, not "not offered".
    let none = remote.list_models(&Scope::Instance(newco)).await;
    assert!(
        matches!(none, Err(ServiceError::NotFound { .. })),
        "{none:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_parity_routes() {
    let server = TestServer::start(&[]).await;
    let doc: serde_json::Value = reqwest::get(format!("{}/openapi.json", server.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = &doc["paths"];
    assert!(paths["/llm-config/models"]["get"].is_object());
    assert!(paths["/llm-config/models"]["post"]["requestBody"].is_object());
    assert!(paths["/llm-config/instances"]["post"].is_object());
    assert!(paths["/llm-config/instances"]["get"].is_object());
    server.stop().await;
}

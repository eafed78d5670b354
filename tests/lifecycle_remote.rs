//! Lifecycle facts pass through remote mode: a remote client of `llmcfg
//! serve` gets the provider's facts on its test result and on the instance
//! list's last test, exactly as the server recorded them; a seed-only
//! server is known not to report them.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
mod seed_server;
mod server_support;

use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{ApiKey, FactSource, InstanceId, NewConfig, Role, Scope};
use llmcfg::remote::{RemoteBackend, RemoteClient};
use llmcfg::service::{Backend, ServiceHandle};
use seed_server::{ADMIN_TOKEN, SeedServer};
use serde_json::json;
use server_support::{SECRET_KEY, TestServer};
use time::macros::date;
use zeroize::Zeroizing;

#[tokio::test]
async fn facts_reach_a_remote_client_on_the_test_and_the_instance_list() {
    let fake = FakeProvider::start(Flavor::OpenAi, &[SECRET_KEY], &["gpt-4o"]).await;
    fake.configure(|c| {
        c.model_facts
            .insert("gpt-4o".into(), json!({"shutdown_date": "2027-03-01"}));
    });
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

    let result = remote.test_connection(&acme).await.unwrap();
    let retirement = result
        .lifecycle
        .as_ref()
        .and_then(|l| l.retirement.clone())
        .expect("the server's facts on the remote's test result");
    assert_eq!(
        (retirement.retires_on, retirement.source),
        (date!(2027 - 03 - 01), FactSource::Api)
    );

    let list = remote.list_instances().await.unwrap();
    let entry = list
        .iter()
        .find(|s| s.instance_id.as_deref() == Some("acme"))
        .unwrap();
    assert_eq!(
        entry.last_test.as_ref().unwrap().lifecycle,
        result.lifecycle,
        "the instance list carries the facts of the last test"
    );
    assert!(remote.reports_lifecycle().await.unwrap());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seed_only_server_is_known_not_to_report_facts() {
    let seed = SeedServer::default_variant(&[]).await;
    let client = RemoteClient::new(&seed.url, Zeroizing::new(ADMIN_TOKEN.to_string())).unwrap();
    let handle = ServiceHandle::spawn(
        Backend::remote(RemoteBackend::new(client, Vec::new())),
        "remote-test",
    );
    assert!(!handle.reports_lifecycle().await.unwrap());
}

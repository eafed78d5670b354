//! The conformance suite of design §3, run through the local backend,
//! through the remote backend against a real in-process `llmcfg serve`, and
//! through the remote backend against a strict seed-only server (integer
//! ids, microsecond `+00:00` times, pydantic 422 lists, no extensions): the
//! seed transcripts must be identical.

mod seed_server;
mod server_support;

use llmcfg::domain::Role;
use llmcfg::remote::{InstanceSources, RemoteBackend, RemoteClient, ScopeMemory};
use llmcfg::service::{Backend, ServiceHandle};
use seed_server::{ADMIN_TOKEN, SeedServer};
use server_support::conformance::{Extensions, Transcript};
use server_support::{TestServer, conformance, local_handle};
use zeroize::Zeroizing;

fn seed_handle(server: &SeedServer, state_dir: &std::path::Path) -> ServiceHandle {
    let client = RemoteClient::new(&server.url, Zeroizing::new(ADMIN_TOKEN.into())).unwrap();
    let sources = InstanceSources {
        memory: Some(ScopeMemory::new(client.url(), state_dir)),
        ..InstanceSources::default()
    };
    ServiceHandle::spawn(
        Backend::remote(RemoteBackend::with_sources(client, sources)),
        "seed-test",
    )
}

#[tokio::test]
async fn local_and_remote_backends_agree() {
    let dir = tempfile::tempdir().unwrap();
    let local = local_handle(dir.path(), None).await;
    let local_transcript = conformance::run(&local, Extensions::Offered).await;

    let server = TestServer::start(&[]).await;
    let token = server.token("conformance", Role::Superadmin).await;
    let remote = server.remote(&token);
    let remote_transcript = conformance::run(&remote, Extensions::Offered).await;

    assert_eq!(local_transcript, remote_transcript);
    println!("{}", local_transcript.seed.join("\n"));

    // Writes through the server are audited under the token's name.
    let audit = server.local.audit(None, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .filter(|e| e.action != "token_create")
            .all(|e| e.actor == "conformance"),
        "{audit:?}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_seed_only_server_agrees_on_every_seed_route() {
    let dir = tempfile::tempdir().unwrap();
    let local = local_handle(dir.path(), None).await;
    let local_transcript = conformance::run(&local, Extensions::Offered).await;

    let seed = SeedServer::default_variant(&[]).await;
    let remote = seed_handle(&seed, &dir.path().join("state"));
    let Transcript {
        seed: seed_part,
        ext,
    } = conformance::run(&remote, Extensions::Absent).await;

    assert_eq!(local_transcript.seed, seed_part);
    assert_eq!(ext, ["providers: not offered", "audit acme: not offered"]);
    // The server really numbered its rows with integers.
    let first = seed
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert!(first.path.ends_with("/llm-config/"), "{first:?}");
    seed.stop().await;
}

//! The conformance suite of design §3, run through the local backend and
//! through the remote backend against a real in-process `llmcfg serve`:
//! the transcripts must be identical.

#[path = "server_support/mod.rs"]
mod common;

use common::{TestServer, conformance, local_handle};
use llmcfg::domain::Role;

#[tokio::test]
async fn local_and_remote_backends_agree() {
    let dir = tempfile::tempdir().unwrap();
    let local = local_handle(dir.path(), None).await;
    let local_transcript = conformance::run(&local).await;

    let server = TestServer::start(&[]).await;
    let token = server.token("conformance", Role::Superadmin).await;
    let remote = server.remote(&token);
    let remote_transcript = conformance::run(&remote).await;

    assert_eq!(local_transcript, remote_transcript);
    println!("{}", local_transcript.join("\n"));

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

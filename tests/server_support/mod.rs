//! Helpers shared by the server, remote and conformance tests: a local
//! service over a temp store, an in-process `llmcfg serve` on 127.0.0.1:0,
//! a remote handle pointed at it, and the conformance suite of design §3.

#![allow(dead_code)]

pub mod conformance;
pub mod http;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use llmcfg::crypto::MasterKeyOptions;
use llmcfg::domain::Role;
use llmcfg::prober::{ProbeSettings, TargetPolicy};
use llmcfg::remote::{RemoteBackend, RemoteClient};
use llmcfg::service::{Backend, LocalBackend, LocalOptions, ServiceHandle};
use tokio::sync::oneshot;
use zeroize::Zeroizing;

/// A master key for tests (64 hex characters).
pub const MASTER_HEX: &str = "1111111111111111111111111111111111111111111111111111111111111111";

/// An Anthropic-shaped key whose tail the tests look for in outputs.
pub const SECRET_KEY: &str = "sk-ant-api03-SUPERSECRETVALUE-0123456789-WXYZ";

/// A local service over a store in `dir`; `guard` as `llmcfg serve` sets it.
pub async fn local_handle(dir: &Path, guard: Option<Arc<TargetPolicy>>) -> ServiceHandle {
    let (backend, _) = LocalBackend::open(LocalOptions {
        store_path: dir.join("llmcfg.db"),
        master: MasterKeyOptions {
            env_hex: Some(Zeroizing::new(MASTER_HEX.to_string())),
            file: None,
            default_file: dir.join("master.key"),
            keyring_account: None,
        },
        configured_instances: Vec::new(),
        probe: ProbeSettings {
            guard,
            ..ProbeSettings::default()
        },
        read_only: false,
        postgres: Default::default(),
        versions: Default::default(),
    })
    .await
    .expect("open local backend");
    ServiceHandle::spawn(Backend::Local(backend), "test")
}

/// A real server on 127.0.0.1:0 over its own temp store.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The server's own service (to issue tokens).
    pub local: ServiceHandle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a server whose SSRF guard allows `allowed`.
    pub async fn start(allowed: &[&str]) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let entries: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        let policy = TargetPolicy::parse(&entries).unwrap();
        let local = local_handle(dir.path(), Some(Arc::new(policy))).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(llmcfg::server::run(
            listener,
            local.with_caller("server"),
            async move {
                let _ = stopped.await;
            },
        ));
        TestServer {
            url,
            local,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    /// Issues a token and returns its secret.
    pub async fn token(&self, name: &str, role: Role) -> String {
        self.local
            .create_token(name, role)
            .await
            .unwrap()
            .secret
            .to_string()
    }

    /// A remote-backend handle talking to this server with `token`.
    pub fn remote(&self, token: &str) -> ServiceHandle {
        let client = RemoteClient::new(&self.url, Zeroizing::new(token.to_string())).unwrap();
        ServiceHandle::spawn(
            Backend::remote(RemoteBackend::new(client, Vec::new())),
            "remote-test",
        )
    }

    /// Stops the server and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.unwrap().unwrap();
        }
    }
}

/// Polls `check` every 20 ms until it is true or 30 s pass.
pub async fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

//! Flows through the `ServiceHandle` against a real store in a temp dir:
//! the typed errors each front end maps from, read-only mode, the merged
//! instance list and the audit log.

use llmcfg::crypto::MasterKeyOptions;
use llmcfg::domain::{ApiKey, ConfigPatch, InstanceId, NewConfig, Scope};
use llmcfg::prober::ProbeSettings;
use llmcfg::service::{Backend, LocalBackend, LocalOptions, ServiceError, ServiceHandle};

const KEY: &str = "sk-proj-Hy7Tn3Mw8Qa2Vz5Xc1Lp6Rk9Bd4Fg0JsWu";

fn options(dir: &std::path::Path) -> LocalOptions {
    LocalOptions {
        store_path: dir.join("llmcfg.db"),
        master: MasterKeyOptions {
            default_file: dir.join("master.key"),
            ..Default::default()
        },
        configured_instances: vec![(
            InstanceId::parse("from-config").unwrap(),
            Some("Configured".into()),
        )],
        probe: ProbeSettings::default(),
        read_only: false,
        postgres: Default::default(),
        versions: Default::default(),
    }
}

async fn spawn(opts: LocalOptions) -> ServiceHandle {
    let (backend, _) = LocalBackend::open(opts).await.unwrap();
    ServiceHandle::spawn(Backend::Local(backend), "local:test")
}

fn new_config() -> NewConfig {
    NewConfig::new("openai", "gpt-4o", ApiKey::new(KEY))
}

fn tenant(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

#[tokio::test]
async fn typed_errors_for_each_seed_rule() {
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(options(dir.path())).await;
    let acme = tenant("acme");
    assert!(matches!(
        h.update(&acme, ConfigPatch { model: Some("m".into()), ..Default::default() }).await,
        Err(ServiceError::NotFound { scope }) if scope == acme
    ));
    assert!(matches!(
        h.delete(&acme).await,
        Err(ServiceError::NotFound { .. })
    ));
    assert!(matches!(
        h.test_connection(&acme).await,
        Err(ServiceError::NotFound { .. })
    ));
    let view = h.create(&acme, new_config()).await.unwrap();
    assert_eq!(view.instance_id.as_deref(), Some("acme"));
    assert!(matches!(
        h.create(&acme, new_config()).await,
        Err(ServiceError::AlreadyExists { .. })
    ));
    let err = h
        .update(
            &acme,
            ConfigPatch {
                provider: Some("anthropic".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    match err {
        ServiceError::Invalid(v) => assert_eq!(v.field, "api_key"),
        other => panic!("{other:?}"),
    }
    assert_eq!(h.get(&Scope::Global).await.unwrap(), None);
    h.delete(&acme).await.unwrap();
    assert_eq!(h.get(&acme).await.unwrap(), None);
}

#[tokio::test]
async fn read_only_mode_refuses_every_write_but_reads() {
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(options(dir.path())).await;
    h.create(&Scope::Global, new_config()).await.unwrap();
    drop(h);
    let mut opts = options(dir.path());
    opts.read_only = true;
    let ro = spawn(opts).await;
    assert!(ro.get(&Scope::Global).await.unwrap().is_some());
    assert!(matches!(
        ro.create(&tenant("x"), new_config()).await,
        Err(ServiceError::ReadOnly(_))
    ));
    assert!(matches!(
        ro.update(
            &Scope::Global,
            ConfigPatch {
                model: Some("m".into()),
                ..Default::default()
            }
        )
        .await,
        Err(ServiceError::ReadOnly(_))
    ));
    assert!(matches!(
        ro.delete(&Scope::Global).await,
        Err(ServiceError::ReadOnly(_))
    ));
    assert!(matches!(
        ro.add_instance(&InstanceId::parse("y").unwrap(), None)
            .await,
        Err(ServiceError::ReadOnly(_))
    ));
    assert!(ro.get(&Scope::Global).await.unwrap().is_some());
}

#[tokio::test]
async fn instance_list_merges_store_and_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(options(dir.path())).await;
    h.create(&tenant("b-configured"), new_config())
        .await
        .unwrap();
    h.add_instance(&InstanceId::parse("a-known").unwrap(), Some("Known".into()))
        .await
        .unwrap();
    let list = h.list_instances().await.unwrap();
    let ids: Vec<_> = list.iter().map(|s| s.instance_id.clone()).collect();
    assert_eq!(
        ids,
        [
            None,
            Some("a-known".into()),
            Some("b-configured".into()),
            Some("from-config".into())
        ]
    );
    assert!(
        list[0].config.is_none(),
        "the control plane is listed even without a config"
    );
    assert_eq!(list[1].name.as_deref(), Some("Known"));
    assert_eq!(list[2].config.as_ref().unwrap().model, "gpt-4o");
    assert_eq!(list[3].name.as_deref(), Some("Configured"));
}

#[tokio::test]
async fn audit_is_per_scope_newest_first_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(options(dir.path())).await.with_caller("token:ops");
    let acme = tenant("acme");
    h.create(&acme, new_config()).await.unwrap();
    for m in ["a", "b", "c"] {
        h.update(
            &acme,
            ConfigPatch {
                model: Some(m.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    }
    h.create(&Scope::Global, new_config()).await.unwrap();
    let acme_log = h.audit(Some(&acme), 2).await.unwrap();
    assert_eq!(acme_log.len(), 2);
    assert!(
        acme_log
            .iter()
            .all(|e| e.action == "update" && e.actor == "token:ops")
    );
    assert!(acme_log[0].id > acme_log[1].id);
    let all = h.audit(None, 100).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].instance_id, None);
}

#[tokio::test]
async fn handles_are_cloneable_and_share_one_store() {
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(options(dir.path())).await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let h = h.clone();
            tokio::spawn(async move { h.create(&tenant(&format!("t{i}")), new_config()).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // 16 tenants, the control plane, and the instance from config.toml.
    assert_eq!(h.list_instances().await.unwrap().len(), 18);
    assert_eq!(h.providers().await.unwrap().len(), 14);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_holding_a_rotated_out_key_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(options(dir.path())).await;
    h.create(&tenant("acme"), new_config()).await.unwrap();
    // Another process rotates the master key while this one keeps running.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"))
        .args(["master-key", "rotate"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("LLMCFG_STORE", dir.path().join("llmcfg.db"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // This process still holds the old key: sealing with it now would leave
    // rows no one can open, so every write is refused and nothing changes.
    let before = h.get(&tenant("acme")).await.unwrap();
    for result in [
        h.create(&tenant("other"), new_config()).await.map(|_| ()),
        h.update(
            &tenant("acme"),
            ConfigPatch {
                model: Some("changed".into()),
                ..Default::default()
            },
        )
        .await
        .map(|_| ()),
        // A delete or restore seals a kept version.
        h.delete(&tenant("acme")).await,
        h.restore(&tenant("acme"), 1).await.map(|_| ()),
    ] {
        match result {
            Err(ServiceError::MasterKey(m)) => {
                assert!(m.to_string().contains("rotated by another process"), "{m}")
            }
            other => panic!("expected a master-key error, got {other:?}"),
        }
    }
    assert_eq!(h.get(&tenant("acme")).await.unwrap(), before);
    assert_eq!(h.get(&tenant("other")).await.unwrap(), None);
    // A process opened with the new key writes normally.
    drop(h);
    let fresh = spawn(options(dir.path())).await;
    fresh.create(&tenant("other"), new_config()).await.unwrap();
}

/// A write waiting for SQLite's file lock (another process holds it) must
/// not hold up reads: they are answered on the store's reader connection
/// while the write is still waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_waiting_for_the_file_lock_does_not_hold_up_reads() {
    let dir = tempfile::tempdir().unwrap();
    let h = spawn(options(dir.path())).await;
    h.create(&tenant("acme"), new_config()).await.unwrap();
    // Another process takes the write lock and keeps it.
    let other = rusqlite::Connection::open(dir.path().join("llmcfg.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let writer = {
        let h = h.clone();
        tokio::spawn(async move {
            h.update(
                &tenant("acme"),
                ConfigPatch {
                    model: Some("gpt-4.1".into()),
                    ..Default::default()
                },
            )
            .await
        })
    };
    // Give the update time to reach SQLite and start waiting on the lock.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let read = h.get(&tenant("acme")).await.unwrap().unwrap();
    assert_eq!(read.model, "gpt-4o");
    assert_eq!(h.list_instances().await.unwrap().len(), 3);
    assert!(
        !writer.is_finished(),
        "the write should still be waiting for the other process's lock"
    );
    other.execute_batch("ROLLBACK").unwrap();
    let updated = writer.await.unwrap().unwrap();
    assert_eq!(updated.model, "gpt-4.1");
}

/// Token management, authentication and master-key rotation are local-only:
/// a remote handle offers no admin handle and never sends them to the
/// server (a listener that counts connections sees none).
#[tokio::test]
async fn a_remote_backend_is_never_asked_for_admin_operations() {
    use llmcfg::remote::{RemoteBackend, RemoteClient};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = connections.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(socket);
        }
    });
    let client = RemoteClient::new(
        &url,
        zeroize::Zeroizing::new("llmcfg_test-token".to_string()),
    )
    .unwrap();
    let h = ServiceHandle::spawn(Backend::remote(RemoteBackend::new(client, Vec::new())), "t");
    assert!(h.admin().is_none());
    for result in [
        h.create_token("ci", llmcfg::domain::Role::Superadmin)
            .await
            .map(|_| ()),
        h.list_tokens().await.map(|_| ()),
        h.revoke_token("ci").await,
        h.authenticate("llmcfg_secret").await.map(|_| ()),
        h.rotate_master_key(None).await.map(|_| ()),
    ] {
        match result {
            Err(ServiceError::Remote(m)) => {
                assert!(m.contains("run it on the server host"), "{m}")
            }
            other => panic!("expected a local-only refusal, got {other:?}"),
        }
    }
    assert_eq!(connections.load(Ordering::SeqCst), 0);
    // The handle does reach the server for what the API offers.
    let _ = h.get(&Scope::Global).await;
    assert!(connections.load(Ordering::SeqCst) > 0);
}

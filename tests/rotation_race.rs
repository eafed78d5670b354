//! A master-key rotation racing 200 concurrent writes through one service
//! handle, on a real SQLite file: the service actor lets the writes it has
//! handed out commit before it re-seals, holds the writes behind the
//! rotation until it is done, and seals them under the new key. So every write is acknowledged
//! (none is refused as "rotated by another process"), none is lost, and
//! every stored key opens under the new master key, in this process and
//! in a fresh one that reads the new key file.

#[path = "support/local_service.rs"]
mod local_service;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use llmcfg::crypto::MasterKeyOptions;
use llmcfg::domain::{ApiKey, NewConfig};
use llmcfg::service::{Backend, LocalBackend, LocalOptions, ServiceHandle};
use local_service::{TEST_MASTER_HEX, open_sqlite, tenant};
use tokio::sync::Notify;

/// How many writers write at once.
const WRITERS: usize = 8;

/// How many writes each writer makes at least: 200 in all. Each goes on
/// writing until the rotation has answered, so writes are in flight
/// before, during and after it whatever the machine's speed.
const WRITES_EACH: usize = 25;

/// How many writes are acknowledged before the rotation starts.
const BEFORE_ROTATION: usize = 20;

fn config_of(scope: &str) -> NewConfig {
    NewConfig::new(
        "openai",
        &format!("model-{scope}"),
        ApiKey::new(format!("sk-race-{scope}-abcdefghijklmnopqrstuvwxyz")),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rotation_racing_200_writes_loses_none_and_every_key_opens() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("llmcfg.db");
    let new_key_file = dir.path().join("rotated.key");
    let handle = open_sqlite(&store, TEST_MASTER_HEX).await;

    let acknowledged = Arc::new(AtomicUsize::new(0));
    let started_enough = Arc::new(Notify::new());
    let rotated = Arc::new(AtomicBool::new(false));
    let mut writers = tokio::task::JoinSet::new();
    for w in 0..WRITERS {
        let (handle, acknowledged, started_enough, rotated) = (
            handle.clone(),
            acknowledged.clone(),
            started_enough.clone(),
            rotated.clone(),
        );
        writers.spawn(async move {
            let mut written = Vec::new();
            let mut n = 0;
            while n < WRITES_EACH || !rotated.load(Ordering::SeqCst) {
                let scope = format!("t-{w}-{n}");
                let result = handle.create(&tenant(&scope), config_of(&scope)).await;
                if acknowledged.fetch_add(1, Ordering::SeqCst) + 1 == BEFORE_ROTATION {
                    started_enough.notify_one();
                }
                written.push((scope, result));
                n += 1;
            }
            written
        });
    }
    started_enough.notified().await;
    let rotation = {
        let (handle, rotated) = (handle.clone(), rotated.clone());
        let new_key_file = new_key_file.clone();
        tokio::spawn(async move {
            let result = handle.rotate_master_key(Some(new_key_file)).await;
            rotated.store(true, Ordering::SeqCst);
            result
        })
    };

    let (mut refused, mut scopes) = (Vec::new(), Vec::new());
    while let Some(done) = writers.join_next().await {
        for (scope, result) in done.unwrap() {
            match result {
                Ok(_) => scopes.push(scope),
                Err(e) => refused.push(format!("{scope}: {e}")),
            }
        }
    }
    let resealed = rotation.await.unwrap().expect("the rotation succeeds");
    assert!(resealed >= BEFORE_ROTATION, "re-sealed {resealed}");
    assert!(
        refused.is_empty(),
        "{} writes refused, the first: {:?}",
        refused.len(),
        &refused[..refused.len().min(3)]
    );

    assert!(scopes.len() >= WRITERS * WRITES_EACH);
    for scope in &scopes {
        let view = handle
            .get(&tenant(scope))
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("acknowledged write {scope} is missing"));
        assert_eq!(view.model, format!("model-{scope}"));
    }
    let check = handle.verify_master_key().await.unwrap();
    assert!(check.failures.is_empty(), "{:?}", check.failures);
    assert_eq!(check.configs_opened, scopes.len());

    // A fresh process finds every key openable under the key on disk.
    drop(handle);
    let (reopened, _) = LocalBackend::open(LocalOptions {
        store_path: store.clone(),
        master: MasterKeyOptions {
            file: Some(new_key_file),
            default_file: dir.path().join("master.key"),
            ..Default::default()
        },
        ..Default::default()
    })
    .await
    .expect("the store opens with the rotated key file");
    let fresh = ServiceHandle::spawn(Backend::Local(reopened), "local:test");
    let check = fresh.verify_master_key().await.unwrap();
    assert!(check.failures.is_empty(), "{:?}", check.failures);
    assert_eq!(check.configs_opened, scopes.len());
}

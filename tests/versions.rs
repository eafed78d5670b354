//! Kept versions through the `ServiceHandle`, one suite run on SQLite and
//! on PostgreSQL: every create, update, delete and restore adds a version;
//! `restore` brings one back (a deleted scope too) with the very key it
//! held, and a restored deletion keeps its creation time; unknown and
//! deletion versions are refused; retention keeps the newest N; a
//! master-key rotation re-seals the kept versions; a config written before
//! versions existed keeps its state when it first changes.
//! SQLite-only: a version's sealed bytes moved onto another version fail
//! to open, and purged versions leave no sealed bytes in the file.

#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::path::{Path, PathBuf};

use llmcfg::crypto::{MasterKey, MasterKeyOptions};
use llmcfg::domain::{
    ApiKey, AuditAction, ConfigFields, ConfigPatch, InstanceId, NewConfig, Retention, Scope,
};
use llmcfg::service::{Backend, LocalBackend, LocalOptions, ServiceError, ServiceHandle};
use llmcfg::store::{AuditRecord, ConfigRow, Store};

const MASTER_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
const KEY_ONE: &str = "sk-ant-api03-FirstKeyQ8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0";
const KEY_TWO: &str = "sk-ant-api03-SecondKeyZq8vN2xKp4Lm7Rt1Yw9Bc3Df6";

fn master() -> MasterKey {
    MasterKey::from_hex(MASTER_HEX, "test").unwrap()
}

fn options(location: &Path, dir: &Path, retention: Retention) -> LocalOptions {
    LocalOptions {
        store_path: location.to_path_buf(),
        master: MasterKeyOptions {
            env_hex: Some(zeroize::Zeroizing::new(MASTER_HEX.to_string())),
            default_file: dir.join("master.key"),
            ..Default::default()
        },
        versions: retention,
        ..Default::default()
    }
}

async fn open(location: &Path, dir: &Path, retention: Retention) -> ServiceHandle {
    open_with(options(location, dir, retention)).await
}

async fn open_with(options: LocalOptions) -> ServiceHandle {
    let (backend, _) = LocalBackend::open(options).await.unwrap();
    ServiceHandle::spawn(Backend::Local(backend), "local:versions")
}

/// Creates an Anthropic config of `model` for `scope` holding `KEY_ONE`.
async fn create(h: &ServiceHandle, scope: &Scope, model: &str) {
    h.create(
        scope,
        NewConfig::new("anthropic", model, ApiKey::new(KEY_ONE)),
    )
    .await
    .unwrap();
}

/// The master key a rotation wrote to `file`.
fn key_in(file: &Path) -> MasterKey {
    MasterKey::from_hex(std::fs::read_to_string(file).unwrap().trim(), "file").unwrap()
}

fn tenant(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

fn model(m: &str) -> ConfigPatch {
    ConfigPatch {
        model: Some(m.into()),
        ..Default::default()
    }
}

fn new_key(k: &str) -> ConfigPatch {
    ConfigPatch {
        api_key: Some(ApiKey::new(k)),
        ..Default::default()
    }
}

/// The live key of `scope`, opened from the store itself.
async fn live_key(location: &Path, scope: &Scope, master: &MasterKey) -> String {
    let store = Store::open(location).await.unwrap();
    let row = store.get(scope).await.unwrap().expect("a config");
    row.open_key(master).unwrap().expose().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_versions_conform() {
    let dir = tempfile::tempdir().unwrap();
    suite(&dir.path().join("llmcfg.db"), dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn postgres_versions_conform() {
    let db = pg_cluster::fresh_db();
    let dir = tempfile::tempdir().unwrap();
    suite(&PathBuf::from(&db.url), dir.path()).await;
}

async fn suite(location: &Path, dir: &Path) {
    every_write_keeps_a_version_and_restore_brings_it_back(location, dir).await;
    a_restored_deletion_keeps_its_creation_time(location, dir).await;
    retention_keeps_the_newest(location, dir).await;
    rotation_reseals_kept_versions(location, dir).await;
    a_config_from_before_versions_keeps_its_state(location, dir).await;
}

async fn every_write_keeps_a_version_and_restore_brings_it_back(location: &Path, dir: &Path) {
    let h = open(location, dir, Retention::default()).await;
    let acme = tenant("acme");
    create(&h, &acme, "claude-3").await;
    h.update(&acme, model("claude-4")).await.unwrap();
    h.update(&acme, new_key(KEY_TWO)).await.unwrap();
    // A refused update writes nothing, version included.
    assert!(matches!(
        h.update(&acme, model("")).await,
        Err(ServiceError::Invalid(_))
    ));
    h.delete(&acme).await.unwrap();

    let history = h.history(Some(&acme), 50).await.unwrap();
    let summary: Vec<_> = history
        .iter()
        .map(|v| (v.version, v.action.as_str().to_string(), v.deleted))
        .collect();
    assert_eq!(
        summary,
        vec![
            (4, "delete".into(), true),
            (3, "update".into(), false),
            (2, "update".into(), false),
            (1, "create".into(), false),
        ]
    );
    assert_eq!(history[1].fields, vec!["api_key".to_string()]);
    assert_eq!(history[2].fields, vec!["model".to_string()]);
    assert_eq!(
        history[2].config.as_ref().map(|c| c.model.as_str()),
        Some("claude-4")
    );
    assert_eq!(history[3].actor, "local:versions");
    assert_ne!(history[1].key_fingerprint, history[2].key_fingerprint);
    assert_eq!(history[1].api_key_masked.as_deref(), Some("sk-ant-...3Df6"));
    let json = serde_json::to_string(&history).unwrap();
    assert!(!json.contains(KEY_ONE) && !json.contains(KEY_TWO));

    // Restoring version 2 of the deleted scope brings back its model and
    // the first key, as a new version.
    let view = h.restore(&acme, 2).await.unwrap();
    assert_eq!(view.model, "claude-4");
    assert_eq!(
        view.api_key_masked,
        history[2].api_key_masked.clone().unwrap()
    );
    assert_eq!(live_key(location, &acme, &master()).await, KEY_ONE);
    let after = h.history(Some(&acme), 50).await.unwrap();
    assert_eq!(after[0].version, 5);
    assert_eq!(after[0].action, AuditAction::Restore);
    let audit = h.audit(Some(&acme), 1).await.unwrap();
    assert_eq!(audit[0].action, AuditAction::Restore);
    assert_eq!(audit[0].detail.as_deref(), Some("version 2"));

    // Restoring over a live config keeps its id and brings the key back.
    let live_id = view.id.clone();
    let again = h.restore(&acme, 3).await.unwrap();
    assert_eq!(again.id, live_id);
    assert_eq!(live_key(location, &acme, &master()).await, KEY_TWO);

    assert!(matches!(
        h.restore(&acme, 99).await,
        Err(ServiceError::NoSuchVersion { version: 99, .. })
    ));
    match h.restore(&acme, 4).await {
        Err(ServiceError::Invalid(v)) => assert_eq!(v.field, "version"),
        other => panic!("a deletion is not restorable: {other:?}"),
    }
    assert!(matches!(
        h.restore(&tenant("nobody"), 1).await,
        Err(ServiceError::NoSuchVersion { .. })
    ));
    // Other scopes keep their own numbering.
    create(&h, &Scope::Global, "claude-3").await;
    let global = h.history(Some(&Scope::Global), 50).await.unwrap();
    assert_eq!(global.len(), 1);
    assert_eq!(global[0].version, 1);
    assert!(h.history(None, 50).await.unwrap().len() >= 7);
}

async fn a_restored_deletion_keeps_its_creation_time(location: &Path, dir: &Path) {
    let h = open(location, dir, Retention::default()).await;
    let epsilon = tenant("epsilon");
    create(&h, &epsilon, "claude-3").await;
    let created = h.get(&epsilon).await.unwrap().unwrap().created_at;
    h.update(&epsilon, model("claude-4")).await.unwrap();
    h.delete(&epsilon).await.unwrap();
    // Stored times are whole seconds: once the clock is past the creation's
    // second, a restore stamped with its own time shows a later `Created`.
    while time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap()
        <= created
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let view = h.restore(&epsilon, 2).await.unwrap();
    assert_eq!(view.model, "claude-4");
    assert_eq!(view.created_at, created, "Created is the scope's creation");
    assert!(view.updated_at > created, "Updated is the restore");
    let read = h.get(&epsilon).await.unwrap().unwrap();
    assert_eq!(read.created_at, created);
}

async fn retention_keeps_the_newest(location: &Path, dir: &Path) {
    let keep3 = Retention {
        keep: Some(3),
        max_age: None,
    };
    let h = open(location, dir, keep3).await;
    let beta = tenant("beta");
    create(&h, &beta, "m0").await;
    for i in 1..=5 {
        h.update(&beta, model(&format!("m{i}"))).await.unwrap();
    }
    let versions: Vec<u64> = h
        .history(Some(&beta), 50)
        .await
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(versions, vec![6, 5, 4]);
    assert!(matches!(
        h.restore(&beta, 3).await,
        Err(ServiceError::NoSuchVersion { version: 3, .. })
    ));
    assert_eq!(h.restore(&beta, 4).await.unwrap().model, "m3");
}

async fn rotation_reseals_kept_versions(location: &Path, dir: &Path) {
    let h = open(location, dir, Retention::default()).await;
    let gamma = tenant("gamma");
    create(&h, &gamma, "claude-3").await;
    h.update(&gamma, new_key(KEY_TWO)).await.unwrap();
    let new_file = dir.join("rotated.key");
    h.rotate_master_key(Some(new_file.clone())).await.unwrap();
    let rotated = key_in(&new_file);
    // Version 1, sealed before the rotation, opens under the new key.
    h.restore(&gamma, 1).await.unwrap();
    assert_eq!(live_key(location, &gamma, &rotated).await, KEY_ONE);
    h.restore(&Scope::Global, 1).await.unwrap();
}

async fn a_config_from_before_versions_keeps_its_state(location: &Path, dir: &Path) {
    // A bare store keeps no versions: what a store written by an llmcfg
    // without versions holds.
    let rotated = key_in(&dir.join("rotated.key"));
    let delta = tenant("delta");
    let store = Store::open(location).await.unwrap();
    let row = ConfigRow::seal_new(
        &delta,
        ConfigFields::new("anthropic", "old-model"),
        &ApiKey::new(KEY_ONE),
        &rotated,
        &llmcfg::crypto::Fingerprinter::generate(),
    );
    store
        .insert(row, AuditRecord::new("old", &delta, AuditAction::Create))
        .await
        .unwrap();
    drop(store);

    let mut opts = options(location, dir, Retention::default());
    opts.master.env_hex = Some(zeroize::Zeroizing::new(rotated.to_hex().to_string()));
    let h = open_with(opts).await;
    assert!(h.history(Some(&delta), 10).await.unwrap().is_empty());
    h.update(&delta, new_key(KEY_TWO)).await.unwrap();
    let history = h.history(Some(&delta), 10).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].action, AuditAction::Recorded);
    assert_eq!(
        history[1].config.as_ref().map(|c| c.model.as_str()),
        Some("old-model")
    );
    h.restore(&delta, 1).await.unwrap();
    assert_eq!(live_key(location, &delta, &rotated).await, KEY_ONE);
}

/// The file's bytes, WAL included.
fn file_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn purged_versions_leave_no_sealed_bytes_in_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("llmcfg.db");
    let keep2 = Retention {
        keep: Some(2),
        max_age: None,
    };
    let h = open(&db, dir.path(), keep2).await;
    let acme = tenant("acme");
    create(&h, &acme, "claude-3").await;
    let store = Store::open(&db).await.unwrap();
    let first = store.history(Some(&acme), 10).await.unwrap();
    let sealed = first[0]
        .config
        .as_ref()
        .unwrap()
        .sealed_key()
        .as_bytes()
        .to_vec();
    store.checkpoint().await.unwrap();
    assert!(
        contains(&file_bytes(&db), &sealed),
        "the scan finds a kept version's sealed bytes"
    );

    h.update(&acme, new_key(KEY_TWO)).await.unwrap();
    h.update(&acme, model("claude-4")).await.unwrap();
    let kept: Vec<i64> = store
        .history(Some(&acme), 10)
        .await
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(kept, vec![3, 2], "version 1 is purged");
    store.checkpoint().await.unwrap();
    store.vacuum().await.unwrap();
    store.checkpoint().await.unwrap();
    let bytes = file_bytes(&db);
    assert!(!contains(&bytes, &sealed), "purged sealed bytes remain");
    assert!(!contains(&bytes, KEY_ONE.as_bytes()) && !contains(&bytes, KEY_TWO.as_bytes()));
}

#[tokio::test]
async fn a_sealed_version_moved_onto_another_fails_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("llmcfg.db");
    let h = open(&db, dir.path(), Retention::default()).await;
    let acme = tenant("acme");
    create(&h, &acme, "claude-3").await;
    h.update(&acme, model("claude-4")).await.unwrap();
    // Same row, same provider: only the version number tells them apart.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE config_versions SET sealed_key =
             (SELECT sealed_key FROM config_versions WHERE scope = 'acme' AND version = 1)
         WHERE scope = 'acme' AND version = 2",
        [],
    )
    .unwrap();
    drop(conn);
    let err = h.restore(&acme, 2).await.unwrap_err();
    assert!(matches!(err, ServiceError::Store(_)), "{err:?}");
    assert!(!err.to_string().contains(KEY_ONE));
    h.restore(&acme, 1).await.unwrap();
    assert_eq!(live_key(&db, &acme, &master()).await, KEY_ONE);
}

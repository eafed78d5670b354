//! Keyed fingerprints through the `ServiceHandle`, on SQLite and on
//! PostgreSQL: the unkeyed `sha256:` fingerprints an earlier llmcfg stored
//! (configs and the audit entries naming them) are re-derived on open; the
//! fingerprint of a key is stable across reopening and a master-key
//! rotation; another store fingerprints the same key differently, so a
//! fingerprint cannot confirm a guessed key without the store; the key map
//! groups scopes by fingerprint.

#[path = "support/local_service.rs"]
mod local_service;
#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::path::{Path, PathBuf};

use llmcfg::crypto::{Fingerprinter, MasterKey};
use llmcfg::domain::{ApiKey, AuditAction, ConfigFields, InstanceId, NewConfig, Scope};
use llmcfg::service::ServiceHandle;
use llmcfg::store::{AuditRecord, ConfigRow, Store};

const MASTER_HEX: &str = "7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e7e";
const KEY_ONE: &str = "sk-proj-OneQ8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5";
const KEY_TWO: &str = "sk-proj-TwoZq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk";
/// A key only the audit log still names (its scope was deleted).
const KEY_GONE: &str = "sk-proj-GonZq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk";

async fn open(location: &Path, dir: &Path, master_hex: &str) -> ServiceHandle {
    local_service::open_local(location.to_path_buf(), dir.join("master.key"), master_hex).await
}

fn tenant(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_fingerprints() {
    let dir = tempfile::tempdir().unwrap();
    suite(&dir.path().join("llmcfg.db"), dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn postgres_fingerprints() {
    let db = pg_cluster::fresh_db();
    let dir = tempfile::tempdir().unwrap();
    suite(&PathBuf::from(&db.url), dir.path()).await;
}

/// A store as an llmcfg without keyed fingerprints left it: two scopes
/// sharing KEY_ONE, one with KEY_TWO, unkeyed fingerprints in the configs
/// and the audit log, and a deleted scope whose KEY_GONE only the audit
/// log names.
async fn write_old_store(location: &Path, master: &MasterKey) {
    let store = Store::open(location).await.unwrap();
    store
        .init_key_check_value(&master.check_value())
        .await
        .unwrap();
    for (id, key) in [
        ("a", KEY_ONE),
        ("b", KEY_ONE),
        ("c", KEY_TWO),
        ("gone", KEY_GONE),
    ] {
        let scope = tenant(id);
        let api_key = ApiKey::new(key);
        let mut row = ConfigRow::seal_new(
            &scope,
            ConfigFields::new("openai", "gpt-4o"),
            &api_key,
            master,
            &Fingerprinter::generate(),
        );
        row.key_fingerprint = llmcfg::crypto::fingerprint(&api_key);
        let mut rec = AuditRecord::new("old", &scope, AuditAction::Create);
        rec.key_fingerprint = Some(row.key_fingerprint.clone());
        store.insert(row, rec).await.unwrap();
    }
    let gone = tenant("gone");
    store
        .delete(&gone, AuditRecord::new("old", &gone, AuditAction::Delete))
        .await
        .unwrap();
}

/// No unkeyed fingerprint is left to confirm a guessed key: not through
/// the audit log or the kept versions, and (SQLite) not in any byte of the
/// store's files after a checkpoint.
async fn assert_no_unkeyed_fingerprint(h: &ServiceHandle, location: &Path) {
    let audit = h.audit(None, 100).await.unwrap();
    let gone: Vec<_> = audit
        .iter()
        .filter(|e| e.instance_id.as_deref() == Some("gone"))
        .collect();
    assert_eq!(gone.len(), 2, "the create and the delete of the gone scope");
    for e in &gone {
        assert_eq!(
            e.key_fingerprint.as_deref(),
            Some(llmcfg::store::fingerprints::WITHHELD),
            "{e:?}"
        );
    }
    for e in &audit {
        let fp = e.key_fingerprint.as_deref().unwrap_or("");
        assert!(!fp.starts_with("sha256:"), "{e:?}");
    }
    for v in h.history(None, 100).await.unwrap() {
        let fp = v.key_fingerprint.as_deref().unwrap_or("");
        assert!(!fp.starts_with("sha256:"), "{v:?}");
    }
    if location.extension().is_some_and(|e| e == "db") {
        let db = rusqlite::Connection::open(location).unwrap();
        db.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
        db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let mut bytes = std::fs::read(location).unwrap();
        bytes.extend(std::fs::read(location.with_extension("db-wal")).unwrap_or_default());
        assert!(
            !bytes.windows(7).any(|w| w == b"sha256:"),
            "an unkeyed fingerprint is left in the store file"
        );
    }
}

async fn suite(location: &Path, dir: &Path) {
    let master = MasterKey::from_hex(MASTER_HEX, "test").unwrap();
    write_old_store(location, &master).await;
    let unkeyed = llmcfg::crypto::fingerprint(&ApiKey::new(KEY_ONE));

    let h = open(location, dir, MASTER_HEX).await;
    let fp_one = h.key_fingerprint(&ApiKey::new(KEY_ONE)).await.unwrap();
    let fp_two = h.key_fingerprint(&ApiKey::new(KEY_TWO)).await.unwrap();
    assert!(
        fp_one.starts_with("hmac:") && fp_one.len() == 5 + 32,
        "{fp_one}"
    );
    assert_ne!(fp_one, fp_two);

    // Migrated: the configs and the audit entries that named the old ones.
    let store = Store::open(location).await.unwrap();
    for row in store.all_configs().await.unwrap() {
        let want = if row.scope == tenant("c") {
            &fp_two
        } else {
            &fp_one
        };
        assert_eq!(&row.key_fingerprint, want, "{}", row.scope);
    }
    let audit = h.audit(None, 100).await.unwrap();
    assert!(
        audit
            .iter()
            .all(|e| e.key_fingerprint.as_deref() != Some(&unkeyed))
    );
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.key_fingerprint.as_deref() == Some(&fp_one))
            .count(),
        2
    );

    // Those naming a key no longer stored are withheld.
    assert_no_unkeyed_fingerprint(&h, location).await;

    // The key map groups by the keyed fingerprint.
    let map = h.key_map().await.unwrap();
    assert_eq!(map[0].key_fingerprint, fp_one);
    assert_eq!(map[0].scope_count, 2);
    let (fp, group) = h.find_key(&ApiKey::new(KEY_TWO)).await.unwrap();
    assert_eq!(fp, fp_two);
    assert_eq!(group.unwrap().scopes[0].instance_id.as_deref(), Some("c"));
    let (_, none) = h.find_key(&ApiKey::new("sk-proj-unused")).await.unwrap();
    assert!(none.is_none());

    // New writes use the same keyed fingerprint; it survives a reopen.
    h.create(
        &tenant("d"),
        NewConfig::new("openai", "gpt-4o", ApiKey::new(KEY_ONE)),
    )
    .await
    .unwrap();
    assert_eq!(h.key_map().await.unwrap()[0].scope_count, 3);
    drop(h);
    let h = open(location, dir, MASTER_HEX).await;
    assert_eq!(
        h.key_fingerprint(&ApiKey::new(KEY_ONE)).await.unwrap(),
        fp_one
    );

    // And a master-key rotation.
    let new_file = dir.join("rotated.key");
    h.rotate_master_key(Some(new_file.clone())).await.unwrap();
    assert_eq!(
        h.key_fingerprint(&ApiKey::new(KEY_ONE)).await.unwrap(),
        fp_one
    );
    drop(h);
    let rotated_hex = std::fs::read_to_string(&new_file).unwrap();
    let h = open(location, dir, rotated_hex.trim()).await;
    assert_eq!(
        h.key_fingerprint(&ApiKey::new(KEY_ONE)).await.unwrap(),
        fp_one
    );
}

#[tokio::test]
async fn another_store_fingerprints_the_same_key_differently() {
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = open(&one.path().join("llmcfg.db"), one.path(), MASTER_HEX).await;
    let b = open(&two.path().join("llmcfg.db"), two.path(), MASTER_HEX).await;
    let key = ApiKey::new(KEY_ONE);
    let (fa, fb) = (
        a.key_fingerprint(&key).await.unwrap(),
        b.key_fingerprint(&key).await.unwrap(),
    );
    assert_ne!(fa, fb, "same master key, different fingerprint keys");
    assert_ne!(fa, llmcfg::crypto::fingerprint(&key));
    // The key as a create stores it: trimmed, and refused where a create is.
    let padded = a
        .key_fingerprint(&ApiKey::new(format!("  {KEY_ONE}\n")))
        .await;
    assert_eq!(padded.unwrap(), fa);
    let bad = a.key_fingerprint(&ApiKey::new("sk-\u{7}bell")).await;
    assert!(matches!(
        bad,
        Err(llmcfg::service::ServiceError::Invalid(_))
    ));
}

//! Lifecycle facts in the store, on both engines: a monitor result's facts
//! land on the scope's last test (so every view of it shows them) only
//! when that test was of the same provider and model, and a result without
//! facts leaves them alone; the key endpoints' answers are kept per key
//! fingerprint and provider and replaced by a newer one.

#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::path::{Path, PathBuf};

use llmcfg::crypto::MasterKey;
use llmcfg::domain::{
    ApiKey, ConfigFields, Credit, FactSource, HealthCheck, HealthPolicy, HealthRetention,
    InstanceId, KeyFacts, KeyFactsRecord, Lifecycle, Retirement, Scope, TestResult, TestStatus,
};
use llmcfg::store::{AuditRecord, ConfigRow, Store, rows_now};
use time::macros::date;

const KEY: &str = "sk-ant-api03-Zq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5QsUe";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_lifecycle_facts() {
    let dir = tempfile::tempdir().unwrap();
    suite(&dir.path().join("llmcfg.db")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn postgres_lifecycle_facts() {
    let db = pg_cluster::fresh_db();
    suite(&PathBuf::from(&db.url)).await;
}

fn retiring(model: &str) -> Lifecycle {
    Lifecycle {
        retirement: Some(
            Retirement::new(model, date!(2027 - 03 - 01), FactSource::Api)
                .with_successor("claude-next"),
        ),
        ..Lifecycle::default()
    }
}

async fn suite(location: &Path) {
    let store = Store::open(location).await.unwrap();
    let scope = Scope::Instance(InstanceId::parse("acme").unwrap());
    let row = ConfigRow::seal_new(
        &scope,
        ConfigFields::new("anthropic", "claude"),
        &ApiKey::new(KEY),
        &MasterKey::generate(),
        &llmcfg::crypto::Fingerprinter::generate(),
    );
    store
        .insert(row, AuditRecord::new("t", &scope, "create".into()))
        .await
        .unwrap();
    let tested = TestResult::new("anthropic", "claude", TestStatus::Ok, "ok", 5, rows_now());
    store
        .record_test(&scope, tested, AuditRecord::new("t", &scope, "test".into()))
        .await
        .unwrap();
    let last_facts = |store: Store| async move {
        let list = store.list_instances().await.unwrap();
        let s = list
            .into_iter()
            .find(|s| s.instance_id.as_deref() == Some("acme"))
            .unwrap();
        s.last_test.unwrap().lifecycle.map(|l| *l)
    };
    assert_eq!(last_facts(store.clone()).await, None);

    let record = |store: Store, check: HealthCheck| async move {
        store
            .record_health(
                vec![check],
                HealthPolicy::default(),
                HealthRetention::default(),
            )
            .await
            .unwrap();
    };
    let check = |model: &str, lifecycle: Option<Lifecycle>| HealthCheck {
        lifecycle: lifecycle.map(Box::new),
        ..HealthCheck::new(&scope, "anthropic", model, TestStatus::Ok, rows_now())
    };
    // The monitor's facts reach the last test.
    record(store.clone(), check("claude", Some(retiring("claude")))).await;
    assert_eq!(last_facts(store.clone()).await, Some(retiring("claude")));
    // A result with no facts (a rate limit, say) keeps them.
    record(store.clone(), check("claude", None)).await;
    assert_eq!(last_facts(store.clone()).await, Some(retiring("claude")));
    // Facts of another model never land on this model's test.
    record(store.clone(), check("other", Some(retiring("other")))).await;
    assert_eq!(last_facts(store.clone()).await, Some(retiring("claude")));
    // A scope never tested: the monitor's result with facts becomes its
    // last test (success only for ok, as every result).
    let untested = Scope::Instance(InstanceId::parse("beta").unwrap());
    let row = ConfigRow::seal_new(
        &untested,
        ConfigFields::new("anthropic", "claude"),
        &ApiKey::new(KEY),
        &MasterKey::generate(),
        &llmcfg::crypto::Fingerprinter::generate(),
    );
    store
        .insert(row, AuditRecord::new("t", &untested, "create".into()))
        .await
        .unwrap();
    let first_check = HealthCheck {
        lifecycle: Some(Box::new(retiring("claude"))),
        ..HealthCheck::new(&untested, "anthropic", "claude", TestStatus::Ok, rows_now())
    };
    record(store.clone(), first_check).await;
    let list = store.list_instances().await.unwrap();
    let beta = list
        .iter()
        .find(|s| s.instance_id.as_deref() == Some("beta"))
        .and_then(|s| s.last_test.clone())
        .expect("the monitor's result is the last test");
    assert!(beta.success);
    assert_eq!(beta.status, TestStatus::Ok);
    assert_eq!(beta.lifecycle.map(|l| *l), Some(retiring("claude")));

    // The key endpoints' answers, per key and provider.
    assert_eq!(store.key_facts("hmac:1", "xai").await.unwrap(), None);
    let first = KeyFactsRecord {
        fetched_at: rows_now(),
        facts: KeyFacts {
            credit: Some(Credit {
                remaining: Some(12.5),
                currency: Some("USD".into()),
                ..Credit::default()
            }),
            models_allowed: Some(vec!["grok-3".into()]),
            ..KeyFacts::default()
        },
    };
    store
        .save_key_facts("hmac:1", "xai", first.clone())
        .await
        .unwrap();
    assert_eq!(
        store.key_facts("hmac:1", "xai").await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.key_facts("hmac:1", "deepseek").await.unwrap(), None);
    assert_eq!(store.key_facts("hmac:2", "xai").await.unwrap(), None);
    let newer = KeyFactsRecord {
        fetched_at: first.fetched_at + time::Duration::days(1),
        facts: KeyFacts {
            blocked_by: Some("team_blocked".into()),
            ..KeyFacts::default()
        },
    };
    store
        .save_key_facts("hmac:1", "xai", newer.clone())
        .await
        .unwrap();
    assert_eq!(
        store.key_facts("hmac:1", "xai").await.unwrap(),
        Some(newer.clone())
    );

    // A save drops the answers too old to be reused (a key rotated away
    // leaves none behind) and keeps the ones still in their day.
    let at = |age: time::Duration| KeyFactsRecord {
        fetched_at: newer.fetched_at - age,
        facts: KeyFacts::default(),
    };
    let gone = at(time::Duration::hours(25));
    let kept = at(time::Duration::hours(23));
    for (fingerprint, record) in [("hmac:gone", &gone), ("hmac:kept", &kept)] {
        store
            .save_key_facts(fingerprint, "deepseek", record.clone())
            .await
            .unwrap();
    }
    assert_eq!(
        store.key_facts("hmac:gone", "deepseek").await.unwrap(),
        Some(gone),
        "an answer is kept until a save finds it stale"
    );
    store
        .save_key_facts("hmac:1", "xai", newer.clone())
        .await
        .unwrap();
    assert_eq!(
        store.key_facts("hmac:gone", "deepseek").await.unwrap(),
        None
    );
    assert_eq!(
        store.key_facts("hmac:kept", "deepseek").await.unwrap(),
        Some(kept)
    );
    assert_eq!(store.key_facts("hmac:1", "xai").await.unwrap(), Some(newer));
}

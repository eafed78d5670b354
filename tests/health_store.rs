//! The health history on both engines: results land in the history table
//! and never in the audit log, each scope's state follows the rule of
//! `domain::health` inside the store's transaction, retention by count and
//! by age prunes, a deleted config's results are dropped, the health mark
//! moves, only the states changed since a health mark come back from
//! `health_states_after`, and the monitor lease admits one holder and one
//! run per round.

#[path = "support/pg_cluster.rs"]
mod pg_cluster;

use std::path::{Path, PathBuf};

use llmcfg::crypto::MasterKey;
use llmcfg::domain::{
    ApiKey, ConfigFields, HealthCheck, HealthPolicy, HealthRetention, HealthState, InstanceId,
    Scope, TestStatus,
};
use llmcfg::store::{AuditRecord, ConfigRow, SampleQuery, Store, rows_now};
use time::OffsetDateTime;

const KEY: &str = "sk-ant-api03-Zq8vN2xKp4Lm7Rt1Yw9Bc3Df6Gh0Jk5QsUe";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_health_history() {
    let dir = tempfile::tempdir().unwrap();
    suite(&dir.path().join("llmcfg.db")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn postgres_health_history() {
    let db = pg_cluster::fresh_db();
    suite(&PathBuf::from(&db.url)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_states_changed_since_a_mark() {
    let dir = tempfile::tempdir().unwrap();
    changes_suite(&dir.path().join("llmcfg.db")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llmcfg_test_postgres),
    ignore = "needs a PostgreSQL server: set LLMCFG_TEST_POSTGRES=1 (docs/src/testing.md)"
)]
async fn postgres_states_changed_since_a_mark() {
    let db = pg_cluster::fresh_db();
    changes_suite(&PathBuf::from(&db.url)).await;
}

fn tenant(id: &str) -> Scope {
    Scope::Instance(InstanceId::parse(id).unwrap())
}

fn check(scope: &Scope, status: TestStatus, at: OffsetDateTime) -> HealthCheck {
    HealthCheck {
        http_status: Some(if status == TestStatus::Ok { 200 } else { 401 }),
        latency_ms: 42,
        message: "msg".into(),
        ..HealthCheck::new(scope, "anthropic", "claude", status, at)
    }
}

async fn create(store: &Store, master: &MasterKey, scope: &Scope) {
    let row = ConfigRow::seal_new(
        scope,
        ConfigFields::new("anthropic", "claude"),
        &ApiKey::new(KEY),
        master,
        &llmcfg::crypto::Fingerprinter::generate(),
    );
    store
        .insert(row, AuditRecord::new("t", scope, "create".into()))
        .await
        .unwrap();
}

async fn suite(location: &Path) {
    let store = Store::open(location).await.unwrap();
    let master = MasterKey::generate();
    let a = tenant("acme");
    let b = tenant("beta");
    create(&store, &master, &a).await;
    create(&store, &master, &b).await;
    let audit_before = store.audit(None, 1000).await.unwrap().len();
    let mark0 = store.health_mark().await.unwrap();
    let policy = HealthPolicy::default();
    let keep = HealthRetention {
        days: 30,
        per_scope: 3,
    };
    let now = rows_now();

    // ok, then two conclusive failures: unknown → healthy → failing.
    let t = store
        .record_health(vec![check(&a, TestStatus::Ok, now)], policy, keep)
        .await
        .unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].from, t[0].to),
        (HealthState::Unknown, HealthState::Healthy)
    );
    let t = store
        .record_health(
            vec![
                check(&a, TestStatus::InvalidKey, now),
                check(&a, TestStatus::RateLimited, now),
                check(&b, TestStatus::Ok, now),
            ],
            policy,
            keep,
        )
        .await
        .unwrap();
    assert_eq!(t.len(), 1, "b's first ok; a has one conclusive failure");
    assert_eq!(t[0].check.scope, b);
    let t = store
        .record_health(vec![check(&a, TestStatus::InvalidKey, now)], policy, keep)
        .await
        .unwrap();
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].from, t[0].to),
        (HealthState::Healthy, HealthState::Failing)
    );
    assert!(t[0].alerts());

    let states = store.health_states().await.unwrap();
    let sa = states.iter().find(|s| s.scope == a).unwrap();
    assert_eq!(sa.state, HealthState::Failing);
    assert_eq!(sa.failures, 2);
    assert_eq!(sa.last_ok, Some(now));
    assert_eq!(sa.last_status, Some(TestStatus::InvalidKey));

    // Nothing went to the audit log; the health mark moved.
    assert_eq!(store.audit(None, 1000).await.unwrap().len(), audit_before);
    assert!(store.health_mark().await.unwrap() > mark0);

    // Retention by count: a has had 4 results, keeps the newest 3.
    let newest = store
        .health_samples(SampleQuery::Newest {
            scope: a.clone(),
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(newest.len(), 3);
    assert_eq!(newest[0].status, TestStatus::InvalidKey);
    assert_eq!(newest[0].http_status, Some(401));
    assert_eq!(newest[0].latency_ms, 42);
    assert_eq!(newest[1].status, TestStatus::RateLimited);

    // Retention by age: a result older than `days` goes when the next lands.
    let old = now - time::Duration::days(40);
    let c = tenant("gamma");
    create(&store, &master, &c).await;
    store
        .record_health(vec![check(&c, TestStatus::Ok, old)], policy, keep)
        .await
        .unwrap();
    store
        .record_health(vec![check(&c, TestStatus::Ok, now)], policy, keep)
        .await
        .unwrap();
    let of_c = store
        .health_samples(SampleQuery::Newest {
            scope: c.clone(),
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(of_c.len(), 1, "the 40-day-old result was pruned");
    assert_eq!(of_c[0].checked_at, now);
    let since = store
        .health_samples(SampleQuery::Since(now - time::Duration::hours(1)))
        .await
        .unwrap();
    assert_eq!(since.len(), 3 + 1 + 1);

    // A deleted config's results are dropped; re-created, it starts unknown.
    store
        .delete(&a, AuditRecord::new("t", &a, "delete".into()))
        .await
        .unwrap();
    let t = store
        .record_health(vec![check(&a, TestStatus::Ok, now)], policy, keep)
        .await
        .unwrap();
    assert!(t.is_empty());
    create(&store, &master, &a).await;
    let t = store
        .record_health(vec![check(&a, TestStatus::InvalidKey, now)], policy, keep)
        .await
        .unwrap();
    assert!(t.is_empty(), "one failure of a new config: still unknown");
    let t = store
        .record_health(vec![check(&a, TestStatus::InvalidKey, now)], policy, keep)
        .await
        .unwrap();
    assert_eq!(
        (t[0].from, t[0].to),
        (HealthState::Unknown, HealthState::Failing)
    );

    // The lease: one holder at a time, taken over once expired; a round
    // is claimed once, even by a new holder.
    assert!(store.take_lease("r1", 1_000, 11_000).await.unwrap());
    assert!(!store.take_lease("r2", 2_000, 12_000).await.unwrap());
    assert!(
        store.take_lease("r1", 5_000, 15_000).await.unwrap(),
        "renewed"
    );
    assert!(store.claim_round("r1", 7, 5_000).await.unwrap());
    assert!(!store.claim_round("r1", 7, 5_001).await.unwrap());
    assert!(
        !store.claim_round("r2", 8, 5_001).await.unwrap(),
        "not the holder"
    );
    assert!(
        store.take_lease("r2", 15_001, 25_001).await.unwrap(),
        "expired: taken over"
    );
    assert!(
        !store.claim_round("r2", 7, 15_002).await.unwrap(),
        "round 7 already ran"
    );
    assert!(store.claim_round("r2", 8, 15_002).await.unwrap());
    store.release_lease("r2").await.unwrap();
    assert!(
        store.take_lease("r1", 15_003, 25_003).await.unwrap(),
        "released"
    );
}

/// `health_states_after(mark)` returns exactly the states of the scopes
/// with a result newer than `mark`, each as the state table has it now.
async fn changes_suite(location: &Path) {
    let store = Store::open(location).await.unwrap();
    let master = MasterKey::generate();
    let (a, b, c) = (tenant("acme"), tenant("beta"), tenant("gamma"));
    for scope in [&a, &b, &c] {
        create(&store, &master, scope).await;
    }
    let policy = HealthPolicy::default();
    let keep = HealthRetention::default();
    let now = rows_now();
    assert!(store.health_states_after(0).await.unwrap().is_empty());
    let all = [&a, &b, &c].map(|s| check(s, TestStatus::Ok, now));
    store
        .record_health(all.to_vec(), policy, keep)
        .await
        .unwrap();
    let first = store.health_mark().await.unwrap();
    let mut every: Vec<_> = store
        .health_states_after(0)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.scope)
        .collect();
    every.sort_by_key(|s| s.key().to_string());
    assert_eq!(every, vec![a.clone(), b.clone(), c.clone()]);
    assert!(
        store.health_states_after(first).await.unwrap().is_empty(),
        "nothing newer than the current mark"
    );

    // Two failures of b (one state, however many results) and an ok of c
    // in separate batches: only b and c come back, b failing.
    for batch in [
        vec![check(&b, TestStatus::InvalidKey, now)],
        vec![
            check(&b, TestStatus::InvalidKey, now),
            check(&c, TestStatus::Ok, now),
        ],
    ] {
        store.record_health(batch, policy, keep).await.unwrap();
    }
    let mut changed = store.health_states_after(first).await.unwrap();
    changed.sort_by_key(|s| s.scope.key().to_string());
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert_eq!(changed[0].scope, b);
    assert_eq!(changed[0].state, HealthState::Failing);
    assert_eq!(changed[0].failures, 2);
    assert_eq!(changed[1].scope, c);
    assert_eq!(changed[1].state, HealthState::Healthy);
    let second = store.health_mark().await.unwrap();
    assert!(second > first);
    assert!(store.health_states_after(second).await.unwrap().is_empty());

    // A deleted config's result is dropped: the mark does not move, and
    // nothing comes back for it.
    store
        .delete(&a, AuditRecord::new("t", &a, "delete".into()))
        .await
        .unwrap();
    store
        .record_health(vec![check(&a, TestStatus::Ok, now)], policy, keep)
        .await
        .unwrap();
    assert_eq!(store.health_mark().await.unwrap(), second);
    assert!(store.health_states_after(second).await.unwrap().is_empty());
}

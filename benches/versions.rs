//! Versions and key-map benchmarks (targets in docs/benchmarks.md, on the 2-core
//! machine): `keys` (the key-usage map through the handle) over 100,000
//! scopes ≤ 200 ms; `history` of one scope ≤ 5 ms.
//!
//! The 100,000 scopes are copied in SQL from one config written through the
//! handle (1,000 distinct fingerprints, a last test on every tenth scope):
//! the map reads masks and fingerprints only, never opens a key, so the
//! copies' sealed bytes need not open.

#[path = "../tests/support/local_service.rs"]
mod local_service;

use criterion::{Criterion, criterion_group, criterion_main};
use llmcfg::domain::{ApiKey, ConfigPatch, NewConfig, Scope};
use local_service::{TEST_MASTER_HEX, open_sqlite};

const KEY: &str = "sk-ant-api03-benchmarkbenchmarkbenchmarkXXXX";
const SCOPES: usize = 100_000;

/// Copies the control plane's config to `SCOPES` tenants in one transaction.
fn fill(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < {last})
         INSERT INTO configs (id, scope, provider, model, base_url, sealed_key, api_key_masked,
                              key_fingerprint, created_at, updated_at)
         SELECT printf('00000000-0000-7000-8000-%012d', x), printf('tenant-%06d', x),
                c.provider, c.model, c.base_url, c.sealed_key, c.api_key_masked,
                printf('hmac:%032x', x % 1000), c.created_at, c.updated_at
         FROM n, configs c WHERE c.scope = '';
         INSERT INTO last_tests (scope, success, provider, model, status, message, latency_ms, checked_at)
         SELECT scope, 1, provider, model, 'ok', 'Connection successful', 120, updated_at
         FROM configs WHERE scope LIKE '%0';
         COMMIT;",
        last = SCOPES - 1
    ))
    .unwrap();
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("llmcfg.db");
    let handle = rt.block_on(open_sqlite(&db, TEST_MASTER_HEX));
    rt.block_on(handle.create(
        &Scope::Global,
        NewConfig::new("anthropic", "claude-sonnet-4-5", ApiKey::new(KEY)),
    ))
    .unwrap();
    // Ten versions of the control plane: a full default history.
    for i in 0..9 {
        let patch = ConfigPatch {
            model: Some(format!("model-{i}")),
            ..Default::default()
        };
        rt.block_on(handle.update(&Scope::Global, patch)).unwrap();
    }
    fill(&db);

    let mut group = c.benchmark_group("versions");
    group.sample_size(20);
    group.bench_function("keys over 100,000 scopes", |b| {
        b.to_async(&rt).iter(|| async {
            let map = handle.key_map().await.unwrap();
            assert_eq!(map.len(), 1_001);
            map
        })
    });
    group.finish();

    c.bench_function("history of a scope (10 versions)", |b| {
        b.to_async(&rt).iter(|| async {
            let h = handle.history(Some(&Scope::Global), 100).await.unwrap();
            assert_eq!(h.len(), 10);
            h
        })
    });
}

criterion_group!(versions, benches);
criterion_main!(versions);

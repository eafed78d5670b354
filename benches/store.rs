//! Store and service benchmarks (targets in docs/benchmarks.md, on the 2-core machine):
//! `get` through the handle ≤ 50 µs median; `create`/`update` (sealing plus a
//! durable commit) ≤ 5 ms median; listing 10,000 instances ≤ 20 ms; and
//! 1,000 updates one at a time against 1,000 at once (group commit).

#[path = "../tests/support/local_service.rs"]
mod local_service;

use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::future;
use llmcfg::domain::{ApiKey, ConfigPatch, InstanceId, NewConfig, Scope};
use local_service::open_in_dir;

const KEY: &str = "sk-ant-api03-benchmarkbenchmarkbenchmarkXXXX";

fn new_config(model: &str) -> NewConfig {
    NewConfig::new("anthropic", model, ApiKey::new(KEY))
}

fn scope(i: usize) -> Scope {
    Scope::Instance(InstanceId::parse(&format!("tenant-{i:06}")).unwrap())
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let handle = rt.block_on(open_in_dir(dir.path()));
    rt.block_on(handle.create(&Scope::Global, new_config("claude-sonnet-4-5")))
        .unwrap();

    c.bench_function("get through the handle", |b| {
        b.to_async(&rt)
            .iter(|| async { handle.get(&Scope::Global).await.unwrap() })
    });

    let next = AtomicUsize::new(0);
    c.bench_function("create (seal + durable commit)", |b| {
        b.to_async(&rt).iter(|| async {
            let i = next.fetch_add(1, Ordering::Relaxed);
            handle
                .create(&scope(1_000_000 + i), new_config("m"))
                .await
                .unwrap()
        })
    });

    let flip = AtomicUsize::new(0);
    c.bench_function("update model (durable commit)", |b| {
        b.to_async(&rt).iter(|| async {
            let i = flip.fetch_add(1, Ordering::Relaxed);
            let patch = ConfigPatch {
                model: Some(format!("model-{i}")),
                ..Default::default()
            };
            handle.update(&Scope::Global, patch).await.unwrap()
        })
    });

    c.bench_function("update key (re-seal + durable commit)", |b| {
        b.to_async(&rt).iter(|| async {
            let patch = ConfigPatch {
                api_key: Some(ApiKey::new(KEY)),
                ..Default::default()
            };
            handle.update(&Scope::Global, patch).await.unwrap()
        })
    });

    // 1,000 updates of 1,000 scopes: one after another (each its own
    // durable commit, which is what every write cost before group commit),
    // and all at once (the writer group-commits what is queued).
    let dir1k = tempfile::tempdir().unwrap();
    let handle1k = rt.block_on(open_in_dir(dir1k.path()));
    let scopes: Vec<Scope> = (0..1_000).map(scope).collect();
    rt.block_on(future::join_all(
        scopes.iter().map(|s| handle1k.create(s, new_config("m"))),
    ))
    .into_iter()
    .for_each(|r| drop(r.unwrap()));
    let round = AtomicUsize::new(0);
    let patch = |round: usize, i: usize| ConfigPatch {
        model: Some(format!("r{round}-{i}")),
        ..Default::default()
    };
    let mut group = c.benchmark_group("updates");
    group.sample_size(10);
    group.bench_function("1,000 updates one at a time", |b| {
        b.to_async(&rt).iter(|| async {
            let r = round.fetch_add(1, Ordering::Relaxed);
            for (i, s) in scopes.iter().enumerate() {
                handle1k.update(s, patch(r, i)).await.unwrap();
            }
        })
    });
    group.bench_function("1,000 concurrent updates", |b| {
        b.to_async(&rt).iter(|| async {
            let r = round.fetch_add(1, Ordering::Relaxed);
            let all = (scopes.iter().enumerate()).map(|(i, s)| handle1k.update(s, patch(r, i)));
            for result in future::join_all(all).await {
                result.unwrap();
            }
        })
    });
    group.finish();
    drop(handle1k);

    // A separate store with exactly 10,000 configured instances.
    let dir10k = tempfile::tempdir().unwrap();
    let handle10k = rt.block_on(open_in_dir(dir10k.path()));
    rt.block_on(async {
        for i in 0..10_000 {
            handle10k.create(&scope(i), new_config("m")).await.unwrap();
        }
    });
    let mut group = c.benchmark_group("list");
    group.sample_size(30);
    group.bench_function("list 10,000 instances", |b| {
        b.to_async(&rt).iter(|| async {
            let list = handle10k.list_instances().await.unwrap();
            assert_eq!(list.len(), 10_001);
            list
        })
    });
    group.finish();
}

criterion_group!(store, benches);
criterion_main!(store);

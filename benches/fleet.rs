//! Fleet benchmarks (targets in docs/benchmarks.md, on the 2-core machine): plan of
//! 10,000 scopes against the local store ≤ 1 s; export of 100,000 scopes
//! ≤ 2 s; apply of 1,000 model changes ≤ 2 s (no `--test`). Each runs the
//! same pipeline as the CLI — file read, parse, resolve, state read through
//! the `ServiceHandle`, plan, and for apply the stale-plan check and one
//! durable write per scope, or one transaction for all with `--atomic`.

#[path = "../tests/support/local_service.rs"]
mod local_service;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Scope};
use llmcfg::fleet::apply::{ApplyOptions, apply};
use llmcfg::fleet::pipeline::plan_path;
use llmcfg::fleet::plan::KeyCheck;
use llmcfg::fleet::{PlanOptions, SourceFile, current, export};
use llmcfg::service::ServiceHandle;
use local_service::open_in_dir;

const KEY: &str = "sk-ant-api03-benchmarkbenchmarkbenchmarkXXXX";
const PLAN: PlanOptions = PlanOptions {
    prune: false,
    keys: KeyCheck::Resolve,
};

fn id(i: usize) -> String {
    format!("tenant-{i:06}")
}

/// A store with `n` anthropic scopes on model `m`, all with [`KEY`].
fn populated(n: usize, rt: &tokio::runtime::Runtime) -> (tempfile::TempDir, ServiceHandle) {
    let dir = tempfile::tempdir().unwrap();
    let handle = rt.block_on(open_in_dir(dir.path()));
    rt.block_on(
        futures_util::stream::iter(0..n)
            .map(|i| {
                let handle = handle.clone();
                async move {
                    let scope = Scope::Instance(InstanceId::parse(&id(i)).unwrap());
                    let config = NewConfig::new("anthropic", "m", ApiKey::new(KEY));
                    handle.create(&scope, config).await.unwrap();
                }
            })
            .buffer_unordered(32)
            .collect::<Vec<()>>(),
    );
    (dir, handle)
}

/// A fleet file of `n` scopes whose model is `model(i)`, keys from a 0600 file.
fn fleet_file(dir: &Path, name: &str, n: usize, model: impl Fn(usize) -> &'static str) -> PathBuf {
    let key = dir.join("bench.key");
    std::fs::write(&key, KEY).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut text = String::from(
        "[defaults]\nprovider = \"anthropic\"\nmodel = \"m\"\napi_key_file = \"bench.key\"\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "[instances.{}]\nmodel = \"{}\"\n",
            id(i),
            model(i)
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("fleet");
    group.sample_size(10);

    let (dir10k, handle10k) = populated(10_000, &rt);
    let half = fleet_file(dir10k.path(), "fleet.toml", 10_000, |i| {
        if i % 2 == 0 { "m" } else { "m2" }
    });
    group.bench_function("plan 10,000 scopes", |b| {
        b.to_async(&rt).iter(|| async {
            let (_, plan) = plan_path(&handle10k, &half, PLAN).await.unwrap();
            assert_eq!(plan.summary.update, 5_000);
            plan
        })
    });
    drop(handle10k);

    let (dir1k, handle1k) = populated(1_000, &rt);
    let files = [
        fleet_file(dir1k.path(), "a.toml", 1_000, |_| "a"),
        fleet_file(dir1k.path(), "b.toml", 1_000, |_| "b"),
    ];
    let next = AtomicUsize::new(0);
    group.bench_function("apply 1,000 model changes", |b| {
        b.to_async(&rt).iter(|| async {
            let path = &files[next.fetch_add(1, Ordering::Relaxed) % 2];
            let (file, plan) = plan_path(&handle1k, path, PLAN).await.unwrap();
            let source: &SourceFile = &file.source;
            let report = apply(&handle1k, plan, source, ApplyOptions::default())
                .await
                .unwrap();
            assert_eq!(report.applied, 1_000);
            report
        })
    });
    let atomic = ApplyOptions {
        test: false,
        atomic: true,
    };
    group.bench_function("apply 1,000 model changes --atomic", |b| {
        b.to_async(&rt).iter(|| async {
            let path = &files[next.fetch_add(1, Ordering::Relaxed) % 2];
            let (file, plan) = plan_path(&handle1k, path, PLAN).await.unwrap();
            let report = apply(&handle1k, plan, &file.source, atomic).await.unwrap();
            assert_eq!(report.applied, 1_000);
            report
        })
    });
    drop(handle1k);

    let (_dir100k, handle100k) = populated(100_000, &rt);
    group.bench_function("export 100,000 scopes", |b| {
        b.to_async(&rt).iter(|| async {
            let state = current::read(&handle100k).await.unwrap();
            let text = export::to_toml(&export::build(&state)).unwrap();
            assert!(text.len() > 100_000 * 50);
            text
        })
    });
    group.finish();
}

criterion_group!(fleet, benches);
criterion_main!(fleet);

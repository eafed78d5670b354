//! Connection-test throughput and overhead against a loopback fake provider
//! (figures in `docs/benchmarks.md`, "Connection tests"):
//! - `test_all/1000_scopes_c32_100ms`: `test_all` through the service handle
//!   over 1,000 stored scopes, concurrency 32, provider answering after
//!   100 ms — includes decrypting each key and recording each result in
//!   SQLite (target ≤ 4 s; ideal 3.2 s);
//! - `single_test/*`: one `Prober::test` against a provider answering at
//!   once, and after 100 ms; the per-test overhead is the median minus the
//!   provider's latency (target ≤ 2 ms).

#[path = "../tests/support/fake_provider.rs"]
mod fake_provider;
#[path = "../tests/support/local_service.rs"]
mod local_service;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::ConfigFields;
use llmcfg::domain::{ApiKey, Catalog};
use llmcfg::prober::{ProbeSettings, ProbeTarget, Prober};
use llmcfg::service::jobs::{JobEvent, JobRow, JobSpec, RowOutcome};

const KEY: &str = "sk-proj-bench-0123456789abcdefghijklmnopqrstuvwxyz";
const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const SCOPES: usize = 1_000;
const CONCURRENCY: usize = 32;
const PROVIDER_LATENCY: Duration = Duration::from_millis(100);

fn test_all(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (fake, handle) = rt.block_on(async {
        let fake = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
        fake.configure(|c| c.delay = PROVIDER_LATENCY);
        let handle = local_service::open_sqlite(&dir.path().join("llmcfg.db"), MASTER_HEX).await;
        for i in 0..SCOPES {
            let scope = local_service::tenant(&format!("tenant-{i:04}"));
            local_service::create_openai(&handle, &scope, KEY, fake.base_url()).await;
        }
        (fake, handle)
    });
    let mut group = c.benchmark_group("test_all");
    group.sample_size(10).warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(40));
    group.bench_function("1000_scopes_c32_100ms", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let started = Instant::now();
                for _ in 0..iters {
                    let spec = JobSpec::TestAll {
                        concurrency: CONCURRENCY,
                    };
                    let mut rx = handle.start_job(spec).await.unwrap().events;
                    let mut ok = 0;
                    while let Some(ev) = rx.recv().await {
                        if let JobEvent::Row(JobRow {
                            outcome: RowOutcome::Tested { result },
                            ..
                        }) = ev
                        {
                            ok += usize::from(result.success);
                        }
                    }
                    assert_eq!(ok, SCOPES);
                }
                started.elapsed()
            })
        })
    });
    group.finish();
    assert!(fake.max_in_flight() <= CONCURRENCY);
}

fn single_test(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let spec = Catalog::builtin().get("openai").unwrap();
    let key = ApiKey::new(KEY);
    let prober = Prober::new(ProbeSettings::default());
    let mut group = c.benchmark_group("single_test");
    for (name, delay) in [("instant", Duration::ZERO), ("100ms", PROVIDER_LATENCY)] {
        let fake = rt.block_on(FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]));
        fake.configure(|c| c.delay = delay);
        let base = fake.base_url();
        if !delay.is_zero() {
            group
                .sample_size(30)
                .measurement_time(Duration::from_secs(5));
        }
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                rt.block_on(async {
                    let fields = ConfigFields::new(&spec.id, "gpt-4o").with("base_url", &base);
                    let started = Instant::now();
                    for _ in 0..iters {
                        let target = ProbeTarget::new(spec, &fields, &key);
                        let o = prober.test(target).await;
                        assert_eq!(o.status, llmcfg::domain::TestStatus::Ok);
                    }
                    started.elapsed()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, single_test, test_all);
criterion_main!(benches);

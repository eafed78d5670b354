//! Fleet key rotation bench: 10,000 scopes sharing one key, a
//! fake OpenAI on 127.0.0.1 answering each test after 100 ms, concurrency
//! 64, through `ServiceHandle::rotate_key` on a real SQLite file. Targets:
//! ≤ 17 s end to end (the ideal is 10,000 / 64 × 100 ms = 15.6 s), of which
//! the swap phase ≤ 1 s.
//!
//! Two criterion measurements of the same rotations, ten samples each of
//! one rotation (a rotation is ~17 s, so flat sampling, one per sample):
//! `end to end` is the whole `rotate_key` call; `swap phase` is the part of
//! it after the last test, as the rotation's own report times it
//! (`swap_ms`, which criterion takes through `iter_custom`). Each rotation
//! swaps every scope from the key it is on to the other one, so every
//! sample does the same work. `BENCH_SCOPES` changes the fleet size. Run
//! with `cargo bench --bench rotation` (about seven minutes).

#[path = "../tests/support/fake_provider.rs"]
mod fake_provider;
#[path = "../tests/support/local_service.rs"]
mod local_service;

use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Scope};
use llmcfg::service::rotation::{OldKey, RotationRequest, ScopeOutcome, SwapMode};
use llmcfg::service::{BatchItem, ScopeWrite, ServiceHandle};
use local_service::open_in_dir;
use tokio::sync::Mutex;

const KEY_A: &str = "sk-proj-rotation-bench-AAAAAAAAAAAAAAAAAAAAAA";
const KEY_B: &str = "sk-proj-rotation-bench-BBBBBBBBBBBBBBBBBBBBBB";
const CONCURRENCY: usize = 64;
const PROVIDER_LATENCY: Duration = Duration::from_millis(100);

/// How long one rotation took, whole and after its tests.
struct Timing {
    total: Duration,
    swap: Duration,
}

/// The fleet and which key it is on now.
struct Fleet {
    handle: ServiceHandle,
    scopes: usize,
    on_a: Mutex<bool>,
}

impl Fleet {
    /// Rotates every scope to the key it is not on.
    async fn rotate(&self) -> Timing {
        let mut on_a = self.on_a.lock().await;
        let (from, to) = if *on_a {
            (KEY_A, KEY_B)
        } else {
            (KEY_B, KEY_A)
        };
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let started = Instant::now();
        let report = self
            .handle
            .rotate_key(
                RotationRequest {
                    old: OldKey::Key(ApiKey::new(from)),
                    new_key: ApiKey::new(to),
                    mode: SwapMode::Passed,
                    concurrency: CONCURRENCY,
                },
                tx,
            )
            .await
            .expect("rotation");
        let total = started.elapsed();
        let _ = drain.await;
        let swapped = report
            .scopes
            .iter()
            .filter(|s| s.outcome == ScopeOutcome::Swapped)
            .count();
        assert_eq!(swapped, self.scopes, "every scope swapped");
        *on_a = !*on_a;
        eprintln!(
            "rotation of {} scopes: end to end {:.2} s (test phase {:.2} s, swap phase {:.2} s)",
            self.scopes,
            total.as_secs_f64(),
            report.test_ms as f64 / 1000.0,
            report.swap_ms as f64 / 1000.0,
        );
        Timing {
            total,
            swap: Duration::from_millis(report.swap_ms),
        }
    }
}

fn benches(c: &mut Criterion) {
    let scopes: usize = std::env::var("BENCH_SCOPES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (fake, fleet) = rt.block_on(async {
        let fake = FakeProvider::start(Flavor::OpenAi, &[KEY_A, KEY_B], &["gpt-4o"]).await;
        fake.configure(|c| c.delay = PROVIDER_LATENCY);
        let handle = open_in_dir(dir.path()).await;
        let items = (0..scopes)
            .map(|i| BatchItem {
                scope: Scope::Instance(InstanceId::parse(&format!("tenant-{i:05}")).unwrap()),
                write: ScopeWrite::Create(
                    NewConfig::new("openai", "gpt-4o", ApiKey::new(KEY_A))
                        .with_base_url(&fake.base_url()),
                ),
                expected: None,
            })
            .collect();
        handle
            .admin()
            .expect("local")
            .write_batch(items)
            .await
            .expect("fill");
        let fleet = Fleet {
            handle,
            scopes,
            on_a: Mutex::new(true),
        };
        (fake, fleet)
    });

    // Ten samples at the ideal rotation time: criterion then runs one
    // rotation per sample (it would run two if the budget exceeded ten real
    // rotations, and warns that ten take a little longer than the ideal).
    let ideal = PROVIDER_LATENCY.mul_f64(scopes as f64 / CONCURRENCY as f64);
    let mut group = c.benchmark_group(format!("rotation of {scopes} scopes, c{CONCURRENCY}"));
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(ideal * 10);
    let timed = |b: &mut criterion::Bencher, part: fn(&Timing) -> Duration| {
        b.to_async(&rt).iter_custom(|iters| {
            let fleet = &fleet;
            async move {
                let mut sum = Duration::ZERO;
                for _ in 0..iters {
                    sum += part(&fleet.rotate().await);
                }
                sum
            }
        })
    };
    group.bench_function("end to end", |b| timed(b, |t| t.total));
    group.bench_function("swap phase", |b| timed(b, |t| t.swap));
    group.finish();
    assert!(fake.max_in_flight() <= CONCURRENCY);
}

criterion_group!(rotation, benches);
criterion_main!(rotation);

//! Fleet key rotation bench (issue #12): 10,000 scopes sharing one key, a
//! fake OpenAI on 127.0.0.1 answering each test after 100 ms, concurrency
//! 64, through `ServiceHandle::rotate_key` on a real SQLite file. Target:
//! ≤ 17 s end to end (the ideal is 10,000 / 64 × 100 ms = 15.6 s), of which
//! the swap phase ≤ 1 s. Reports the test and swap phases separately.
//!
//! One run is ~17 s, so this is a plain timed run (harness = false), not a
//! criterion sample set: it rotates A → B and then B → A, and prints both.
//! `BENCH_SCOPES` changes the fleet size. Run with
//! `cargo bench --bench rotation`.

#[path = "../tests/support/fake_provider.rs"]
mod fake_provider;
#[path = "../tests/support/local_service.rs"]
mod local_service;

use std::time::{Duration, Instant};

use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Scope};
use llmcfg::service::rotation::{OldKey, RotationRequest, ScopeOutcome, SwapMode};
use llmcfg::service::{BatchItem, ScopeWrite, ServiceHandle};
use local_service::open_in_dir;

const KEY_A: &str = "sk-proj-rotation-bench-AAAAAAAAAAAAAAAAAAAAAA";
const KEY_B: &str = "sk-proj-rotation-bench-BBBBBBBBBBBBBBBBBBBBBB";
const CONCURRENCY: usize = 64;
const PROVIDER_LATENCY: Duration = Duration::from_millis(100);

async fn rotate(handle: &ServiceHandle, from: &str, to: &str, scopes: usize) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let started = Instant::now();
    let report = handle
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
    assert_eq!(swapped, scopes, "every scope swapped");
    println!(
        "rotation of {scopes} scopes, c{CONCURRENCY}, {} ms provider: end to end {:.2} s \
         (test phase {:.2} s, swap phase {:.2} s)",
        PROVIDER_LATENCY.as_millis(),
        total.as_secs_f64(),
        report.test_ms as f64 / 1000.0,
        report.swap_ms as f64 / 1000.0,
    );
}

fn main() {
    let scopes: usize = std::env::var("BENCH_SCOPES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    rt.block_on(async {
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
        rotate(&handle, KEY_A, KEY_B, scopes).await;
        rotate(&handle, KEY_B, KEY_A, scopes).await;
        assert!(fake.max_in_flight() <= CONCURRENCY);
    });
}

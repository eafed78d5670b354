//! The monitor's bounds, on a real store and fake providers: never more
//! tests in flight than `concurrency`, and no more tests a minute to one
//! provider and base URL than `rate_per_minute`, while scopes at another
//! base URL are not held up by that limit.

#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/local_service.rs"]
mod local_service;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fake_provider::{FakeProvider, Flavor};
use llmcfg::domain::HealthState;
use llmcfg::monitor::{Metrics, MonitorSettings};
use local_service::{create_openai, open_sqlite, tenant};
use tokio_util::sync::CancellationToken;

const MASTER_HEX: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const KEY: &str = "sk-proj-limits-0123456789abcdefghijklmnopqrs";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrency_and_rate_limits_hold() {
    let dir = tempfile::tempdir().unwrap();
    // `slow` answers after 200 ms, so tests overlap unless bounded.
    let slow = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    slow.configure(|c| c.delay = Duration::from_millis(200));
    // `limited` is another base URL of the same provider.
    let limited = FakeProvider::start(Flavor::OpenAi, &[KEY], &["gpt-4o"]).await;
    let handle = open_sqlite(&dir.path().join("llmcfg.db"), MASTER_HEX).await;
    let mut slow_scopes = Vec::new();
    for i in 0..12 {
        let scope = tenant(&format!("slow{i}"));
        slow_scopes.push(scope.clone());
        let base = if i < 10 {
            slow.base_url()
        } else {
            limited.base_url()
        };
        create_openai(&handle, &scope, KEY, base).await;
    }
    // concurrency 2; 120 a minute (a burst of 2, then one per 0.5 s) per
    // provider and base URL; a 1 s interval puts all 10 `slow` scopes'
    // slots inside one second.
    let settings: MonitorSettings = toml::from_str(
        "interval_secs = 1.0\nconcurrency = 2\nrate_per_minute = 120\nlease_secs = 3.0",
    )
    .unwrap();
    let access = handle.admin().unwrap().health();
    let stop = CancellationToken::new();
    let started = Instant::now();
    let monitor = tokio::spawn(llmcfg::monitor::run(
        access.clone(),
        settings.config().unwrap(),
        Arc::new(Metrics::new(None)),
        stop.clone(),
    ));
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let states = access.states().await.unwrap();
        let healthy = states
            .iter()
            .filter(|s| s.state == HealthState::Healthy)
            .count();
        if healthy == 12 {
            break;
        }
        assert!(Instant::now() < deadline, "only {healthy} of 12 healthy");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let healed = started.elapsed();
    stop.cancel();
    monitor.await.unwrap();
    // Tests in flight at the stop still finish; count the time they took.
    let elapsed = started.elapsed();
    assert!(
        slow.max_in_flight() <= 2,
        "in flight: {}",
        slow.max_in_flight()
    );
    assert!(slow.max_in_flight() >= 1);
    // The bucket admits 2 at once and then one per 500 ms: an upper bound
    // on requests, whatever the machine's speed.
    let allowed = 2 + (elapsed.as_millis() / 500) as usize + 1;
    assert!(
        slow.requests() <= allowed,
        "{} requests in {elapsed:?} (at most {allowed})",
        slow.requests()
    );
    // Ten scopes at 2 per second take well over a second: the limit was felt.
    assert!(healed >= Duration::from_secs(3), "{healed:?}");
    // The other base URL's two scopes were tested too.
    assert!(limited.requests() >= 2);
}

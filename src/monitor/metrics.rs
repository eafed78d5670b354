//! The monitor's Prometheus metrics, one registry per process: tests run by
//! provider and outcome, the test latency histogram, scopes by state, the
//! monitor's lag, webhook deliveries and failures, whether this process is
//! the leader, and days to each announced model retirement
//! ([`super::retirement_gauge`]). Per-scope series exist only when enabled, and
//! then for at most [`Metrics::scope_limit`] scopes (the cardinality bound;
//! scopes beyond it are counted in `llmcfg_monitor_scope_series_dropped`).
//! Rendered in the text format by [`Metrics::render`] for `GET /metrics`.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use super::retirement_gauge::RetirementGauge;
use crate::domain::{HealthCheck, HealthState, Scope};

/// Default most scopes with series of their own.
pub const DEFAULT_SCOPE_LIMIT: usize = 1000;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TestLabels {
    provider: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabel {
    provider: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabel {
    sink: String,
    result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ScopeLabel {
    scope: String,
}

/// Whether a delivery attempt landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The receiver accepted it.
    Delivered,
    /// This attempt failed; it will be retried.
    Failed,
    /// Every attempt failed; the event was dropped for this sink.
    GaveUp,
}

/// Where an event went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sink {
    /// A webhook.
    Webhook,
    /// The command hook.
    Command,
}

/// The process's monitor metrics; shared by the monitor and the server.
pub struct Metrics {
    registry: Registry,
    tests: Family<TestLabels, Counter>,
    latency: Family<ProviderLabel, Histogram>,
    scopes: Family<StateLabel, Gauge>,
    lag: Gauge<f64, AtomicU64>,
    rounds: Counter,
    deliveries: Family<DeliveryLabel, Counter>,
    leader: Gauge,
    per_scope: Option<PerScope>,
    retirement: RetirementGauge,
}

struct PerScope {
    limit: usize,
    healthy: Family<ScopeLabel, Gauge>,
    latency: Family<ScopeLabel, Gauge<f64, AtomicU64>>,
    seen: Mutex<HashSet<String>>,
    dropped: Counter,
}

impl Metrics {
    /// A registry; `per_scope_limit` turns per-scope series on for at most
    /// that many scopes.
    pub fn new(per_scope_limit: Option<usize>) -> Metrics {
        let mut registry = Registry::default();
        let tests = Family::<TestLabels, Counter>::default();
        registry.register(
            "llmcfg_monitor_tests",
            "Monitor connection tests run, by provider and outcome",
            tests.clone(),
        );
        let latency = Family::<ProviderLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.01, 2.0, 12))
        });
        registry.register(
            "llmcfg_monitor_test_latency_seconds",
            "Latency of monitor connection tests, by provider",
            latency.clone(),
        );
        let scopes = Family::<StateLabel, Gauge>::default();
        registry.register(
            "llmcfg_monitor_scopes",
            "Configured scopes by health state",
            scopes.clone(),
        );
        let lag = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "llmcfg_monitor_lag_seconds",
            "How late the most recent test started against its slot in the round",
            lag.clone(),
        );
        let rounds = Counter::default();
        registry.register(
            "llmcfg_monitor_rounds",
            "Monitor rounds this process ran",
            rounds.clone(),
        );
        let deliveries = Family::<DeliveryLabel, Counter>::default();
        registry.register(
            "llmcfg_monitor_deliveries",
            "Alert delivery attempts, by sink (webhook, command) and result (delivered, failed, gave_up)",
            deliveries.clone(),
        );
        let leader = Gauge::default();
        registry.register(
            "llmcfg_monitor_leader",
            "1 while this process holds the monitor lease",
            leader.clone(),
        );
        let per_scope = per_scope_limit.map(|limit| {
            let healthy = Family::<ScopeLabel, Gauge>::default();
            registry.register(
                "llmcfg_monitor_scope_state",
                "Per scope: 1 healthy, 0 unknown, -1 failing (bounded, see docs)",
                healthy.clone(),
            );
            let latency = Family::<ScopeLabel, Gauge<f64, AtomicU64>>::default();
            registry.register(
                "llmcfg_monitor_scope_latency_seconds",
                "Per scope: latency of the latest test (bounded, see docs)",
                latency.clone(),
            );
            let dropped = Counter::default();
            registry.register(
                "llmcfg_monitor_scope_series_dropped",
                "Results of scopes beyond the per-scope series bound",
                dropped.clone(),
            );
            PerScope {
                limit,
                healthy,
                latency,
                seen: Mutex::new(HashSet::new()),
                dropped,
            }
        });
        let retirement = RetirementGauge::register(&mut registry);
        let metrics = Metrics {
            retirement,
            registry,
            tests,
            latency,
            scopes,
            lag,
            rounds,
            deliveries,
            leader,
            per_scope,
        };
        // Every delivery series from zero, so `rate()` and alerts on it work
        // before the first event.
        for sink in [Sink::Webhook, Sink::Command] {
            for result in [Delivery::Delivered, Delivery::Failed, Delivery::GaveUp] {
                let _ = metrics
                    .deliveries
                    .get_or_create(&delivery_labels(sink, result));
            }
        }
        metrics.scopes(0, 0, 0);
        metrics
    }

    /// The per-scope series bound, when per-scope series are on.
    pub fn scope_limit(&self) -> Option<usize> {
        self.per_scope.as_ref().map(|p| p.limit)
    }

    /// Counts one test.
    pub fn test(&self, check: &HealthCheck) {
        self.tests
            .get_or_create(&TestLabels {
                provider: check.provider.clone(),
                outcome: check.status.as_str().to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&ProviderLabel {
                provider: check.provider.clone(),
            })
            .observe(check.latency_ms as f64 / 1000.0);
        self.retirement.observe(check);
        if let Some(p) = &self.per_scope {
            let label = ScopeLabel {
                scope: scope_label(&check.scope),
            };
            if p.admit(&label.scope) {
                p.latency
                    .get_or_create(&label)
                    .set(check.latency_ms as f64 / 1000.0);
            } else {
                p.dropped.inc();
            }
        }
    }

    /// Sets the number of scopes in each state.
    pub fn scopes(&self, unknown: i64, healthy: i64, failing: i64) {
        for (state, n) in [
            (HealthState::Unknown, unknown),
            (HealthState::Healthy, healthy),
            (HealthState::Failing, failing),
        ] {
            self.scopes
                .get_or_create(&StateLabel {
                    state: state.as_str().to_string(),
                })
                .set(n);
        }
    }

    /// Moves one scope from `from` to `to` in the per-state gauges.
    pub fn moved(&self, scope: &Scope, from: HealthState, to: HealthState) {
        let gauge = |s: HealthState| {
            self.scopes.get_or_create(&StateLabel {
                state: s.as_str().to_string(),
            })
        };
        gauge(from).dec();
        gauge(to).inc();
        if let Some(p) = &self.per_scope {
            let label = ScopeLabel {
                scope: scope_label(scope),
            };
            if p.admit(&label.scope) {
                let v = match to {
                    HealthState::Healthy => 1,
                    HealthState::Unknown => 0,
                    HealthState::Failing => -1,
                };
                p.healthy.get_or_create(&label).set(v);
            }
        }
    }

    /// Records how late a test started, in seconds.
    pub fn lag(&self, seconds: f64) {
        self.lag.set(seconds);
    }

    /// Counts a round run.
    pub fn round(&self) {
        self.rounds.inc();
    }

    /// Counts one delivery attempt.
    pub fn delivery(&self, sink: Sink, result: Delivery) {
        self.deliveries
            .get_or_create(&delivery_labels(sink, result))
            .inc();
    }

    /// Whether this process holds the lease.
    pub fn leader(&self, leading: bool) {
        self.leader.set(i64::from(leading));
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

impl PerScope {
    /// True when `scope` has (or may get) series of its own.
    fn admit(&self, scope: &str) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.contains(scope) {
            return true;
        }
        if seen.len() < self.limit {
            seen.insert(scope.to_string());
            return true;
        }
        false
    }
}

fn delivery_labels(sink: Sink, result: Delivery) -> DeliveryLabel {
    DeliveryLabel {
        sink: match sink {
            Sink::Webhook => "webhook",
            Sink::Command => "command",
        }
        .to_string(),
        result: match result {
            Delivery::Delivered => "delivered",
            Delivery::Failed => "failed",
            Delivery::GaveUp => "gave_up",
        }
        .to_string(),
    }
}

/// The label of a scope: its instance id, or "" for the control plane.
fn scope_label(scope: &Scope) -> String {
    scope.instance_id().unwrap_or("").to_string()
}

//! The monitor: scheduled, token-free tests of every configured
//! scope, a history of every result, state changes, alerts and metrics.
//!
//! It runs inside `llmcfg serve` (`[monitor] enabled = true`) or alone as
//! `llmcfg monitor`. Each process competes for one lease ([`lease`]); the
//! holder claims each round ([`schedule`]) once and runs it ([`round`]):
//! every scope at its slot within the interval, under a global concurrency
//! bound and a per-provider, per-base-URL rate limit ([`limiter`]), probed
//! by the same prober `test` uses. Results are written in batches
//! ([`recorder`]) to the history table — never the audit log — where the
//! store applies the state rule of [`crate::domain::health`] in the same
//! transaction; each alerting transition goes to the webhooks and the
//! command hook ([`alerts`], [`webhook`], [`hook`]) as one signed
//! [`event::Event`]. Lifecycle facts the results carry (a model's
//! retirement, a key's credit and expiry, a blocked key) alert once per
//! threshold ([`lifecycle`], [`lifecycle_event`]). [`metrics::Metrics`]
//! serves `GET /metrics`.
//!
//! The monitor talks to the service only, through
//! [`crate::service::HealthAccess`]: it never sees a key.

pub mod alerts;
pub mod event;
pub mod hook;
pub mod lease;
pub mod lifecycle;
pub mod lifecycle_event;
pub mod limiter;
pub mod metrics;
pub mod recorder;
pub mod report;
pub mod retirement_gauge;
pub mod round;
pub mod schedule;
pub mod settings;
pub mod signature;
pub mod webhook;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

pub use metrics::Metrics;
pub use settings::{MonitorConfig, MonitorSettings};

use crate::service::HealthAccess;
use alerts::Alerts;
use lease::Lease;
use recorder::Recorder;
use round::RoundContext;
use schedule::{Rounds, now_ms};

/// How long deliveries in flight may finish after shutdown.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// Runs the monitor until `stop` is cancelled, then gives the lease up and
/// lets deliveries in flight finish (up to a few seconds).
pub async fn run(
    access: HealthAccess,
    config: MonitorConfig,
    metrics: Arc<Metrics>,
    stop: CancellationToken,
) {
    let config = Arc::new(config);
    let alerts = Alerts::new(config.clone(), metrics.clone());
    let (recorder, recording) = Recorder::spawn(
        access.clone(),
        config.clone(),
        alerts.clone(),
        metrics.clone(),
    );
    let ctx = RoundContext {
        access: access.clone(),
        config: config.clone(),
        permits: Arc::new(Semaphore::new(config.concurrency)),
        limiter: Arc::new(limiter::Limiter::new(config.rate_per_minute)),
        recorder,
        metrics: metrics.clone(),
    };
    let lease = Lease::new(access, holder_id(), config.lease);
    let rounds = Rounds::new(config.interval);
    tracing::info!(
        holder = lease.holder(),
        interval_s = config.interval.as_secs_f64(),
        "monitor started"
    );
    let mut last_round = i64::MIN;
    while !stop.is_cancelled() {
        let leading = lease.hold().await;
        metrics.leader(leading);
        let round = rounds.round_at(now_ms());
        if leading && round > last_round && lease.claim(round).await {
            last_round = round;
            tracing::info!(round, "monitor round starts");
            tokio::select! {
                result = round::run(&ctx, rounds.start_ms(round)) => {
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "monitor round failed");
                    }
                }
                _ = lease.keep() => metrics.leader(false),
                _ = stop.cancelled() => {}
            }
            continue;
        }
        // Not leading, or this round already ran: look again when the next
        // round starts or the lease needs renewing, whichever is sooner.
        let next_round = rounds.start_ms(round + 1) - now_ms();
        let wait = Duration::from_millis(next_round.max(1) as u64).min(lease.renew_every());
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.cancelled() => {}
        }
    }
    lease.release().await;
    metrics.leader(false);
    drop(ctx);
    let _ = recording.await;
    alerts.drain(DRAIN_GRACE).await;
    tracing::info!("monitor stopped");
}

/// A name unique to this process, for the lease row.
fn holder_id() -> String {
    format!("{}:{}", std::process::id(), uuid::Uuid::new_v4())
}

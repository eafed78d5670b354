//! One monitor round: every configured scope tested once at its slot (see
//! [`super::schedule`]), at most `concurrency` at a time and no faster
//! than each provider's rate limit allows, through the same prober `test`
//! uses. An inconclusive result (rate limited, overloaded, timed out) is
//! recorded and tested again `retry_after` later, while the round lasts;
//! it never changes the scope's state.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::task::TaskTracker;

use super::limiter::Limiter;
use super::metrics::Metrics;
use super::recorder::Recorder;
use super::schedule::{Rounds, now_ms};
use super::settings::MonitorConfig;
use crate::domain::HealthState;
use crate::service::{HealthAccess, MonitorTarget};

/// Most retries of an inconclusive result within one round.
pub const MAX_RETRIES: u32 = 3;

/// What every test of every round shares.
#[derive(Clone)]
pub struct RoundContext {
    /// The store.
    pub access: HealthAccess,
    /// The settings.
    pub config: Arc<MonitorConfig>,
    /// The global concurrency bound.
    pub permits: Arc<Semaphore>,
    /// The per-provider rate limit.
    pub limiter: Arc<Limiter>,
    /// Where results go.
    pub recorder: Recorder,
    /// Metrics.
    pub metrics: Arc<Metrics>,
}

impl RoundContext {
    /// Waits for a place under the concurrency bound; a test holds it while
    /// it runs.
    async fn permit(&self) -> OwnedSemaphorePermit {
        self.permits
            .clone()
            .acquire_owned()
            .await
            .expect("never closed")
    }
}

/// Runs the round that starts at `start_ms` (Unix milliseconds); returns
/// once every test it started has finished.
pub async fn run(ctx: &RoundContext, start_ms: i64) -> Result<(), crate::service::ServiceError> {
    let rounds = Rounds::new(ctx.config.interval);
    let end_ms = start_ms + i64::try_from(ctx.config.interval.as_millis()).unwrap_or(i64::MAX);
    let targets = ctx.access.targets().await?;
    count_states(ctx, &targets).await?;
    let mut slots: Vec<(i64, MonitorTarget)> = targets
        .into_iter()
        .map(|t| {
            let slot = i64::try_from(rounds.slot(&t.scope).as_millis()).unwrap_or(0);
            (start_ms + slot, t)
        })
        .collect();
    slots.sort_by_key(|(due, _)| *due);
    let tasks = TaskTracker::new();
    for (due_ms, target) in slots {
        sleep_until_ms(due_ms).await;
        // Taken before the task is spawned, so no more than `concurrency`
        // tests (and tasks) exist at once, however many scopes there are.
        let permit = ctx.permit().await;
        tasks.spawn(test(ctx.clone(), target, due_ms, end_ms, 0, permit));
    }
    tasks.close();
    tasks.wait().await;
    ctx.metrics.round();
    Ok(())
}

fn test(
    ctx: RoundContext,
    target: MonitorTarget,
    due_ms: i64,
    end_ms: i64,
    attempt: u32,
    permit: OwnedSemaphorePermit,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
    Box::pin(async move {
        ctx.limiter.wait(&target).await;
        ctx.metrics
            .lag(((now_ms() - due_ms).max(0) as f64) / 1000.0);
        let check = match ctx.access.probe(&target.scope).await {
            Ok(Some(check)) => check,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(scope = %target.scope, error = %e, "monitor test failed to run");
                return;
            }
        };
        drop(permit);
        ctx.metrics.test(&check);
        let retry = check.status.is_inconclusive() && attempt < MAX_RETRIES;
        ctx.recorder.send(check).await;
        let retry_ms = i64::try_from(ctx.config.retry_after.as_millis()).unwrap_or(i64::MAX);
        if retry && now_ms() + retry_ms < end_ms {
            tokio::time::sleep(ctx.config.retry_after).await;
            let permit = ctx.permit().await;
            let due = now_ms();
            test(ctx, target, due, end_ms, attempt + 1, permit).await;
        }
    })
}

/// Sets the scopes-by-state gauges from the stored states.
async fn count_states(
    ctx: &RoundContext,
    targets: &[MonitorTarget],
) -> Result<(), crate::service::ServiceError> {
    let states = ctx.access.states().await?;
    let by_scope: std::collections::HashMap<_, _> =
        states.iter().map(|s| (s.scope.key(), s.state)).collect();
    let (mut unknown, mut healthy, mut failing) = (0, 0, 0);
    for t in targets {
        match by_scope.get(t.scope.key()) {
            Some(HealthState::Healthy) => healthy += 1,
            Some(HealthState::Failing) => failing += 1,
            _ => unknown += 1,
        }
    }
    ctx.metrics.scopes(unknown, healthy, failing);
    Ok(())
}

/// Sleeps until the wall-clock time `at_ms`.
pub async fn sleep_until_ms(at_ms: i64) {
    let wait = at_ms - now_ms();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
}

//! Writes monitor results to the history in batches: tests send each
//! result here, and one task records whatever has queued up in a single
//! store transaction (at most [`MAX_BATCH`]), then hands the transitions to
//! the alerts, state changes and lifecycle thresholds alike. Under load the queue grows while a batch commits, so the
//! batches grow with it and the store's commits stay few.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::alerts::Alerts;
use super::metrics::Metrics;
use super::settings::MonitorConfig;
use crate::domain::HealthCheck;
use crate::service::HealthAccess;

/// Most results in one transaction.
pub const MAX_BATCH: usize = 512;
/// Results queued before tests wait for the recorder.
const QUEUE: usize = 8192;

/// Where tests send their results.
#[derive(Clone)]
pub struct Recorder {
    tx: mpsc::Sender<HealthCheck>,
}

impl Recorder {
    /// Starts the recording task; it ends once every [`Recorder`] is dropped
    /// and the queue is written.
    pub fn spawn(
        access: HealthAccess,
        config: Arc<MonitorConfig>,
        alerts: Alerts,
        metrics: Arc<Metrics>,
    ) -> (Recorder, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(record_loop(rx, access, config, alerts, metrics));
        (Recorder { tx }, task)
    }

    /// Queues one result.
    pub async fn send(&self, check: HealthCheck) {
        let _ = self.tx.send(check).await;
    }
}

async fn record_loop(
    mut rx: mpsc::Receiver<HealthCheck>,
    access: HealthAccess,
    config: Arc<MonitorConfig>,
    alerts: Alerts,
    metrics: Arc<Metrics>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(c) => batch.push(c),
                Err(_) => break,
            }
        }
        let checks = batch.clone();
        let transitions = match write(&access, &config, batch.clone()).await {
            Ok(t) => t,
            Err(e) => {
                // One retry after a pause: a busy SQLite file or a PostgreSQL
                // failover should not cost a round's results.
                tracing::warn!(error = %e, "recording monitor results failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                match write(&access, &config, batch).await {
                    Ok(t) => t,
                    Err(e) => {
                        tracing::error!(error = %e, "monitor results dropped");
                        continue;
                    }
                }
            }
        };
        for t in &transitions {
            metrics.moved(&t.check.scope, t.from, t.to);
            alerts.send(t);
        }
        if let Err(e) = super::lifecycle::alert(&access, config.lifecycle, &checks, &alerts).await {
            // The marks were not claimed: the next round's results try again.
            tracing::warn!(error = %e, "lifecycle alerts not settled");
        }
    }
}

async fn write(
    access: &HealthAccess,
    config: &MonitorConfig,
    batch: Vec<HealthCheck>,
) -> Result<Vec<crate::domain::Transition>, crate::service::ServiceError> {
    access.record(batch, config.policy, config.retention).await
}

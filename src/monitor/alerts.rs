//! Fans each alerting transition out to every webhook and the command
//! hook, each delivery in a task of its own so a slow receiver holds up
//! neither the monitor nor the other receivers. Transitions that are not
//! news (a first ok) are not sent; see [`crate::domain::Transition::alerts`].
//! Lifecycle alerts ([`LifecycleEvent`]) take the same way out.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::task::TaskTracker;

use super::event::Event;
use super::lifecycle_event::LifecycleEvent;
use super::metrics::Metrics;
use super::settings::MonitorConfig;
use super::{hook, webhook};
use crate::domain::Transition;

/// The alert sinks of one monitor.
#[derive(Clone)]
pub struct Alerts {
    config: Arc<MonitorConfig>,
    metrics: Arc<Metrics>,
    client: webhook::Guarded,
    tasks: TaskTracker,
}

impl Alerts {
    /// Sinks as `config` lists them.
    pub fn new(config: Arc<MonitorConfig>, metrics: Arc<Metrics>) -> Alerts {
        Alerts {
            client: webhook::client(config.target_guard.as_ref()),
            config,
            metrics,
            tasks: TaskTracker::new(),
        }
    }

    /// Sends `t` to every sink when it is news.
    pub fn send(&self, t: &Transition) {
        if !t.alerts() {
            return;
        }
        let event = Event::of(t);
        tracing::info!(scope = %t.check.scope, from = t.from.as_str(), to = t.to.as_str(),
            event_id = %event.event_id, "health changed");
        self.fan_out(event.event_id.to_string(), event.to_json());
    }

    /// Sends a lifecycle alert (a threshold the store claimed just now) to
    /// every sink.
    pub fn send_lifecycle(&self, event: &LifecycleEvent) {
        tracing::info!(instance = event.instance_id.as_deref().unwrap_or("control plane"),
            kind = event.kind, event_id = %event.event_id, "lifecycle alert");
        self.fan_out(event.event_id.to_string(), event.to_json());
    }

    /// Delivers `body` (event `id`) to each webhook and the command hook,
    /// each in a task of its own.
    fn fan_out(&self, id: String, body: Vec<u8>) {
        let body: Arc<[u8]> = body.into();
        for hook in &self.config.webhooks {
            let (hook, body, id) = (hook.clone(), body.clone(), id.clone());
            let (client, metrics) = (self.client.clone(), self.metrics.clone());
            self.tasks.spawn(async move {
                webhook::deliver(&client, &hook, &id, &body, &metrics).await;
            });
        }
        if let Some(argv) = self.config.command.clone() {
            let (body, metrics, timeout) = (
                body.clone(),
                self.metrics.clone(),
                self.config.command_timeout,
            );
            self.tasks.spawn(async move {
                hook::run(&argv, &body, timeout, &metrics).await;
            });
        }
    }

    /// Waits up to `grace` for deliveries in flight (at shutdown).
    pub async fn drain(&self, grace: Duration) {
        self.tasks.close();
        let _ = tokio::time::timeout(grace, self.tasks.wait()).await;
    }
}

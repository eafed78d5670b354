//! The alert a lifecycle threshold becomes: a model entering the window
//! (and again at 30 and 7 days), a key expiring, credit running low, a key
//! the provider blocked. Same sinks, signing, retries and event-id dedup as
//! a state change; a different `type`, and the facts instead of states.

use std::collections::HashSet;

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::lifecycle_alert::{AlertPlan, Crossing, tightest};
use crate::domain::{AlertMark, HealthCheck, Lifecycle, TestStatus};

/// One lifecycle alert, as delivered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LifecycleEvent {
    /// Unique per alert: receivers deduplicate by it, and every retry of a
    /// delivery carries the same id.
    pub event_id: Uuid,
    /// `lifecycle.retirement`, `lifecycle.key_expiry`, `lifecycle.credit`
    /// or `lifecycle.blocked_key`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// The provider.
    pub provider: String,
    /// The model.
    pub model: String,
    /// Days ahead of the threshold crossed, for a retirement or expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold_days: Option<u32>,
    /// The outcome of the test that saw it.
    pub outcome: TestStatus,
    /// What happens, in the words every view uses (`gpt-4o retires
    /// 2027-03-01 (in 84 days); successor gpt-4.1`, `credit 4% left`).
    pub message: String,
    /// The facts as the test recorded them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// When the test finished.
    #[serde(with = "crate::domain::timestamp")]
    pub at: OffsetDateTime,
}

impl LifecycleEvent {
    /// The events of `check` whose marks are in `claimed` (newly claimed by
    /// the store): one per kind, for the tightest threshold crossed.
    pub fn of(check: &HealthCheck, plan: &AlertPlan, claimed: &HashSet<&AlertMark>) -> Vec<Self> {
        let new: Vec<Crossing> = plan
            .crossed
            .iter()
            .filter(|c| claimed.contains(&c.mark))
            .cloned()
            .collect();
        tightest(&new)
            .into_iter()
            .map(|c| LifecycleEvent::one(check, c))
            .collect()
    }

    fn one(check: &HealthCheck, c: &Crossing) -> LifecycleEvent {
        // The crossed fact in the words every view uses; a blocked key (a
        // verdict, not a fact) in the test's own message.
        let message = check
            .lifecycle
            .as_deref()
            .and_then(|l| c.kind.only(l))
            .and_then(|alone| alone.lines(check.checked_at.date()).into_iter().next())
            .unwrap_or_else(|| check.message.clone());
        LifecycleEvent {
            event_id: Uuid::new_v4(),
            kind: c.kind.event_type(),
            instance_id: check.scope.instance_id().map(str::to_string),
            provider: check.provider.clone(),
            model: check.model.clone(),
            threshold_days: c.days,
            outcome: check.status,
            message,
            lifecycle: check.lifecycle.as_deref().cloned(),
            at: check.checked_at,
        }
    }

    /// The body every sink gets.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an event always serialises")
    }
}

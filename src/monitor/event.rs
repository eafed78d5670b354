//! The alert a state change becomes: the JSON every webhook and the command
//! hook receive. It names the scope, provider, model, old and new state,
//! the outcome and our message — never the key, which the monitor never
//! holds past the probe.

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{HealthState, TestStatus, Transition};

/// The event type of a state change.
pub const TRANSITION: &str = "health.transition";

/// One state change, as delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Unique per transition: receivers deduplicate by it, and every retry
    /// of a delivery carries the same id.
    pub event_id: Uuid,
    /// Always [`TRANSITION`].
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// The provider.
    pub provider: String,
    /// The model.
    pub model: String,
    /// State before.
    pub old_state: HealthState,
    /// State after.
    pub new_state: HealthState,
    /// The outcome of the test that caused it.
    pub outcome: TestStatus,
    /// The HTTP status the provider answered, if any.
    pub http_status: Option<u16>,
    /// Our message about that outcome.
    pub message: String,
    /// When the test finished.
    #[serde(with = "crate::domain::timestamp")]
    pub at: OffsetDateTime,
}

impl Event {
    /// The event of `t`.
    pub fn of(t: &Transition) -> Event {
        Event {
            event_id: t.event_id,
            kind: TRANSITION,
            instance_id: t.check.scope.instance_id().map(str::to_string),
            provider: t.check.provider.clone(),
            model: t.check.model.clone(),
            old_state: t.from,
            new_state: t.to,
            outcome: t.check.status,
            http_status: t.check.http_status,
            message: t.check.message.clone(),
            at: t.check.checked_at,
        }
    }

    /// The body every sink gets.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("an event always serialises")
    }
}

//! Credential health: the state a scope is in (unknown, healthy, failing),
//! one monitor result ([`HealthCheck`]), and the one rule that moves a
//! scope between states ([`HealthStatus::observe`]). A scope turns failing
//! after `fail_after` consecutive conclusive failures and healthy again
//! after one ok; inconclusive outcomes (rate limits, overload, timeouts)
//! leave both the state and the failure count alone, so a provider's bad
//! minute never pages anyone.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Lifecycle, Scope, TestStatus};

/// The health of one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthState {
    /// Not yet tested conclusively.
    Unknown,
    /// The last conclusive result was ok.
    Healthy,
    /// Enough consecutive conclusive failures.
    Failing,
}

impl HealthState {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthState::Unknown => "unknown",
            HealthState::Healthy => "healthy",
            HealthState::Failing => "failing",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<HealthState> {
        match s {
            "unknown" => Some(HealthState::Unknown),
            "healthy" => Some(HealthState::Healthy),
            "failing" => Some(HealthState::Failing),
            _ => None,
        }
    }
}

/// When a scope turns failing (`[monitor] fail_after`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthPolicy {
    /// Consecutive conclusive failures before healthy (or unknown) becomes
    /// failing; at least 1.
    pub fail_after: u32,
}

impl Default for HealthPolicy {
    fn default() -> Self {
        HealthPolicy { fail_after: 2 }
    }
}

/// One monitor result of one scope, as the history keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct HealthCheck {
    /// The scope tested.
    pub scope: Scope,
    /// Provider tested.
    pub provider: String,
    /// Model tested.
    pub model: String,
    /// The outcome.
    pub status: TestStatus,
    /// The HTTP status of the provider's last answer, if one came.
    pub http_status: Option<u16>,
    /// Time spent, in milliseconds.
    pub latency_ms: u64,
    /// When the test finished.
    pub checked_at: OffsetDateTime,
    /// Our message (never the key); kept for the alert, not the history.
    pub message: String,
    /// What the provider said about the model's retirement and the key's
    /// credit and expiry, if anything.
    pub lifecycle: Option<Box<Lifecycle>>,
}

impl HealthCheck {
    /// A result of `status` for `scope`'s `provider` and `model`, finished
    /// at `checked_at`: no HTTP status, no time spent, no message, no facts.
    pub fn new(
        scope: &Scope,
        provider: impl Into<String>,
        model: impl Into<String>,
        status: TestStatus,
        checked_at: OffsetDateTime,
    ) -> HealthCheck {
        HealthCheck {
            scope: scope.clone(),
            provider: provider.into(),
            model: model.into(),
            status,
            http_status: None,
            latency_ms: 0,
            checked_at,
            message: String::new(),
            lifecycle: None,
        }
    }
}

/// One result as the history keeps it (no message: the history is for
/// trends, the alert carries the words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthSample {
    /// The scope tested.
    pub scope: Scope,
    /// The outcome.
    pub status: TestStatus,
    /// The HTTP status of the provider's last answer, if one came.
    pub http_status: Option<u16>,
    /// Time spent, in milliseconds.
    pub latency_ms: u64,
    /// When the test finished.
    pub checked_at: OffsetDateTime,
}

/// How long the history keeps results (`[monitor] retention_days` and
/// `results_per_scope`): a result goes when either bound passes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HealthRetention {
    /// Days a result is kept.
    pub days: u32,
    /// Most results kept per scope.
    pub per_scope: u32,
}

impl Default for HealthRetention {
    fn default() -> Self {
        HealthRetention {
            days: 30,
            per_scope: 1000,
        }
    }
}

/// The stored health of one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthStatus {
    /// The scope.
    pub scope: Scope,
    /// Its state.
    pub state: HealthState,
    /// When it entered that state.
    pub since: OffsetDateTime,
    /// Conclusive failures in a row.
    pub failures: u32,
    /// The last ok result, if any.
    pub last_ok: Option<OffsetDateTime>,
    /// The last result of any kind.
    pub last_checked: Option<OffsetDateTime>,
    /// The status of that result.
    pub last_status: Option<TestStatus>,
}

/// A change of state, delivered to webhooks and hooks exactly once.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// Unique per transition; receivers deduplicate by it.
    pub event_id: Uuid,
    /// The result that caused it.
    pub check: HealthCheck,
    /// State before.
    pub from: HealthState,
    /// State after.
    pub to: HealthState,
}

impl Transition {
    /// True when someone should hear of it: a scope entering or leaving
    /// `failing`. The first ok of a scope (unknown → healthy) is not news,
    /// or every start of the monitor would alert once per scope.
    pub fn alerts(&self) -> bool {
        self.from != self.to
            && (self.from == HealthState::Failing || self.to == HealthState::Failing)
    }
}

impl HealthStatus {
    /// A scope never tested, as of `at`.
    pub fn unknown(scope: &Scope, at: OffsetDateTime) -> HealthStatus {
        HealthStatus {
            scope: scope.clone(),
            state: HealthState::Unknown,
            since: at,
            failures: 0,
            last_ok: None,
            last_checked: None,
            last_status: None,
        }
    }

    /// This status after `check`, and the transition it caused, if any.
    pub fn observe(
        &self,
        check: &HealthCheck,
        policy: HealthPolicy,
    ) -> (HealthStatus, Option<Transition>) {
        let mut next = self.clone();
        next.last_checked = Some(check.checked_at);
        next.last_status = Some(check.status);
        if check.status.is_inconclusive() {
            return (next, None);
        }
        let to = if check.status == TestStatus::Ok {
            next.failures = 0;
            next.last_ok = Some(check.checked_at);
            HealthState::Healthy
        } else {
            next.failures = next.failures.saturating_add(1);
            if next.failures >= policy.fail_after.max(1) {
                HealthState::Failing
            } else {
                self.state
            }
        };
        if to == self.state {
            return (next, None);
        }
        next.state = to;
        next.since = check.checked_at;
        let transition = Transition {
            event_id: Uuid::now_v7(),
            check: check.clone(),
            from: self.state,
            to,
        };
        (next, Some(transition))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: TestStatus) -> HealthCheck {
        HealthCheck::new(
            &Scope::Global,
            "openai",
            "gpt-4o",
            status,
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    fn run(statuses: &[TestStatus]) -> (HealthStatus, Vec<(HealthState, HealthState)>) {
        let mut s = HealthStatus::unknown(&Scope::Global, OffsetDateTime::UNIX_EPOCH);
        let mut seen = Vec::new();
        for st in statuses {
            let (next, t) = s.observe(&check(*st), HealthPolicy::default());
            if let Some(t) = t {
                seen.push((t.from, t.to));
            }
            s = next;
        }
        (s, seen)
    }

    #[test]
    fn two_conclusive_failures_flip_and_one_ok_heals() {
        use HealthState::*;
        use TestStatus::*;
        let (s, seen) = run(&[Ok, InvalidKey, InvalidKey, Ok]);
        assert_eq!(
            seen,
            vec![(Unknown, Healthy), (Healthy, Failing), (Failing, Healthy)]
        );
        assert_eq!(s.state, Healthy);
        let (s, _) = run(&[Ok, InvalidKey]);
        assert_eq!(s.state, Healthy, "one failure is not enough");
    }

    #[test]
    fn inconclusive_outcomes_never_flip_or_count() {
        use HealthState::*;
        use TestStatus::*;
        let (s, seen) = run(&[Ok, RateLimited, Ok, Overloaded, Timeout, RateLimited, Ok]);
        assert_eq!(seen, vec![(Unknown, Healthy)]);
        assert_eq!(s.state, Healthy);
        // An inconclusive result between two failures does not reset the count.
        let (s, _) = run(&[Ok, InvalidKey, RateLimited, InvalidKey]);
        assert_eq!(s.state, Failing);
        let (s, _) = run(&[RateLimited, Timeout]);
        assert_eq!(s.state, Unknown);
    }

    #[test]
    fn only_changes_into_or_out_of_failing_alert() {
        use TestStatus::*;
        let mut s = HealthStatus::unknown(&Scope::Global, OffsetDateTime::UNIX_EPOCH);
        let mut alerts = 0;
        for st in [Ok, Quota, Quota, Quota, Ok, Ok] {
            let (next, t) = s.observe(&check(st), HealthPolicy::default());
            alerts += usize::from(t.is_some_and(|t| t.alerts()));
            s = next;
        }
        assert_eq!(alerts, 2);
    }
}

//! What `llmcfg health` (and the TUI's health column) shows per scope: its
//! state, since when, the last ok, flaps and the median latency over a
//! window of the history. A flap is a switch between an ok and a
//! conclusive failure, in time order; inconclusive results are skipped, as
//! the state rule skips them.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;

use crate::domain::{HealthSample, HealthState, HealthStatus, TestStatus};
use crate::service::MonitorTarget;

/// One scope's health.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeHealth {
    /// The instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// Provider.
    pub provider: String,
    /// Model.
    pub model: String,
    /// State.
    pub state: HealthState,
    /// When it entered that state; `null` while unknown and never tested.
    #[serde(serialize_with = "opt_time")]
    pub since: Option<OffsetDateTime>,
    /// The last ok result.
    #[serde(serialize_with = "opt_time")]
    pub last_ok: Option<OffsetDateTime>,
    /// The last result of any kind.
    #[serde(serialize_with = "opt_time")]
    pub last_checked: Option<OffsetDateTime>,
    /// Its outcome.
    pub last_status: Option<TestStatus>,
    /// Switches between ok and a conclusive failure in the window.
    pub flaps: u32,
    /// Median latency of the window's results, milliseconds.
    pub p50_latency_ms: Option<u64>,
    /// Results in the window.
    pub results: usize,
    /// The lifecycle facts of the scope's last test (kept fresh by the
    /// monitor), when there are any; filled by the caller from the
    /// instance list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Box<crate::domain::Lifecycle>>,
}

fn opt_time<S: serde::Serializer>(t: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => crate::domain::timestamp::serialize(t, s),
        None => s.serialize_none(),
    }
}

/// The health of every target, from the stored states and the window's
/// samples (in scope and time order, as the store returns them).
pub fn build(
    targets: &[MonitorTarget],
    states: &[HealthStatus],
    samples: &[HealthSample],
) -> Vec<ScopeHealth> {
    let states: HashMap<&str, &HealthStatus> = states.iter().map(|s| (s.scope.key(), s)).collect();
    let mut by_scope: HashMap<&str, Vec<&HealthSample>> = HashMap::new();
    for s in samples {
        by_scope.entry(s.scope.key()).or_default().push(s);
    }
    targets
        .iter()
        .map(|t| {
            let key = t.scope.key();
            let state = states.get(key);
            let window = by_scope.get(key).map(Vec::as_slice).unwrap_or(&[]);
            ScopeHealth {
                instance_id: t.scope.instance_id().map(str::to_string),
                provider: t.provider.clone(),
                model: t.model.clone(),
                state: state.map_or(HealthState::Unknown, |s| s.state),
                since: state.map(|s| s.since),
                last_ok: state.and_then(|s| s.last_ok),
                last_checked: state.and_then(|s| s.last_checked),
                last_status: state.and_then(|s| s.last_status),
                flaps: flaps(window),
                p50_latency_ms: p50(window),
                results: window.len(),
                lifecycle: None,
            }
        })
        .collect()
}

/// Switches between ok and a conclusive failure.
pub fn flaps(samples: &[&HealthSample]) -> u32 {
    let mut last: Option<bool> = None;
    let mut n = 0;
    for s in samples.iter().filter(|s| !s.status.is_inconclusive()) {
        let ok = s.status == TestStatus::Ok;
        if last.is_some_and(|l| l != ok) {
            n += 1;
        }
        last = Some(ok);
    }
    n
}

/// The median latency.
pub fn p50(samples: &[&HealthSample]) -> Option<u64> {
    let mut l: Vec<u64> = samples.iter().map(|s| s.latency_ms).collect();
    if l.is_empty() {
        return None;
    }
    l.sort_unstable();
    Some(l[(l.len() - 1) / 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Scope;

    fn sample(status: TestStatus, latency_ms: u64) -> HealthSample {
        HealthSample {
            scope: Scope::Global,
            status,
            http_status: None,
            latency_ms,
            checked_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn flaps_skip_inconclusive_and_p50_is_the_median() {
        use TestStatus::*;
        let s = [
            sample(Ok, 10),
            sample(RateLimited, 500),
            sample(Ok, 30),
            sample(InvalidKey, 20),
            sample(Timeout, 900),
            sample(Ok, 40),
        ];
        let refs: Vec<&HealthSample> = s.iter().collect();
        assert_eq!(flaps(&refs), 2);
        assert_eq!(p50(&refs), Some(30));
        assert_eq!(p50(&[]), None);
        let only_rate_limits = [sample(Ok, 1), sample(RateLimited, 1), sample(Ok, 1)];
        let refs: Vec<&HealthSample> = only_rate_limits.iter().collect();
        assert_eq!(flaps(&refs), 0);
    }
}

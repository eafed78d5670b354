//! The monitor's part of the [`Store`] interface: its health
//! history and the lease that makes one process the monitor. The shared
//! SQL is in `health.rs`; monitor results never touch the audit log.

use super::*;

impl Store {
    /// Records monitor results (never in the audit log) in one transaction,
    /// updating each scope's health state and pruning its history as
    /// `retention` says; returns the transitions they caused. Results of a
    /// config deleted meanwhile are dropped.
    pub async fn record_health(
        &self,
        checks: Vec<HealthCheck>,
        policy: HealthPolicy,
        retention: HealthRetention,
    ) -> Result<Vec<Transition>, StoreError> {
        each!(self, s => s.record_health(checks, policy, retention))
    }

    /// Every stored health state, including those of deleted configs.
    pub async fn health_states(&self) -> Result<Vec<HealthStatus>, StoreError> {
        each!(self, s => s.health_states())
    }

    /// Only the health states that changed since the health mark `mark`
    /// ([`Store::health_mark`]): those of the scopes with a newer result,
    /// read through the results' primary key, so a reader that saw `mark`
    /// catches up at the cost of what arrived since, not of every scope.
    pub async fn health_states_after(&self, mark: i64) -> Result<Vec<HealthStatus>, StoreError> {
        each!(self, s => s.health_states_after(mark))
    }

    /// The monitor results `query` names.
    pub async fn health_samples(
        &self,
        query: SampleQuery,
    ) -> Result<Vec<HealthSample>, StoreError> {
        each!(self, s => s.health_samples(query))
    }

    /// A number that moves whenever a monitor result lands (the newest
    /// result id); the change mark stays for human actions.
    pub async fn health_mark(&self) -> Result<i64, StoreError> {
        each!(self, s => s.health_mark())
    }

    /// Takes or renews the monitor lease for `holder` until `until_ms`
    /// (Unix milliseconds) when it is free, expired at `now_ms`, or ours.
    pub async fn take_lease(
        &self,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let holder = holder.to_string();
        each!(self, s => s.take_lease(holder, now_ms, until_ms))
    }

    /// Claims monitor round `round` for the lease holder: true at most once
    /// per round across every process on this store.
    pub async fn claim_round(
        &self,
        holder: &str,
        round: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let holder = holder.to_string();
        each!(self, s => s.claim_round(holder, round, now_ms))
    }

    /// Gives the monitor lease up, so another process takes over at once.
    pub async fn release_lease(&self, holder: &str) -> Result<(), StoreError> {
        let holder = holder.to_string();
        each!(self, s => s.release_lease(holder))
    }
}

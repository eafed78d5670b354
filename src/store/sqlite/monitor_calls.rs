//! Where the monitor's calls run (see the module doc of `sqlite/mod.rs`):
//! its health history and its lease. The queries are in `health.rs`.

use super::*;

/// The health history and the monitor lease (see [`crate::store::health`]).
impl SqliteStore {
    /// Records monitor results in one transaction; returns the transitions.
    pub async fn record_health(
        &self,
        checks: Vec<HealthCheck>,
        policy: HealthPolicy,
        retention: HealthRetention,
    ) -> Result<Vec<Transition>, StoreError> {
        self.write(move |c| health::record(c, &checks, policy, retention))
            .await
    }

    /// Every stored health state.
    pub async fn health_states(&self) -> Result<Vec<HealthStatus>, StoreError> {
        self.read(health::states).await
    }

    /// The states with a result newer than the health mark `mark`.
    pub async fn health_states_after(&self, mark: i64) -> Result<Vec<HealthStatus>, StoreError> {
        self.read(move |c| health::states_after(c, mark)).await
    }

    /// The results `query` names.
    pub async fn health_samples(
        &self,
        query: SampleQuery,
    ) -> Result<Vec<HealthSample>, StoreError> {
        self.read(move |c| health::samples(c, &query)).await
    }

    /// The health mark (see [`crate::store::health::HEALTH_MARK`]).
    pub async fn health_mark(&self) -> Result<i64, StoreError> {
        self.read(health::mark).await
    }

    /// Takes or renews the monitor lease; true when `holder` holds it.
    pub async fn take_lease(
        &self,
        holder: String,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |c| health::take_lease(c, &holder, now_ms, until_ms))
            .await
    }

    /// Claims `round` for `holder`; true when it is ours to run.
    pub async fn claim_round(
        &self,
        holder: String,
        round: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        self.write(move |c| health::claim_round(c, &holder, round, now_ms))
            .await
    }

    /// Gives the lease up.
    pub async fn release_lease(&self, holder: String) -> Result<(), StoreError> {
        self.write(move |c| health::release_lease(c, &holder)).await
    }
}

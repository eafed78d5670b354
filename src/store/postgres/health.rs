//! The health history and the monitor lease on PostgreSQL: the statements
//! of [`crate::store::health`], bound with tokio-postgres. A batch of
//! results commits in one transaction.

use super::columns::pg_params;
use super::{PgStore, StoreError};
use crate::domain::{
    HealthCheck, HealthPolicy, HealthRetention, HealthSample, HealthStatus, Transition,
};
use crate::store::health::{self as h, SampleQuery};
use crate::store::rows::fmt_time;

impl PgStore {
    /// Records `checks` and returns the transitions they caused.
    pub async fn record_health(
        &self,
        checks: Vec<HealthCheck>,
        policy: HealthPolicy,
        retention: HealthRetention,
    ) -> Result<Vec<Transition>, StoreError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // FOR SHARE holds a concurrent delete of the config until the result
        // is in, as `record_test` does.
        let config_id = tx
            .prepare_cached(&format!("{} FOR SHARE", h::CONFIG_ID))
            .await?;
        let select = tx.prepare_cached(h::SELECT_STATE).await?;
        let mut transitions = Vec::new();
        for check in &checks {
            let key = check.scope.key();
            let Some(row) = tx.query_opt(&config_id, &[&key]).await? else {
                continue;
            };
            let id: String = row.try_get(0)?;
            let stored = match tx.query_opt(&select, &[&key]).await? {
                Some(r) => Some(h::state_from(&r)?),
                None => None,
            };
            let (writes, transition) = h::record_one(stored, &id, check, policy, retention);
            for write in writes {
                // Prepared once per connection, like the reads above.
                let statement = tx.prepare_cached(&write.sql).await?;
                tx.execute(&statement, &pg_params(&write.values)).await?;
            }
            transitions.extend(transition);
        }
        tx.commit().await?;
        Ok(transitions)
    }

    /// Every stored state.
    pub async fn health_states(&self) -> Result<Vec<HealthStatus>, StoreError> {
        let c = self.client().await?;
        let rows = c.query(h::ALL_STATES, &[]).await?;
        rows.iter().map(|r| Ok(h::state_from(r)?.0)).collect()
    }

    /// The states with a result newer than the health mark `mark`.
    pub async fn health_states_after(&self, mark: i64) -> Result<Vec<HealthStatus>, StoreError> {
        let c = self.client().await?;
        // Prepared per call, not cached: a fresh statement is planned for
        // this `mark` (a primary-key range of a few results, then one state
        // lookup each, 0.05 ms at 100,000 scopes), where a cached generic
        // plan guesses a third of the results and scans every state (10 ms).
        let rows = c.query(h::STATES_AFTER, &[&mark]).await?;
        rows.iter().map(|r| Ok(h::state_from(r)?.0)).collect()
    }

    /// The results `query` names.
    pub async fn health_samples(
        &self,
        query: SampleQuery,
    ) -> Result<Vec<HealthSample>, StoreError> {
        let c = self.client().await?;
        let rows = match &query {
            SampleQuery::Since(t) => c.query(h::SAMPLES_SINCE, &[&fmt_time(*t)]).await?,
            SampleQuery::Newest { scope, limit } => {
                let limit = i64::try_from(*limit).unwrap_or(i64::MAX);
                c.query(h::SAMPLES_OF, &[&scope.key(), &limit]).await?
            }
        };
        rows.iter().map(h::sample_from).collect()
    }

    /// The health mark (see [`h::HEALTH_MARK`]).
    pub async fn health_mark(&self) -> Result<i64, StoreError> {
        let c = self.client().await?;
        Ok(c.query_one(h::HEALTH_MARK, &[]).await?.try_get(0)?)
    }

    /// Takes or renews the monitor lease; true when `holder` holds it.
    pub async fn take_lease(
        &self,
        holder: String,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        let c = self.client().await?;
        c.execute(h::LEASE_INSERT, &[&holder, &until_ms]).await?;
        let changed = c
            .execute(h::LEASE_TAKE, &[&holder, &until_ms, &now_ms])
            .await?;
        Ok(changed == 1)
    }

    /// Claims `round` for `holder`; true when it is ours to run.
    pub async fn claim_round(
        &self,
        holder: String,
        round: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let c = self.client().await?;
        let changed = c
            .execute(h::ROUND_CLAIM, &[&round, &holder, &now_ms])
            .await?;
        Ok(changed == 1)
    }

    /// Gives the lease up.
    pub async fn release_lease(&self, holder: String) -> Result<(), StoreError> {
        let c = self.client().await?;
        c.execute(h::LEASE_RELEASE, &[&holder]).await?;
        Ok(())
    }
}

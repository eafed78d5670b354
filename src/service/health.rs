//! What the monitor and `llmcfg health` need from a local store, behind
//! [`HealthAccess`] (got from [`super::AdminHandle::health`]): the scopes to
//! test, one probe through the very prober `test` uses (no second probe
//! engine), and the health history. Monitor results go to the history,
//! never to the audit log, which stays for human actions.

use crate::domain::{
    HealthCheck, HealthPolicy, HealthRetention, HealthSample, HealthStatus, Scope, TestStatus,
    Transition,
};
use crate::store::SampleQuery;

use super::ServiceError;
use super::local::LocalBackend;

/// One configured scope as the monitor sees it: never its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorTarget {
    /// The scope.
    pub scope: Scope,
    /// Its provider.
    pub provider: String,
    /// Its model.
    pub model: String,
    /// Its base-URL override, if any.
    pub base_url: Option<String>,
}

/// Health operations on a local store; cheap to clone.
#[derive(Clone)]
pub struct HealthAccess {
    pub(super) local: LocalBackend,
}

impl HealthAccess {
    /// Every configured scope.
    pub async fn targets(&self) -> Result<Vec<MonitorTarget>, ServiceError> {
        let rows = self.local.store().all_configs().await?;
        Ok(rows
            .into_iter()
            .map(|r| MonitorTarget {
                scope: r.scope,
                provider: r.fields.provider,
                model: r.fields.model,
                base_url: r.fields.base_url,
            })
            .collect())
    }

    /// Tests `scope` as `test` does, without recording anything; `None`
    /// when its config is gone. A key that fails to open is a conclusive
    /// failure of the scope (`unexpected_response`), not an error of the
    /// monitor.
    pub async fn probe(&self, scope: &Scope) -> Result<Option<HealthCheck>, ServiceError> {
        let (row, key) = match self.local.load_with_key(scope).await {
            Ok(found) => found,
            Err(ServiceError::NotFound { .. }) => return Ok(None),
            Err(e @ ServiceError::Integrity { .. }) => {
                let Some(row) = self.local.store().get(scope).await? else {
                    return Ok(None);
                };
                return Ok(Some(HealthCheck {
                    message: e.to_string(),
                    ..HealthCheck::new(
                        scope,
                        row.fields.provider,
                        row.fields.model,
                        TestStatus::UnexpectedResponse,
                        crate::store::rows_now(),
                    )
                }));
            }
            Err(e) => return Err(e),
        };
        let outcome = self.local.probe(&row, &key).await;
        drop(key);
        Ok(Some(HealthCheck {
            scope: row.scope,
            provider: row.fields.provider,
            model: row.fields.model,
            status: outcome.status,
            http_status: outcome.http_status,
            latency_ms: u64::try_from(outcome.latency.as_millis()).unwrap_or(u64::MAX),
            checked_at: crate::store::rows_now(),
            message: outcome.message,
            lifecycle: outcome.lifecycle,
        }))
    }

    /// Records results; returns the transitions they caused.
    pub async fn record(
        &self,
        checks: Vec<HealthCheck>,
        policy: HealthPolicy,
        retention: HealthRetention,
    ) -> Result<Vec<Transition>, ServiceError> {
        Ok(self
            .local
            .store()
            .record_health(checks, policy, retention)
            .await?)
    }

    /// Forgets `rearm` and claims `claim` (lifecycle alert marks) in one
    /// transaction; returns the claimed marks that are new: the alerts to
    /// send.
    pub async fn settle_alerts(
        &self,
        claim: Vec<crate::domain::AlertMark>,
        rearm: Vec<crate::domain::AlertMark>,
    ) -> Result<Vec<crate::domain::AlertMark>, ServiceError> {
        Ok(self.local.store().settle_alerts(claim, rearm).await?)
    }

    /// Every stored health state.
    pub async fn states(&self) -> Result<Vec<HealthStatus>, ServiceError> {
        Ok(self.local.store().health_states().await?)
    }

    /// The health states with a result newer than the health mark `mark`.
    pub async fn states_after(&self, mark: i64) -> Result<Vec<HealthStatus>, ServiceError> {
        Ok(self.local.store().health_states_after(mark).await?)
    }

    /// The results `query` names.
    pub async fn samples(&self, query: SampleQuery) -> Result<Vec<HealthSample>, ServiceError> {
        Ok(self.local.store().health_samples(query).await?)
    }

    /// Moves whenever a monitor result lands.
    pub async fn mark(&self) -> Result<i64, ServiceError> {
        Ok(self.local.store().health_mark().await?)
    }

    /// Takes or renews the monitor lease (Unix milliseconds).
    pub async fn take_lease(
        &self,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, ServiceError> {
        Ok(self
            .local
            .store()
            .take_lease(holder, now_ms, until_ms)
            .await?)
    }

    /// Claims a monitor round for the lease holder: true at most once per
    /// round across every process on the store.
    pub async fn claim_round(
        &self,
        holder: &str,
        round: i64,
        now_ms: i64,
    ) -> Result<bool, ServiceError> {
        Ok(self
            .local
            .store()
            .claim_round(holder, round, now_ms)
            .await?)
    }

    /// Gives the lease up.
    pub async fn release_lease(&self, holder: &str) -> Result<(), ServiceError> {
        Ok(self.local.store().release_lease(holder).await?)
    }
}

/// What the TUI shows of the monitor: every scope's state, and the recent
/// results of the one scope in focus (for its sparkline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthBoard {
    /// The health mark it was read at; a different mark means new results.
    pub mark: i64,
    /// Every stored state, by scope.
    pub states: std::collections::HashMap<Scope, HealthStatus>,
    /// The scope whose results are in `recent`.
    pub focus: Option<Scope>,
    /// Its newest results, oldest first.
    pub recent: Vec<HealthSample>,
}

impl HealthBoard {
    /// Brings the board to health mark `mark` with the states that changed
    /// since its own ([`super::ServiceHandle::health_changes`]); a state
    /// replaces the scope's old one.
    pub fn merge(&mut self, mark: i64, states: Vec<HealthStatus>) {
        self.mark = mark;
        self.states
            .extend(states.into_iter().map(|s| (s.scope.clone(), s)));
    }
}

impl super::ServiceHandle {
    /// The health mark; `None` when the backend keeps no health history
    /// (remote mode).
    pub async fn health_mark(&self) -> Result<Option<i64>, ServiceError> {
        match self.admin() {
            Some(admin) => Ok(Some(admin.health().mark().await?)),
            None => Ok(None),
        }
    }

    /// The health board with the newest `recent` results of `focus`;
    /// `None` in remote mode.
    pub async fn health_board(
        &self,
        focus: Option<&Scope>,
        recent: usize,
    ) -> Result<Option<HealthBoard>, ServiceError> {
        let Some(admin) = self.admin() else {
            return Ok(None);
        };
        let access = admin.health();
        let mark = access.mark().await?;
        let states = access
            .states()
            .await?
            .into_iter()
            .map(|s| (s.scope.clone(), s))
            .collect();
        let samples = match focus {
            Some(scope) => recent_of(&access, scope, recent).await?,
            None => Vec::new(),
        };
        Ok(Some(HealthBoard {
            mark,
            states,
            focus: focus.cloned(),
            recent: samples,
        }))
    }

    /// Only the states that changed since the board's health mark `since`
    /// (those of scopes with a newer result), for merging into a board read
    /// at `since`: the cost follows what arrived, not the fleet's size.
    /// `None` in remote mode (the remote offers no health route).
    pub async fn health_changes(
        &self,
        since: i64,
    ) -> Result<Option<Vec<HealthStatus>>, ServiceError> {
        match self.admin() {
            Some(admin) => Ok(Some(admin.health().states_after(since).await?)),
            None => Ok(None),
        }
    }

    /// Only the newest `limit` results of `scope`, oldest first (the part
    /// of the board a new selection changes; one indexed query, however
    /// many scopes there are); `None` in remote mode.
    pub async fn health_recent(
        &self,
        scope: &Scope,
        limit: usize,
    ) -> Result<Option<Vec<HealthSample>>, ServiceError> {
        match self.admin() {
            Some(admin) => Ok(Some(recent_of(&admin.health(), scope, limit).await?)),
            None => Ok(None),
        }
    }
}

/// The newest `limit` results of `scope`, oldest first.
async fn recent_of(
    access: &HealthAccess,
    scope: &Scope,
    limit: usize,
) -> Result<Vec<HealthSample>, ServiceError> {
    let mut samples = access
        .samples(SampleQuery::Newest {
            scope: scope.clone(),
            limit,
        })
        .await?;
    samples.reverse();
    Ok(samples)
}

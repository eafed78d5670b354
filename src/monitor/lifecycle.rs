//! The lifecycle step of recording: after a batch of results is written,
//! each result's facts are checked against the window
//! ([`crate::domain::lifecycle_alert::AlertPlan`]), the store claims the
//! thresholds crossed in one transaction, and only those it had not seen go
//! out, so a threshold is sent once across rounds, restarts and replicas.

use std::collections::HashSet;

use super::alerts::Alerts;
use super::lifecycle_event::LifecycleEvent;
use crate::domain::lifecycle_alert::AlertPlan;
use crate::domain::{HealthCheck, LifecycleWindow};
use crate::service::HealthAccess;

/// Claims and sends the lifecycle alerts `checks` call for.
pub async fn alert(
    access: &HealthAccess,
    window: LifecycleWindow,
    checks: &[HealthCheck],
    alerts: &Alerts,
) -> Result<(), crate::service::ServiceError> {
    let plans: Vec<AlertPlan> = checks.iter().map(|c| AlertPlan::of(c, window)).collect();
    let claim = plans
        .iter()
        .flat_map(|p| p.crossed.iter().map(|c| c.mark.clone()))
        .collect();
    let rearm = plans.iter().flat_map(|p| p.rearm.clone()).collect();
    let claimed = access.settle_alerts(claim, rearm).await?;
    if claimed.is_empty() {
        return Ok(());
    }
    let claimed: HashSet<_> = claimed.iter().collect();
    for (check, plan) in checks.iter().zip(&plans) {
        for event in LifecycleEvent::of(check, plan, &claimed) {
            alerts.send_lifecycle(&event);
        }
    }
    Ok(())
}

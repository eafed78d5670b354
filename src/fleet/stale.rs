//! Refusing a stale plan. A plan records the [`StateStamp`] of every scope it
//! read; before anything is written, apply reads the instance list again and
//! refuses the whole run, naming the scopes, when one that the plan would
//! change has moved since (another writer, or the minutes a reviewer took
//! at the confirm prompt). On the local store each write checks its scope's
//! stamp again inside its own transaction, which closes the remaining window
//! between this check and the write.

use std::collections::HashMap;

use super::plan::ScopeAction;
use super::{FleetError, Plan};
use crate::domain::StateStamp;
use crate::service::ServiceHandle;

/// `Err(FleetError::Stale)` naming every scope the plan would change whose
/// state is no longer the one the plan saw.
pub async fn check(handle: &ServiceHandle, plan: &Plan) -> Result<(), FleetError> {
    let now: HashMap<Option<String>, StateStamp> = handle
        .list_instances()
        .await?
        .into_iter()
        .map(|s| (s.instance_id, StateStamp::of(s.config.as_ref())))
        .collect();
    let absent = StateStamp::of(None);
    let scopes: Vec<String> = plan
        .scopes
        .iter()
        .filter(|p| p.action != ScopeAction::Unchanged)
        .filter(|p| now.get(&p.instance_id).unwrap_or(&absent) != &p.observed)
        .map(|p| p.scope.to_string())
        .collect();
    if scopes.is_empty() {
        Ok(())
    } else {
        Err(FleetError::Stale { scopes })
    }
}

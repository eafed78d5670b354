//! The scopes at risk by their lifecycle facts, soonest first: what `llmcfg
//! lifecycle` lists and `plan --migrate-retiring` moves. Read from the
//! instance list alone (the facts ride on each scope's last test), so a
//! remote `llmcfg serve` answers it with the one request it already serves.

use serde::Serialize;
use time::Date;

use super::{InstanceSummary, Lifecycle, LifecycleWindow, Scope};

/// One scope at risk.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeRisk {
    /// The instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// The provider.
    pub provider: String,
    /// The model.
    pub model: String,
    /// Days to the soonest retirement or key expiry (negative once past);
    /// `null` when only the credit puts the scope at risk.
    pub days_left: Option<i64>,
    /// The facts in the words every view uses.
    pub facts: Vec<String>,
    /// The facts as recorded.
    pub lifecycle: Lifecycle,
}

impl ScopeRisk {
    /// The scope.
    pub fn scope(&self) -> Scope {
        Scope::from_optional(self.instance_id.as_deref()).unwrap_or(Scope::Global)
    }

    /// The model the provider names to move to, when the model retires
    /// inside `window` on `today` and a successor is announced.
    pub fn successor(&self, today: Date, window: LifecycleWindow) -> Option<&str> {
        let days = self.lifecycle.days_to_retirement(today)?;
        let r = self.lifecycle.retirement.as_ref()?;
        (days <= i64::from(window.days) && r.model == self.model)
            .then_some(r.successor.as_deref())
            .flatten()
    }
}

/// Every scope of `list` whose current facts put it at risk on `today`,
/// soonest dated fact first, then those at risk by credit alone.
pub fn at_risk(list: &[InstanceSummary], today: Date, window: LifecycleWindow) -> Vec<ScopeRisk> {
    let mut out: Vec<ScopeRisk> = list
        .iter()
        .filter_map(|s| {
            let facts = s.lifecycle()?;
            let config = s.config.as_ref()?;
            if !facts.at_risk(today, window) {
                return None;
            }
            let days_left = [
                facts.days_to_retirement(today),
                facts.days_to_key_expiry(today),
            ]
            .into_iter()
            .flatten()
            .filter(|d| *d <= i64::from(window.days))
            .min();
            Some(ScopeRisk {
                instance_id: s.instance_id.clone(),
                provider: config.provider.clone(),
                model: config.model.clone(),
                days_left,
                facts: facts.lines(today),
                lifecycle: facts.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (a.days_left.is_none(), a.days_left, &a.instance_id).cmp(&(
            b.days_left.is_none(),
            b.days_left,
            &b.instance_id,
        ))
    });
    out
}

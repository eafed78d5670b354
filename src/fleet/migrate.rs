//! `plan --migrate-retiring`: the fleet file that moves every scope whose
//! model retires inside the `[lifecycle]` window to the successor its
//! provider named. It is an [`export`](super::export) of just those scopes
//! with the model replaced and `keep_key = true`, so `plan -f` shows one
//! model change per scope and `apply -f … --test` tests each scope on its
//! new model before writing it. Scopes whose provider named no successor
//! are not guessed at: they come back as notes.

use time::Date;

use super::current::State;
use super::export::{ExportDoc, build};
use crate::domain::LifecycleWindow;
use crate::domain::lifecycle_risk::ScopeRisk;

/// The migration file and what it leaves out.
#[derive(Debug, Clone, Default)]
pub struct Migration {
    /// The scopes to move, each with its successor model.
    pub doc: ExportDoc,
    /// Retiring scopes left out, and why.
    pub notes: Vec<String>,
}

impl Migration {
    /// The migration of the retiring scopes among `risks` (from
    /// [`crate::domain::lifecycle_risk::at_risk`]), read against `state`.
    pub fn of(state: &State, risks: &[ScopeRisk], today: Date, window: LifecycleWindow) -> Self {
        let mut all = build(state);
        let mut out = Migration::default();
        for risk in risks {
            if risk.lifecycle.retirement.is_none() {
                continue;
            }
            let scope = risk.scope();
            let entry = match scope.instance_id() {
                None => all.control_plane.take(),
                Some(id) => all.instances.remove(id),
            };
            let Some(mut entry) = entry else {
                continue;
            };
            let Some(successor) = risk.successor(today, window) else {
                out.notes.push(format!(
                    "{scope}: {} — no successor announced; not moved",
                    risk.facts.first().map_or("retiring", String::as_str)
                ));
                continue;
            };
            entry.fields.model = successor.to_string();
            match scope.instance_id() {
                None => out.doc.control_plane = Some(entry),
                Some(id) => {
                    out.doc.instances.insert(id.to_string(), entry);
                }
            }
        }
        out
    }

    /// The file as TOML, with a header saying what it is and what to run.
    pub fn to_toml(
        &self,
        today: Date,
        window: LifecycleWindow,
    ) -> Result<String, toml::ser::Error> {
        let header = format!(
            "# Written by `llmcfg plan --migrate-retiring` on {today}: each scope below moves\n\
             # from a model its provider retires within {} days to the successor the\n\
             # provider named. Keys stay as they are (keep_key = true). Review it with\n\
             # `llmcfg plan -f FILE`, then `llmcfg apply -f FILE --test`.\n\n",
            window.days
        );
        Ok(format!("{header}{}", toml::to_string(&self.doc)?))
    }

    /// True when no scope moves.
    pub fn is_empty(&self) -> bool {
        self.doc.control_plane.is_none() && self.doc.instances.is_empty()
    }
}

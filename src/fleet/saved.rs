//! Saved plans (`plan -f fleet.toml --out plan.json`, then `apply
//! plan.json`), like terraform's: the reviewed plan is what gets applied, or
//! nothing. A saved plan names the fleet file with its SHA-256, and holds,
//! per scope, the state stamp the plan saw and a digest of everything the
//! plan showed for it (field changes, key fingerprints, notes). Applying it
//! reads the file again (refused if its hash moved), plans again, and
//! refuses, naming them, every scope whose new plan differs from the saved
//! one; the stamps are then checked again at write time ([`super::stale`]).
//! A saved plan holds no key: the key references are read again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::plan::{KeyCheck, ScopeAction};
use super::{FleetError, Plan, PlanOptions};
use crate::domain::{Scope, StateStamp};

/// The format number of a saved plan.
const FORMAT: u32 = 1;

/// A plan written to a file for a later `apply`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedPlan {
    /// Always [`FORMAT`].
    pub llmcfg_plan: u32,
    /// The fleet file, as an absolute path.
    pub fleet_file: PathBuf,
    /// Its SHA-256 when the plan was made.
    pub sha256: String,
    /// Whether the plan deletes the scopes the file omits.
    pub prune: bool,
    /// Every scope of the plan.
    pub scopes: Vec<SavedScope>,
}

/// One scope of a saved plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedScope {
    /// Instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// What the plan said.
    pub action: ScopeAction,
    /// The state the plan saw.
    pub observed: StateStamp,
    /// SHA-256 of the scope's plan as `--json` shows it.
    pub digest: String,
}

impl SavedPlan {
    /// The saved form of `plan`, made from the fleet file at `path` with `prune`.
    pub fn of(plan: &Plan, path: &Path, prune: bool) -> Result<SavedPlan, FleetError> {
        let fleet_file = std::path::absolute(path).map_err(|e| FleetError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Ok(SavedPlan {
            llmcfg_plan: FORMAT,
            fleet_file,
            sha256: plan.sha256.clone(),
            prune,
            scopes: scopes_of(plan),
        })
    }

    /// Writes the plan to `path` as JSON.
    pub fn write(&self, path: &Path) -> Result<(), FleetError> {
        let text = serde_json::to_string_pretty(self).expect("a saved plan always serialises");
        std::fs::write(path, text + "\n").map_err(|e| FleetError::Read {
            path: path.display().to_string(),
            reason: format!("cannot write the plan: {e}"),
        })
    }

    /// Reads a plan written by [`SavedPlan::write`].
    pub fn read(path: &Path) -> Result<SavedPlan, FleetError> {
        let bad = |reason: String| FleetError::Read {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
        let saved: SavedPlan = serde_json::from_str(&text)
            .map_err(|e| bad(format!("not a saved plan (`plan --out` writes one): {e}")))?;
        if saved.llmcfg_plan != FORMAT {
            return Err(bad(format!(
                "llmcfg_plan: must be {FORMAT}, found {}",
                saved.llmcfg_plan
            )));
        }
        Ok(saved)
    }

    /// The options to plan again with.
    pub fn options(&self) -> PlanOptions {
        PlanOptions {
            prune: self.prune,
            keys: KeyCheck::Resolve,
        }
    }

    /// `Ok` when `fresh` (planned again now) is the plan that was saved;
    /// otherwise the fleet file moved, or the scopes whose plan differs.
    pub fn matches(&self, fresh: &Plan) -> Result<(), FleetError> {
        if fresh.sha256 != self.sha256 {
            return Err(FleetError::FileChanged {
                path: self.fleet_file.display().to_string(),
            });
        }
        let saved: BTreeMap<_, _> = self.scopes.iter().map(|s| (&s.instance_id, s)).collect();
        let now = scopes_of(fresh);
        let now: BTreeMap<_, _> = now.iter().map(|s| (&s.instance_id, s)).collect();
        let scopes: Vec<String> = saved
            .keys()
            .chain(now.keys())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .filter(|id| saved.get(*id) != now.get(*id))
            .map(|id| match Scope::from_optional(id.as_deref()) {
                Ok(scope) => scope.to_string(),
                Err(_) => format!("{id:?}"),
            })
            .collect();
        if scopes.is_empty() {
            Ok(())
        } else {
            Err(FleetError::Stale { scopes })
        }
    }
}

fn scopes_of(plan: &Plan) -> Vec<SavedScope> {
    plan.scopes
        .iter()
        .map(|p| SavedScope {
            instance_id: p.instance_id.clone(),
            action: p.action,
            observed: p.observed.clone(),
            digest: hex::encode(Sha256::digest(
                serde_json::to_vec(p).expect("a scope plan always serialises"),
            )),
        })
        .collect()
}

//! Drift marks: with `[fleet] file = …` in config.toml, the instance list
//! marks (≠) every scope that differs from the fleet file, exactly the
//! scopes `llmcfg drift -f` lists ([`crate::fleet::Plan::drifted`]). The
//! plan is computed in a task after each reload of the list; it reads no
//! key reference, so it runs where the keys are not available.

use std::collections::HashSet;
use std::path::Path;

use crate::domain::Scope;
use crate::fleet::PlanOptions;
use crate::fleet::pipeline::plan_path;
use crate::fleet::plan::KeyCheck;
use crate::service::ServiceHandle;

/// What the list shows about drift.
#[derive(Debug, Clone, Default)]
pub struct DriftMarks {
    /// The fleet file's name, for the title.
    pub file: String,
    /// The scopes that differ from it.
    pub drifted: HashSet<Scope>,
    /// Why the last comparison failed (a bad file, an unreachable server).
    pub error: Option<String>,
}

impl DriftMarks {
    /// Whether `scope` differs from the file.
    pub fn is_drifted(&self, scope: &Scope) -> bool {
        self.drifted.contains(scope)
    }

    /// The title note: `3 drifted from fleet.toml`, or the error.
    pub fn title(&self) -> String {
        match &self.error {
            Some(_) => format!("{}: cannot compare", self.file),
            None => format!("{} drifted from {}", self.drifted.len(), self.file),
        }
    }
}

/// The scopes that differ from the fleet file at `path`, or why that could
/// not be told (the first line of the error).
pub async fn compare(handle: &ServiceHandle, path: &Path) -> Result<HashSet<Scope>, String> {
    let options = PlanOptions {
        prune: false,
        keys: KeyCheck::Skip,
    };
    match plan_path(handle, path, options).await {
        Ok((_, plan)) => Ok(plan.drifted().into_iter().collect()),
        Err(e) => Err(e.to_string().lines().next().unwrap_or_default().to_string()),
    }
}

//! The plan: for each scope, whether it would be created, updated, deleted
//! (only with `--prune`) or left unchanged, with old → new per field and key
//! changes shown by fingerprint. Key references are read here, before any
//! write, so a missing variable or a failing command stops the run with
//! nothing changed. Writes are built with the domain's own types, and updates
//! are checked with [`ConfigPatch::merge`] — the rule that a key never follows
//! its config to a new provider or base URL applies to fleet files too.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::current::State;
use super::key_reference::KeyReference;
use super::resolve::Desired;
use super::{Diagnostics, FleetError, FleetFile, KeyRef};
use crate::domain::{
    ApiKey, Catalog, ConfigFields, ConfigPatch, FIELDS, NewConfig, Scope, StateStamp,
};

/// How a plan treats key references.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCheck {
    /// Read every referenced key and compare fingerprints (apply, and
    /// plan or drift with `--resolve-keys`).
    Resolve,
    /// Leave references unread; compare only recorded fingerprints (plan
    /// and drift by default: see [`super::key_reference`]).
    Skip,
}

impl KeyCheck {
    /// `Resolve` when the user asked for it (`--resolve-keys`), else `Skip`.
    pub fn when(resolve_keys: bool) -> KeyCheck {
        if resolve_keys {
            KeyCheck::Resolve
        } else {
            KeyCheck::Skip
        }
    }
}

/// What to plan.
#[derive(Debug, Clone, Copy)]
pub struct PlanOptions {
    /// Delete configured scopes the file does not mention.
    pub prune: bool,
    /// Whether to read key references.
    pub keys: KeyCheck,
}

/// What happens to one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeAction {
    /// A new config is written.
    Create,
    /// Some fields change.
    Update,
    /// The config is deleted (`--prune`).
    Delete,
    /// Nothing changes.
    Unchanged,
}

impl ScopeAction {
    /// The verb, as reports say it ("create", "update", "delete", "keep").
    pub fn verb(self) -> &'static str {
        match self {
            ScopeAction::Create => "create",
            ScopeAction::Update => "update",
            ScopeAction::Delete => "delete",
            ScopeAction::Unchanged => "keep",
        }
    }
}

/// One field's old and new value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// A config field's name.
    pub field: &'static str,
    /// The stored value (`None`: not set, or no config yet).
    pub old: Option<String>,
    /// The value from the file.
    pub new: Option<String>,
}

/// A key change, by fingerprint only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyChange {
    /// Fingerprint of the stored key (`None`: none, or unknown).
    pub old: Option<String>,
    /// Fingerprint of the referenced key.
    pub new: Option<String>,
}

/// The write a scope's plan performs.
#[derive(Debug, Clone)]
pub enum Write {
    /// None.
    Nothing,
    /// Create with this config.
    Create(NewConfig),
    /// Update with this patch.
    Update(ConfigPatch),
    /// Delete.
    Delete,
}

/// The plan of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopePlan {
    /// The scope.
    #[serde(skip)]
    pub scope: Scope,
    /// Instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// What happens.
    pub action: ScopeAction,
    /// The scope's state when the plan was made; apply refuses the scope
    /// when it has moved since.
    pub observed: StateStamp,
    /// Field changes, old → new.
    pub changes: Vec<FieldChange>,
    /// The key change, if any.
    pub key: Option<KeyChange>,
    /// The key reference judged without reading it (when keys are not
    /// resolved and the scope does not keep its key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_reference: Option<KeyReference>,
    /// Differences the plan does not change (a kept key that differs from the
    /// one `export` recorded).
    pub notes: Vec<String>,
    /// The write.
    #[serde(skip)]
    pub write: Write,
    /// Where a new or changed key would be sent, or the new model the kept
    /// key is to serve (what `apply --test` tests).
    #[serde(skip)]
    pub test_target: Option<TestTarget>,
}

/// The config a new key is meant for: its destination, and the model the
/// scope will use.
pub type TestTarget = ConfigFields;

/// Counts per action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Scopes created.
    pub create: usize,
    /// Scopes updated.
    pub update: usize,
    /// Scopes deleted.
    pub delete: usize,
    /// Scopes unchanged.
    pub unchanged: usize,
    /// Configured scopes the file does not mention (kept without `--prune`).
    pub not_in_file: usize,
}

/// A whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// The fleet file.
    pub file: String,
    /// SHA-256 of the fleet file.
    pub sha256: String,
    /// Every scope, the file's first, then deletions.
    pub scopes: Vec<ScopePlan>,
    /// Configured scopes the file does not mention, when not pruned.
    pub not_in_file: Vec<Option<String>>,
    /// Counts.
    pub summary: Summary,
    /// Limits of this plan (e.g. unknown stored fingerprints).
    pub notes: Vec<String>,
}

impl Plan {
    /// True when applying would write anything.
    pub fn has_changes(&self) -> bool {
        let s = &self.summary;
        s.create + s.update + s.delete > 0
    }

    /// The scopes that differ from the file (what `drift` lists and the TUI
    /// marks): those the plan would change, those with a note, and the
    /// configured scopes the file does not mention.
    pub fn drifted(&self) -> Vec<Scope> {
        let planned = self
            .scopes
            .iter()
            .filter(|p| p.action != ScopeAction::Unchanged || !p.notes.is_empty())
            .map(|p| p.scope.clone());
        let unlisted = self
            .not_in_file
            .iter()
            .filter_map(|id| Scope::from_optional(id.as_deref()).ok());
        planned.chain(unlisted).collect()
    }
}

/// Compares the file with the state.
pub async fn compute(
    handle: &crate::service::ServiceHandle,
    file: &FleetFile,
    desired: &[Desired],
    state: &State,
    catalog: &Catalog,
    options: PlanOptions,
) -> Result<Plan, FleetError> {
    let keys = match options.keys {
        KeyCheck::Resolve => super::keyset::read_all(handle, file, desired).await?,
        KeyCheck::Skip => HashMap::new(),
    };
    let mut diags = Diagnostics::default();
    let mut scopes = Vec::with_capacity(desired.len());
    let mut seen = BTreeSet::new();
    let mut summary = Summary::default();
    for d in desired {
        seen.insert(&d.scope);
        let key = match options.keys {
            KeyCheck::Resolve => keys.get(d.key.get_ref()).cloned().flatten(),
            KeyCheck::Skip => None,
        };
        match plan_one(file, d, state, catalog, key, options.keys) {
            Ok(p) => {
                bump(&mut summary, p.action);
                scopes.push(p);
            }
            Err(e) => diags.push(e),
        }
    }
    let mut not_in_file = Vec::new();
    for (scope, current) in state.scopes.iter().filter(|(s, _)| !seen.contains(s)) {
        if options.prune {
            summary.delete += 1;
            scopes.push(ScopePlan {
                scope: scope.clone(),
                instance_id: scope.instance_id().map(str::to_string),
                action: ScopeAction::Delete,
                observed: StateStamp::of(Some(&current.view)),
                changes: Vec::new(),
                key: None,
                key_reference: None,
                notes: Vec::new(),
                write: Write::Delete,
                test_target: None,
            });
        } else {
            summary.not_in_file += 1;
            not_in_file.push(scope.instance_id().map(str::to_string));
        }
    }
    diags.into_result(Plan {
        file: file.source.name.clone(),
        sha256: file.source.sha256(),
        scopes,
        not_in_file,
        summary,
        notes: state.notes.clone(),
    })
}

fn bump(s: &mut Summary, action: ScopeAction) {
    match action {
        ScopeAction::Create => s.create += 1,
        ScopeAction::Update => s.update += 1,
        ScopeAction::Delete => s.delete += 1,
        ScopeAction::Unchanged => s.unchanged += 1,
    }
}

fn plan_one(
    file: &FleetFile,
    d: &Desired,
    state: &State,
    catalog: &Catalog,
    key: Option<(ApiKey, String)>,
    keys: KeyCheck,
) -> Result<ScopePlan, super::Diagnostic> {
    let at_key = |message: String| file.source.error(d.key.span(), d.path.clone(), message);
    let mut plan = ScopePlan {
        scope: d.scope.clone(),
        instance_id: d.scope.instance_id().map(str::to_string),
        action: ScopeAction::Unchanged,
        observed: StateStamp::of(state.scopes.get(&d.scope).map(|c| &c.view)),
        changes: Vec::new(),
        key: None,
        key_reference: None,
        notes: Vec::new(),
        write: Write::Nothing,
        test_target: None,
    };
    let target: TestTarget = d.fields.clone();
    let Some(current) = state.scopes.get(&d.scope) else {
        plan.action = ScopeAction::Create;
        plan.changes = FIELDS
            .iter()
            .filter_map(|f| {
                let new = d.fields.text(f.name)?;
                Some(change(f.name, None, Some(new)))
            })
            .collect();
        if keys == KeyCheck::Skip {
            plan.key_reference = KeyReference::judge(d.key.get_ref(), None, None);
            return Ok(plan);
        }
        let Some((api_key, fp)) = key else {
            return Err(at_key(format!(
                "keep_key = true, but the {} has no stored key to keep; give a key reference",
                d.scope
            )));
        };
        plan.key = Some(KeyChange {
            old: None,
            new: Some(fp),
        });
        plan.test_target = Some(target);
        plan.write = Write::Create(NewConfig::from_fields(d.fields.clone(), api_key));
        return Ok(plan);
    };
    let view = &current.view;
    let mut patch = ConfigPatch::default();
    let stored = view.fields();
    for name in stored.differing(&d.fields) {
        let new = d.fields.text(name);
        plan.changes.push(change(name, stored.text(name), new));
        patch.set_sent(name, Some(new.map(str::to_string)));
    }
    // A new model on the kept key (a move to a retiring model's successor):
    // `apply --test` asks the provider for it with the stored key first.
    if plan.changes.iter().any(|c| c.field == "model") {
        plan.test_target = Some(target.clone());
    }
    if let Some((api_key, fp)) = key
        && current.key_fingerprint.as_deref() != Some(fp.as_str())
    {
        plan.key = Some(KeyChange {
            old: current.key_fingerprint.clone(),
            new: Some(fp),
        });
        plan.test_target = Some(target);
        patch.api_key = Some(api_key);
    }
    if let (KeyRef::Keep, Some(recorded)) = (d.key.get_ref(), &d.key_fingerprint)
        && current.key_fingerprint.as_deref() != Some(recorded.as_str())
    {
        plan.notes.push(format!(
            "stored key {} differs from the recorded key_fingerprint {recorded} (keep_key leaves it)",
            current.key_fingerprint.as_deref().unwrap_or("(unknown)")
        ));
    }
    if keys == KeyCheck::Skip {
        plan.key_reference = KeyReference::judge(
            d.key.get_ref(),
            d.key_fingerprint.as_deref(),
            current.key_fingerprint.as_deref(),
        );
    }
    let key_changes = plan.key.is_some() || plan.key_reference == Some(KeyReference::Changed);
    if plan.changes.is_empty() && !key_changes {
        return Ok(plan);
    }
    plan.action = ScopeAction::Update;
    if keys == KeyCheck::Resolve {
        patch
            .merge(&view.fields(), catalog)
            .map_err(|e| at_key(e.to_string()))?;
        plan.write = Write::Update(patch);
    }
    Ok(plan)
}

fn change(field: &'static str, old: Option<&str>, new: Option<&str>) -> FieldChange {
    FieldChange {
        field,
        old: old.map(str::to_string),
        new: new.map(str::to_string),
    }
}

//! Applying a plan: one write per scope, each its own transaction in the
//! store, so an interrupted run leaves every scope entirely old or entirely
//! new and a second run picks up what is left. With `--test` a new or changed
//! key is first tried against its provider and the scope is skipped when the
//! provider refuses it. Every write is audited under an actor that names the
//! fleet file and its hash.

use serde::Serialize;

use super::plan::{ScopeAction, TestTarget, Write};
use super::{Plan, SourceFile};
use crate::domain::ApiKey;
use crate::service::ServiceHandle;

/// Hex digits of the file's SHA-256 kept in the audit actor.
const ACTOR_HASH_LEN: usize = 12;

/// What `apply` does besides writing.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Test each new or changed key before writing it.
    pub test: bool,
}

/// What happened to one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Outcome {
    /// Written.
    Applied,
    /// Not written: the key test failed.
    Skipped {
        /// Why.
        reason: String,
    },
    /// The write failed.
    Failed {
        /// Why.
        error: String,
    },
}

/// The report line of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeReport {
    /// Instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// What the plan said.
    pub action: ScopeAction,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Extra detail (e.g. the key test's model check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The per-scope report of a run.
#[derive(Debug, Clone, Serialize)]
pub struct ApplyReport {
    /// The audit actor the writes were recorded under.
    pub actor: String,
    /// One line per scope that had something to do.
    pub scopes: Vec<ScopeReport>,
    /// Scopes written.
    pub applied: usize,
    /// Scopes skipped after a failed key test.
    pub skipped: usize,
    /// Scopes whose write failed.
    pub failed: usize,
}

/// The audit actor of a fleet run: the file's name and hash prefix, then who
/// ran it, e.g. `fleet:fleet.toml@3f2a9c1b7d4e (local:alice)`.
pub fn fleet_actor(handle: &ServiceHandle, source: &SourceFile) -> String {
    let hash = source.sha256();
    format!(
        "fleet:{}@{} ({})",
        source.file_name(),
        &hash[..ACTOR_HASH_LEN],
        handle.actor()
    )
}

/// Applies `plan` through `handle`, scope by scope.
pub async fn apply(
    handle: &ServiceHandle,
    plan: Plan,
    source: &SourceFile,
    options: ApplyOptions,
) -> ApplyReport {
    let actor = fleet_actor(handle, source);
    let handle = handle.with_actor(actor.clone());
    let mut report = ApplyReport {
        actor,
        scopes: Vec::new(),
        applied: 0,
        skipped: 0,
        failed: 0,
    };
    for scope_plan in plan.scopes {
        if scope_plan.action == ScopeAction::Unchanged {
            continue;
        }
        let mut note = None;
        let tested = match (&scope_plan.test_target, options.test) {
            (Some(target), true) => match key_of(&scope_plan.write) {
                Some(key) => test_key(&handle, target, key).await,
                None => Ok(None),
            },
            _ => Ok(None),
        };
        let outcome = match tested {
            Err(reason) => Outcome::Skipped { reason },
            Ok(test_note) => {
                note = test_note;
                let result = match scope_plan.write {
                    Write::Create(config) => {
                        handle.create(&scope_plan.scope, config).await.map(drop)
                    }
                    Write::Update(patch) => handle.update(&scope_plan.scope, patch).await.map(drop),
                    Write::Delete => handle.delete(&scope_plan.scope).await,
                    Write::Nothing => Ok(()),
                };
                match result {
                    Ok(()) => Outcome::Applied,
                    Err(e) => Outcome::Failed {
                        error: e.to_string(),
                    },
                }
            }
        };
        match &outcome {
            Outcome::Applied => report.applied += 1,
            Outcome::Skipped { .. } => report.skipped += 1,
            Outcome::Failed { .. } => report.failed += 1,
        }
        report.scopes.push(ScopeReport {
            instance_id: scope_plan.instance_id,
            action: scope_plan.action,
            outcome,
            note,
        });
    }
    report
}

fn key_of(write: &Write) -> Option<&ApiKey> {
    match write {
        Write::Create(c) => Some(&c.api_key),
        Write::Update(p) => p.api_key.as_ref(),
        Write::Delete | Write::Nothing => None,
    }
}

/// Tries an unsaved key. The handle's only operation on an unsaved key is
/// the live model list, so that is the test: the provider must accept the
/// key for the list; a model missing from the list is noted, not fatal
/// (Azure deployments and gateways do not list every usable model).
async fn test_key(
    handle: &ServiceHandle,
    target: &TestTarget,
    key: &ApiKey,
) -> Result<Option<String>, String> {
    match handle
        .list_models_for(&target.provider, key.clone(), target.base_url.clone())
        .await
    {
        Ok(models) if !models.is_empty() && !models.iter().any(|m| m == &target.model) => {
            Ok(Some(format!(
                "key accepted; model {} is not in the provider's model list",
                target.model
            )))
        }
        Ok(_) => Ok(Some("key accepted by the provider".to_string())),
        Err(e) => Err(format!("key test failed: {e}")),
    }
}

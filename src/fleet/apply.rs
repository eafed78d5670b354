//! Applying a plan: one write per scope, each its own transaction (a
//! savepoint when the SQLite writer group-commits the 32 kept in flight; the
//! report keeps plan order), so an interrupted run leaves every scope entirely old or entirely
//! new and a second run picks up what is left; or, with `--atomic` on the
//! local store, every scope in one transaction, all or nothing. With `--test` a new or changed
//! key is first tried against its provider and the scope is skipped when the
//! provider refuses it. Every write is audited under an actor that names the
//! fleet file and its hash.

use futures_util::{StreamExt, stream};
use serde::Serialize;

use super::plan::{ScopeAction, ScopePlan, TestTarget, Write};
use super::{FleetError, Plan, SourceFile};
use crate::domain::{ApiKey, NewConfig};
use crate::service::{BatchFailure, BatchItem, ScopeWrite, ServiceError, ServiceHandle};

/// Hex digits of the file's SHA-256 kept in the audit actor.
const ACTOR_HASH_LEN: usize = 12;

/// What `apply` does besides writing.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Test each new or changed key before writing it.
    pub test: bool,
    /// Write every scope in one transaction, or none (local store only).
    pub atomic: bool,
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
    /// Not written: an `--atomic` run wrote nothing because another scope
    /// failed.
    RolledBack {
        /// Which scope, and why.
        reason: String,
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
    /// Whether the run was one transaction.
    pub atomic: bool,
    /// One line per scope that had something to do.
    pub scopes: Vec<ScopeReport>,
    /// Scopes written.
    pub applied: usize,
    /// Scopes skipped after a failed key test.
    pub skipped: usize,
    /// Scopes whose write failed.
    pub failed: usize,
    /// Scopes left unwritten because an `--atomic` run rolled back.
    pub rolled_back: usize,
}

impl ApplyReport {
    fn push(&mut self, line: ScopeReport) {
        match &line.outcome {
            Outcome::Applied => self.applied += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::RolledBack { .. } => self.rolled_back += 1,
        }
        self.scopes.push(line);
    }
}

/// The audit actor of a fleet run: the file's name and hash prefix, then who
/// ran it, e.g. `fleet:fleet.toml@3f2a9c1b7d4e (local:alice)`.
pub fn fleet_actor(handle: &ServiceHandle, source: &SourceFile) -> String {
    let hash = source.sha256();
    format!(
        "fleet:{}@{} ({})",
        source.file_name(),
        &hash[..ACTOR_HASH_LEN],
        handle.caller()
    )
}

/// Applies `plan` through `handle`: scope by scope, or with
/// [`ApplyOptions::atomic`] all in one transaction. Refused with nothing
/// written when a scope the plan changes has changed since the plan was
/// made ([`super::stale`]), or when `--atomic` meets a remote server.
pub async fn apply(
    handle: &ServiceHandle,
    plan: Plan,
    source: &SourceFile,
    options: ApplyOptions,
) -> Result<ApplyReport, FleetError> {
    let actor = fleet_actor(handle, source);
    let handle = handle.with_caller(actor.clone());
    // Local writes go through the batch, whose transaction re-checks each
    // scope's stamp; a remote server has only the pre-check below.
    let admin = handle.admin();
    if options.atomic && admin.is_none() {
        return Err(FleetError::AtomicNeedsLocal);
    }
    super::stale::check(&handle, &plan).await?;
    let mut report = ApplyReport {
        actor,
        atomic: options.atomic,
        scopes: Vec::new(),
        applied: 0,
        skipped: 0,
        failed: 0,
        rolled_back: 0,
    };
    let mut batch = Vec::new();
    let mut lines = Vec::new();
    for scope_plan in plan.scopes {
        if scope_plan.action == ScopeAction::Unchanged {
            continue;
        }
        let tested = match (&scope_plan.test_target, options.test) {
            (Some(target), true) => match key_of(&scope_plan.write) {
                Some(key) => test_key(&handle, target, key).await,
                None => Ok(None),
            },
            _ => Ok(None),
        };
        let note = match tested {
            Err(reason) => {
                lines.push(Line::Done(ScopeReport {
                    instance_id: scope_plan.instance_id,
                    action: scope_plan.action,
                    outcome: Outcome::Skipped { reason },
                    note: None,
                }));
                continue;
            }
            Ok(note) => note,
        };
        let line = ScopeReport {
            instance_id: scope_plan.instance_id.clone(),
            action: scope_plan.action,
            outcome: Outcome::Applied,
            note,
        };
        let Some(item) = batch_item(scope_plan) else {
            lines.push(Line::Done(line));
            continue;
        };
        if options.atomic {
            batch.push((item, line));
            continue;
        }
        lines.push(Line::Write(item, line));
    }
    // Each scope is still its own transaction; issuing several at once lets
    // the SQLite writer group-commit them (one fsync for many), and
    // `buffered` hands the results back in plan order.
    let written: Vec<ScopeReport> = stream::iter(lines)
        .map(|line| write_line(&handle, admin.as_ref(), line))
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    written.into_iter().for_each(|line| report.push(line));
    if let Some(admin) = admin.filter(|_| options.atomic) {
        write_atomic(&admin, batch, &mut report).await?;
    }
    Ok(report)
}

/// Scope writes of a scope-by-scope run in flight at once.
const IN_FLIGHT: usize = 32;

/// One report line of a scope-by-scope run, before its write.
enum Line {
    /// Nothing to write: the line is final (a skipped key test).
    Done(ScopeReport),
    /// The scope's write, and its line should the write succeed.
    Write(BatchItem, ScopeReport),
}

/// Writes one scope (its own transaction) and returns its report line.
async fn write_line(
    handle: &ServiceHandle,
    admin: Option<&crate::service::AdminHandle>,
    line: Line,
) -> ScopeReport {
    let (item, line) = match line {
        Line::Done(line) => return line,
        Line::Write(item, line) => (item, line),
    };
    let result = match admin {
        Some(admin) => admin
            .write_batch(vec![item])
            .await
            .map(drop)
            .map_err(|f| f.error),
        None => write_one(handle, item).await,
    };
    ScopeReport {
        outcome: match result {
            Ok(()) => Outcome::Applied,
            Err(e) => Outcome::Failed {
                error: e.to_string(),
            },
        },
        ..line
    }
}

/// Writes `batch` in one transaction, or, when a key test already failed or
/// one write fails, nothing; a scope that changed since the plan refuses the
/// whole run as stale.
async fn write_atomic(
    admin: &crate::service::AdminHandle,
    batch: Vec<(BatchItem, ScopeReport)>,
    report: &mut ApplyReport,
) -> Result<(), FleetError> {
    let (items, lines): (Vec<BatchItem>, Vec<ScopeReport>) = batch.into_iter().unzip();
    let failure = if report.skipped > 0 {
        Some((None, format!("{} key test(s) failed", report.skipped)))
    } else {
        match admin.write_batch(items).await {
            Ok(_) => None,
            Err(BatchFailure {
                error: ServiceError::Changed { scope },
                ..
            }) => {
                return Err(FleetError::Stale {
                    scopes: vec![scope.to_string()],
                });
            }
            Err(f) => Some((f.scope, f.error.to_string())),
        }
    };
    for line in lines {
        let outcome = match &failure {
            None => Outcome::Applied,
            Some((Some(scope), error)) if scope.instance_id() == line.instance_id.as_deref() => {
                Outcome::Failed {
                    error: error.clone(),
                }
            }
            Some((scope, error)) => Outcome::RolledBack {
                reason: match scope {
                    Some(scope) => format!("the {scope} failed: {error}"),
                    None => error.clone(),
                },
            },
        };
        report.push(ScopeReport { outcome, ..line });
    }
    Ok(())
}

/// The batch write of one scope's plan, checked against the state the plan saw.
fn batch_item(p: ScopePlan) -> Option<BatchItem> {
    let write = match p.write {
        Write::Create(config) => ScopeWrite::Create(config),
        Write::Update(patch) => ScopeWrite::Update(patch),
        Write::Delete => ScopeWrite::Delete,
        Write::Nothing => return None,
    };
    Some(BatchItem {
        scope: p.scope,
        write,
        expected: Some(p.observed),
    })
}

/// One scope's write through the handle (remote mode).
async fn write_one(handle: &ServiceHandle, item: BatchItem) -> Result<(), ServiceError> {
    match item.write {
        ScopeWrite::Create(config) => handle.create(&item.scope, config).await.map(drop),
        ScopeWrite::Update(patch) => handle.update(&item.scope, patch).await.map(drop),
        ScopeWrite::Delete => handle.delete(&item.scope).await,
    }
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
        .list_models_for(NewConfig::from_fields(target.clone(), key.clone()))
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

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
use crate::domain::{ApiKey, NewConfig, Scope};
use crate::service::jobs::{JobLink, JobRow, RowOutcome, RunningJob};
use crate::service::{BatchItem, ScopeWrite, ServiceError, ServiceHandle};

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
    /// Scopes never started: the run was cancelled first.
    pub not_started: usize,
    /// Whether a cancel cut the run short (scopes not started, or an
    /// `--atomic` run that wrote nothing).
    pub cancelled: bool,
}

impl ApplyReport {
    pub(super) fn push(&mut self, line: ScopeReport) {
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
    start_apply(handle, plan, source, options).outcome().await
}

/// Starts [`apply`] as a job of the service's one job engine: a row per
/// scope as it finishes; a cancel starts no new scope (those under way
/// finish and are reported, the rest are counted as not started), and an
/// `--atomic` run cancelled before its one transaction writes nothing.
pub fn start_apply(
    handle: &ServiceHandle,
    plan: Plan,
    source: &SourceFile,
    options: ApplyOptions,
) -> RunningJob<ApplyReport, FleetError> {
    let actor = fleet_actor(handle, source);
    let writer = handle.with_caller(actor.clone());
    handle.spawn_job("apply", move |link| run(writer, plan, actor, options, link))
}

async fn run(
    handle: ServiceHandle,
    plan: Plan,
    actor: String,
    options: ApplyOptions,
    link: JobLink,
) -> Result<ApplyReport, FleetError> {
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
        not_started: 0,
        cancelled: false,
    };
    let todo: Vec<ScopePlan> = plan
        .scopes
        .into_iter()
        .filter(|p| p.action != ScopeAction::Unchanged)
        .collect();
    let total = todo.len();
    link.started(total);
    // Each scope is still its own transaction; issuing several at once lets
    // the SQLite writer group-commit them (one fsync for many), and
    // `buffered` hands the results back in plan order. `take_until` hands
    // out no scope after the cancel; those handed out finish.
    let staged: Vec<Staged> = stream::iter(todo)
        .take_until(link.cancel_token().cancelled_owned())
        .map(|p| stage(&handle, admin.as_ref(), p, options, &link))
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    report.not_started = total - staged.len();
    let mut batch = Vec::new();
    for staged in staged {
        match staged {
            Staged::Final(line) => report.push(line),
            Staged::Batch(staged) => batch.push(*staged),
        }
    }
    if let Some(admin) = admin.filter(|_| options.atomic) {
        // The one transaction is the commit point: a cancel before it
        // writes nothing; once it started, it commits whole.
        super::atomic::write_atomic(&admin, batch, &mut report, &link).await?;
    }
    // An atomic transaction that started before the cancel committed: that
    // run was not cut short.
    let atomic_undone = options.atomic && report.applied == 0;
    report.cancelled = link.is_cancelled() && (report.not_started > 0 || atomic_undone);
    Ok(report)
}

/// Scope writes of a scope-by-scope run in flight at once.
const IN_FLIGHT: usize = 32;

/// One scope after its own part of the run.
enum Staged {
    /// Its line is final: written, skipped or failed.
    Final(ScopeReport),
    /// An `--atomic` run's write, left for the one transaction, and its
    /// line should the transaction commit.
    Batch(Box<(Scope, BatchItem, ScopeReport)>),
}

/// Runs one scope: tests its key when asked, then writes it (its own
/// transaction), or leaves the write for the atomic batch; a final line is
/// reported on the job at once.
async fn stage(
    handle: &ServiceHandle,
    admin: Option<&crate::service::AdminHandle>,
    scope_plan: ScopePlan,
    options: ApplyOptions,
    link: &JobLink,
) -> Staged {
    let scope = scope_plan.scope.clone();
    let tested = match (&scope_plan.test_target, options.test) {
        (Some(target), true) => match key_of(&scope_plan.write) {
            Some(key) => test_key(handle, target, key).await,
            None => test_stored_key(handle, &scope, target).await,
        },
        _ => Ok(None),
    };
    let line = ScopeReport {
        instance_id: scope_plan.instance_id.clone(),
        action: scope_plan.action,
        outcome: Outcome::Applied,
        note: None,
    };
    let line = match tested {
        Err(reason) => ScopeReport {
            outcome: Outcome::Skipped { reason },
            ..line
        },
        Ok(note) => {
            let line = ScopeReport { note, ..line };
            match batch_item(scope_plan) {
                Some(item) if options.atomic => {
                    return Staged::Batch(Box::new((scope, item, line)));
                }
                Some(item) => write_line(handle, admin, item, line).await,
                None => line,
            }
        }
    };
    link.row(job_row(&scope, &line));
    Staged::Final(line)
}

/// The job's row of one scope's report line.
pub(super) fn job_row(scope: &Scope, line: &ScopeReport) -> JobRow {
    let outcome = match &line.outcome {
        Outcome::Applied => RowOutcome::done(format!("{}d", line.action.verb())),
        Outcome::Skipped { reason } | Outcome::RolledBack { reason } => RowOutcome::failed(reason),
        Outcome::Failed { error } => RowOutcome::failed(error),
    };
    JobRow {
        scope: scope.clone(),
        outcome,
    }
}

/// Writes one scope (its own transaction) and returns its report line.
async fn write_line(
    handle: &ServiceHandle,
    admin: Option<&crate::service::AdminHandle>,
    item: BatchItem,
    line: ScopeReport,
) -> ScopeReport {
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

/// Tries the stored key on a new model (the key is kept, the model moves):
/// the provider's model list read with the stored key, judged as
/// [`test_key`] judges an unsaved key's.
async fn test_stored_key(
    handle: &ServiceHandle,
    scope: &Scope,
    target: &TestTarget,
) -> Result<Option<String>, String> {
    judge_models(handle.list_models(scope).await, target)
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
    judge_models(
        handle
            .list_models_for(NewConfig::from_fields(target.clone(), key.clone()))
            .await,
        target,
    )
}

/// What a model list says of a key meant for `target`.
fn judge_models(
    listed: Result<Vec<String>, ServiceError>,
    target: &TestTarget,
) -> Result<Option<String>, String> {
    match listed {
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

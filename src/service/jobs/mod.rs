//! Jobs: the one engine for every run over many scopes ("test all", the
//! TUI's bulk test, delete and change of marked scopes, key rotation and
//! fleet apply). A job has an id,
//! streams [`JobEvent`]s as each scope finishes, can be cancelled (no new
//! scope starts after the cancel; those already started finish and are
//! reported), and keeps a per-scope [`JobReport`]. The TUI, the CLI and
//! the server start and follow jobs the same way, through
//! [`super::ServiceHandle::start_job`] and its siblings (`run.rs`).
//!
//! Work the engine does not run itself (a key rotation, a fleet apply) is
//! a job too, through [`super::ServiceHandle::spawn_job`] (`work.rs`).
//!
//! This file holds the job's types and the board of this process's jobs.

mod board;
mod run;
mod work;

use std::fmt;

use serde::Serialize;

use crate::domain::{ConfigPatch, Scope, TestResult};

pub(crate) use board::JobBoard;
pub use work::{JobLink, RunningJob};

/// A job's id, unique in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct JobId(pub u64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a bulk job does to each scope.
#[derive(Debug, Clone)]
pub enum JobKind {
    /// Test the connection.
    Test,
    /// Delete the configuration.
    Delete,
    /// Apply the same change (model, or provider + key) to each.
    Patch(ConfigPatch),
}

impl JobKind {
    /// Short verb for headers, gauges and toasts.
    pub fn label(&self) -> &'static str {
        match self {
            JobKind::Test => "test",
            JobKind::Delete => "delete",
            JobKind::Patch(p) if p.provider.is_some() => "set provider",
            JobKind::Patch(_) => "set model",
        }
    }

    /// Whether the job writes configurations (lists reload after it).
    pub fn writes(&self) -> bool {
        !matches!(self, JobKind::Test)
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub enum JobSpec {
    /// Test every configured scope, as the backend lists them.
    TestAll {
        /// How many tests run at once.
        concurrency: usize,
    },
    /// Run `kind` over the given scopes.
    Bulk {
        /// What to do to each scope.
        kind: JobKind,
        /// The scopes.
        scopes: Vec<Scope>,
        /// How many scopes run at once.
        concurrency: usize,
    },
}

impl JobSpec {
    /// The job's verb.
    pub fn label(&self) -> &'static str {
        match self {
            JobSpec::TestAll { .. } => "test all",
            JobSpec::Bulk { kind, .. } => kind.label(),
        }
    }
}

/// How one scope came out.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RowOutcome {
    /// A connection test ran (it may have failed).
    Tested {
        /// Its result.
        result: TestResult,
    },
    /// The write succeeded.
    Done {
        /// What it did.
        message: String,
    },
    /// The service refused or failed.
    Failed {
        /// Why.
        message: String,
    },
}

impl RowOutcome {
    /// A test that ran.
    pub fn tested(result: TestResult) -> RowOutcome {
        RowOutcome::Tested { result }
    }

    /// A write that succeeded, saying what it did.
    pub fn done(message: impl Into<String>) -> RowOutcome {
        RowOutcome::Done {
            message: message.into(),
        }
    }

    /// A refusal or failure, saying why.
    pub fn failed(message: impl Into<String>) -> RowOutcome {
        RowOutcome::Failed {
            message: message.into(),
        }
    }
}

/// One finished scope.
#[derive(Debug, Clone)]
pub struct JobRow {
    /// The scope.
    pub scope: Scope,
    /// Its outcome.
    pub outcome: RowOutcome,
}

impl JobRow {
    /// Whether the row counts as a failure.
    pub fn failed(&self) -> bool {
        match &self.outcome {
            RowOutcome::Tested { result } => !result.success,
            RowOutcome::Done { .. } => false,
            RowOutcome::Failed { .. } => true,
        }
    }

    /// Status word: the test status, `done` or `error`.
    pub fn status(&self) -> &str {
        match &self.outcome {
            RowOutcome::Tested { result } => result.status.as_str(),
            RowOutcome::Done { .. } => "done",
            RowOutcome::Failed { .. } => "error",
        }
    }

    /// The full message.
    pub fn message(&self) -> &str {
        match &self.outcome {
            RowOutcome::Tested { result } => &result.message,
            RowOutcome::Done { message } | RowOutcome::Failed { message } => message,
        }
    }

    /// Latency of a test, if one ran.
    pub fn latency_ms(&self) -> Option<u64> {
        match &self.outcome {
            RowOutcome::Tested { result } => Some(result.latency_ms),
            _ => None,
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "error", rename_all = "snake_case")]
pub enum JobPhase {
    /// Still running.
    Running,
    /// Every scope finished.
    Done,
    /// Cancelled: no new scope started after the cancel.
    Cancelled,
    /// Could not run at all.
    Failed(String),
}

impl JobPhase {
    /// Whether the job is over.
    pub fn ended(&self) -> bool {
        *self != JobPhase::Running
    }
}

/// What a follower of a job hears, in order.
#[derive(Debug, Clone)]
pub enum JobEvent {
    /// The number of scopes is known.
    Started {
        /// Scopes in the run.
        total: usize,
    },
    /// One scope finished.
    Row(JobRow),
    /// The server's rate limit pauses the run (remote mode) this long.
    Waiting {
        /// How long from now.
        wait: std::time::Duration,
    },
    /// The job is over; its report is final.
    Ended(JobPhase),
}

/// A job as it stands: its rows in the order they finished.
#[derive(Debug, Clone)]
pub struct JobReport {
    /// The id.
    pub id: JobId,
    /// Its verb.
    pub label: &'static str,
    /// Who started it (the audited caller).
    pub caller: String,
    /// Scopes in the run (0 until known).
    pub total: usize,
    /// Finished scopes.
    pub rows: Vec<JobRow>,
    /// Where it is.
    pub phase: JobPhase,
}

impl JobReport {
    /// Number of failed rows.
    pub fn failures(&self) -> usize {
        self.rows.iter().filter(|r| r.failed()).count()
    }
}

/// A job in one line, without its rows: what a list of jobs shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobSummary {
    /// The id.
    pub id: JobId,
    /// Its verb.
    pub label: &'static str,
    /// Who started it.
    pub caller: String,
    /// Scopes in the run (0 until known).
    pub total: usize,
    /// Finished scopes.
    pub finished: usize,
    /// Failed rows among them.
    pub failures: usize,
    /// Where it is.
    pub phase: JobPhase,
}

impl JobSummary {
    /// The summary of `report`.
    pub fn of(report: &JobReport) -> JobSummary {
        JobSummary {
            id: report.id,
            label: report.label,
            caller: report.caller.clone(),
            total: report.total,
            finished: report.rows.len(),
            failures: report.failures(),
            phase: report.phase.clone(),
        }
    }
}

/// A job just started: its id and its events from the first.
pub struct JobTicket {
    /// The id, to cancel or look it up.
    pub id: JobId,
    /// Its events; the last is [`JobEvent::Ended`].
    pub events: tokio::sync::mpsc::UnboundedReceiver<JobEvent>,
}

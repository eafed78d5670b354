//! Typed events that spawned service calls send back to the loop. The TUI
//! never awaits the service while drawing: it spawns a task, and the task's
//! result arrives here as one of these, tagged so stale results are dropped.

use crate::domain::{
    AuditEntry, ConfigView, InstanceSummary, KeyGroup, Scope, TestResult, VersionEntry,
};
use crate::service::rotation::{RotationProgress, RotationReport};
use crate::service::{ChangeMark, ServiceError};
use crate::tui::job::JobRow;

/// A result delivered to the app loop.
#[derive(Debug)]
pub enum AppEvent {
    /// The instance list was (re)loaded.
    InstancesLoaded {
        /// Result of `list_instances`.
        result: Result<Vec<InstanceSummary>, ServiceError>,
        /// Scope to select once loaded (after add, save or delete).
        select: Option<Scope>,
    },
    /// The first rows of the list, read at start; the whole list follows as
    /// [`AppEvent::InstancesLoaded`].
    FirstRowsLoaded {
        /// The rows, in list order.
        rows: Vec<InstanceSummary>,
    },
    /// A single-scope connection test finished.
    TestFinished {
        /// Tested scope.
        scope: Scope,
        /// Which `t` press this answers; older ones are ignored.
        generation: u64,
        /// The outcome.
        result: Result<TestResult, ServiceError>,
    },
    /// The service started a job (or could not).
    JobStarted {
        /// Which job this belongs to.
        generation: u64,
        /// The service's id of the job, or why it could not start.
        result: Result<crate::service::jobs::JobId, String>,
    },
    /// One scope of a job finished.
    JobRow {
        /// Which job this belongs to.
        generation: u64,
        /// The scope and how it came out.
        row: JobRow,
    },
    /// Every scope of a job finished.
    JobDone {
        /// Which job.
        generation: u64,
    },
    /// What changed of the monitor's health (see [`HealthUpdate`]).
    HealthLoaded {
        /// The update, or why reading it failed.
        result: Result<HealthUpdate, ServiceError>,
    },
    /// The store's change mark, polled on a slow timer.
    ChangeMark {
        /// The mark, `None` when the backend has none (remote), or why
        /// asking failed.
        result: Result<Option<ChangeMark>, ServiceError>,
    },
    /// The form's create or update finished.
    Saved {
        /// The scope saved.
        scope: Scope,
        /// The stored view, or why saving failed.
        result: Result<ConfigView, ServiceError>,
    },
    /// A delete finished.
    Deleted {
        /// The scope.
        scope: Scope,
        /// Outcome.
        result: Result<(), ServiceError>,
    },
    /// An instance id was registered.
    InstanceAdded {
        /// The new scope.
        scope: Scope,
        /// Outcome.
        result: Result<(), ServiceError>,
    },
    /// The audit history of a scope arrived.
    AuditLoaded {
        /// Its scope (ignored if the user moved on).
        scope: Scope,
        /// The entries, newest first.
        result: Result<Vec<AuditEntry>, ServiceError>,
    },
    /// The live model list for the form arrived.
    ModelsLoaded {
        /// Which fetch this answers.
        generation: u64,
        /// Model ids.
        result: Result<Vec<String>, ServiceError>,
    },
    /// A toast's display time is over.
    ToastExpired {
        /// The toast.
        id: u64,
    },
    /// The list was compared with the fleet file.
    DriftCompared {
        /// The scopes that differ, or why comparing failed.
        result: Result<std::collections::HashSet<Scope>, String>,
        /// How long the comparison took (it paces the next one).
        took: std::time::Duration,
    },
    /// The kept versions of a scope arrived.
    VersionsLoaded {
        /// Its scope (ignored if the user moved on).
        scope: Scope,
        /// The versions, newest first.
        result: Result<Vec<VersionEntry>, ServiceError>,
    },
    /// A restore finished.
    Restored {
        /// The scope.
        scope: Scope,
        /// The version made current again.
        version: u64,
        /// The config now current, or why restoring failed.
        result: Result<ConfigView, ServiceError>,
    },
    /// The key-usage map arrived.
    KeyMapLoaded {
        /// One group per fingerprint, or why loading failed.
        result: Result<Vec<KeyGroup>, ServiceError>,
    },
    /// A rotation started from the key map moved on.
    RotationProgress {
        /// What it did.
        progress: RotationProgress,
    },
    /// A guarded save found the stored config changed since the form
    /// loaded it; nothing was written.
    ChangedSince {
        /// What changed.
        change: crate::tui::widgets::changed_since::ChangedSince,
    },
    /// A bulk edit's scopes were checked against what the dialog saw.
    BulkChecked {
        /// The scopes split into unchanged and changed, or why reading
        /// the list failed.
        result: Result<crate::tui::widgets::changed_since::ChangedSince, ServiceError>,
    },
    /// A rotation started from the key map finished.
    Rotated {
        /// The report, or why it could not run.
        result: Result<RotationReport, ServiceError>,
    },
}

/// What a health poll found.
#[derive(Debug)]
pub enum HealthUpdate {
    /// Nothing new (or remote mode, which keeps no health history).
    Unchanged,
    /// The whole board: the first read, after a reload, or when the health
    /// mark went backwards (a prune of the newest results, another store).
    Board(crate::service::HealthBoard),
    /// Only what changed since the board's mark, to merge into it.
    Changes {
        /// The health mark the changes bring the board to.
        mark: i64,
        /// The states of the scopes with a newer result.
        states: Vec<crate::domain::HealthStatus>,
        /// The focus's recent results, when the selection moved or the
        /// focus had a new result; `None` keeps the board's.
        recent: Option<FocusResults>,
    },
}

/// The recent results of the scope in focus (its sparkline).
#[derive(Debug)]
pub struct FocusResults {
    /// The scope they belong to.
    pub focus: Option<Scope>,
    /// Its newest results, oldest first.
    pub recent: Vec<crate::domain::HealthSample>,
}

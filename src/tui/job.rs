//! A job: one action run over many scopes ("test all", or a bulk test,
//! delete or change of the marked scopes). This is the pure record of it —
//! what was asked, how far it got, one row per finished scope — kept after
//! the run so its report can be reopened. The runner lives in `app::jobs`.

use crate::domain::{ConfigPatch, Scope, TestResult};

/// What a job does to each scope.
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
    /// Short verb for the header, the gauge and the toasts.
    pub fn label(&self) -> &'static str {
        match self {
            JobKind::Test => "test",
            JobKind::Delete => "delete",
            JobKind::Patch(p) if p.provider.is_some() => "set provider",
            JobKind::Patch(_) => "set model",
        }
    }

    /// Whether the job writes configurations (the list reloads after it).
    pub fn writes(&self) -> bool {
        !matches!(self, JobKind::Test)
    }
}

/// How one scope came out.
#[derive(Debug, Clone)]
pub enum RowOutcome {
    /// A connection test ran (it may have failed).
    Tested(TestResult),
    /// The write succeeded.
    Done(String),
    /// The service refused or failed.
    Failed(String),
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
    /// Whether the row counts as a failure (listed first).
    pub fn failed(&self) -> bool {
        match &self.outcome {
            RowOutcome::Tested(t) => !t.success,
            RowOutcome::Done(_) => false,
            RowOutcome::Failed(_) => true,
        }
    }

    /// Status word: the test status, `done` or `error`.
    pub fn status(&self) -> &str {
        match &self.outcome {
            RowOutcome::Tested(t) => t.status.as_str(),
            RowOutcome::Done(_) => "done",
            RowOutcome::Failed(_) => "error",
        }
    }

    /// The full message.
    pub fn message(&self) -> &str {
        match &self.outcome {
            RowOutcome::Tested(t) => &t.message,
            RowOutcome::Done(m) | RowOutcome::Failed(m) => m,
        }
    }

    /// Latency of a test, if one ran.
    pub fn latency_ms(&self) -> Option<u64> {
        match &self.outcome {
            RowOutcome::Tested(t) => Some(t.latency_ms),
            _ => None,
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Still running.
    Running,
    /// Every scope finished.
    Done,
    /// Stopped by the user; no new scope starts.
    Cancelled,
    /// Could not run at all.
    Failed(String),
}

/// A job and its results.
#[derive(Debug)]
pub struct JobState {
    /// Which run this is (events of other runs are dropped).
    pub generation: u64,
    /// Its verb (no secret: a patch's key is never kept here).
    pub label: &'static str,
    /// Whether it covers every configured scope ("test all").
    pub all: bool,
    /// Scopes in the run.
    pub total: usize,
    /// Finished scopes, in arrival order.
    pub rows: Vec<JobRow>,
    /// Where it is.
    pub phase: Phase,
    /// Display order of `rows`: failures first, then by scope.
    order: Vec<usize>,
    /// Rows arrived since `order` was computed.
    dirty: bool,
    /// Bumped whenever `order` changes, so views know to re-filter.
    pub revision: u64,
}

impl JobState {
    /// A new running job over `total` scopes.
    pub fn new(generation: u64, kind: &JobKind, all: bool, total: usize) -> JobState {
        JobState {
            generation,
            label: kind.label(),
            all,
            total,
            rows: Vec::new(),
            phase: Phase::Running,
            order: Vec::new(),
            dirty: false,
            revision: 0,
        }
    }

    /// Records a finished scope.
    pub fn record(&mut self, row: JobRow) {
        self.rows.push(row);
        self.dirty = true;
    }

    /// Whether the job is still running.
    pub fn running(&self) -> bool {
        self.phase == Phase::Running
    }

    /// Number of failed rows.
    pub fn failures(&self) -> usize {
        self.rows.iter().filter(|r| r.failed()).count()
    }

    /// Re-sorts once per frame (not per row: rows arrive in bursts).
    pub fn flush(&mut self) {
        if !self.dirty {
            return;
        }
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        let rows = &self.rows;
        order.sort_by(|&a, &b| {
            rows[b]
                .failed()
                .cmp(&rows[a].failed())
                .then_with(|| rows[a].scope.cmp(&rows[b].scope))
        });
        self.order = order;
        self.dirty = false;
        self.revision += 1;
    }

    /// Row indices in display order (after [`JobState::flush`]).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// One-line summary: `test: 12/30 · 3 failed · cancelled`.
    pub fn summary(&self) -> String {
        let state = match &self.phase {
            Phase::Running => "running".to_string(),
            Phase::Done => "done".to_string(),
            Phase::Cancelled => "cancelled".to_string(),
            Phase::Failed(e) => format!("failed: {e}"),
        };
        format!(
            "{}: {}/{} · {} failed · {state}",
            self.label,
            self.rows.len(),
            self.total,
            self.failures()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InstanceId;

    fn row(id: &str, ok: bool) -> JobRow {
        JobRow {
            scope: Scope::Instance(InstanceId::parse(id).unwrap()),
            outcome: if ok {
                RowOutcome::Done("deleted".into())
            } else {
                RowOutcome::Failed("not found".into())
            },
        }
    }

    #[test]
    fn failures_first_then_by_scope() {
        let mut j = JobState::new(1, &JobKind::Delete, false, 4);
        for (id, ok) in [("b", true), ("d", false), ("a", true), ("c", false)] {
            j.record(row(id, ok));
        }
        j.flush();
        let ids: Vec<String> = j
            .order()
            .iter()
            .map(|&i| j.rows[i].scope.to_string())
            .collect();
        assert_eq!(
            ids,
            ["tenant: c", "tenant: d", "tenant: a", "tenant: b"],
            "{ids:?}"
        );
        assert_eq!(j.failures(), 2);
    }
}

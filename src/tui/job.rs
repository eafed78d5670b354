//! A job as the TUI shows it: one action run over many scopes ("test all",
//! or a bulk test, delete or change of the marked scopes) by the service's
//! one job engine ([`crate::service::jobs`]). This is the view's record of
//! it (how far it got, one row per finished scope, their display order),
//! kept after the run so its report can be reopened. `app::jobs` starts
//! and follows the service's job.

use crate::service::jobs::JobId;
pub use crate::service::jobs::{JobKind, JobPhase as Phase, JobRow, RowOutcome};

/// A job and its results.
#[derive(Debug)]
pub struct JobState {
    /// Which run this is (events of other runs are dropped).
    pub generation: u64,
    /// The service's id of the job, once it has started.
    pub service_id: Option<JobId>,
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
            service_id: None,
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
    use crate::domain::{InstanceId, Scope};

    fn row(id: &str, ok: bool) -> JobRow {
        JobRow {
            scope: Scope::Instance(InstanceId::parse(id).unwrap()),
            outcome: if ok {
                RowOutcome::done("deleted")
            } else {
                RowOutcome::failed("not found")
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

//! Auto-refresh: on a slow timer the app asks the service for its change
//! mark (one cheap query) and reloads the list only when the mark moved,
//! e.g. after a CLI write in another terminal. A backend without a mark
//! (remote) turns auto-refresh off; `R` still reloads by hand.

use std::time::{Duration, Instant};

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::service::{ChangeMark, ServiceError, ServiceHandle};
use crate::tui::event::{AppEvent, HealthUpdate};

/// Recent results in the detail pane's sparkline.
pub const SPARK_POINTS: usize = 48;

/// How often the change mark is polled.
pub const CHANGE_POLL: Duration = Duration::from_secs(2);

impl App {
    /// Whether the loop should run the change-mark timer.
    pub fn polls_changes(&self) -> bool {
        self.state.auto_refresh
    }

    /// Asks for the change mark (one request in flight at most), and for
    /// the health board when monitor results arrived.
    pub fn poll_changes(&mut self) {
        self.poll_health();
        if self.tasks.contains_key(&TaskKey::ChangeMark) {
            return;
        }
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::ChangeMark), async move {
            AppEvent::ChangeMark {
                result: h.change_mark().await,
            }
        });
    }

    pub(super) fn on_change_mark(&mut self, result: Result<Option<ChangeMark>, ServiceError>) {
        self.tasks.remove(&TaskKey::ChangeMark);
        match result {
            Ok(None) => self.state.auto_refresh = false,
            Ok(Some(mark)) => {
                // The first mark only sets the baseline: the list was just loaded.
                // A running job records its own rows and reloads when done.
                let job_running = self.state.job.as_ref().is_some_and(|j| j.running());
                if self.mark.is_some_and(|old| old != mark) && !job_running {
                    self.reload(self.state.scope());
                }
                self.mark = Some(mark);
            }
            // A failed poll is retried on the next tick; the list load
            // reports store errors.
            Err(e) => tracing::debug!(error = %e, "change mark"),
        }
    }

    /// Follows the monitor's health. Monitor results have their own mark,
    /// so they never reload the list or touch the audit log. When the mark
    /// moved, the whole board (every scope's state) is re-read, but at most
    /// as often as [`super::paced`] allows; otherwise, and when only the
    /// selection moved, just the focus's recent results are (one indexed
    /// query): moving through 100,000 scopes re-reads nothing else.
    pub fn poll_health(&mut self) {
        if self.tasks.contains_key(&TaskKey::Health) {
            return;
        }
        let focus = self.state.scope();
        let known = self
            .state
            .health
            .as_ref()
            .map(|b| (b.mark, b.focus.clone()));
        let full_due = self.health_pace.is_due();
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Health), async move {
            let result = health_update(&h, known, focus, full_due).await;
            AppEvent::HealthLoaded { result }
        });
    }

    pub(super) fn on_health(&mut self, result: Result<HealthUpdate, ServiceError>) {
        self.tasks.remove(&TaskKey::Health);
        match result {
            Ok(HealthUpdate::Board { board, took }) => {
                self.health_pace.ran(took);
                self.state.health = Some(board);
            }
            Ok(HealthUpdate::Recent { focus, recent }) => {
                // The states and the mark stay: the full read is still owed.
                if let Some(board) = &mut self.state.health {
                    board.focus = focus;
                    board.recent = recent;
                }
            }
            Ok(HealthUpdate::Unchanged) => {}
            Err(e) => tracing::debug!(error = %e, "health board"),
        }
    }
}

/// What changed of the health since the board `known` (its mark and
/// focus) was read, for the selection `focus`.
async fn health_update(
    h: &ServiceHandle,
    known: Option<(i64, Option<Scope>)>,
    focus: Option<Scope>,
    full_due: bool,
) -> Result<HealthUpdate, ServiceError> {
    let Some(mark) = h.health_mark().await? else {
        return Ok(HealthUpdate::Unchanged);
    };
    let Some((known_mark, known_focus)) = known else {
        return full_board(h, focus).await;
    };
    if known_mark != mark && full_due {
        return full_board(h, focus).await;
    }
    if known_mark == mark && known_focus == focus {
        return Ok(HealthUpdate::Unchanged);
    }
    let recent = match &focus {
        Some(scope) => h.health_recent(scope, SPARK_POINTS).await?,
        None => Some(Vec::new()),
    };
    Ok(match recent {
        Some(recent) => HealthUpdate::Recent { focus, recent },
        None => HealthUpdate::Unchanged,
    })
}

/// The whole board, timed.
async fn full_board(h: &ServiceHandle, focus: Option<Scope>) -> Result<HealthUpdate, ServiceError> {
    let started = Instant::now();
    Ok(match h.health_board(focus.as_ref(), SPARK_POINTS).await? {
        Some(board) => HealthUpdate::Board {
            board,
            took: started.elapsed(),
        },
        None => HealthUpdate::Unchanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKeyOptions;
    use crate::domain::{
        ApiKey, HealthCheck, HealthPolicy, HealthRetention, InstanceId, NewConfig, TestStatus,
    };
    use crate::service::{Backend, LocalBackend, LocalOptions};

    async fn service(dir: &std::path::Path) -> ServiceHandle {
        let (backend, _) = LocalBackend::open(LocalOptions {
            store_path: dir.join("llmcfg.db"),
            master: MasterKeyOptions {
                env_hex: Some(zeroize::Zeroizing::new("5a".repeat(32))),
                default_file: dir.join("master.key"),
                ..Default::default()
            },
            ..Default::default()
        })
        .await
        .unwrap();
        ServiceHandle::spawn(Backend::Local(backend), "local:test")
    }

    async fn record(h: &ServiceHandle, scope: &Scope) {
        let check = HealthCheck {
            scope: scope.clone(),
            provider: "openai".into(),
            model: "gpt-4o".into(),
            status: TestStatus::Ok,
            http_status: Some(200),
            latency_ms: 80,
            checked_at: time::OffsetDateTime::now_utc(),
            message: String::new(),
        };
        let access = h.admin().unwrap().health();
        access
            .record(
                vec![check],
                HealthPolicy::default(),
                HealthRetention::default(),
            )
            .await
            .unwrap();
    }

    fn board(update: HealthUpdate) -> crate::service::HealthBoard {
        match update {
            HealthUpdate::Board { board, .. } => board,
            other => panic!("expected the whole board, got {other:?}"),
        }
    }

    fn recent(update: HealthUpdate) -> (Option<Scope>, usize) {
        match update {
            HealthUpdate::Recent { focus, recent } => (focus, recent.len()),
            other => panic!("expected only the focus's results, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn only_a_moved_mark_re_reads_every_scope_and_only_when_due() {
        let dir = tempfile::tempdir().unwrap();
        let h = service(dir.path()).await;
        let acme = Scope::Instance(InstanceId::parse("acme").unwrap());
        for scope in [&Scope::Global, &acme] {
            let key = ApiKey::new("sk-proj-0123456789abcdefghijklmnopqrstuv");
            h.create(scope, NewConfig::new("openai", "gpt-4o", key))
                .await
                .unwrap();
            record(&h, scope).await;
        }
        let first = board(
            health_update(&h, None, Some(Scope::Global), false)
                .await
                .unwrap(),
        );
        assert_eq!(first.states.len(), 2, "the first read is whole, due or not");
        let known = Some((first.mark, first.focus.clone()));

        // Another scope selected, no new result: its results only.
        let moved = health_update(&h, known.clone(), Some(acme.clone()), true).await;
        assert_eq!(recent(moved.unwrap()), (Some(acme.clone()), 1));
        let same = health_update(&h, known.clone(), Some(Scope::Global), true).await;
        assert!(matches!(same.unwrap(), HealthUpdate::Unchanged));

        // A result lands: before the full read is due, the focus follows.
        record(&h, &acme).await;
        let early = health_update(&h, known.clone(), Some(acme.clone()), false).await;
        assert_eq!(recent(early.unwrap()), (Some(acme.clone()), 2));
        let due = board(
            health_update(&h, known, Some(acme.clone()), true)
                .await
                .unwrap(),
        );
        assert!(due.mark > first.mark);
        assert_eq!(due.recent.len(), 2);
    }
}

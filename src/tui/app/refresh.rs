//! Auto-refresh: on a slow timer the app asks the service for its change
//! mark (one cheap query) and reloads the list only when the mark moved,
//! e.g. after a CLI write in another terminal. A backend without a mark
//! (remote) turns auto-refresh off; `R` still reloads by hand. The health
//! column follows the monitor the same way with its own mark, merging only
//! the states changed since it (see [`App::poll_health`]). The remote
//! `/llm-config` server offers no health route, so in remote mode there is
//! no health column, as before.

use std::time::Duration;

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::service::{ChangeMark, ServiceError, ServiceHandle};
use crate::tui::event::{AppEvent, FocusResults, HealthUpdate};

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
        // Not before the list is loaded: it goes first (the health column
        // fills in after).
        if !self.state.loading {
            self.poll_health();
        }
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
    /// so they never reload the list or touch the audit log. The whole
    /// board (every scope's state) is read once, then again only after a
    /// reload or when the mark went backwards; on every other tick that saw
    /// the mark move, only the states of scopes with a newer result are read
    /// and merged in, and the focus's recent results when the selection
    /// moved or the focus itself had a result (one indexed query each), so
    /// at 100,000 scopes the column follows the monitor tick by tick.
    pub fn poll_health(&mut self) {
        if self.tasks.contains_key(&TaskKey::Health) {
            return;
        }
        let focus = self.state.scope();
        let known = match &self.state.health {
            Some(b) if !self.health_full => Some(Known {
                mark: b.mark,
                focus: b.focus.clone(),
            }),
            _ => None,
        };
        // Owed again only by the next reload, or by this read failing.
        self.health_full = false;
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Health), async move {
            let result = health_update(&h, known, focus).await;
            AppEvent::HealthLoaded { result }
        });
    }

    pub(super) fn on_health(&mut self, result: Result<HealthUpdate, ServiceError>) {
        self.tasks.remove(&TaskKey::Health);
        match result {
            Ok(HealthUpdate::Board(board)) => self.state.health = Some(board),
            Ok(HealthUpdate::Changes {
                mark,
                states,
                recent,
            }) => {
                if let Some(board) = &mut self.state.health {
                    board.merge(mark, states);
                    if let Some(r) = recent {
                        board.focus = r.focus;
                        board.recent = r.recent;
                    }
                }
            }
            Ok(HealthUpdate::Unchanged) => {}
            Err(e) => {
                // Whatever this read was, the next one starts from scratch.
                self.health_full = true;
                tracing::debug!(error = %e, "health board");
            }
        }
    }
}

/// What the app's board was read at.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Known {
    /// Its health mark.
    mark: i64,
    /// The scope its recent results are of.
    focus: Option<Scope>,
}

/// What changed of the health since the board `known` was read, for the
/// selection `focus`; `None` (no board, or one owed a full read) reads
/// the whole board.
async fn health_update(
    h: &ServiceHandle,
    known: Option<Known>,
    focus: Option<Scope>,
) -> Result<HealthUpdate, ServiceError> {
    let Some(mark) = h.health_mark().await? else {
        return Ok(HealthUpdate::Unchanged);
    };
    let Some(known) = known else {
        return full_board(h, focus).await;
    };
    if mark < known.mark {
        // Results newer than the board's went away: a merge cannot undo them.
        return full_board(h, focus).await;
    }
    let states = if mark > known.mark {
        match h.health_changes(known.mark).await? {
            Some(states) => states,
            None => return Ok(HealthUpdate::Unchanged),
        }
    } else {
        Vec::new()
    };
    let focus_hit = focus
        .as_ref()
        .is_some_and(|f| states.iter().any(|s| &s.scope == f));
    if mark == known.mark && known.focus == focus {
        return Ok(HealthUpdate::Unchanged);
    }
    let recent = if known.focus != focus || focus_hit {
        let recent = match &focus {
            Some(scope) => h.health_recent(scope, SPARK_POINTS).await?,
            None => Some(Vec::new()),
        };
        recent.map(|recent| FocusResults { focus, recent })
    } else {
        None
    };
    Ok(HealthUpdate::Changes {
        mark,
        states,
        recent,
    })
}

/// The whole board.
async fn full_board(h: &ServiceHandle, focus: Option<Scope>) -> Result<HealthUpdate, ServiceError> {
    Ok(match h.health_board(focus.as_ref(), SPARK_POINTS).await? {
        Some(board) => HealthUpdate::Board(board),
        None => HealthUpdate::Unchanged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::MasterKeyOptions;
    use crate::domain::{
        ApiKey, HealthCheck, HealthPolicy, HealthRetention, HealthState, InstanceId, NewConfig,
        TestStatus,
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

    async fn record(h: &ServiceHandle, scope: &Scope, status: TestStatus) {
        let check = HealthCheck {
            http_status: Some(if status == TestStatus::Ok { 200 } else { 401 }),
            latency_ms: 80,
            ..HealthCheck::new(
                scope,
                "openai",
                "gpt-4o",
                status,
                time::OffsetDateTime::now_utc(),
            )
        };
        let access = h.admin().unwrap().health();
        let policy = HealthPolicy { fail_after: 1 };
        access
            .record(vec![check], policy, HealthRetention::default())
            .await
            .unwrap();
    }

    fn board(update: HealthUpdate) -> crate::service::HealthBoard {
        match update {
            HealthUpdate::Board(board) => board,
            other => panic!("expected the whole board, got {other:?}"),
        }
    }

    /// What a merge update carries, with the focus results as their scope
    /// and count.
    #[derive(Debug, PartialEq)]
    struct Merge {
        mark: i64,
        states: Vec<crate::domain::HealthStatus>,
        recent: Option<(Option<Scope>, usize)>,
    }

    fn changes(update: HealthUpdate) -> Merge {
        match update {
            HealthUpdate::Changes {
                mark,
                states,
                recent,
            } => Merge {
                mark,
                states,
                recent: recent.map(|r| (r.focus, r.recent.len())),
            },
            other => panic!("expected only the changes, got {other:?}"),
        }
    }

    fn known(b: &crate::service::HealthBoard) -> Option<Known> {
        Some(Known {
            mark: b.mark,
            focus: b.focus.clone(),
        })
    }

    #[tokio::test]
    async fn after_the_first_read_only_changed_states_are_read_and_merged() {
        let dir = tempfile::tempdir().unwrap();
        let h = service(dir.path()).await;
        let acme = Scope::Instance(InstanceId::parse("acme").unwrap());
        for scope in [&Scope::Global, &acme] {
            let key = ApiKey::new("sk-proj-0123456789abcdefghijklmnopqrstuv");
            h.create(scope, NewConfig::new("openai", "gpt-4o", key))
                .await
                .unwrap();
            record(&h, scope, TestStatus::Ok).await;
        }
        let mut ours = board(health_update(&h, None, Some(Scope::Global)).await.unwrap());
        assert_eq!(ours.states.len(), 2, "the first read is whole");

        // Another scope selected, no new result: its results only.
        let moved = changes(
            health_update(&h, known(&ours), Some(acme.clone()))
                .await
                .unwrap(),
        );
        let expected = Merge {
            mark: ours.mark,
            states: vec![],
            recent: Some((Some(acme.clone()), 1)),
        };
        assert_eq!(moved, expected);
        let same = health_update(&h, known(&ours), Some(Scope::Global)).await;
        assert!(matches!(same.unwrap(), HealthUpdate::Unchanged));

        // A failure lands on a scope out of focus: its state alone comes
        // back, the focus's results stay, and the merge shows it failing.
        record(&h, &acme, TestStatus::InvalidKey).await;
        let Merge {
            mark,
            states,
            recent,
        } = changes(
            health_update(&h, known(&ours), Some(Scope::Global))
                .await
                .unwrap(),
        );
        assert!(mark > ours.mark);
        assert_eq!(states.len(), 1, "only the changed state: {states:?}");
        assert_eq!(states[0].scope, acme);
        assert_eq!(recent, None, "the focus had no new result");
        ours.merge(mark, states);
        assert_eq!(ours.states.len(), 2);
        assert_eq!(ours.states[&acme].state, HealthState::Failing);
        assert_eq!(ours.states[&Scope::Global].state, HealthState::Healthy);

        // A result on the focus brings its results along.
        record(&h, &Scope::Global, TestStatus::Ok).await;
        let Merge { states, recent, .. } = changes(
            health_update(&h, known(&ours), Some(Scope::Global))
                .await
                .unwrap(),
        );
        assert_eq!(states.len(), 1);
        assert_eq!(recent, Some((Some(Scope::Global), 2)));

        // A mark that went backwards (newest results gone) reads it whole.
        let ahead = Some(Known {
            mark: mark + 1000,
            focus: Some(Scope::Global),
        });
        let whole = board(health_update(&h, ahead, Some(Scope::Global)).await.unwrap());
        assert_eq!(whole.states.len(), 2);
        assert_eq!(whole.states[&acme].state, HealthState::Failing);
    }
}

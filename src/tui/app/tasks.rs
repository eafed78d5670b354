//! The service calls the app spawns: each runs in its own task and reports
//! back as one typed [`AppEvent`]; the ones that may be replaced or
//! cancelled (tests, audit loads, model fetches) are keyed so a new one aborts
//! the old one.

use super::{App, TaskKey};
use crate::domain::Scope;
use crate::domain::instances::ListStart;
use crate::tui::event::AppEvent;
use crate::tui::screens::Screen;
use crate::tui::screens::audit::{AUDIT_LIMIT, AuditState};
use crate::tui::screens::form::{FormMode, SaveRequest};

/// Rows read first at start: more than a terminal shows at once.
pub const FIRST_ROWS: usize = 256;

impl App {
    /// The first load: the first rows of the list, drawn as soon as they are
    /// read (an indexed read, as fast at 100,000 scopes as at ten), then the
    /// whole list, which replaces them keeping the selection, marks and
    /// filter. Health and drift are read once the whole list is in.
    pub(super) fn first_load(&mut self) {
        self.health_full = true;
        let h = self.handle.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let result = match h.list_instances_start(FIRST_ROWS).await {
                Ok(ListStart::Whole(list)) => Ok(list),
                Ok(ListStart::FirstRows(rows)) => {
                    if tx.send(AppEvent::FirstRowsLoaded { rows }).is_err() {
                        // The app is gone.
                        return;
                    }
                    h.list_instances().await
                }
                Err(e) => Err(e),
            };
            let _ = tx.send(AppEvent::InstancesLoaded {
                result,
                select: None,
            });
        });
    }

    pub(super) fn reload(&mut self, select: Option<Scope>) {
        // Configs may have come and gone: the health board is read whole.
        self.health_full = true;
        let h = self.handle.clone();
        self.spawn(None, async move {
            AppEvent::InstancesLoaded {
                result: h.list_instances().await,
                select,
            }
        });
    }

    pub(super) fn start_test(&mut self, scope: Scope) {
        let generation = self.state.tests.start(&scope);
        self.state.touch_recent(&scope);
        let h = self.handle.clone();
        let key = TaskKey::Test(scope.clone());
        self.spawn(Some(key), async move {
            let result = h.test_connection(&scope).await;
            AppEvent::TestFinished {
                scope,
                generation,
                result,
            }
        });
    }

    pub(super) fn load_audit(&mut self, scope: Scope) {
        self.state.screen = Screen::Audit(AuditState::loading(scope.clone()));
        let h = self.handle.clone();
        self.spawn(Some(TaskKey::Audit), async move {
            let result = h.audit(Some(&scope), AUDIT_LIMIT).await;
            AppEvent::AuditLoaded { scope, result }
        });
    }

    pub(super) fn save(&mut self, request: SaveRequest) {
        // An edit writes only over the config the form loaded.
        if let SaveRequest::Update { scope, patch } = &request
            && let Screen::Form(form) = &self.state.screen
            && let FormMode::Edit { current } = &form.mode
        {
            return self.update_if_unchanged(scope.clone(), (**current).clone(), patch.clone());
        }
        let h = self.handle.clone();
        self.spawn(None, async move {
            match request {
                SaveRequest::Create { scope, config } => AppEvent::Saved {
                    result: h.create(&scope, config).await,
                    scope,
                },
                SaveRequest::Update { scope, patch } => AppEvent::Saved {
                    result: h.update(&scope, patch).await,
                    scope,
                },
            }
        });
    }
}

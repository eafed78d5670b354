//! Key rotation from the key map: `r` on a fingerprint opens the masked
//! key dialog, Enter runs [`ServiceHandle::rotate_key`] as a keyed task
//! whose progress is forwarded to the loop, and the report replaces the
//! table until Esc. The request is the CLI's default (`rotate-key
//! --fingerprint`: swap each scope whose test passed).
//!
//! [`ServiceHandle::rotate_key`]: crate::service::ServiceHandle::rotate_key

use tokio::sync::mpsc;

use super::{App, TaskKey};
use crate::domain::ApiKey;
use crate::service::ServiceError;
use crate::service::rotation::{
    OldKey, RotationProgress, RotationReport, RotationRequest, SwapMode,
};
use crate::tui::event::AppEvent;
use crate::tui::screens::Screen;
use crate::tui::screens::rotation::{RotationPhase, RotationView, summary};
use crate::tui::state::Popup;
use crate::tui::widgets::rotate_key::RotateKeyState;
use crate::tui::widgets::toast::Level;

impl App {
    /// `r` on the key map: the key dialog for the selected fingerprint.
    pub(super) fn ask_rotate(&mut self) {
        let Screen::KeyMap(k) = &self.state.screen else {
            return;
        };
        // The map under a report is stale (the old key is gone): reload first.
        match &k.rotation {
            Some(r) if r.running() => return self.toast(Level::Info, "a rotation is under way"),
            Some(_) => return self.toast(Level::Info, "Esc returns to the key map first"),
            None => {}
        }
        let Some(g) = k.selected_group() else {
            return;
        };
        let dialog = RotateKeyState::new(
            g.key_fingerprint.clone(),
            g.api_key_masked.clone(),
            g.scope_count,
        );
        if self.writable("key rotation") {
            self.state.popup = Some(Popup::RotateKey(dialog));
        }
    }

    /// Rotates `fingerprint` to `new_key`; the key map shows the progress.
    pub(super) fn start_rotation(&mut self, fingerprint: String, new_key: ApiKey) {
        let Screen::KeyMap(k) = &mut self.state.screen else {
            return;
        };
        let scopes = k
            .selected_group()
            .filter(|g| g.key_fingerprint == fingerprint)
            .map_or(0, |g| g.scope_count);
        k.rotation = Some(RotationView::new(fingerprint.clone(), scopes));
        let request = RotationRequest {
            old: OldKey::Fingerprint(fingerprint),
            new_key,
            mode: SwapMode::Passed,
            concurrency: self.concurrency.max(1),
        };
        let (h, app_tx) = (self.handle.clone(), self.tx.clone());
        self.spawn(Some(TaskKey::Rotation), async move {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let forward = async move {
                while let Some(progress) = rx.recv().await {
                    let _ = app_tx.send(AppEvent::RotationProgress { progress });
                }
            };
            // The service drops its sender when done, which ends `forward`:
            // every progress event is queued before the report.
            let (result, ()) = tokio::join!(h.rotate_key(request, tx), forward);
            AppEvent::Rotated { result }
        });
    }

    /// Whether the key map shows a rotation (Esc closes it, not the screen).
    pub(super) fn rotation_shown(&self) -> bool {
        matches!(&self.state.screen, Screen::KeyMap(k) if k.rotation.is_some())
    }

    /// Esc on a rotation: back to the (reloaded) key map once it is over.
    pub(super) fn close_rotation(&mut self) {
        let running = matches!(&self.state.screen,
            Screen::KeyMap(k) if k.rotation.as_ref().is_some_and(|r| r.running()));
        if running {
            // Swaps may be committing; stopping halfway would leave the
            // report unread, so the rotation runs to its end.
            return self.toast(Level::Info, "the rotation is under way; its report follows");
        }
        self.load_key_map();
    }

    pub(super) fn on_rotation_progress(&mut self, progress: RotationProgress) {
        if let Screen::KeyMap(k) = &mut self.state.screen
            && let Some(r) = &mut k.rotation
        {
            r.advance(progress);
        }
    }

    pub(super) fn on_rotated(&mut self, result: Result<RotationReport, ServiceError>) {
        self.tasks.remove(&TaskKey::Rotation);
        let (level, text) = match &result {
            Ok(report) => (
                if report.any_left() {
                    Level::Error
                } else {
                    Level::Ok
                },
                format!(
                    "rotation of {}: {}",
                    report.old_fingerprint,
                    summary(report)
                ),
            ),
            Err(e) => (Level::Error, format!("rotation failed: {e}")),
        };
        if let Screen::KeyMap(k) = &mut self.state.screen
            && let Some(r) = &mut k.rotation
        {
            r.phase = RotationPhase::Done(result.map_err(|e| e.to_string()));
        }
        self.toast(level, text);
    }
}

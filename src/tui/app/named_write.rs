//! Bulk writes and deletes on a marked context: where `[[tui.contexts]]`
//! says `confirm = "name"`, a bulk delete, bulk edit or key rotation waits
//! in the typed-name dialog and runs only once the name is typed exactly.
//! Elsewhere it runs at once (its own confirm has been answered already).

use super::App;
use crate::tui::job::JobKind;
use crate::tui::state::Popup;
use crate::tui::widgets::type_name::{NamedWrite, TypeNameState};

impl App {
    /// Runs `write`, first asking for the context's name when it says so.
    pub(super) fn bulk_write(&mut self, write: NamedWrite) {
        match &self.state.env.context {
            Some(mark) if mark.confirm_by_name => {
                let dialog = TypeNameState::new(&mark.name, write);
                self.state.popup = Some(Popup::TypeName(dialog));
            }
            _ => self.run_named(write),
        }
    }

    /// Runs a bulk write whose confirmations are all answered.
    pub(super) fn run_named(&mut self, write: NamedWrite) {
        match write {
            NamedWrite::Delete { scopes } => self.start_job(JobKind::Delete, scopes, false),
            NamedWrite::Patch {
                patch,
                scopes,
                seen,
            } => self.bulk_if_unchanged(*patch, scopes, seen),
            NamedWrite::Rotate {
                fingerprint,
                new_key,
            } => self.start_rotation(fingerprint, new_key),
        }
    }
}

//! The screens: the instance list with its detail pane (the home screen),
//! the create/edit form, the audit history, the results of a job ("test
//! all" or a bulk action), a scope's kept versions, the key map and the
//! jobs of this process; plus
//! the chrome every screen shares (header, footer, too-small notice).

pub mod audit;
pub mod chrome;
pub mod detail;
pub mod form;
pub mod form_view;
pub mod health_view;
pub mod instance_entry;
pub mod instance_list;
pub mod instance_sort;
pub mod instances;
pub mod jobs;
pub mod key_lines;
pub mod key_map;
pub mod lifecycle_column;
pub mod results;
pub mod rotation;
pub mod selection;
pub mod text_filter;
pub mod versions;

use audit::AuditState;
use form::FormState;
use jobs::JobsView;
use key_map::KeyMapState;
use results::ResultsView;
use versions::VersionsState;

use super::action::KeyContext;

/// The screen being shown; each variant owns its own state.
#[derive(Debug)]
pub enum Screen {
    /// Instance list and detail.
    Main,
    /// Create / edit form.
    Form(Box<FormState>),
    /// Audit history.
    Audit(AuditState),
    /// Results of the last job (its rows live in the app state).
    Results(ResultsView),
    /// Kept versions of a scope, to restore one (undo).
    Versions(VersionsState),
    /// The key-usage map.
    KeyMap(KeyMapState),
    /// The jobs of this process.
    Jobs(JobsView),
}

impl Screen {
    /// The key context of this screen.
    pub fn context(&self) -> KeyContext {
        match self {
            Screen::Main => KeyContext::List,
            Screen::Form(_) => KeyContext::Form,
            Screen::Audit(_) => KeyContext::Table,
            Screen::Results(_) => KeyContext::Results,
            Screen::Versions(_) => KeyContext::Versions,
            Screen::KeyMap(_) => KeyContext::Keys,
            Screen::Jobs(_) => KeyContext::Jobs,
        }
    }

    /// A short name, for tests and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Main => "main",
            Screen::Form(_) => "form",
            Screen::Audit(_) => "audit",
            Screen::Results(_) => "results",
            Screen::Versions(_) => "versions",
            Screen::KeyMap(_) => "key map",
            Screen::Jobs(_) => "jobs",
        }
    }
}

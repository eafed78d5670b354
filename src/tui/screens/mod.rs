//! The screens: the instance list with its detail pane (the home screen),
//! the create/edit form, the audit history and the "test all" results; plus
//! the chrome every screen shares (header, footer, too-small notice).

pub mod audit;
pub mod chrome;
pub mod detail;
pub mod form;
pub mod form_view;
pub mod instances;
pub mod test_all;

use audit::AuditState;
use form::FormState;
use test_all::TestAllState;

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
    /// Test-all results.
    TestAll(TestAllState),
}

impl Screen {
    /// The key context of this screen.
    pub fn context(&self) -> KeyContext {
        match self {
            Screen::Main => KeyContext::List,
            Screen::Form(_) => KeyContext::Form,
            Screen::Audit(_) | Screen::TestAll(_) => KeyContext::Table,
        }
    }

    /// A short name, for tests and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Main => "main",
            Screen::Form(_) => "form",
            Screen::Audit(_) => "audit",
            Screen::TestAll(_) => "test_all",
        }
    }
}

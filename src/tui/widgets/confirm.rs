//! The yes/no dialog for destructive, lossy or large steps (delete one or
//! many configurations, discard a changed form, quit from one, test over a
//! threshold of scopes, restore an earlier version). It names what will happen and how many scopes,
//! lists them, defaults to No, and answers with the typed [`ConfirmKind`]
//! it was opened for.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::pinned_dialog;
use crate::domain::Scope;
use crate::tui::text::ellipsize_middle;
use crate::tui::theme::{Slot, Theme};

/// What is being confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmKind {
    /// Delete the configuration of this scope.
    Delete {
        /// The scope.
        scope: Scope,
    },
    /// Throw away the edits in the open form.
    DiscardForm,
    /// Quit, throwing away the edits in the open form.
    QuitDiscard,
    /// Delete the configurations of these (marked) scopes.
    BulkDelete {
        /// The scopes, each with a configuration.
        scopes: Vec<Scope>,
    },
    /// Test many scopes (over the ask-first threshold).
    RunTests {
        /// The scopes.
        scopes: Vec<Scope>,
        /// Whether this is "test all".
        all: bool,
    },
    /// Make an earlier version of a scope's config current again (undo).
    Restore {
        /// The scope.
        scope: Scope,
        /// The version.
        version: u64,
        /// What the version holds (`provider · model`).
        held: String,
        /// What is current now (`provider · model` or `(deleted)`).
        current: String,
    },
}

impl ConfirmKind {
    /// A short name of the dialog, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            ConfirmKind::Delete { .. } => "delete dialog",
            ConfirmKind::DiscardForm => "discard dialog",
            ConfirmKind::QuitDiscard => "quit dialog",
            ConfirmKind::BulkDelete { .. } => "bulk delete dialog",
            ConfirmKind::RunTests { .. } => "test run dialog",
            ConfirmKind::Restore { .. } => "restore dialog",
        }
    }
}

/// Scopes named in a bulk dialog before "and N more".
const LISTED: usize = 8;

/// The first scopes of a bulk dialog, one per line, then "and N more".
pub(super) fn listed(scopes: &[Scope]) -> Vec<String> {
    let mut out: Vec<String> = scopes
        .iter()
        .take(LISTED)
        .map(|s| format!("  • {}", ellipsize_middle(&s.to_string(), 56)))
        .collect();
    if scopes.len() > LISTED {
        out.push(format!("  … and {} more", scopes.len() - LISTED));
    }
    out
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct ConfirmState {
    /// What a Yes does.
    pub kind: ConfirmKind,
    /// Whether Yes is highlighted (starts on No).
    pub yes: bool,
}

/// What a key did to the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// Still open.
    Pending,
    /// Confirmed.
    Yes(ConfirmKind),
    /// Declined or dismissed.
    No,
}

impl ConfirmState {
    /// A dialog for `kind`, with No selected.
    pub fn new(kind: ConfirmKind) -> ConfirmState {
        ConfirmState { kind, yes: false }
    }

    /// Handles a key.
    pub fn on_key(&mut self, key: &KeyEvent) -> ConfirmOutcome {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => ConfirmOutcome::Yes(self.kind.clone()),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                ConfirmOutcome::No
            }
            KeyCode::Left
            | KeyCode::Right
            | KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Char('h')
            | KeyCode::Char('l') => {
                self.yes = !self.yes;
                ConfirmOutcome::Pending
            }
            KeyCode::Enter if self.yes => ConfirmOutcome::Yes(self.kind.clone()),
            KeyCode::Enter => ConfirmOutcome::No,
            _ => ConfirmOutcome::Pending,
        }
    }

    fn text(&self) -> (String, Vec<String>) {
        match &self.kind {
            ConfirmKind::Delete { scope } => (
                "Delete configuration".into(),
                vec![
                    format!("Delete the LLM configuration of the {scope}?"),
                    String::new(),
                    format!(
                        "AI features of the {scope} stay disabled until a new configuration is created."
                    ),
                ],
            ),
            ConfirmKind::DiscardForm => (
                "Discard changes".into(),
                vec!["The form has unsaved changes. Discard them?".to_string()],
            ),
            ConfirmKind::QuitDiscard => (
                "Discard changes and quit".into(),
                vec!["The form has unsaved changes. Discard them and quit?".to_string()],
            ),
            ConfirmKind::BulkDelete { scopes } => {
                let mut body = vec![format!(
                    "Delete the LLM configurations of {} scopes?",
                    scopes.len()
                )];
                body.extend(listed(scopes));
                body.push("Their AI features stay disabled until new ones are created.".into());
                (format!("Delete {} configurations", scopes.len()), body)
            }
            ConfirmKind::RunTests { scopes, all } => {
                let what = if *all {
                    "every configured scope"
                } else {
                    "the marked scopes"
                };
                (
                    format!("Test {} scopes", scopes.len()),
                    vec![
                        format!(
                            "Test {what}: {} scopes, one call to each provider's models API.",
                            scopes.len()
                        ),
                        "Esc in its results view (v) cancels the run at any time.".into(),
                    ],
                )
            }
            ConfirmKind::Restore {
                scope,
                version,
                held,
                current,
            } => (
                format!("Restore v{version}"),
                vec![
                    format!("Restore version {version} of the {scope}?"),
                    String::new(),
                    format!("  now:   {current}"),
                    format!("  after: {held}"),
                    String::new(),
                    "The restore is itself a new version, so it can be undone too.".into(),
                ],
            ),
        }
    }
}

/// The dialog's width before clamping to the screen, in columns.
const WIDTH: u16 = 64;

/// Draws the dialog centred in `area`, sized from its wrapped text with
/// the buttons and keys pinned to the bottom (see [`pinned_dialog`]).
pub fn render(state: &ConfirmState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (title, body) = state.text();
    let body = body.into_iter().map(Line::from).collect();
    let buttons = buttons(state, theme);
    pinned_dialog(frame, area, WIDTH, &title, body, buttons, theme);
}

/// The button row: No and Yes, the highlighted one is what Enter does.
fn buttons<'a>(state: &ConfirmState, theme: &Theme) -> Line<'a> {
    let button = |label: &'static str, on: bool| {
        if on {
            Span::styled(format!("[ {label} ]"), theme.style(Slot::Selected))
        } else {
            Span::raw(format!("  {label}  "))
        }
    };
    Line::from(vec![
        button("No", !state.yes),
        Span::raw("   "),
        button("Yes", state.yes),
        Span::styled("   y/n · ←/→ · Enter", theme.style(Slot::Muted)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    #[test]
    fn enter_defaults_to_no() {
        let mut c = ConfirmState::new(ConfirmKind::DiscardForm);
        assert_eq!(
            c.on_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            ConfirmOutcome::No
        );
        c.on_key(&KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        assert_eq!(
            c.on_key(&KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
            ConfirmOutcome::Yes(ConfirmKind::DiscardForm)
        );
    }
}

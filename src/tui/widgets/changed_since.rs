//! The dialog a write opens when the stored config changed after the user
//! saw it: another writer (the CLI, the server, a second TUI) got there
//! between loading and saving. For the form it shows, per changed field,
//! the value the form loaded and the value stored now (the key only as its
//! masks), and asks: reload, or overwrite. For a bulk edit it lists the
//! scopes that changed since the dialog opened and asks: skip them, or
//! overwrite them too. Nothing is written until the user answers.
//!
//! Fields are compared and named through [`ConfigFields::texts`], so a new
//! config field shows up here without an edit.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::confirm::listed;
use super::pinned_dialog;
use crate::domain::{ConfigPatch, ConfigView, Scope};
use crate::tui::text::ellipsize_middle;
use crate::tui::theme::{Slot, Theme};

/// What changed under a write, and what the write was.
#[derive(Debug, Clone)]
pub enum ChangedSince {
    /// The form's save: the config it loaded is no longer the stored one.
    Form {
        /// The scope of the form.
        scope: Scope,
        /// The config the form loaded.
        loaded: Box<ConfigView>,
        /// The config stored now; `None` when it was deleted.
        now: Option<Box<ConfigView>>,
    },
    /// A bulk edit: some scopes changed since the dialog opened.
    Bulk {
        /// The edit to apply.
        patch: Box<ConfigPatch>,
        /// The scopes unchanged since the dialog opened.
        unchanged: Vec<Scope>,
        /// The scopes changed (or deleted) since the dialog opened.
        changed: Vec<Scope>,
    },
}

/// What a key did to the dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangedChoice {
    /// Still open.
    Pending,
    /// Back to where the user was, nothing written.
    Cancel,
    /// Form: drop the edits and edit the stored config.
    Reload,
    /// Write anyway: the form's values, or the bulk edit on every scope.
    Overwrite,
    /// Bulk: apply to the unchanged scopes only.
    SkipChanged,
}

/// The dialog's state.
#[derive(Debug, Clone)]
pub struct ChangedSinceState {
    /// What changed, and the write it holds back.
    pub change: ChangedSince,
}

impl ChangedSinceState {
    /// A dialog for `change`.
    pub fn new(change: ChangedSince) -> ChangedSinceState {
        ChangedSinceState { change }
    }

    /// Handles a key: only the letters the dialog names, and Esc.
    pub fn on_key(&self, key: &KeyEvent) -> ChangedChoice {
        let deleted = matches!(&self.change, ChangedSince::Form { now: None, .. });
        match (&self.change, key.code) {
            (_, KeyCode::Esc | KeyCode::Char('q')) => ChangedChoice::Cancel,
            (ChangedSince::Form { .. }, KeyCode::Char('r')) => ChangedChoice::Reload,
            (ChangedSince::Form { .. }, KeyCode::Char('o')) if !deleted => ChangedChoice::Overwrite,
            (ChangedSince::Bulk { .. }, KeyCode::Char('o')) => ChangedChoice::Overwrite,
            (ChangedSince::Bulk { unchanged, .. }, KeyCode::Char('s')) if !unchanged.is_empty() => {
                ChangedChoice::SkipChanged
            }
            _ => ChangedChoice::Pending,
        }
    }

    fn text(&self) -> (String, Vec<String>, String) {
        match &self.change {
            ChangedSince::Form { scope, loaded, now } => {
                let mut body = vec![format!(
                    "The configuration of the {scope} changed after the form loaded it."
                )];
                body.push(String::new());
                match now {
                    Some(now) => {
                        body.extend(differences(loaded, now));
                        body.push(String::new());
                        body.push("r reload: drop your edits and edit what is stored now".into());
                        body.push("o overwrite: store the form's values as shown".into());
                        let keys = "r reload · o overwrite · Esc back to the form".to_string();
                        ("Changed since you opened the form".into(), body, keys)
                    }
                    None => {
                        body.push("It was deleted by another writer.".into());
                        body.push(String::new());
                        body.push("r reload: close the form (n creates a new one)".into());
                        let keys = "r reload · Esc back to the form".to_string();
                        ("Deleted since you opened the form".into(), body, keys)
                    }
                }
            }
            ChangedSince::Bulk {
                unchanged, changed, ..
            } => {
                let total = unchanged.len() + changed.len();
                let mut body = vec![format!(
                    "{} of the {total} scopes changed after the dialog opened:",
                    changed.len()
                )];
                body.extend(listed(changed));
                body.push(String::new());
                if !unchanged.is_empty() {
                    body.push(format!(
                        "s skip them: apply to the {} unchanged scopes only",
                        unchanged.len()
                    ));
                }
                body.push(format!("o overwrite: apply to all {total} scopes"));
                let keys = if unchanged.is_empty() {
                    "o overwrite · Esc cancel".to_string()
                } else {
                    "s skip changed · o overwrite · Esc cancel".to_string()
                };
                (
                    format!("{} scopes changed since", changed.len()),
                    body,
                    keys,
                )
            }
        }
    }
}

/// One line per field whose value differs between `loaded` and `now`:
/// its name, the loaded value and the stored one. The key is compared
/// and shown by its masks only; a save that changed nothing visible
/// (the same mask) still says when it happened.
pub fn differences(loaded: &ConfigView, now: &ConfigView) -> Vec<String> {
    let shown = |v: Option<&str>| v.map_or_else(|| "none".to_string(), |v| format!("{v:?}"));
    let (before, after) = (loaded.fields(), now.fields());
    let mut out: Vec<String> = before
        .texts()
        .into_iter()
        .zip(after.texts())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((name, a), (_, b))| {
            format!(
                "  {name:<10} loaded {}  now {}",
                ellipsize_middle(&shown(a), 24),
                ellipsize_middle(&shown(b), 24)
            )
        })
        .collect();
    if loaded.api_key_masked != now.api_key_masked {
        out.push(format!(
            "  {:<10} loaded {}  now {}",
            "api_key", loaded.api_key_masked, now.api_key_masked
        ));
    }
    if out.is_empty() {
        out.push(format!(
            "  saved again at {} (same values shown; the key may have changed)",
            now.updated_at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        ));
    }
    out
}

/// Whether `a` and `b` are the same stored config: the same fields, key
/// mask and last change.
pub fn same_config(a: &ConfigView, b: &ConfigView) -> bool {
    a.fields() == b.fields() && a.api_key_masked == b.api_key_masked && a.updated_at == b.updated_at
}

/// A compact token of a stored config — its fields, key mask and last
/// change — or of none. Kept per scope when a bulk dialog opens, so that a
/// change by the time it is applied can be told without keeping each
/// config. The fields count as well as the time: stored times have whole
/// seconds, and two writes can fall within one.
pub fn stamp(view: Option<&ConfigView>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    if let Some(v) = view {
        for (name, value) in v.fields().texts() {
            name.hash(&mut h);
            value.hash(&mut h);
        }
        v.api_key_masked.hash(&mut h);
        v.updated_at.unix_timestamp_nanos().hash(&mut h);
    }
    h.finish()
}

/// Draws the dialog centred in `area`, sized from its wrapped text with
/// the key line pinned to the bottom (as the confirm dialog is).
pub fn render(state: &ChangedSinceState, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (title, body, keys) = state.text();
    let body = body.into_iter().map(Line::from).collect();
    let keys = Line::from(Span::styled(keys, theme.style(Slot::Accent)));
    pinned_dialog(frame, area, 76, &title, body, keys, theme);
}

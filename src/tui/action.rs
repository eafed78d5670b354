//! The one action registry: every key-bound action with its config name,
//! footer label, help text, the screen it belongs to and its default keys.
//! The footer hints, the help overlay and the `[keys]` overrides are all
//! generated from [`REGISTRY`], so they cannot drift apart.

/// Something the user can ask for with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave the application.
    Quit,
    /// Show the key bindings of the current screen.
    Help,
    /// Move the selection up.
    Up,
    /// Move the selection down.
    Down,
    /// Jump to the first row.
    Top,
    /// Jump to the last row.
    Bottom,
    /// Open / confirm the selected item.
    Confirm,
    /// Go back, cancel, close.
    Back,
    /// Filter the instance list as you type.
    Filter,
    /// Open the instance picker.
    Picker,
    /// Register a new instance id.
    AddInstance,
    /// Create a configuration for the selected scope.
    New,
    /// Edit the configuration of the selected scope.
    Edit,
    /// Delete the configuration of the selected scope.
    Delete,
    /// Test the selected scope's connection.
    Test,
    /// Test every configured scope.
    TestAll,
    /// Show the selected scope's audit history.
    History,
    /// Reload the instance list.
    Refresh,
    /// Next form field.
    NextField,
    /// Previous form field.
    PrevField,
    /// Save the form.
    Save,
    /// Show or hide the API key while its field has focus.
    Reveal,
    /// Fetch the live model list from the provider.
    FetchModels,
    /// Move up one page.
    PageUp,
    /// Move down one page.
    PageDown,
    /// Mark or unmark the selected row.
    Mark,
    /// Mark every visible row.
    MarkAll,
    /// Cycle the sort column.
    Sort,
    /// Show only scopes whose last test failed (toggle).
    FailingOnly,
    /// Toggle the filter to scopes whose lifecycle facts put them at risk.
    AtRisk,
    /// Cycle the provider filter.
    ProviderFilter,
    /// Cycle the status filter of a results view.
    StatusFilter,
    /// Reopen the last run's results.
    Reopen,
    /// Copy the selected scope id (OSC 52).
    Copy,
    /// Copy the selected configuration as JSON, without the key (OSC 52).
    CopyJson,
    /// Show the message log.
    Messages,
    /// Set the model of the marked scopes.
    SetModel,
    /// Set provider, key and base URL of the marked scopes.
    SetProvider,
    /// Show the selected scope's kept versions (the undo screen).
    Versions,
    /// Show the key-usage map: scopes grouped by key fingerprint.
    KeyMap,
    /// Rotate the selected key of the key map.
    RotateKey,
    /// Show the jobs of this process.
    Jobs,
    /// Cancel the selected job of the jobs screen.
    CancelJob,
}

impl Action {
    /// Whether the action writes (hidden from the hints in read-only mode).
    pub fn writes(self) -> bool {
        matches!(
            self,
            Action::New
                | Action::Edit
                | Action::Delete
                | Action::AddInstance
                | Action::SetModel
                | Action::SetProvider
                | Action::RotateKey
        )
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyContext {
    /// Everywhere except while typing into a text field.
    Global,
    /// The instance list and detail.
    List,
    /// The create / edit form (text entry: no plain-letter bindings).
    Form,
    /// Read-only tables: audit history.
    Table,
    /// The results of a job (test all, bulk actions).
    Results,
    /// A popup: picker, dialogs, the message log.
    Popup,
    /// The kept versions of a scope (restore is the TUI's undo).
    Versions,
    /// The key-usage map.
    Keys,
    /// The jobs of this process.
    Jobs,
}

impl KeyContext {
    /// Heading used in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            KeyContext::Global => "Global",
            KeyContext::List => "Instances",
            KeyContext::Form => "Form",
            KeyContext::Table => "Tables",
            KeyContext::Results => "Results",
            KeyContext::Popup => "Popups",
            KeyContext::Versions => "Versions",
            KeyContext::Keys => "Key map",
            KeyContext::Jobs => "Jobs",
        }
    }

    /// Whether the context takes typed text, so plain letters must reach the input.
    pub fn is_text_entry(self) -> bool {
        matches!(self, KeyContext::Form | KeyContext::Popup)
    }
}

/// One entry of the registry.
#[derive(Debug, Clone, Copy)]
pub struct ActionSpec {
    /// The action.
    pub action: Action,
    /// Name used in `[keys]` of `config.toml`.
    pub name: &'static str,
    /// Short footer label.
    pub hint: &'static str,
    /// One line for the help overlay.
    pub description: &'static str,
    /// Where it applies.
    pub context: KeyContext,
    /// Default keys (see [`crate::tui::keymap::KeyChord::parse`]).
    pub keys: &'static [&'static str],
    /// Shown in the footer (the rest only in help).
    pub footer: bool,
}

const fn spec(
    action: Action,
    name: &'static str,
    hint: &'static str,
    description: &'static str,
    context: KeyContext,
    keys: &'static [&'static str],
    footer: bool,
) -> ActionSpec {
    ActionSpec {
        action,
        name,
        hint,
        description,
        context,
        keys,
        footer,
    }
}

mod registry;

pub use registry::REGISTRY;

/// The registry entry of `name` (as written in `[keys]`).
pub fn by_name(name: &str) -> Option<&'static ActionSpec> {
    REGISTRY.iter().find(|s| s.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = REGISTRY.iter().map(|s| s.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }
}

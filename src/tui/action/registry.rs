//! The registry's data: every binding of the application, in footer/help
//! order, grouped by where it applies.

use super::{Action, ActionSpec, KeyContext, spec};

use Action as A;
use KeyContext as C;

/// Every binding of the application, in footer/help order: action, `[keys]`
/// name, footer hint, help line, context, default keys, shown in the footer.
#[rustfmt::skip]
pub static REGISTRY: &[ActionSpec] = &[
    spec(A::Up, "up", "up", "Move up", C::Global, &["up", "k"], false),
    spec(A::Down, "down", "down", "Move down", C::Global, &["down", "j"], false),
    spec(A::Top, "top", "top", "Jump to the first row", C::Global, &["g", "home"], false),
    spec(A::Bottom, "bottom", "bottom", "Jump to the last row", C::Global, &["G", "end"], false),
    spec(A::Confirm, "confirm", "open", "Open the selection / confirm", C::Global, &["enter"], false),
    spec(A::Back, "back", "back", "Back, cancel a running test, close", C::Global, &["esc"], false),
    spec(A::Help, "help", "help", "Show this help", C::Global, &["?"], true),
    spec(A::Quit, "quit", "quit", "Quit", C::Global, &["q", "ctrl-c"], true),
    spec(A::Filter, "filter", "filter", "Filter the list as you type", C::List, &["/"], true),
    spec(A::Picker, "picker", "switch", "Pick an instance (fuzzy)", C::Global, &["ctrl-p", ":"], true),
    spec(A::AddInstance, "add_instance", "add id", "Register an instance id", C::List, &["a"], true),
    spec(A::New, "new", "new", "Create a configuration", C::List, &["n"], true),
    spec(A::Edit, "edit", "edit", "Edit the configuration", C::List, &["e"], true),
    spec(A::Delete, "delete", "delete", "Delete the configuration", C::List, &["d", "delete"], true),
    spec(A::Test, "test", "test", "Test the connection", C::List, &["t"], true),
    spec(A::TestAll, "test_all", "test all", "Test every configured scope", C::List, &["T"], true),
    spec(A::History, "history", "history", "Audit history of the scope", C::List, &["h"], true),
    spec(A::Refresh, "refresh", "refresh", "Reload the instance list", C::List, &["R"], false),
    spec(A::NextField, "next_field", "next", "Next field", C::Form, &["tab"], true),
    spec(A::PrevField, "prev_field", "prev", "Previous field", C::Form, &["backtab"], false),
    spec(A::Save, "save", "save", "Save (also Enter on the last field)", C::Form, &["ctrl-s"], true),
    spec(A::Reveal, "reveal", "reveal key", "Show / hide the API key", C::Form, &["ctrl-r"], true),
    spec(A::FetchModels, "fetch_models", "live models", "Fetch the provider's model list", C::Form, &["ctrl-l"], true),
    spec(A::Help, "form_help", "help", "Show this help (also ? on the provider field)", C::Form, &["f1"], true),
    spec(A::Back, "form_back", "cancel", "Cancel (asks when changed)", C::Form, &["esc"], true),
    spec(A::PageUp, "page_up", "page up", "Move up one page", C::Global, &["pageup", "ctrl-u"], false),
    spec(A::PageDown, "page_down", "page down", "Move down one page", C::Global, &["pagedown", "ctrl-d"], false),
    spec(A::Messages, "messages", "messages", "Message log: every toast in full", C::Global, &["L"], false),
    spec(A::Mark, "mark", "mark", "Mark / unmark the row (bulk actions apply to marks)", C::List, &["space"], true),
    spec(A::MarkAll, "mark_all", "mark all", "Mark every visible row (Esc clears the marks)", C::List, &["ctrl-a"], false),
    spec(A::SetModel, "set_model", "set model", "Set the model of the marked scopes", C::List, &["m"], false),
    spec(A::SetProvider, "set_provider", "set provider", "Set provider + key of the marked scopes", C::List, &["P"], false),
    spec(A::Sort, "sort", "sort", "Sort by scope, provider, model, last test", C::List, &["s"], false),
    spec(A::FailingOnly, "failing_only", "failing", "Show only scopes whose last test failed", C::List, &["f"], false),
    spec(A::ProviderFilter, "provider_filter", "provider", "Filter by provider (cycles)", C::List, &["p"], false),
    spec(A::Reopen, "reopen", "results", "Reopen the last run's results", C::List, &["v"], false),
    spec(A::Copy, "copy", "copy id", "Copy the scope id (OSC 52)", C::List, &["y"], false),
    spec(A::CopyJson, "copy_json", "copy json", "Copy the configuration as JSON, never the key", C::List, &["Y"], false),
    spec(A::Back, "results_back", "back", "Cancel the run; when it is over, close", C::Results, &["esc"], true),
    spec(A::Confirm, "results_jump", "jump", "Jump to the scope", C::Results, &["enter"], true),
    spec(A::StatusFilter, "status_filter", "status", "Status filter: all, failed, ok", C::Results, &["f"], true),
    spec(A::Filter, "results_filter", "filter", "Filter rows by text", C::Results, &["/"], true),
    spec(A::Confirm, "popup_confirm", "choose", "Choose / confirm (dialogs: y yes, n no)", C::Popup, &["enter"], true),
    spec(A::Back, "popup_back", "close", "Close without acting", C::Popup, &["esc"], true),
    spec(A::Up, "popup_up", "up", "Move / scroll up", C::Popup, &["up"], false),
    spec(A::Down, "popup_down", "down", "Move / scroll down", C::Popup, &["down"], false),
    spec(A::Help, "popup_help", "help", "Show this help", C::Popup, &["f1"], true),
    spec(A::Versions, "versions", "versions", "Kept versions of the scope: restore one (undo)", C::List, &["u"], false),
    spec(A::KeyMap, "key_map", "key map", "Key-usage map: scopes grouped by key", C::List, &["K"], false),
    spec(A::Confirm, "versions_restore", "restore", "Restore the selected version (asks first)", C::Versions, &["enter", "r"], true),
    spec(A::Back, "versions_back", "back", "Back to the list", C::Versions, &["esc"], true),
    spec(A::Confirm, "key_map_expand", "expand", "Show / hide the scopes using the key", C::Keys, &["enter"], true),
    spec(A::Filter, "key_map_filter", "filter", "Filter keys and scopes by text", C::Keys, &["/"], true),
    spec(A::RotateKey, "rotate_key", "rotate", "Rotate the key: paste a new one, test it everywhere, swap", C::Keys, &["r"], true),
    spec(A::Back, "key_map_back", "back", "Back to the list", C::Keys, &["esc"], true),
];

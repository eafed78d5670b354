//! The production marker of the session: the `[[tui.contexts]]` entry whose
//! target is the open store or remote, as the header draws it and the bulk
//! actions consult it.

use ratatui::style::Color;

use crate::settings::ContextSetting;

/// The marked context this session runs on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextMark {
    /// Its name (`production`).
    pub name: String,
    /// Its header colour.
    pub colour: Color,
    /// Bulk writes and deletes wait for the name to be typed.
    pub confirm_by_name: bool,
}

impl ContextMark {
    /// The mark of a validated setting (an unreadable colour, which the
    /// settings check refuses, falls back to red).
    pub fn from_setting(setting: &ContextSetting) -> ContextMark {
        ContextMark {
            name: setting.name.trim().to_string(),
            colour: setting.colour().parse().unwrap_or(Color::Red),
            confirm_by_name: setting.confirms_by_name(),
        }
    }
}

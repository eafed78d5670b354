//! `[tui]`: terminal UI settings.

use serde::Deserialize;

use super::contexts::ContextSetting;

/// `[tui]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TuiSettings {
    /// Mouse support (default on).
    #[serde(default)]
    pub mouse: Option<bool>,
    /// Production markers: a name and colour per store path or remote URL.
    #[serde(default)]
    pub contexts: Vec<ContextSetting>,
}

//! `[tui]`: terminal UI settings.

use serde::Deserialize;

/// `[tui]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TuiSettings {
    /// Mouse support (default on).
    #[serde(default)]
    pub mouse: Option<bool>,
}

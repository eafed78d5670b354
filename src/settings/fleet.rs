//! `[fleet]`: the fleet file the TUI marks drift against.

use std::path::PathBuf;

use serde::Deserialize;

/// `[fleet]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetSettings {
    /// The fleet file; the TUI marks the scopes that differ from it. A
    /// relative path starts at the directory of `config.toml`.
    #[serde(default)]
    pub file: Option<PathBuf>,
}

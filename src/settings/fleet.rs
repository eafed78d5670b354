//! `[fleet]`: the fleet file the TUI marks drift against, and how far a
//! fleet file's `api_key_file` may reach.

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
    /// Let `api_key_file` name paths outside the fleet file's directory.
    #[serde(default)]
    pub key_files_anywhere: bool,
}

impl FleetSettings {
    /// How far `api_key_file` paths may reach.
    pub fn key_file_reach(&self) -> crate::fleet::keyref::KeyFileReach {
        if self.key_files_anywhere {
            crate::fleet::keyref::KeyFileReach::Anywhere
        } else {
            crate::fleet::keyref::KeyFileReach::InsideFleetDir
        }
    }
}

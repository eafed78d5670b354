//! `[[instances]]`: instances to list even before they have a config.

use serde::Deserialize;

/// One `[[instances]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceEntry {
    /// The instance id.
    pub id: String,
    /// Optional display name.
    #[serde(default)]
    pub name: Option<String>,
}

//! `[server]`: the listen address of `llmcfg serve` and the private
//! targets its connection tests may reach.

use serde::Deserialize;

/// `[server]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address.
    #[serde(default)]
    pub listen: Option<String>,
    /// Hosts, IPs or CIDRs that connection tests may reach although private.
    #[serde(default)]
    pub allowed_targets: Vec<String>,
}

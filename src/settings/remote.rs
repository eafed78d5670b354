//! `[remote]`: the `/llm-config` server of remote mode, how to
//! authenticate to it, and where its instance ids come from.

use std::path::PathBuf;

use serde::Deserialize;

/// `[remote]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RemoteSettings {
    /// Server URL.
    #[serde(default)]
    pub url: Option<String>,
    /// PEM file of CA certificates to trust besides the system ones.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Header that carries the token (default `Authorization`).
    #[serde(default)]
    pub auth_header: Option<String>,
    /// Scheme before the token (default `Bearer` with `Authorization`, none
    /// with any other header; `""` for none).
    #[serde(default)]
    pub auth_scheme: Option<String>,
    /// Program and arguments (run without a shell) printing instance ids,
    /// one per line or as a JSON array.
    #[serde(default)]
    pub instances_command: Option<Vec<String>>,
    /// Longest run of `instances_command`, seconds (default 10).
    #[serde(default)]
    pub instances_command_timeout_secs: Option<f64>,
    /// File of instance ids, one per line or as a JSON array.
    #[serde(default)]
    pub instances_file: Option<PathBuf>,
}

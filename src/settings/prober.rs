//! `[prober]`: connection-test timeouts and concurrency.

use serde::Deserialize;

/// `[prober]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProberSettings {
    /// Connect timeout, seconds.
    #[serde(default)]
    pub connect_timeout_secs: Option<f64>,
    /// Total timeout of one test, seconds.
    #[serde(default)]
    pub total_timeout_secs: Option<f64>,
    /// Default concurrency of `test --all`.
    #[serde(default)]
    pub concurrency: Option<usize>,
}

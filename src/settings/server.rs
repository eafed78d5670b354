//! `[server]`: the listen address of `llmcfg serve`, the limits of its
//! connections, and the private targets its connection tests may reach.

use serde::Deserialize;

use super::seconds::seconds;
use crate::domain::ValidationError;
use crate::server::ServeOptions;

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
    /// Seconds a connection may stay open with no request in flight.
    #[serde(default)]
    pub header_read_timeout_secs: Option<f64>,
    /// Most client connections open at once.
    #[serde(default)]
    pub max_connections: Option<usize>,
}

impl ServerSettings {
    /// The connection limits of `serve`, each checked by its rule; an absent
    /// key keeps the server's default.
    pub fn serve_options(&self) -> Result<ServeOptions, ValidationError> {
        let defaults = ServeOptions::default();
        let max_connections = match self.max_connections {
            None => defaults.max_connections,
            Some(0) => {
                return Err(ValidationError::new(
                    "server.max_connections",
                    "must be at least 1, not 0",
                ));
            }
            Some(n) => n,
        };
        Ok(ServeOptions {
            header_read_timeout: seconds(
                "server.header_read_timeout_secs",
                self.header_read_timeout_secs,
                defaults.header_read_timeout,
            )?,
            max_connections,
            ..defaults
        })
    }
}

//! `[server]`: the listen address of `llmcfg serve`, the limits of its
//! connections, and the private targets its connection tests may reach.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::seconds::seconds;
use crate::domain::ValidationError;
use crate::server::ServeOptions;
use crate::server::tls::TlsFiles;

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
    /// PEM certificate chain to serve HTTPS with (with `tls_key`).
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    /// PEM private key of `tls_cert`; reloaded with it on SIGHUP.
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
}

impl ServerSettings {
    /// The TLS files, both or neither; relative paths start at `base` (the
    /// directory of `config.toml`).
    pub fn tls_files(&self, base: &Path) -> Result<Option<TlsFiles>, ValidationError> {
        match (&self.tls_cert, &self.tls_key) {
            (None, None) => Ok(None),
            (Some(cert), Some(key)) => Ok(Some(TlsFiles {
                cert: base.join(cert),
                key: base.join(key),
            })),
            (Some(_), None) => Err(ValidationError::new(
                "server.tls_key",
                "must be set with server.tls_cert",
            )),
            (None, Some(_)) => Err(ValidationError::new(
                "server.tls_cert",
                "must be set with server.tls_key",
            )),
        }
    }

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

#[cfg(test)]
mod tests {
    use crate::settings::Settings;

    #[test]
    fn connection_limits_and_tls_files_are_checked_naming_the_key() {
        let s = Settings::parse(
            "[server]\nheader_read_timeout_secs = 2.5\nmax_connections = 50\n\
             tls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n",
        )
        .unwrap();
        let o = s.server.serve_options().unwrap();
        assert_eq!(
            o.header_read_timeout,
            std::time::Duration::from_millis(2500)
        );
        assert_eq!(o.max_connections, 50);
        let files = s.server.tls_files("/etc/llmcfg".as_ref()).unwrap().unwrap();
        assert_eq!(files.cert, std::path::Path::new("/etc/llmcfg/c.pem"));
        for (text, field) in [
            ("[server]\nmax_connections = 0\n", "server.max_connections"),
            (
                "[server]\nheader_read_timeout_secs = 0\n",
                "server.header_read_timeout_secs",
            ),
            ("[server]\ntls_cert = \"c.pem\"\n", "server.tls_key"),
            ("[server]\ntls_key = \"k.pem\"\n", "server.tls_cert"),
        ] {
            let e = Settings::parse(text).unwrap_err().to_string();
            assert!(e.contains(field), "{text}: {e}");
        }
    }
}

//! How to reach a PostgreSQL store: the URL plus the `[store]` settings that
//! shape its connections (TLS mode and CA, pool size, statement timeout),
//! merged and checked once into [`PgConnectOptions`]. Connection code only
//! asks it for a `tokio_postgres::Config`, a TLS connector and a pool size,
//! so it never cares where a setting came from.
//!
//! `sslmode` and `sslrootcert` mean what they mean to libpq (`psql`), so an
//! operator's existing URL keeps its meaning; they may sit in the URL's query
//! or in `config.toml` (`[store] sslmode`, `ca_file`), and the URL wins, being
//! the more specific of the two. tokio-postgres itself parses only
//! `disable|prefer|require` and knows no `sslrootcert`, so both are taken out
//! of the query here before the rest goes to its parser.
//!
//! A pool takes the three parts as they are, e.g. deadpool-postgres:
//! `Manager::from_config(o.pg_config().clone(), o.tls_connector()?, …)` with
//! `max_size(o.pool_size())`; the statement timeout is already in the
//! config's startup options, so every pooled connection has it.

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use super::connect_settings::{DEFAULT_POOL_SIZE, PgSettings, SslMode};
use super::tls::{self, CaSource, PgConnector};
use crate::domain::ValidationError;
use crate::store::StoreError;

/// Everything needed to open connections to one PostgreSQL store, checked.
#[derive(Clone)]
pub struct PgConnectOptions {
    /// The URL without `sslmode`/`sslrootcert`, parsed, with the TLS mode
    /// and the statement timeout applied.
    config: tokio_postgres::Config,
    ssl_mode: SslMode,
    ca: Option<CaSource>,
    pool_size: usize,
    statement_timeout: Option<Duration>,
}

impl std::fmt::Debug for PgConnectOptions {
    // tokio_postgres::Config's Debug redacts the password, but say what
    // matters here and leave the URL out entirely.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConnectOptions")
            .field("ssl_mode", &self.ssl_mode)
            .field("ca", &self.ca)
            .field("pool_size", &self.pool_size)
            .field("statement_timeout", &self.statement_timeout)
            .finish_non_exhaustive()
    }
}

impl PgConnectOptions {
    /// Merges `url` with `settings` and checks the result. Never reads a
    /// file (the CA is read by [`PgConnectOptions::connector`]); errors
    /// never repeat the URL, which may carry a password.
    pub fn parse(url: &str, settings: &PgSettings) -> Result<PgConnectOptions, ValidationError> {
        let (rest, url_mode, url_root) = take_tls_params(url)?;
        let ssl_mode = match url_mode {
            Some(m) => m,
            None => settings.ssl_mode.unwrap_or_default(),
        };
        let ca = match url_root {
            Some(root) if root == "system" => Some(CaSource::System),
            Some(root) => Some(CaSource::File(PathBuf::from(root))),
            None => settings.ca_file.clone().map(CaSource::File),
        };
        match (&ca, ssl_mode) {
            (None, SslMode::VerifyCa | SslMode::VerifyFull) => {
                return Err(ValidationError::new(
                    "store.ca_file",
                    format!(
                        "sslmode={} checks the server's certificate against a CA: set \
                         [store] ca_file, or sslrootcert= in the URL (sslrootcert=system for \
                         the system's trust store)",
                        ssl_mode.as_str()
                    ),
                ));
            }
            (Some(CaSource::System), mode) if mode != SslMode::VerifyFull => {
                // libpq's rule: trusting every public CA without checking the
                // host name would accept anybody's certificate.
                return Err(ValidationError::new(
                    "sslrootcert",
                    format!(
                        "sslrootcert=system needs sslmode=verify-full (got sslmode={})",
                        mode.as_str()
                    ),
                ));
            }
            _ => {}
        }
        let mut config = tokio_postgres::Config::from_str(&rest).map_err(|e| {
            ValidationError::new(
                "store.url",
                format!("not a usable PostgreSQL URL: {}", tls::error_chain(&e)),
            )
        })?;
        config.ssl_mode(match ssl_mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => {
                tokio_postgres::config::SslMode::Require
            }
        });
        if let Some(timeout) = settings.statement_timeout {
            // Startup options, not a `SET` after connecting: every
            // connection (a reconnect, a pool's new one) starts with it.
            let ms = timeout.as_millis();
            let options = match config.get_options() {
                Some(o) if !o.trim().is_empty() => format!("{o} -c statement_timeout={ms}"),
                _ => format!("-c statement_timeout={ms}"),
            };
            config.options(options);
        }
        Ok(PgConnectOptions {
            config,
            ssl_mode,
            ca,
            pool_size: settings.pool_size.unwrap_or(DEFAULT_POOL_SIZE),
            statement_timeout: settings.statement_timeout,
        })
    }

    /// The parsed connection settings, TLS mode and timeout applied, for a
    /// pool manager or `Config::connect`.
    pub fn pg_config(&self) -> &tokio_postgres::Config {
        &self.config
    }

    /// The TLS connector for [`PgConnectOptions::pg_config`]; reads the CA
    /// file, so a missing or empty one is reported here.
    pub fn tls_connector(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
        tls::make_connector(self.ssl_mode, self.ca.as_ref())
    }

    /// Config, connector and a description for errors, in one cloneable
    /// value that opens connections.
    pub fn connector(&self) -> Result<PgConnector, StoreError> {
        Ok(PgConnector::new(
            self.config.clone(),
            self.tls_connector()?,
            self.describe(),
        ))
    }

    /// The most connections a replica's pool may hold.
    pub fn pool_size(&self) -> usize {
        self.pool_size
    }

    /// The session statement timeout, if one is set.
    pub fn statement_timeout(&self) -> Option<Duration> {
        self.statement_timeout
    }

    /// The TLS mode in force.
    pub fn ssl_mode(&self) -> SslMode {
        self.ssl_mode
    }

    /// `sslmode=…, CA …`: what a connection error should mention so the
    /// operator sees which TLS rules were applied. Paths are not secrets.
    fn describe(&self) -> String {
        match &self.ca {
            None => format!("sslmode={}", self.ssl_mode.as_str()),
            Some(CaSource::System) => {
                format!("sslmode={}, the system's CAs", self.ssl_mode.as_str())
            }
            Some(CaSource::File(p)) => {
                format!(
                    "sslmode={}, CA file {}",
                    self.ssl_mode.as_str(),
                    p.display()
                )
            }
        }
    }
}

/// Splits `sslmode` and `sslrootcert` out of the URL's query, leaving the
/// rest byte for byte (so percent-encoding and multi-host URLs survive).
fn take_tls_params(
    url: &str,
) -> Result<(String, Option<SslMode>, Option<String>), ValidationError> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), None, None));
    };
    let mut mode = None;
    let mut root = None;
    let mut kept: Vec<&str> = Vec::new();
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let decoded = || {
            url::form_urlencoded::parse(format!("v={value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        match key {
            "sslmode" => mode = Some(SslMode::parse("sslmode", &decoded())?),
            "sslrootcert" => root = Some(decoded()),
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, mode, root))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(url: &str, settings: &PgSettings) -> PgConnectOptions {
        PgConnectOptions::parse(url, settings).unwrap()
    }

    #[test]
    fn the_url_wins_over_config_toml() {
        let settings = PgSettings {
            ssl_mode: Some(SslMode::Require),
            ca_file: Some("/etc/a.pem".into()),
            ..PgSettings::default()
        };
        let o = opts(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fb.pem",
            &settings,
        );
        assert_eq!(o.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(o.ca, Some(CaSource::File("/etc/b.pem".into())));
        let o = opts("postgres://u@h/db", &settings);
        assert_eq!(o.ssl_mode(), SslMode::Require);
        assert_eq!(o.ca, Some(CaSource::File("/etc/a.pem".into())));
    }

    #[test]
    fn libpq_default_is_prefer() {
        let o = opts("postgres://u@h/db", &PgSettings::default());
        assert_eq!(o.ssl_mode(), SslMode::Prefer);
        assert_eq!(
            o.pg_config().get_ssl_mode(),
            tokio_postgres::config::SslMode::Prefer
        );
        assert_eq!(o.pool_size(), DEFAULT_POOL_SIZE);
    }

    #[test]
    fn other_query_parameters_reach_tokio_postgres() {
        let o = opts(
            "postgres://u@h/db?application_name=x&sslmode=disable&options=-c%20work_mem%3D4MB",
            &PgSettings {
                statement_timeout: Some(Duration::from_secs(5)),
                ..PgSettings::default()
            },
        );
        assert_eq!(o.pg_config().get_application_name(), Some("x"));
        assert_eq!(
            o.pg_config().get_ssl_mode(),
            tokio_postgres::config::SslMode::Disable
        );
        assert_eq!(
            o.pg_config().get_options(),
            Some("-c work_mem=4MB -c statement_timeout=5000")
        );
    }

    #[test]
    fn verifying_without_a_ca_names_the_setting() {
        let e = PgConnectOptions::parse(
            "postgres://u@h/db?sslmode=verify-full",
            &PgSettings::default(),
        )
        .unwrap_err();
        assert_eq!(e.field, "store.ca_file");
        assert!(e.reason.contains("sslrootcert="), "{e}");
    }

    #[test]
    fn bad_values_name_the_field_and_the_rule() {
        let e =
            PgConnectOptions::parse("postgres://u:pw@h/db?sslmode=allow", &PgSettings::default())
                .unwrap_err();
        assert_eq!(e.field, "sslmode");
        assert!(e.reason.contains("verify-full"), "{e}");
        let e = PgConnectOptions::parse(
            "postgres://u:pw@h/db?sslmode=require&sslrootcert=system",
            &PgSettings::default(),
        )
        .unwrap_err();
        assert_eq!(e.field, "sslrootcert");
        let e = PgConnectOptions::parse("postgres://u:s3cret@h/db?bogus=1", &PgSettings::default())
            .unwrap_err();
        assert_eq!(e.field, "store.url");
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}

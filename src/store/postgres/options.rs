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

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use super::tls::{self, CaSource, PgConnector};
use crate::domain::ValidationError;
use crate::store::StoreError;

/// Connections a replica's pool holds when `[store] pool_size` is not set.
pub const DEFAULT_POOL_SIZE: usize = 8;
/// The largest `[store] pool_size` accepted: beyond it one replica would
/// exhaust a default server's `max_connections` (100) on its own.
pub const MAX_POOL_SIZE: usize = 100;
/// PostgreSQL stores `statement_timeout` as a 32-bit count of milliseconds.
const MAX_STATEMENT_TIMEOUT_MS: u64 = i32::MAX as u64;

/// libpq's `sslmode`, minus `allow` (plaintext first, which tokio-postgres
/// cannot do and nobody should want).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// TLS when the server offers it, else plaintext; the certificate is not
    /// checked (unless a CA is given). libpq's default, and ours.
    #[default]
    Prefer,
    /// TLS or no connection; the certificate is not checked unless a CA is
    /// given, in which case it must chain to that CA (libpq's rule).
    Require,
    /// TLS, and the certificate must chain to the CA; the host name is not
    /// compared.
    VerifyCa,
    /// TLS, the certificate must chain to the CA and name the host connected
    /// to. The mode for a database across a network.
    VerifyFull,
}

impl SslMode {
    /// Reads libpq's spelling; `field` names where the value came from.
    pub fn parse(field: &'static str, value: &str) -> Result<SslMode, ValidationError> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(ValidationError::new(
                    field,
                    format!(
                        "`{other}` is not a TLS mode: use disable, prefer, require, verify-ca \
                         or verify-full"
                    ),
                ));
            }
        })
    }

    /// libpq's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// The `[store]` settings of a PostgreSQL store besides its URL, validated
/// (see `StoreSettings::postgres` in `settings.rs`). Defaults change nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PgSettings {
    /// `[store] sslmode`; the URL's `sslmode=` wins.
    pub ssl_mode: Option<SslMode>,
    /// `[store] ca_file`: PEM file of the CA(s) the server's certificate
    /// must chain to; the URL's `sslrootcert=` wins.
    pub ca_file: Option<PathBuf>,
    /// `[store] pool_size`, 1 to [`MAX_POOL_SIZE`].
    pub pool_size: Option<usize>,
    /// `[store] statement_timeout`: sent as the session's
    /// `statement_timeout`, so the server cancels a statement that runs (or
    /// waits for a lock) longer. Zero turns it off.
    pub statement_timeout: Option<Duration>,
}

impl PgSettings {
    /// Checks a `pool_size` value.
    pub fn parse_pool_size(raw: i64) -> Result<usize, ValidationError> {
        usize::try_from(raw)
            .ok()
            .filter(|n| (1..=MAX_POOL_SIZE).contains(n))
            .ok_or_else(|| {
                ValidationError::new(
                    "store.pool_size",
                    format!(
                        "must be a whole number of connections from 1 to {MAX_POOL_SIZE} \
                         (got {raw})"
                    ),
                )
            })
    }

    /// Reads a `statement_timeout`: PostgreSQL's own spelling, a number with
    /// a unit (`"30s"`, `"500ms"`, `"2min"`, `"1h"`) or a bare number of
    /// milliseconds; `0` turns the timeout off.
    pub fn parse_statement_timeout(raw: &str) -> Result<Duration, ValidationError> {
        let rule = || {
            ValidationError::new(
                "store.statement_timeout",
                format!(
                    "`{raw}` is not a duration: use a whole number with a unit, such as \"30s\", \
                     \"500ms\", \"2min\" or \"1h\" (0 turns the timeout off), at most 24 days"
                ),
            )
        };
        let text = raw.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let n: u64 = digits.parse().map_err(|_| rule())?;
        let ms_per = match unit.trim() {
            "" | "ms" => 1,
            "s" => 1_000,
            "min" => 60_000,
            "h" => 3_600_000,
            _ => return Err(rule()),
        };
        let ms = n
            .checked_mul(ms_per)
            .filter(|ms| *ms <= MAX_STATEMENT_TIMEOUT_MS)
            .ok_or_else(rule)?;
        Ok(Duration::from_millis(ms))
    }
}

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

    #[test]
    fn pool_size_rule() {
        assert_eq!(PgSettings::parse_pool_size(1).unwrap(), 1);
        assert_eq!(PgSettings::parse_pool_size(100).unwrap(), 100);
        for bad in [0, -3, 101] {
            let e = PgSettings::parse_pool_size(bad).unwrap_err();
            assert_eq!(e.field, "store.pool_size");
            assert!(e.reason.contains("from 1 to 100"), "{e}");
        }
    }

    #[test]
    fn statement_timeouts_in_postgres_units() {
        let ms = |s: &str| PgSettings::parse_statement_timeout(s).unwrap().as_millis();
        assert_eq!(ms("30s"), 30_000);
        assert_eq!(ms("500ms"), 500);
        assert_eq!(ms("2min"), 120_000);
        assert_eq!(ms("1h"), 3_600_000);
        assert_eq!(ms("250"), 250);
        assert_eq!(ms("0"), 0);
        for bad in ["", "fast", "-1s", "1.5s", "3d", "1000h"] {
            let e = PgSettings::parse_statement_timeout(bad).unwrap_err();
            assert_eq!(e.field, "store.statement_timeout", "{bad}");
        }
    }
}

//! `[store]`: where the store lives (a SQLite file or a PostgreSQL URL)
//! and the PostgreSQL connection settings, checked when the file is read.

use std::path::PathBuf;

use serde::Deserialize;

use crate::domain::ValidationError;
use crate::store::{PgSettings, SslMode};

/// `[store]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSettings {
    /// Path of the SQLite file.
    #[serde(default)]
    pub path: Option<PathBuf>,
    /// `postgres://` URL of a shared database; takes precedence over `path`.
    #[serde(default)]
    pub url: Option<String>,
    // PostgreSQL only: checked by `StoreSettings::postgres`.
    /// TLS mode, libpq's `sslmode`; the URL's `sslmode=` wins.
    #[serde(default)]
    pub sslmode: Option<String>,
    /// PEM file of the CA the server's certificate must chain to; the URL's
    /// `sslrootcert=` wins.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Most connections per replica.
    #[serde(default)]
    pub pool_size: Option<i64>,
    /// Session `statement_timeout`: `"30s"`, `"500ms"`, … or milliseconds.
    #[serde(default)]
    pub statement_timeout: Option<TimeoutSetting>,
}

/// A timeout as written in `config.toml`: a string with a unit, or a bare
/// number of milliseconds (PostgreSQL's own convention).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TimeoutSetting {
    /// Milliseconds.
    Millis(i64),
    /// A number with a unit.
    Text(String),
}

impl StoreSettings {
    /// The PostgreSQL connection settings, each checked against its rule.
    pub fn postgres(&self) -> Result<PgSettings, ValidationError> {
        Ok(PgSettings {
            ssl_mode: self
                .sslmode
                .as_deref()
                .map(|m| SslMode::parse("store.sslmode", m))
                .transpose()?,
            ca_file: self.ca_file.clone(),
            pool_size: self
                .pool_size
                .map(PgSettings::parse_pool_size)
                .transpose()?,
            statement_timeout: match &self.statement_timeout {
                None => None,
                Some(TimeoutSetting::Millis(ms)) => {
                    Some(PgSettings::parse_statement_timeout(&ms.to_string())?)
                }
                Some(TimeoutSetting::Text(t)) => Some(PgSettings::parse_statement_timeout(t)?),
            },
        })
    }
}

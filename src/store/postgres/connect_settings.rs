//! The `[store]` settings of a PostgreSQL store besides its URL — TLS
//! mode, CA file, pool size, statement timeout — as values checked against
//! their rules. `settings.rs` reads them from `config.toml`;
//! [`PgConnectOptions`](super::PgConnectOptions) merges them with the URL.

use std::path::PathBuf;
use std::time::Duration;

use crate::domain::ValidationError;

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

#[cfg(test)]
mod tests {
    use super::*;

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

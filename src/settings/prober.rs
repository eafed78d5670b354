//! `[prober]`: connection-test timeouts and concurrency.

use serde::Deserialize;

use super::seconds::seconds;
use crate::domain::ValidationError;
use crate::prober::ProbeSettings;

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

impl ProberSettings {
    /// Refuses a bad value of any `[prober]` key when the file is read, so
    /// `concurrency = 0` is reported under its own name rather than later as
    /// the `--concurrency` flag the user never gave.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.probe()?;
        if self.concurrency == Some(0) {
            return Err(ValidationError::new(
                "prober.concurrency",
                "must be at least 1, not 0",
            ));
        }
        Ok(())
    }

    /// The connection-test timeouts, each checked by the one rule of a
    /// number of seconds ([`seconds`]); an absent key keeps the prober's
    /// default.
    pub fn probe(&self) -> Result<ProbeSettings, ValidationError> {
        let defaults = ProbeSettings::default();
        Ok(ProbeSettings {
            connect_timeout: seconds(
                "prober.connect_timeout_secs",
                self.connect_timeout_secs,
                defaults.connect_timeout,
            )?,
            total_timeout: seconds(
                "prober.total_timeout_secs",
                self.total_timeout_secs,
                defaults.total_timeout,
            )?,
            ..defaults
        })
    }
}

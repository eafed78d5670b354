//! `SettingsError`: why `config.toml` could not be read, parsed or accepted.

use std::path::PathBuf;

use crate::domain::ValidationError;

/// Problems reading `config.toml`.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Unreadable file.
    #[error("cannot read {path}: {source}", path = path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Malformed TOML or unknown keys.
    #[error("{path}: {message}", path = path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A value breaks a rule.
    #[error("{path}: {source}", path = path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The rule.
        source: ValidationError,
    },
}

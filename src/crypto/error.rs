//! Errors of the crypto layer. None of them carries key material.

use std::path::PathBuf;

/// What can go wrong sealing, opening, or finding the master key.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The ciphertext failed authentication: tampered, or copied from another row.
    #[error("the sealed key failed its integrity check (tampered, or copied from another record)")]
    Integrity,
    /// The ciphertext was sealed under a different master key.
    #[error("the sealed key was sealed under a different master key")]
    OtherMasterKey,
    /// The blob is too short or has an unknown version.
    #[error("the sealed key is malformed ({0})")]
    Malformed(&'static str),
    /// The master key text is not 64 hex characters.
    #[error("master key from {source_name} is malformed: expected 64 hex characters (32 bytes)")]
    BadMasterKey {
        /// Where it came from.
        source_name: String,
    },
    /// A key file is readable by others.
    #[error(
        "master key file {path} has mode {mode:o}; it must be 600 (run: chmod 600 {path})",
        path = path.display()
    )]
    InsecureKeyFile {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// File-system error around a key file.
    #[error("master key file {path}: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The OS keyring failed.
    #[error("OS keyring: {0}")]
    Keyring(String),
}

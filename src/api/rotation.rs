//! The wire shapes of the key-rotation extension routes of `llmcfg serve`:
//! `POST /llm-config/rotate-key` and `POST /llm-config/rollback`. Their
//! answers are the service's own [`RotationReport`] and [`RollbackReport`].
//!
//! [`RotationReport`]: crate::service::rotation::RotationReport
//! [`RollbackReport`]: crate::service::rotation::RollbackReport

use serde::{Deserialize, Serialize};

use crate::domain::ApiKey;
use crate::service::rotation::SwapMode;

/// Extension: rotate a key across the store (`POST`; superadmin).
pub const ROTATE_KEY_PATH: &str = "/llm-config/rotate-key";
/// Extension: undo a rotation (`POST`; superadmin).
pub const ROLLBACK_PATH: &str = "/llm-config/rollback";
/// Most connection tests a rotation runs at once over HTTP.
pub const MAX_ROTATION_CONCURRENCY: usize = 256;

/// Body of `POST /llm-config/rotate-key`, as the server reads it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RotateKeyRequest {
    /// Fingerprint of the key to replace (`hmac:…`).
    pub fingerprint: String,
    /// The new key.
    pub new_api_key: ApiKey,
    /// How to swap (default `passed`).
    #[serde(default = "default_mode")]
    pub mode: SwapMode,
    /// Connection tests at once (default 16; `32.0` reads as 32).
    #[serde(
        default = "default_concurrency",
        deserialize_with = "whole_concurrency"
    )]
    pub concurrency: usize,
}

/// Body of `POST /llm-config/rotate-key`, as the remote client sends it
/// (the key borrowed, never copied into a serialisable value).
#[derive(Debug, Serialize)]
pub struct RotateKeyBody<'a> {
    /// Fingerprint of the key to replace.
    pub fingerprint: &'a str,
    /// The new key.
    pub new_api_key: &'a str,
    /// How to swap.
    pub mode: SwapMode,
    /// Connection tests at once.
    pub concurrency: usize,
}

/// Body of `POST /llm-config/rollback`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackRequest {
    /// The rotation to undo.
    pub rotation_id: String,
    /// Restore scopes changed since the rotation too.
    #[serde(default)]
    pub force: bool,
}

fn default_mode() -> SwapMode {
    SwapMode::Passed
}

fn default_concurrency() -> usize {
    16
}

/// A whole JSON number, also with a zero fraction (JSON Schema's `integer`
/// admits `32.0`); the server checks the range and names the field.
fn whole_concurrency<'de, D: serde::Deserializer<'de>>(d: D) -> Result<usize, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    super::whole_up_to(&n, u64::from(u32::MAX))
        .map(|v| v as usize)
        .ok_or_else(|| serde::de::Error::custom("concurrency must be a whole number"))
}

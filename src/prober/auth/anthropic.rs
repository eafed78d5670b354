//! Anthropic: `x-api-key` plus the required `anthropic-version` header.

use reqwest::RequestBuilder;

use super::secret_value;
use crate::domain::ApiKey;
use crate::prober::ProbeError;

/// The API version Anthropic's models endpoints are documented against.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

pub(super) fn apply(req: RequestBuilder, key: &ApiKey) -> Result<RequestBuilder, ProbeError> {
    Ok(req
        .header("x-api-key", secret_value(key.expose())?)
        .header("anthropic-version", ANTHROPIC_VERSION))
}

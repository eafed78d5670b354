//! Gemini: the `x-goog-api-key` header — never `?key=`, which ends up in
//! proxy logs and error messages. A bad key is a 400 whose `ErrorInfo`
//! reason is `API_KEY_INVALID`.

use reqwest::RequestBuilder;

use super::secret_value;
use crate::domain::ApiKey;
use crate::prober::ProbeError;
use crate::prober::provider_error::ProviderError;

/// The `ErrorInfo.reason` Google gives a key it does not know.
const API_KEY_INVALID: &str = "API_KEY_INVALID";

pub(super) fn apply(req: RequestBuilder, key: &ApiKey) -> Result<RequestBuilder, ProbeError> {
    Ok(req.header("x-goog-api-key", secret_value(key.expose())?))
}

pub(super) fn is_bad_key(error: &ProviderError) -> bool {
    error.reason.as_deref() == Some(API_KEY_INVALID)
}

//! How the key is sent: one module per auth style of the catalog. Each
//! builds its headers as *sensitive* values (hyper never prints them), and
//! none ever puts the key in a URL.

mod anthropic;
mod azure;
mod bearer;
mod google;
mod none;

use reqwest::RequestBuilder;
use reqwest::header::HeaderValue;

use super::ProbeError;
use super::provider_error::ProviderError;
use crate::domain::catalog::AuthStyle;
use crate::domain::{ApiKey, ProviderSpec};

/// Adds the auth headers of `style` to `req`.
pub fn apply(
    style: AuthStyle,
    req: RequestBuilder,
    key: &ApiKey,
) -> Result<RequestBuilder, ProbeError> {
    match style {
        AuthStyle::Anthropic => anthropic::apply(req, key),
        AuthStyle::Bearer => bearer::apply(req, key),
        AuthStyle::Google => google::apply(req, key),
        AuthStyle::Azure => azure::apply(req, key),
        AuthStyle::None => Ok(none::apply(req)),
    }
}

/// True when an HTTP 400 from this provider means "bad key" (xAI answers
/// 400 for a bad key; Gemini answers 400 with reason `API_KEY_INVALID`).
pub fn bad_key_400(spec: &ProviderSpec, error: &ProviderError) -> bool {
    spec.probe.bad_key_400 || (spec.auth == AuthStyle::Google && google::is_bad_key(error))
}

/// A header value marked sensitive, or `KeyNotSendable` for a key with
/// characters HTTP headers cannot carry.
fn secret_value(raw: &str) -> Result<HeaderValue, ProbeError> {
    let mut v = HeaderValue::from_str(raw).map_err(|_| ProbeError::KeyNotSendable)?;
    v.set_sensitive(true);
    Ok(v)
}

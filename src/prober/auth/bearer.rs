//! OpenAI and the OpenAI-style providers: `Authorization: Bearer <key>`.

use reqwest::RequestBuilder;
use reqwest::header::AUTHORIZATION;

use super::secret_value;
use crate::domain::ApiKey;
use crate::prober::ProbeError;

pub(super) fn apply(req: RequestBuilder, key: &ApiKey) -> Result<RequestBuilder, ProbeError> {
    let value = zeroize::Zeroizing::new(format!("Bearer {}", key.expose()));
    Ok(req.header(AUTHORIZATION, secret_value(&value)?))
}

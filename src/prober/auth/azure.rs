//! Azure OpenAI: the `api-key` header. The catalog adds the `api-version`
//! query; the "model" is a deployment name the models list cannot prove.

use reqwest::RequestBuilder;

use super::secret_value;
use crate::domain::ApiKey;
use crate::prober::ProbeError;

pub(super) fn apply(req: RequestBuilder, key: &ApiKey) -> Result<RequestBuilder, ProbeError> {
    Ok(req.header("api-key", secret_value(key.expose())?))
}

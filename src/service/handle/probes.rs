//! The connection-test calls of [`ServiceHandle`]: one scope's stored
//! credentials (every scope at once is a job, see `service::jobs`), and the
//! live model lists
//! (of a stored config or of one not yet saved). Apart from the config calls
//! in [`super`] because these reach a provider over the network and can
//! take seconds.

use super::{Core, ServiceHandle};
use crate::domain::{ApiKey, Scope, TestResult};
use crate::service::ServiceError;

impl ServiceHandle {
    /// Tests the stored credentials of `scope` against the provider.
    pub async fn test_connection(&self, scope: &Scope) -> Result<TestResult, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.test_connection(scope, self.who()).await,
            Core::Remote(remote) => remote.test_connection(scope).await,
        }
    }

    /// Live model ids for the stored config of `scope`.
    pub async fn list_models(&self, scope: &Scope) -> Result<Vec<String>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.stored_models(scope).await,
            Core::Remote(remote) => remote.list_models(scope).await,
        }
    }

    /// Live model ids for a provider, key and base URL not yet saved.
    pub async fn list_models_for(
        &self,
        provider: &str,
        api_key: ApiKey,
        base_url: Option<String>,
    ) -> Result<Vec<String>, ServiceError> {
        let provider = provider.to_string();
        match &self.core {
            Core::Local { reads, .. } => reads.models_for(provider, api_key, base_url).await,
            Core::Remote(remote) => remote.list_models_for(provider, api_key, base_url).await,
        }
    }
}

//! The connection-test calls of [`ServiceHandle`]: one scope's stored
//! credentials (every scope at once is a job, see `service::jobs`), and the
//! live model lists
//! (of a stored config or of one not yet saved). Apart from the config calls
//! in [`super`] because these reach a provider over the network and can
//! take seconds.

use super::{Core, ServiceHandle};
use crate::domain::{NewConfig, Scope, TestResult};
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

    /// Live model ids for a config not yet saved, checked by a create's
    /// rules; its model is not used (a form may not have one yet).
    pub async fn list_models_for(&self, config: NewConfig) -> Result<Vec<String>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.models_for(config).await,
            Core::Remote(remote) => remote.list_models_for(config).await,
        }
    }
}

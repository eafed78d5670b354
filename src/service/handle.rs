//! `ServiceHandle`: the cloneable front door of the service. Every method
//! sends one typed message to the actor and awaits its reply; if the actor is
//! gone the method returns [`ServiceError::Stopped`] instead of panicking.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::actor::ServiceActor;
use super::message::{ChangeMark, Reply, Request, TestProgress};
use super::{Backend, BackendInfo, ServiceError};
use crate::domain::{
    ApiKey, AuditEntry, ConfigPatch, ConfigView, InstanceId, InstanceSummary, NewConfig,
    ProviderSpec, Scope, TestResult,
};

/// Queue depth of the actor's mailbox; senders wait when it is full.
const MAILBOX: usize = 256;

/// Cloneable handle to the service actor. The actor stops when the last
/// handle is dropped.
#[derive(Clone)]
pub struct ServiceHandle {
    tx: mpsc::Sender<Request>,
    actor: Arc<str>,
    info: Arc<BackendInfo>,
}

impl ServiceHandle {
    /// Spawns the actor owning `backend` on the current Tokio runtime.
    pub fn spawn(backend: Backend, actor: impl Into<String>) -> ServiceHandle {
        let info = Arc::new(backend.info());
        let (tx, rx) = mpsc::channel(MAILBOX);
        tokio::spawn(ServiceActor::new(backend, rx).run());
        ServiceHandle {
            tx,
            actor: Arc::from(actor.into()),
            info,
        }
    }

    /// A handle whose writes are audited under another actor name (the server
    /// uses the token's name).
    pub fn with_actor(&self, actor: impl Into<String>) -> ServiceHandle {
        ServiceHandle {
            tx: self.tx.clone(),
            actor: Arc::from(actor.into()),
            info: self.info.clone(),
        }
    }

    /// Where this service keeps its data (local store path or remote URL).
    pub fn info(&self) -> &BackendInfo {
        &self.info
    }

    /// The actor name writes are audited under.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, ServiceError> {
        let (respond_to, rx) = oneshot::channel();
        self.tx
            .send(make(respond_to))
            .await
            .map_err(|_| ServiceError::Stopped)?;
        rx.await.map_err(|_| ServiceError::Stopped)?
    }

    /// The config of `scope`, or `None`.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        let scope = scope.clone();
        self.call(|respond_to| Request::Get { scope, respond_to })
            .await
    }

    /// Creates the config of `scope`.
    pub async fn create(
        &self,
        scope: &Scope,
        config: NewConfig,
    ) -> Result<ConfigView, ServiceError> {
        let (scope, actor) = (scope.clone(), self.actor.to_string());
        self.call(|respond_to| Request::Create {
            scope,
            config,
            actor,
            respond_to,
        })
        .await
    }

    /// Applies a partial update to the config of `scope`.
    pub async fn update(
        &self,
        scope: &Scope,
        patch: ConfigPatch,
    ) -> Result<ConfigView, ServiceError> {
        let (scope, actor) = (scope.clone(), self.actor.to_string());
        self.call(|respond_to| Request::Update {
            scope,
            patch,
            actor,
            respond_to,
        })
        .await
    }

    /// Deletes the config of `scope`.
    pub async fn delete(&self, scope: &Scope) -> Result<(), ServiceError> {
        let (scope, actor) = (scope.clone(), self.actor.to_string());
        self.call(|respond_to| Request::Delete {
            scope,
            actor,
            respond_to,
        })
        .await
    }

    /// A cheap signal that anything shown changed (another process
    /// included); `None` when the backend has none (remote mode).
    pub async fn change_mark(&self) -> Result<Option<ChangeMark>, ServiceError> {
        self.call(|respond_to| Request::ChangeMark { respond_to })
            .await
    }

    /// The control plane and every instance with its config and last test.
    pub async fn list_instances(&self) -> Result<Vec<InstanceSummary>, ServiceError> {
        self.call(|respond_to| Request::ListInstances { respond_to })
            .await
    }

    /// Registers an instance id with an optional display name.
    pub async fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
    ) -> Result<(), ServiceError> {
        let (id, actor) = (id.clone(), self.actor.to_string());
        self.call(|respond_to| Request::AddInstance {
            id,
            name,
            actor,
            respond_to,
        })
        .await
    }

    /// The newest `limit` audit entries of one scope, or of all when `None`.
    pub async fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, ServiceError> {
        let scope = scope.cloned();
        self.call(|respond_to| Request::Audit {
            scope,
            limit,
            respond_to,
        })
        .await
    }

    /// The provider catalog.
    pub async fn providers(&self) -> Result<Vec<ProviderSpec>, ServiceError> {
        self.call(|respond_to| Request::Providers { respond_to })
            .await
    }

    /// Tests the stored credentials of `scope` against the provider.
    pub async fn test_connection(&self, scope: &Scope) -> Result<TestResult, ServiceError> {
        let (scope, actor) = (scope.clone(), self.actor.to_string());
        self.call(|respond_to| Request::TestConnection {
            scope,
            actor,
            respond_to,
        })
        .await
    }

    /// Tests every configured scope, at most `concurrency` at a time; progress
    /// arrives on the returned channel, which closes when the run is over.
    pub async fn test_all(
        &self,
        concurrency: usize,
    ) -> Result<mpsc::UnboundedReceiver<TestProgress>, ServiceError> {
        let (progress, rx) = mpsc::unbounded_channel();
        let actor = self.actor.to_string();
        self.call(|respond_to| Request::TestAll {
            concurrency: concurrency.max(1),
            actor,
            progress,
            respond_to,
        })
        .await?;
        Ok(rx)
    }

    /// Live model ids for the stored config of `scope`.
    pub async fn list_models(&self, scope: &Scope) -> Result<Vec<String>, ServiceError> {
        let scope = scope.clone();
        self.call(|respond_to| Request::ListModels { scope, respond_to })
            .await
    }

    /// Live model ids for a provider, key and base URL not yet saved.
    pub async fn list_models_for(
        &self,
        provider: &str,
        api_key: ApiKey,
        base_url: Option<String>,
    ) -> Result<Vec<String>, ServiceError> {
        let provider = provider.to_string();
        self.call(|respond_to| Request::ListModelsFor {
            provider,
            api_key,
            base_url,
            respond_to,
        })
        .await
    }

    /// Re-seals every stored key under a new master key; returns how many.
    pub async fn rotate_master_key(
        &self,
        new_key_file: Option<std::path::PathBuf>,
    ) -> Result<usize, ServiceError> {
        let actor = self.actor.to_string();
        self.call(|respond_to| Request::RotateMasterKey {
            new_key_file,
            actor,
            respond_to,
        })
        .await
    }

    /// Issues a server API token; the secret is returned once and only its
    /// hash is stored.
    pub async fn create_token(
        &self,
        name: &str,
        role: crate::domain::Role,
    ) -> Result<crate::domain::IssuedToken, ServiceError> {
        let (name, actor) = (name.to_string(), self.actor.to_string());
        self.call(|respond_to| Request::CreateToken {
            name,
            role,
            actor,
            respond_to,
        })
        .await
    }

    /// Every server API token (names and roles, never secrets).
    pub async fn list_tokens(&self) -> Result<Vec<crate::domain::TokenInfo>, ServiceError> {
        self.call(|respond_to| Request::ListTokens { respond_to })
            .await
    }

    /// Revokes the token `name`.
    pub async fn revoke_token(&self, name: &str) -> Result<(), ServiceError> {
        let (name, actor) = (name.to_string(), self.actor.to_string());
        self.call(|respond_to| Request::RevokeToken {
            name,
            actor,
            respond_to,
        })
        .await
    }

    /// The token a bearer secret belongs to, or `None`.
    pub async fn authenticate(
        &self,
        secret: &str,
    ) -> Result<Option<crate::domain::TokenInfo>, ServiceError> {
        let secret = zeroize::Zeroizing::new(secret.to_string());
        self.call(|respond_to| Request::Authenticate { secret, respond_to })
            .await
    }
}

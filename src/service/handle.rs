//! `ServiceHandle`: the cloneable front door of the service. Every method
//! builds one typed [`Request`] and awaits its reply: a local backend runs it
//! on the caller's task against the store (see [`crate::store`] for the one
//! concurrency model), a remote backend answers from a task of its own.
//! [`AdminHandle`] carries what only a local store can do.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::local::LocalBackend;
use super::message::{ChangeMark, Reply, Request, TestProgress};
use super::{Backend, BackendInfo, ServiceError};
use crate::domain::{
    ApiKey, AuditEntry, ConfigPatch, ConfigView, InstanceId, InstanceSummary, IssuedToken,
    NewConfig, ProviderSpec, Role, Scope, TestResult, TokenInfo, VersionEntry,
};

/// Cloneable handle to the service.
#[derive(Clone)]
pub struct ServiceHandle {
    backend: Arc<Backend>,
    actor: Arc<str>,
    info: Arc<BackendInfo>,
}

impl ServiceHandle {
    /// The service over `backend`, auditing writes under `actor`. (Named
    /// `spawn` from when it started an actor task; it spawns nothing now.)
    pub fn spawn(backend: Backend, actor: impl Into<String>) -> ServiceHandle {
        ServiceHandle {
            info: Arc::new(backend.info()),
            backend: Arc::new(backend),
            actor: Arc::from(actor.into()),
        }
    }

    /// A handle whose writes are audited under another actor name (the server
    /// uses the token's name).
    pub fn with_actor(&self, actor: impl Into<String>) -> ServiceHandle {
        ServiceHandle {
            backend: self.backend.clone(),
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

    /// Token management, authentication and master-key rotation: `Some`
    /// only over a local store.
    pub fn admin(&self) -> Option<AdminHandle> {
        match &*self.backend {
            Backend::Local(local) => Some(AdminHandle {
                local: local.clone(),
                actor: self.actor.clone(),
            }),
            Backend::Remote(_) => None,
        }
    }

    fn admin_or(&self, what: &str) -> Result<AdminHandle, ServiceError> {
        self.admin().ok_or_else(|| not_in_remote_api(what))
    }

    async fn call<T>(&self, make: impl FnOnce(Reply<T>) -> Request) -> Result<T, ServiceError> {
        let (respond_to, rx) = oneshot::channel();
        let request = make(respond_to);
        match &*self.backend {
            Backend::Local(local) => local.serve(request).await,
            Backend::Remote(remote) => remote.handle(request),
        }
        rx.await.map_err(|_| ServiceError::Stopped)?
    }

    /// The config of `scope`, or `None`.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        // The hot read of `GET /llm-config/`: the local backend answers on
        // this task anyway, so it is called without a request and a reply
        // channel (one allocation and four atomic operations per request).
        if let Backend::Local(local) = &*self.backend {
            return local.get(scope).await;
        }
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

    /// The newest `limit` kept versions of one scope (or of all when
    /// `None`), newest first.
    pub async fn history(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<VersionEntry>, ServiceError> {
        let scope = scope.cloned();
        self.call(|respond_to| Request::History {
            scope,
            limit,
            respond_to,
        })
        .await
    }

    /// Makes version `version` of `scope` current again (also when the
    /// scope's config was deleted); the restore is itself a new version.
    pub async fn restore(&self, scope: &Scope, version: u64) -> Result<ConfigView, ServiceError> {
        let (scope, actor) = (scope.clone(), self.actor.to_string());
        self.call(|respond_to| Request::Restore {
            scope,
            version,
            actor,
            respond_to,
        })
        .await
    }

    /// The fingerprint `key` has in the store (keyed, so only the store
    /// can compute it); `NotOffered` from a remote without the route.
    pub async fn key_fingerprint(&self, key: &ApiKey) -> Result<String, ServiceError> {
        let api_key = key.clone();
        self.call(|respond_to| Request::KeyFingerprint {
            api_key,
            respond_to,
        })
        .await
    }

    /// Every key in use, grouped by fingerprint: provider, mask, scope
    /// count, the scopes and the last test of each. Most-used key first.
    pub async fn key_map(&self) -> Result<Vec<crate::domain::KeyGroup>, ServiceError> {
        self.call(|respond_to| Request::KeyMap { respond_to }).await
    }

    /// The fingerprint of `key` and the scopes that use it (`None`: no
    /// scope does): "this key leaked — where is it?".
    pub async fn find_key(
        &self,
        key: &ApiKey,
    ) -> Result<(String, Option<crate::domain::KeyGroup>), ServiceError> {
        let fingerprint = self.key_fingerprint(key).await?;
        let group = self
            .key_map()
            .await?
            .into_iter()
            .find(|g| g.key_fingerprint == fingerprint);
        Ok((fingerprint, group))
    }

    /// Replaces a key everywhere it is used: tests the new key against each
    /// scope's own provider, base URL and model, then swaps as
    /// `request.mode` says (see [`super::rotation`]). `progress` streams the
    /// tests (a remote server streams nothing). A remote without the
    /// rotation route answers `NotOffered`.
    pub async fn rotate_key(
        &self,
        request: super::rotation::RotationRequest,
        progress: mpsc::UnboundedSender<super::rotation::RotationProgress>,
    ) -> Result<super::rotation::RotationReport, ServiceError> {
        let actor = self.actor.to_string();
        self.call(|respond_to| Request::RotateKey {
            request,
            actor,
            progress,
            respond_to,
        })
        .await
    }

    /// Restores each scope rotation `id` swapped to its version before the
    /// swap; refuses (naming them) scopes changed since unless `force`.
    pub async fn rollback_rotation(
        &self,
        id: &str,
        force: bool,
    ) -> Result<super::rotation::RollbackReport, ServiceError> {
        let (rotation_id, actor) = (id.to_string(), self.actor.to_string());
        self.call(|respond_to| Request::Rollback {
            rotation_id,
            force,
            actor,
            respond_to,
        })
        .await
    }

    /// Re-seals every stored key under a new master key; returns how many.
    pub async fn rotate_master_key(
        &self,
        new_key_file: Option<std::path::PathBuf>,
    ) -> Result<usize, ServiceError> {
        self.admin_or("master-key rotation")?
            .rotate_master_key(new_key_file)
            .await
    }

    /// Issues a server API token (see [`AdminHandle::create_token`]).
    pub async fn create_token(&self, name: &str, role: Role) -> Result<IssuedToken, ServiceError> {
        self.admin_or("token management")?
            .create_token(name, role)
            .await
    }

    /// Every server API token (names and roles, never secrets).
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, ServiceError> {
        self.admin_or("token management")?.list_tokens().await
    }

    /// Revokes the token `name`.
    pub async fn revoke_token(&self, name: &str) -> Result<(), ServiceError> {
        self.admin_or("token management")?.revoke_token(name).await
    }

    /// The token a bearer secret belongs to, or `None`.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>, ServiceError> {
        // Checked on every request, so the backend is borrowed rather than
        // cloned into an `AdminHandle` (whose reference counts both cores
        // would bounce).
        match &*self.backend {
            Backend::Local(local) => local.authenticate(secret).await,
            Backend::Remote(_) => Err(not_in_remote_api("token authentication")),
        }
    }
}

/// The error for a local-only operation asked of a remote backend.
fn not_in_remote_api(what: &str) -> ServiceError {
    ServiceError::Remote(format!(
        "{what} is not part of the remote API; run it on the server host"
    ))
}

/// What only a local store can do. Got from [`ServiceHandle::admin`].
#[derive(Clone)]
pub struct AdminHandle {
    local: LocalBackend,
    actor: Arc<str>,
}

impl AdminHandle {
    fn local(&self) -> &LocalBackend {
        &self.local
    }

    /// Re-seals every stored key under a new master key; returns how many.
    pub async fn rotate_master_key(
        &self,
        new_key_file: Option<std::path::PathBuf>,
    ) -> Result<usize, ServiceError> {
        self.local()
            .rotate(new_key_file, self.actor.to_string())
            .await
    }

    /// Issues a server API token; the secret is returned once and only its
    /// hash is stored.
    pub async fn create_token(&self, name: &str, role: Role) -> Result<IssuedToken, ServiceError> {
        self.local()
            .create_token(name, role, self.actor.to_string())
            .await
    }

    /// Every server API token (names and roles, never secrets).
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, ServiceError> {
        self.local().list_tokens().await
    }

    /// Revokes the token `name`.
    pub async fn revoke_token(&self, name: &str) -> Result<(), ServiceError> {
        self.local()
            .revoke_token(name, self.actor.to_string())
            .await
    }

    /// The token a bearer secret belongs to, or `None`.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>, ServiceError> {
        self.local().authenticate(secret).await
    }

    /// Writes every item in one transaction, or none of them (`apply
    /// --atomic`); returns how many were written.
    pub async fn write_batch(
        &self,
        items: Vec<super::BatchItem>,
    ) -> Result<usize, super::BatchFailure> {
        self.local()
            .write_batch(items, self.actor.to_string())
            .await
    }

    /// The monitor's and `llmcfg health`'s access to the health history.
    pub fn health(&self) -> super::HealthAccess {
        super::HealthAccess {
            local: self.local.clone(),
        }
    }
}

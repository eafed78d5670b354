//! `ServiceHandle`: the cloneable front door of the service. Every method
//! builds one typed [`Request`] and awaits its reply: a local backend runs it
//! on the caller's task against the store (see [`crate::store`] for the one
//! concurrency model), a remote backend answers from a task of its own.
//! This file holds the handle itself and the config and instance calls; the
//! other calls are grouped by feature in `handle/` (connection tests,
//! versions and key rotation, the local-only admin calls and
//! [`AdminHandle`]).

mod admin;
mod keys;
mod probes;

use std::sync::Arc;

use tokio::sync::oneshot;

use super::message::{ChangeMark, Reply, Request};
use super::{Backend, BackendInfo, ServiceError};
use crate::domain::{
    AuditEntry, ConfigPatch, ConfigView, InstanceId, InstanceSummary, NewConfig, ProviderSpec,
    Scope,
};

pub use admin::AdminHandle;

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
}

//! `ServiceHandle`: the cloneable front door of the service. Over a local
//! backend a write is a typed [`Command`] to the service actor and a read
//! goes straight to the store; over a remote backend every call goes to the
//! server directly. [`crate::service`] describes the one concurrency model.
//! This file holds the handle itself and the config and instance calls; the
//! other calls are grouped by feature in `handle/` (connection tests,
//! versions and key rotation, the local-only admin calls and
//! [`AdminHandle`]).

mod admin;
mod authorized;
mod keys;
mod probes;

use std::sync::Arc;

use tokio::sync::broadcast;

use super::actor::{ActorLink, Change, Command, ServiceActor};
use super::jobs::JobBoard;
use super::message::ChangeMark;
use super::{Backend, BackendInfo, LocalBackend, RemoteService, ServiceError};
use crate::domain::instances::ListStart;
use crate::domain::{
    AuditEntry, ConfigPatch, ConfigView, InstanceId, InstanceSummary, NewConfig, ProviderSpec,
    Scope,
};

pub use admin::AdminHandle;
pub use authorized::Authorized;

/// Cloneable handle to the service.
#[derive(Clone)]
pub struct ServiceHandle {
    pub(super) core: Core,
    /// This process's jobs, shared by every clone.
    pub(super) jobs: JobBoard,
    /// Who writes are audited under.
    caller: Arc<str>,
    info: Arc<BackendInfo>,
}

/// What a handle talks to.
#[derive(Clone)]
pub(super) enum Core {
    Local {
        /// The shared read handle: hot reads and probes go straight to it.
        reads: LocalBackend,
        /// The actor that owns the key material and takes every write.
        actor: ActorLink,
    },
    Remote(Arc<dyn RemoteService>),
}

impl ServiceHandle {
    /// The service over `backend`, auditing writes under `caller`. Over a
    /// local backend this starts the service actor on the current Tokio
    /// runtime; it stops when the last handle (and [`AdminHandle`]) drops.
    pub fn spawn(backend: Backend, caller: impl Into<String>) -> ServiceHandle {
        let info = Arc::new(backend.info());
        let core = match backend {
            Backend::Local(local) => Core::Local {
                actor: ServiceActor::spawn(local.clone()),
                reads: local,
            },
            Backend::Remote(remote) => Core::Remote(remote),
        };
        ServiceHandle {
            core,
            jobs: JobBoard::default(),
            caller: Arc::from(caller.into()),
            info,
        }
    }

    /// A handle whose writes are audited under another caller name (the
    /// server uses the token's name).
    pub fn with_caller(&self, caller: impl Into<String>) -> ServiceHandle {
        ServiceHandle {
            core: self.core.clone(),
            jobs: self.jobs.clone(),
            caller: Arc::from(caller.into()),
            info: self.info.clone(),
        }
    }

    /// Where this service keeps its data (local store path or remote URL).
    pub fn info(&self) -> &BackendInfo {
        &self.info
    }

    /// The name writes are audited under.
    pub fn caller(&self) -> &str {
        &self.caller
    }

    /// The scopes each committed write changed, as they commit (in this
    /// process); `None` over a remote backend, which has no feed.
    pub fn subscribe_changes(&self) -> Option<broadcast::Receiver<Change>> {
        match &self.core {
            Core::Local { actor, .. } => Some(actor.changes.subscribe()),
            Core::Remote(_) => None,
        }
    }

    fn who(&self) -> String {
        self.caller.to_string()
    }

    /// The config of `scope`, or `None`.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.get(scope).await,
            Core::Remote(remote) => remote.get(scope).await,
        }
    }

    /// Creates the config of `scope`.
    pub async fn create(
        &self,
        scope: &Scope,
        config: NewConfig,
    ) -> Result<ConfigView, ServiceError> {
        match &self.core {
            Core::Local { actor, .. } => {
                actor
                    .ask(|respond_to| Command::Create {
                        scope: scope.clone(),
                        config,
                        caller: self.who(),
                        respond_to,
                    })
                    .await
            }
            Core::Remote(remote) => remote.create(scope, config).await,
        }
    }

    /// Applies a partial update to the config of `scope`.
    pub async fn update(
        &self,
        scope: &Scope,
        patch: ConfigPatch,
    ) -> Result<ConfigView, ServiceError> {
        match &self.core {
            Core::Local { actor, .. } => {
                actor
                    .ask(|respond_to| Command::Update {
                        scope: scope.clone(),
                        patch,
                        caller: self.who(),
                        respond_to,
                    })
                    .await
            }
            Core::Remote(remote) => remote.update(scope, patch).await,
        }
    }

    /// Deletes the config of `scope`.
    pub async fn delete(&self, scope: &Scope) -> Result<(), ServiceError> {
        match &self.core {
            Core::Local { actor, .. } => {
                actor
                    .ask(|respond_to| Command::Delete {
                        scope: scope.clone(),
                        caller: self.who(),
                        respond_to,
                    })
                    .await
            }
            Core::Remote(remote) => remote.delete(scope).await,
        }
    }

    /// A cheap signal that anything shown changed (another process
    /// included); `None` when the backend has none (remote mode).
    pub async fn change_mark(&self) -> Result<Option<ChangeMark>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => Ok(Some(ChangeMark(reads.change_mark().await?))),
            // A remote server offers no cheap change signal: no auto-refresh.
            Core::Remote(_) => Ok(None),
        }
    }

    /// Whether this backend's test results carry lifecycle facts: always
    /// locally; from a remote, only when it is `llmcfg serve` (a seed-only
    /// server reports none: say so in one line where the user asked for
    /// them, with [`crate::domain::lifecycle::NOT_REPORTED`]).
    pub async fn reports_lifecycle(&self) -> Result<bool, ServiceError> {
        match &self.core {
            Core::Local { .. } => Ok(true),
            Core::Remote(remote) => remote.reports_lifecycle().await,
        }
    }

    /// The control plane and every instance with its config and last test.
    pub async fn list_instances(&self) -> Result<Vec<InstanceSummary>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.list_instances().await,
            Core::Remote(remote) => remote.list_instances().await,
        }
    }

    /// The first `rows` entries of [`ServiceHandle::list_instances`], read
    /// along the store's indexes so a screenful can be drawn before the
    /// whole fleet is read; the whole list when it is no longer. A remote
    /// lists whole, so over one this is always the whole list.
    pub async fn list_instances_start(&self, rows: usize) -> Result<ListStart, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.list_instances_start(rows).await,
            Core::Remote(remote) => remote.list_instances().await.map(ListStart::Whole),
        }
    }

    /// Registers an instance id with an optional display name.
    pub async fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
    ) -> Result<(), ServiceError> {
        match &self.core {
            Core::Local { actor, .. } => {
                actor
                    .ask(|respond_to| Command::AddInstance {
                        id: id.clone(),
                        name,
                        caller: self.who(),
                        respond_to,
                    })
                    .await
            }
            Core::Remote(remote) => remote.add_instance(id, name).await,
        }
    }

    /// The newest `limit` audit entries of one scope, or of all when `None`.
    pub async fn audit(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => reads.audit(scope, limit).await,
            Core::Remote(remote) => remote.audit(scope, limit).await,
        }
    }

    /// The provider catalog.
    pub async fn providers(&self) -> Result<Vec<ProviderSpec>, ServiceError> {
        match &self.core {
            Core::Local { reads, .. } => Ok(reads.catalog().providers().to_vec()),
            Core::Remote(remote) => remote.providers().await,
        }
    }
}

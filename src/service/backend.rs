//! The backends a service can run over: the embedded local store, and a
//! remote `/llm-config` server. The service defines what a remote backend
//! must do ([`RemoteService`]) and the startup code (`cli/context.rs`) builds
//! one and hands it over, so `service` never imports `remote`.

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::rotation::{RollbackReport, RotationReport, RotationRequest};
use super::{LocalBackend, ServiceError, TestProgress};
use crate::domain::{
    ApiKey, AuditEntry, ConfigPatch, ConfigView, InstanceId, InstanceSummary, KeyGroup, NewConfig,
    ProviderSpec, Scope, TestResult, VersionEntry,
};

/// The answer of one remote call.
pub type Answer<'a, T> = BoxFuture<'a, Result<T, ServiceError>>;

/// What the service needs of a remote backend: every operation the
/// `/llm-config` API can carry. The remote keeps no state of its own that
/// calls could race on, so the handle calls it directly, on the caller's
/// task (see [`crate::service`]).
pub trait RemoteService: Send + Sync + 'static {
    /// The server's base URL, for headers and help screens.
    fn url(&self) -> &str;
    /// The config of `scope`, or `None`.
    fn get<'a>(&'a self, scope: &'a Scope) -> Answer<'a, Option<ConfigView>>;
    /// Creates the config of `scope`.
    fn create<'a>(&'a self, scope: &'a Scope, config: NewConfig) -> Answer<'a, ConfigView>;
    /// Patches the config of `scope`.
    fn update<'a>(&'a self, scope: &'a Scope, patch: ConfigPatch) -> Answer<'a, ConfigView>;
    /// Deletes the config of `scope`.
    fn delete<'a>(&'a self, scope: &'a Scope) -> Answer<'a, ()>;
    /// Every scope the remote knows of, with its config.
    fn list_instances(&self) -> Answer<'_, Vec<InstanceSummary>>;
    /// Registers an instance id.
    fn add_instance<'a>(&'a self, id: &'a InstanceId, name: Option<String>) -> Answer<'a, ()>;
    /// The newest `limit` audit entries.
    fn audit<'a>(&'a self, scope: Option<&'a Scope>, limit: usize) -> Answer<'a, Vec<AuditEntry>>;
    /// The server's provider catalog.
    fn providers(&self) -> Answer<'_, Vec<ProviderSpec>>;
    /// Tests the stored credentials of `scope`.
    fn test_connection<'a>(&'a self, scope: &'a Scope) -> Answer<'a, TestResult>;
    /// Whether the server's test results carry lifecycle facts (`llmcfg
    /// serve` does, a seed-only server never).
    fn reports_lifecycle(&self) -> Answer<'_, bool>;
    /// Starts testing every scope; answers once the run has started, its
    /// progress arriving on `progress` until that closes.
    /// No test starts once `cancel` is cancelled.
    fn start_test_all(
        &self,
        concurrency: usize,
        progress: mpsc::UnboundedSender<TestProgress>,
        cancel: CancellationToken,
    ) -> Answer<'_, ()>;
    /// Live model ids for the stored config of `scope`.
    fn list_models<'a>(&'a self, scope: &'a Scope) -> Answer<'a, Vec<String>>;
    /// Live model ids for an unsaved config (its model unused).
    fn list_models_for(&self, config: NewConfig) -> Answer<'_, Vec<String>>;
    /// The kept versions of one scope (or of all).
    fn history<'a>(
        &'a self,
        scope: Option<&'a Scope>,
        limit: usize,
    ) -> Answer<'a, Vec<VersionEntry>>;
    /// Makes a kept version current again.
    fn restore<'a>(&'a self, scope: &'a Scope, version: u64) -> Answer<'a, ConfigView>;
    /// The fingerprint a key has in the server's store.
    fn key_fingerprint<'a>(&'a self, key: &'a ApiKey) -> Answer<'a, String>;
    /// Every key in use, grouped by fingerprint.
    fn key_map(&self) -> Answer<'_, Vec<KeyGroup>>;
    /// Replaces a key everywhere it is used.
    fn rotate_key(&self, request: RotationRequest) -> Answer<'_, RotationReport>;
    /// Undoes a key rotation.
    fn rollback(&self, rotation_id: String, force: bool) -> Answer<'_, RollbackReport>;
}

/// Where the service keeps its data.
pub enum Backend {
    /// The embedded store (SQLite, or PostgreSQL for replicas) with sealed keys.
    Local(LocalBackend),
    /// A remote `/llm-config` server.
    Remote(Arc<dyn RemoteService>),
}

/// A description of the backend for headers and help screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendInfo {
    /// Local store at this path.
    Local {
        /// The SQLite file, or the PostgreSQL URL without its password.
        store: std::path::PathBuf,
    },
    /// Remote server at this URL.
    Remote {
        /// The server's base URL.
        url: String,
    },
}

impl fmt::Display for BackendInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackendInfo::Local { store } => write!(f, "local: {}", store.display()),
            BackendInfo::Remote { url } => write!(f, "remote: {url}"),
        }
    }
}

impl Backend {
    /// A remote backend.
    pub fn remote(remote: impl RemoteService) -> Backend {
        Backend::Remote(Arc::new(remote))
    }

    /// Describes this backend.
    pub fn info(&self) -> BackendInfo {
        match self {
            Backend::Local(local) => BackendInfo::Local {
                store: local.store_path().to_path_buf(),
            },
            Backend::Remote(remote) => BackendInfo::Remote {
                url: remote.url().to_string(),
            },
        }
    }
}

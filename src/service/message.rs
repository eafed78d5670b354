//! Typed requests from the handle to a backend. Each carries its own
//! `respond_to` channel; secrets travel only as [`ApiKey`]. These are the
//! operations every backend can do, local or remote; what only the local
//! store can do (tokens, authentication, master-key rotation) is not a
//! request at all but a method of [`super::AdminHandle`], which only a
//! local backend yields.
//!
//! [`ApiKey`]: crate::domain::ApiKey

use tokio::sync::{mpsc, oneshot};

use super::ServiceError;
use crate::domain::{
    AuditEntry, ConfigPatch, ConfigView, InstanceId, InstanceSummary, NewConfig, ProviderSpec,
    Scope, TestResult, VersionEntry,
};

/// Reply channel of one request.
pub type Reply<T> = oneshot::Sender<Result<T, ServiceError>>;

/// Progress of a "test all" run, streamed as each scope finishes.
#[derive(Debug, Clone)]
pub enum TestProgress {
    /// The run starts with this many scopes.
    Started {
        /// Number of configured scopes.
        total: usize,
    },
    /// One scope finished.
    Finished {
        /// The scope.
        scope: Scope,
        /// Its result, or why it could not be tested.
        result: Result<TestResult, ServiceError>,
    },
    /// The server's rate limit pauses the run (remote mode): every request
    /// waits this long before the run goes on.
    Waiting {
        /// How long the pause lasts from now.
        wait: std::time::Duration,
    },
}

/// An opaque value that changes whenever any config, instance or test
/// result changes; compare two marks for equality, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeMark(pub(crate) i64);

/// One request to a backend.
#[derive(Debug)]
pub enum Request {
    /// Read a scope's config.
    Get {
        scope: Scope,
        respond_to: Reply<Option<ConfigView>>,
    },
    /// Create a config.
    Create {
        scope: Scope,
        config: NewConfig,
        actor: String,
        respond_to: Reply<ConfigView>,
    },
    /// Patch a config.
    Update {
        scope: Scope,
        patch: ConfigPatch,
        actor: String,
        respond_to: Reply<ConfigView>,
    },
    /// Delete a config.
    Delete {
        scope: Scope,
        actor: String,
        respond_to: Reply<()>,
    },
    /// List scopes with their configs and last tests.
    ChangeMark {
        respond_to: Reply<Option<ChangeMark>>,
    },
    ListInstances {
        respond_to: Reply<Vec<InstanceSummary>>,
    },
    /// Register an instance id.
    AddInstance {
        id: InstanceId,
        name: Option<String>,
        actor: String,
        respond_to: Reply<()>,
    },
    /// Read the audit log.
    Audit {
        scope: Option<Scope>,
        limit: usize,
        respond_to: Reply<Vec<AuditEntry>>,
    },
    /// The provider catalog.
    Providers {
        respond_to: Reply<Vec<ProviderSpec>>,
    },
    /// Test a scope's stored credentials.
    TestConnection {
        scope: Scope,
        actor: String,
        respond_to: Reply<TestResult>,
    },
    /// Test every configured scope.
    TestAll {
        concurrency: usize,
        actor: String,
        progress: mpsc::UnboundedSender<TestProgress>,
        respond_to: Reply<()>,
    },
    /// Live model ids for a stored config.
    ListModels {
        scope: Scope,
        respond_to: Reply<Vec<String>>,
    },
    /// Live model ids for an unsaved provider/key/base URL (the TUI form).
    ListModelsFor {
        provider: String,
        api_key: crate::domain::ApiKey,
        base_url: Option<String>,
        respond_to: Reply<Vec<String>>,
    },
    /// The kept versions of one scope, or of all when `None`.
    History {
        scope: Option<Scope>,
        limit: usize,
        respond_to: Reply<Vec<VersionEntry>>,
    },
    /// Make a kept version of a scope current again.
    Restore {
        scope: Scope,
        version: u64,
        actor: String,
        respond_to: Reply<ConfigView>,
    },
    /// The fingerprint a key has in this backend's store.
    KeyFingerprint {
        api_key: crate::domain::ApiKey,
        respond_to: Reply<String>,
    },
    /// Every key in use, grouped by fingerprint.
    KeyMap {
        respond_to: Reply<Vec<crate::domain::KeyGroup>>,
    },
    /// Replace a key everywhere it is used (see `service::rotation`).
    RotateKey {
        request: super::rotation::RotationRequest,
        actor: String,
        progress: mpsc::UnboundedSender<super::rotation::RotationProgress>,
        respond_to: Reply<super::rotation::RotationReport>,
    },
    /// Undo a key rotation.
    Rollback {
        rotation_id: String,
        force: bool,
        actor: String,
        respond_to: Reply<super::rotation::RollbackReport>,
    },
}

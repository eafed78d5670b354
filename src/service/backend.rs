//! The backends a service can run over: the embedded local store, and a
//! remote `/llm-config` server. The service defines what a remote backend
//! must do ([`RemoteService`]) and the startup code (`cli/context.rs`) builds
//! one and hands it over, so `service` never imports `remote`.

use std::fmt;
use std::sync::Arc;

use super::LocalBackend;
use super::message::Request;

/// What the service needs of a remote backend: answer each [`Request`] on
/// its `respond_to` channel, without making the caller wait for the answer
/// to be computed (a remote answers from a task of its own).
pub trait RemoteService: Send + Sync + 'static {
    /// The server's base URL, for headers and help screens.
    fn url(&self) -> &str;
    /// Starts answering `request`.
    fn handle(&self, request: Request);
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

//! The backends the actor can own: the embedded local store, and (with the
//! server issue) a remote `/llm-config` server. Each answers every request;
//! the remote one in a task per request, so none waits behind another.

use std::fmt;

use super::LocalBackend;
use super::message::Request;

/// Where the service keeps its data.
pub enum Backend {
    /// Embedded SQLite store with sealed keys.
    Local(LocalBackend),
    /// A remote `/llm-config` server.
    Remote(crate::remote::RemoteBackend),
}

/// A description of the backend for headers and help screens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendInfo {
    /// Local store at this path.
    Local {
        /// The SQLite file.
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

    /// Answers one request.
    pub async fn handle(&mut self, request: Request) {
        match self {
            Backend::Local(local) => local.handle(request).await,
            Backend::Remote(remote) => remote.handle(request).await,
        }
    }
}

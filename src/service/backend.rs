//! The backends the actor can own: the embedded local store, and (with the
//! server issue) a remote `/llm-config` server. Each answers every request.

use std::fmt;

use super::LocalBackend;
use super::message::Request;

/// Where the service keeps its data.
pub enum Backend {
    /// Embedded SQLite store with sealed keys.
    Local(LocalBackend),
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
        }
    }

    /// Answers one request.
    pub async fn handle(&mut self, request: Request) {
        match self {
            Backend::Local(local) => local.handle(request).await,
        }
    }
}

//! The service's error enum: what every front end (CLI exit codes, HTTP
//! statuses, TUI toasts) maps from, in exactly one place each.

use crate::domain::{Scope, ValidationError};

/// What a service operation can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// The scope has no configuration.
    #[error("no LLM configuration for the {scope}")]
    NotFound {
        /// The scope asked for.
        scope: Scope,
    },
    /// No API token has this name.
    #[error("no token named {name:?}; `llmcfg token list` shows the names")]
    NoSuchToken {
        /// The name asked for.
        name: String,
    },
    /// The scope already has a configuration.
    #[error("the {scope} already has an LLM configuration; use update to change it")]
    AlreadyExists {
        /// The scope asked for.
        scope: Scope,
    },
    /// Input broke a rule; names the field and the rule.
    #[error("invalid {0}")]
    Invalid(#[from] ValidationError),
    /// A stored key failed to open: tampered with, or moved from another row.
    #[error(
        "the stored API key of the {scope} failed its integrity check ({reason}); re-enter the key with update"
    )]
    Integrity {
        /// The affected scope.
        scope: Scope,
        /// What failed.
        reason: String,
    },
    /// The store failed.
    #[error("store error: {0}")]
    Store(String),
    /// The master key is missing, malformed or wrong for this store.
    #[error("master key error: {0}")]
    MasterKey(String),
    /// The remote server refused the credentials (401).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The remote server refused the operation for this token (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The remote server could not be reached or answered unexpectedly.
    #[error("remote server error: {0}")]
    Remote(String),
    /// The provider's model list could not be read (local mode): the
    /// prober's outcome says why.
    #[error("could not list models: {message} ({})", status.as_str())]
    ModelList {
        /// The outcome class.
        status: crate::domain::TestStatus,
        /// Our message, scrubbed of the key.
        message: String,
    },
    /// The store is opened read-only.
    #[error("read-only mode: {0} is disabled")]
    ReadOnly(&'static str),
    /// The service actor has stopped.
    #[error("the service has stopped")]
    Stopped,
}

impl ServiceError {
    pub(crate) fn from_store(e: crate::store::StoreError, scope: &Scope) -> ServiceError {
        use crate::store::StoreError as S;
        match e {
            S::NotFound => ServiceError::NotFound {
                scope: scope.clone(),
            },
            S::AlreadyExists => ServiceError::AlreadyExists {
                scope: scope.clone(),
            },
            S::KeyChanged => ServiceError::MasterKey(S::KeyChanged.to_string()),
            other => ServiceError::Store(other.to_string()),
        }
    }
}

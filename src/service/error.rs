//! The service's error enum: what every front end (CLI exit codes, HTTP
//! statuses, TUI toasts) maps from, in exactly one place each. Causes from
//! the layers below travel as `#[source]` (behind an `Arc`, so results stay
//! `Clone` for progress streams); messages never contain a key.

use std::sync::Arc;

use crate::crypto::CryptoError;
use crate::domain::{Scope, ValidationError};
use crate::store::StoreError;

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
    /// The scope keeps no version with this number.
    #[error("the {scope} keeps no version {version}; `llmcfg history` lists the kept versions")]
    NoSuchVersion {
        /// The scope asked for.
        scope: Scope,
        /// The version asked for.
        version: u64,
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
        "the stored API key of the {scope} failed its integrity check ({source}); re-enter the key with update"
    )]
    Integrity {
        /// The affected scope.
        scope: Scope,
        /// What failed.
        #[source]
        source: Arc<CryptoError>,
    },
    /// The store failed.
    #[error("store error: {0}")]
    Store(#[source] Arc<StoreError>),
    /// The master key is missing, malformed or wrong for this store.
    #[error("master key error: {0}")]
    MasterKey(#[source] MasterKeyError),
    /// The remote server refused the credentials (401).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The remote server refused the operation for this token (403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The remote server could not be reached or answered unexpectedly.
    #[error("remote server error: {0}")]
    Remote(String),
    /// The remote server lacks this feature (an extension route of
    /// `llmcfg serve`): the one-line "this server does not offer …".
    #[error("{0}")]
    NotOffered(String),
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
    /// The service has stopped.
    #[error("the service has stopped")]
    Stopped,
    /// The scope is no longer in the state a plan was made on (another
    /// writer changed it since); nothing was written over that change.
    #[error("the {scope} changed since the plan was made; plan again")]
    Changed {
        /// The scope that changed.
        scope: Scope,
    },
    /// No scope uses a key with this fingerprint.
    #[error("no scope uses the key with fingerprint {fingerprint} (see `llmcfg keys`)")]
    NoSuchKey {
        /// The fingerprint asked for.
        fingerprint: String,
    },
    /// No rotation has this id.
    #[error("no rotation has the id {id}")]
    NoSuchRotation {
        /// The id asked for.
        id: String,
    },
    /// A rollback found scopes changed since the rotation; nothing was
    /// restored.
    #[error(
        "changed since rotation {id}, so not rolled back (nothing was restored; --force restores them anyway): {}",
        scopes.join(", ")
    )]
    ChangedSinceRotation {
        /// The rotation.
        id: String,
        /// The scopes that changed, by name.
        scopes: Vec<String>,
    },
}

/// Why the master key cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MasterKeyError {
    /// Finding, reading or writing the key failed.
    #[error("{0}")]
    Crypto(#[source] Arc<CryptoError>),
    /// The key is not the one the store was created with.
    #[error(
        "the master key from {key_source} does not match this store ({store}): its key check failed. \
         Use the master key the store was created with; nothing was changed"
    )]
    Mismatch {
        /// Where the key came from.
        key_source: String,
        /// The store (path, or URL without password).
        store: String,
    },
    /// Another process rotated the key after this one started.
    #[error("{0}")]
    Rotated(#[source] Arc<StoreError>),
    /// The operation cannot work with this key source; says what to do.
    #[error("{0}")]
    Unsupported(&'static str),
    /// The key files and the store kept disagreeing while a rotation ran.
    #[error(
        "the master key kept changing while the store was opened (rotations running back to back?); try again"
    )]
    Unsettled,
    /// `master-key verify` found sealed keys that do not open.
    #[error("{failed} of {total} sealed key(s) did not open under the master key")]
    Unopened {
        /// How many failed.
        failed: usize,
        /// How many were tried.
        total: usize,
    },
}

impl From<CryptoError> for ServiceError {
    fn from(e: CryptoError) -> ServiceError {
        ServiceError::MasterKey(MasterKeyError::Crypto(Arc::new(e)))
    }
}

impl From<StoreError> for ServiceError {
    /// A store error outside any one scope.
    fn from(e: StoreError) -> ServiceError {
        match e {
            StoreError::KeyChanged => ServiceError::MasterKey(MasterKeyError::Rotated(Arc::new(e))),
            other => ServiceError::Store(Arc::new(other)),
        }
    }
}

impl ServiceError {
    /// A store error of an operation on `scope`: `NotFound` and
    /// `AlreadyExists` name the scope.
    pub(crate) fn from_store(e: StoreError, scope: &Scope) -> ServiceError {
        match e {
            StoreError::NotFound => ServiceError::NotFound {
                scope: scope.clone(),
            },
            StoreError::AlreadyExists => ServiceError::AlreadyExists {
                scope: scope.clone(),
            },
            StoreError::NoSuchVersion { version } => ServiceError::NoSuchVersion {
                scope: scope.clone(),
                version: version.max(0) as u64,
            },
            StoreError::NotRestorable { version } => ServiceError::Invalid(ValidationError::new(
                "version",
                format!(
                    "version {version} records the deletion of the config; restore an earlier version"
                ),
            )
            // The number is a valid version; what it holds is the conflict.
            .against_stored()),
            other => other.into(),
        }
    }

    /// The key of `scope` failed to open.
    pub(crate) fn integrity(scope: &Scope, e: CryptoError) -> ServiceError {
        ServiceError::Integrity {
            scope: scope.clone(),
            source: Arc::new(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    #[test]
    fn store_and_crypto_causes_stay_reachable() {
        let e: ServiceError = StoreError::Corrupt("configs.model is NULL".into()).into();
        assert_eq!(
            e.to_string(),
            "store error: corrupt store row: configs.model is NULL"
        );
        let cause = e.source().expect("the store error is the source");
        assert!(cause.downcast_ref::<Arc<StoreError>>().is_some());

        let e = ServiceError::integrity(&Scope::Global, CryptoError::Integrity);
        assert!(e.to_string().contains("control plane"), "{e}");
        assert!(
            e.source()
                .unwrap()
                .downcast_ref::<Arc<CryptoError>>()
                .is_some()
        );

        let e: ServiceError = StoreError::KeyChanged.into();
        assert!(
            e.to_string()
                .starts_with("master key error: the master key of this store was rotated")
        );
        let inner = e.source().unwrap().source().unwrap();
        assert!(matches!(
            inner.downcast_ref::<Arc<StoreError>>().map(|e| &**e),
            Some(StoreError::KeyChanged)
        ));
    }
}

//! The fleet layer's one error enum: bad files (every problem, located),
//! unusable key references, and service failures.

use super::Diagnostics;
use crate::service::ServiceError;

/// What a fleet operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The file cannot be read.
    #[error("cannot read the fleet file {path}: {reason}")]
    Read {
        /// The file named with `-f`.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file or its key references break rules; every problem is listed.
    #[error("{0}")]
    Invalid(Diagnostics),
    /// Scopes the plan would change have changed since it was made; nothing
    /// was written.
    #[error(
        "the plan is stale: {} changed since it was made; nothing was written. Run plan again",
        scopes.join(", ")
    )]
    Stale {
        /// The scopes that changed, as shown to people.
        scopes: Vec<String>,
    },
    /// A saved plan's fleet file is not the one the plan was made from.
    #[error(
        "the plan is stale: the fleet file {path} changed since it was made; nothing was written. \
         Run plan again"
    )]
    FileChanged {
        /// The fleet file.
        path: String,
    },
    /// `--atomic` needs one transaction across scopes, which only a local
    /// store has.
    #[error(
        "--atomic needs the local store: a remote server has no transaction across scopes \
         (apply without --atomic writes each scope on its own)"
    )]
    AtomicNeedsLocal,
    /// The service failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

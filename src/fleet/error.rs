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
    /// The service failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

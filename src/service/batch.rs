//! The writes of an all-or-nothing batch (`apply --atomic`): one per scope,
//! each with the state stamp its plan observed, so a scope that another
//! writer changed since is refused inside the batch's transaction and the
//! whole batch is rolled back. Only a local store can do this (see
//! [`super::AdminHandle::write_batch`]); a remote server has no transaction
//! across requests.

use super::ServiceError;
use crate::domain::{ConfigPatch, NewConfig, Scope, StateStamp};

/// What a batch does to one scope.
#[derive(Debug, Clone)]
pub enum ScopeWrite {
    /// Create its config.
    Create(NewConfig),
    /// Patch its config.
    Update(ConfigPatch),
    /// Delete its config.
    Delete,
}

/// One scope's write in a batch.
#[derive(Debug, Clone)]
pub struct BatchItem {
    /// The scope.
    pub scope: Scope,
    /// The write.
    pub write: ScopeWrite,
    /// The stamp the scope must still have (`None`: do not check).
    pub expected: Option<StateStamp>,
}

/// Why a batch wrote nothing: the scope whose write failed (`None` when the
/// transaction itself did) and why.
pub type BatchFailure = crate::store::BatchFailure<ServiceError>;

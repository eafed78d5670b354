//! An all-or-nothing batch of config writes (`apply --atomic`): creates,
//! updates and deletes of many scopes in one transaction, each exactly as
//! its single-scope write would do it (same checks, same audit entry), so
//! either every scope changes or none does. The first write that fails
//! rolls the whole batch back and is named in the [`BatchFailure`].

use super::{AuditRecord, ConfigRow, RowUpdate, StoreError};
use crate::domain::Scope;

/// What an update in a batch does with the row it read.
pub type BatchChange<E> = Box<dyn FnOnce(&ConfigRow) -> Result<RowUpdate, E> + Send>;

/// What a delete in a batch checks on the row before removing it.
pub type BatchCheck<E> = Box<dyn FnOnce(&ConfigRow) -> Result<(), E> + Send>;

/// One write of a batch.
pub enum BatchWrite<E> {
    /// Insert a new config; fails with `AlreadyExists` if the scope has one.
    Insert {
        /// The sealed row (boxed: a row is large beside the other writes).
        row: Box<ConfigRow>,
        /// Its audit entry.
        audit: AuditRecord,
    },
    /// Read the config of `scope` and write back what `change` returns.
    Update {
        /// The scope.
        scope: Scope,
        /// The change, given the row as it is inside the transaction.
        change: BatchChange<E>,
    },
    /// Delete the config of `scope` once `check` accepts the row.
    Delete {
        /// The scope.
        scope: Scope,
        /// Its audit entry.
        audit: AuditRecord,
        /// A check of the row inside the transaction.
        check: BatchCheck<E>,
    },
}

impl<E> BatchWrite<E> {
    /// The scope this write changes.
    pub fn scope(&self) -> &Scope {
        match self {
            BatchWrite::Insert { row, .. } => &row.scope,
            BatchWrite::Update { scope, .. } | BatchWrite::Delete { scope, .. } => scope,
        }
    }
}

/// Why a batch wrote nothing.
#[derive(Debug)]
pub struct BatchFailure<E> {
    /// The scope whose write failed; `None` when the transaction itself did.
    pub scope: Option<Scope>,
    /// Why.
    pub error: E,
}

impl<E> BatchFailure<E> {
    /// The failure of the write to `scope`.
    pub fn at(scope: &Scope, error: impl Into<E>) -> BatchFailure<E> {
        BatchFailure {
            scope: Some(scope.clone()),
            error: error.into(),
        }
    }
}

impl<E: From<StoreError>> From<StoreError> for BatchFailure<E> {
    fn from(e: StoreError) -> BatchFailure<E> {
        BatchFailure {
            scope: None,
            error: e.into(),
        }
    }
}

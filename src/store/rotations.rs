//! Fleet key rotations as the store keeps them: one [`RotationRecord`] per
//! rotation (who, when, which fingerprint to which) and one
//! [`RotatedScope`] per swapped scope not yet rolled back, naming the
//! version before and after its swap. A scope's entry is written in the
//! transaction of its swap (the engines' `swap_keys`, one scope per
//! transaction or, `--atomic`, every scope in one), so whatever point a
//! rotation is stopped at, it knows exactly the scopes it changed.
//!
//! A rollback ([`RollbackRequest`]) is one transaction too: it checks
//! every entry's scope is still at the swap's version (unless forced),
//! restores each to its version before, and removes the entries, all or
//! nothing. The rollback's audit entries name the rotation.

use time::OffsetDateTime;

use super::{AuditRecord, BatchChange, StoreError};
use crate::domain::{AuditAction, Scope};

/// One rotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationRecord {
    /// Its id (a UUID, as text).
    pub id: String,
    /// When it started.
    pub at: OffsetDateTime,
    /// Who ran it.
    pub actor: String,
    /// The fingerprint of the key it replaces.
    pub old_fingerprint: String,
    /// The fingerprint of the key it puts in.
    pub new_fingerprint: String,
}

/// One scope a rotation swapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotatedScope {
    /// The scope's key (see [`crate::domain::Scope::key`]).
    pub scope: String,
    /// Its newest version before the swap.
    pub version_before: i64,
    /// The version the swap wrote.
    pub version_after: i64,
}

impl RotatedScope {
    /// The entry of a swap of `scope` that wrote version `after`.
    pub fn swapped(scope: &Scope, after: i64) -> RotatedScope {
        RotatedScope {
            scope: scope.key().to_string(),
            version_before: after - 1,
            version_after: after,
        }
    }

    /// The scope this entry names.
    pub fn scope(&self) -> Result<Scope, StoreError> {
        Scope::from_key(&self.scope)
            .map_err(|e| StoreError::Corrupt(format!("rotation scope {:?}: {e}", self.scope)))
    }
}

/// One scope's swap: the update of its row (which refuses a row no longer
/// on the old key) that its rotation entry is recorded with.
pub struct KeySwap<E> {
    /// The scope.
    pub scope: Scope,
    /// The change, given the row as it is inside the transaction.
    pub change: BatchChange<E>,
}

/// What `rollback --rotation` asks of the store.
#[derive(Debug, Clone)]
pub struct RollbackRequest {
    /// The rotation to undo.
    pub id: String,
    /// Restore scopes changed since their swap too.
    pub force: bool,
    /// Who asks, for the audit entries.
    pub actor: String,
}

impl RollbackRequest {
    /// The audit entry of the restore of `entry`'s scope: a restore like
    /// `llmcfg restore` writes, naming the rotation.
    pub fn audit(&self, scope: &Scope, entry: &RotatedScope) -> AuditRecord {
        let mut rec = AuditRecord::new(self.actor.clone(), scope, AuditAction::Restore);
        rec.detail = Some(format!(
            "version {} (rollback of rotation {})",
            entry.version_before, self.id
        ));
        rec
    }
}

/// What a rollback found, and did in its one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackOutcome {
    /// No rotation has that id.
    Unknown,
    /// Unforced, these scopes changed since their swap: nothing restored.
    Changed(Vec<Scope>),
    /// Every entry's scope restored to its version before the swap, and
    /// the entries removed. No entries (a rollback run again, or a
    /// rotation that swapped nothing): nothing was written.
    RolledBack {
        /// The rotation.
        record: RotationRecord,
        /// The scopes restored.
        restored: Vec<RotatedScope>,
    },
}

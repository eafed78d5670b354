//! Fleet key rotations as the store keeps them: one [`RotationRecord`] per
//! rotation (who, when, which fingerprint to which) and one
//! [`RotatedScope`] per swapped scope, naming the version before and after
//! its swap. The scope's entry is written in the swap's own transaction
//! (the engines' `rotations::swap`), so a rotation killed at any point
//! knows exactly the scopes it changed, and `rollback` restores those.

use time::OffsetDateTime;

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

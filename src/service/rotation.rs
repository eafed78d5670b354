//! Fleet key rotation as the service offers it: a [`RotationRequest`]
//! (which key to replace, the new key, how to swap), the progress it
//! streams while testing, and the [`RotationReport`] it ends with, one
//! [`ScopeReport`] per scope. [`RollbackReport`] is what undoing a rotation
//! restored.
//!
//! A rotation runs as a job of the one job engine
//! ([`crate::service::ServiceHandle::start_rotation`]): its rows are the
//! tests of the new key, as each finishes. A cancel keeps every guarantee
//! below: no new test starts and no new swap starts; a swap already under
//! way commits (each is its own transaction, with the entry rollback finds
//! it by), and `--atomic`'s one transaction either starts before the cancel
//! and commits whole, or does not start at all. Scopes left untested or
//! unswapped keep the old key and are reported as kept. The local backend implements both in `local/key_rotation.rs`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{ApiKey, Scope, TestStatus};

/// Which key a rotation replaces.
#[derive(Debug, Clone)]
pub enum OldKey {
    /// The key with this fingerprint (`hmac:…`, see `llmcfg keys`).
    Fingerprint(String),
    /// This key itself; only its fingerprint is used.
    Key(ApiKey),
}

/// How the tested scopes are swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwapMode {
    /// Swap each scope whose test passed, each in its own transaction.
    Passed,
    /// Swap every scope in one transaction when all passed, else none.
    Atomic,
    /// Test only.
    DryRun,
}

/// A rotation to run.
#[derive(Debug, Clone)]
pub struct RotationRequest {
    /// The key to replace.
    pub old: OldKey,
    /// The key to put in its place.
    pub new_key: ApiKey,
    /// How to swap.
    pub mode: SwapMode,
    /// How many connection tests run at once (at least 1).
    pub concurrency: usize,
}

/// Progress of a rotation, streamed as each test finishes.
#[derive(Debug, Clone)]
pub enum RotationProgress {
    /// This many scopes will be tested.
    Testing {
        /// Scopes to test.
        total: usize,
    },
    /// One more test finished: the scope and its verdict on the new key.
    Tested {
        /// The scope tested.
        scope: Scope,
        /// The test's outcome class.
        status: TestStatus,
        /// The test's message (scrubbed of the key, as every test's is).
        message: String,
    },
    /// Testing is over; the swaps start.
    Swapping,
}

impl RotationProgress {
    /// One more test finished.
    pub fn tested(scope: Scope, status: TestStatus, message: impl Into<String>) -> Self {
        RotationProgress::Tested {
            scope,
            status,
            message: message.into(),
        }
    }
}

/// What a rotation did to one scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeOutcome {
    /// The new key passed its test and is now the scope's key.
    Swapped,
    /// The new key passed its test; a dry run swaps nothing.
    Passed,
    /// The scope keeps the old key: the test failed (or, with `--atomic`,
    /// another scope's did, or the swap itself failed).
    Kept,
    /// The provider could not be reached (or did not answer in time), so
    /// the new key is unproven there; the old key stays.
    Unreachable,
    /// The scope already has the new key (a re-run of the same rotation);
    /// not tested again.
    AlreadyRotated,
}

impl ScopeOutcome {
    /// The name the table and `--json` use.
    pub fn as_str(self) -> &'static str {
        match self {
            ScopeOutcome::Swapped => "swapped",
            ScopeOutcome::Passed => "passed",
            ScopeOutcome::Kept => "kept",
            ScopeOutcome::Unreachable => "unreachable",
            ScopeOutcome::AlreadyRotated => "already_rotated",
        }
    }
}

/// One scope's line of the report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScopeReport {
    /// The instance id; `None` for the control plane.
    pub instance_id: Option<String>,
    /// Provider of the scope's config.
    pub provider: String,
    /// Model of the scope's config.
    pub model: String,
    /// What happened.
    pub outcome: ScopeOutcome,
    /// The test's outcome class, when the scope was tested.
    pub test_status: Option<TestStatus>,
    /// Why the scope was kept (the test's message, or the swap's error).
    pub reason: Option<String>,
}

/// What a rotation did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RotationReport {
    /// The rotation's id, for `llmcfg rollback --rotation`; `None` on a dry
    /// run, which records nothing.
    pub rotation_id: Option<String>,
    /// Fingerprint of the key replaced.
    pub old_fingerprint: String,
    /// Fingerprint of the new key.
    pub new_fingerprint: String,
    /// How it swapped.
    pub mode: SwapMode,
    /// Every affected scope, by scope.
    pub scopes: Vec<ScopeReport>,
    /// Milliseconds spent testing.
    pub test_ms: u64,
    /// Milliseconds spent swapping.
    pub swap_ms: u64,
}

impl RotationReport {
    /// How many scopes ended as `outcome`.
    pub fn count(&self, outcome: ScopeOutcome) -> usize {
        self.scopes.iter().filter(|s| s.outcome == outcome).count()
    }

    /// The rotation id to roll back, when this run left some scope on the
    /// new key under it (swapped now or by the run it continued); `None`
    /// for a dry run or a run that swapped nothing.
    pub fn undo_id(&self) -> Option<&str> {
        let swapped = self.count(ScopeOutcome::Swapped) + self.count(ScopeOutcome::AlreadyRotated);
        self.rotation_id.as_deref().filter(|_| swapped > 0)
    }

    /// True when some scope still has the old key for a reason other than
    /// a dry run: kept or unreachable.
    pub fn any_left(&self) -> bool {
        self.scopes
            .iter()
            .any(|s| matches!(s.outcome, ScopeOutcome::Kept | ScopeOutcome::Unreachable))
    }
}

/// One scope a rollback restored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RolledBack {
    /// The instance id; `None` for the control plane.
    pub instance_id: Option<String>,
    /// The version made current again.
    pub restored_version: u64,
}

/// What a rollback did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RollbackReport {
    /// The rotation undone.
    pub rotation_id: String,
    /// When that rotation ran.
    #[serde(with = "time::serde::rfc3339")]
    pub rotated_at: OffsetDateTime,
    /// The scopes restored, by scope.
    pub restored: Vec<RolledBack>,
}

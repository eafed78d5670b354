//! The one mapping from errors to exit codes (design §6):
//! 0 ok · 1 unexpected · 2 invalid input · 3 not found · 4 already exists
//! (or changed since planned) ·
//! 5 connection test failed · 6 unauthorized/forbidden · 7 store or master key ·
//! 8 changes pending (`plan`/`drift --detailed-exitcode`) ·
//! 130 cancelled by Ctrl-c (`test --all`).

use crate::service::ServiceError;

/// Exit code: success.
pub const OK: i32 = 0;
/// Exit code: unexpected failure.
pub const UNEXPECTED: i32 = 1;
/// Exit code: invalid input.
pub const INVALID: i32 = 2;
/// Exit code: not found.
pub const NOT_FOUND: i32 = 3;
/// Exit code: already exists.
pub const EXISTS: i32 = 4;
/// Exit code: the connection test failed.
pub const TEST_FAILED: i32 = 5;
/// Exit code: unauthorized or forbidden.
pub const UNAUTHORIZED: i32 = 6;
/// Exit code: store or master-key error.
pub const STORE: i32 = 7;
/// Exit code: `plan`/`drift --detailed-exitcode` found changes.
pub const CHANGES_PENDING: i32 = 8;
/// Exit code: interrupted (Ctrl-c) and cancelled cleanly; 128 + SIGINT, as
/// shells report a process that SIGINT ended.
pub const CANCELLED: i32 = 130;

/// A CLI failure: one line on stderr and an exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// From the service.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// Bad usage or input the service never saw.
    #[error("{0}")]
    Usage(String),
    /// The connection test ran and failed (the result was already printed).
    #[error("{0}")]
    TestFailed(String),
    /// Ctrl-c cancelled a job; its partial report was already printed.
    #[error("{0}")]
    Cancelled(String),
    /// Configuration file problems.
    #[error("{0}")]
    Config(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
    /// `--detailed-exitcode`: the plan has changes (already printed).
    #[error("changes pending")]
    ChangesPending,
    /// The state is not the one the command was planned on (a fleet plan
    /// made before another writer changed a scope): exit 4, like a create
    /// that finds a config already there.
    #[error("{0}")]
    Conflict(String),
    /// What was looked for does not exist (exit 3), outside any one scope.
    #[error("{0}")]
    NotFound(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Service(e) => match e {
                ServiceError::Invalid(_) | ServiceError::ReadOnly(_) => INVALID,
                ServiceError::NotFound { .. }
                | ServiceError::NoSuchToken { .. }
                | ServiceError::NoSuchVersion { .. }
                | ServiceError::NoSuchKey { .. }
                | ServiceError::NoSuchRotation { .. } => NOT_FOUND,
                ServiceError::AlreadyExists { .. }
                | ServiceError::Changed { .. }
                | ServiceError::ChangedSinceRotation { .. } => EXISTS,
                ServiceError::Unauthorized(_) | ServiceError::Forbidden(_) => UNAUTHORIZED,
                ServiceError::Integrity { .. }
                | ServiceError::Store(_)
                | ServiceError::MasterKey(_) => STORE,
                ServiceError::ModelList { .. } => TEST_FAILED,
                ServiceError::Remote(_) | ServiceError::NotOffered(_) | ServiceError::Stopped => {
                    UNEXPECTED
                }
            },
            CliError::Usage(_) | CliError::Config(_) => INVALID,
            CliError::TestFailed(_) => TEST_FAILED,
            CliError::Cancelled(_) => CANCELLED,
            CliError::Other(_) => UNEXPECTED,
            CliError::ChangesPending => CHANGES_PENDING,
            CliError::Conflict(_) => EXISTS,
            CliError::NotFound(_) => NOT_FOUND,
        }
    }
}

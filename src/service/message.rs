//! Values the service streams back to its callers: the progress of a
//! "test all" run and the change mark. (The commands the actor takes are
//! in `actor.rs`.)

use super::ServiceError;
use crate::domain::{Scope, TestResult};

/// Progress of a "test all" run, streamed as each scope finishes.
#[derive(Debug, Clone)]
pub enum TestProgress {
    /// The run starts with this many scopes.
    Started {
        /// Number of configured scopes.
        total: usize,
    },
    /// One scope finished.
    Finished {
        /// The scope.
        scope: Scope,
        /// Its result, or why it could not be tested.
        result: Result<TestResult, ServiceError>,
    },
    /// The server's rate limit pauses the run (remote mode): every request
    /// waits this long before the run goes on.
    Waiting {
        /// How long the pause lasts from now.
        wait: std::time::Duration,
    },
}

/// An opaque value that changes whenever any config, instance or test
/// result changes; compare two marks for equality, nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeMark(pub(crate) i64);

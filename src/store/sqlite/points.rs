//! The point reads of SQLite (one indexed row: a config by scope, a token
//! by hash), run on the caller's task on a connection from a small pool.
//! A connection is checked out under a mutex held for a pointer swap, never
//! across the query, so two workers read at once on two connections.
//!
//! Why on the caller's task: in WAL mode a reader takes no lock a writer
//! holds, so the read does not wait for other transactions; one indexed
//! row on cached pages costs a few microseconds, less than the two thread
//! switches a handoff to a connection thread costs (`docs/benchmarks.md`).
//! The one wait left is SQLite's own recovery of a WAL after a crash, run
//! once by the first connection to open the file.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::Connection;

use super::{StoreError, connect_reader};

/// Idle connections kept for reuse: one per async worker is all that can
/// be busy at once, since a point read never awaits.
const KEEP: usize = 4;

/// A pool of read-only connections to one file.
pub struct Points {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl Points {
    /// An empty pool; connections open on first use.
    pub fn new(path: PathBuf) -> Points {
        Points {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (a new one when none is idle).
    pub fn run<T>(
        &self,
        read: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => connect_reader(&self.path)?,
        };
        let result = read(&conn);
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < KEEP {
            idle.push(conn);
        }
        result
    }
}

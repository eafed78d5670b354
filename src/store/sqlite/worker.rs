//! The threads that own SQLite's connections. A [`Worker`] is a plain OS
//! thread with one `rusqlite::Connection`, reading jobs from a channel and
//! running them one after another; callers await the answer on a oneshot.
//! This is the only place SQLite's blocking calls run, so no async worker
//! ever blocks on a disk read or an `fsync`, and there is no per-call
//! `spawn_blocking` handoff: the thread and its prepared-statement cache
//! live as long as the store.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use rusqlite::Connection;
use tokio::sync::oneshot;

use super::StoreError;

/// What a job gets: the connection, and the master-key check value writes
/// must verify (kept here so it changes in order with the writes).
pub struct Conn {
    /// The connection this thread owns.
    pub conn: Connection,
    /// Check value of the master key this process seals with; `None` until
    /// the service sets it.
    pub sealing_kcv: Option<String>,
    /// What versions are sealed with and how many are kept; `None` (no
    /// versions written) until the service sets it.
    pub versioning: Option<crate::store::versions::Versioning>,
}

type Job = Box<dyn FnOnce(&mut Conn) + Send>;

/// One connection thread.
pub struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts a thread named `name` that opens its connection with `open`
    /// and then serves jobs. The thread ends (and the connection closes)
    /// when the last handle to this worker is dropped.
    pub async fn spawn(
        name: &str,
        open: impl FnOnce() -> Result<Connection, StoreError> + Send + 'static,
    ) -> Result<Worker, StoreError> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let (opened_tx, opened) = oneshot::channel();
        std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                let conn = match open() {
                    Ok(conn) => {
                        let _ = opened_tx.send(Ok(()));
                        conn
                    }
                    Err(e) => {
                        let _ = opened_tx.send(Err(e));
                        return;
                    }
                };
                let mut conn = Conn {
                    conn,
                    sealing_kcv: None,
                    versioning: None,
                };
                while let Ok(job) = queue.recv() {
                    // A panicking job has already rolled its transaction back
                    // (rusqlite's drop); the connection stays usable.
                    if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
                        tracing::error!("a SQLite job panicked; its transaction was rolled back");
                    }
                }
            })
            .map_err(|e| StoreError::Open(format!("cannot start the SQLite thread: {e}")))?;
        opened.await.map_err(|_| StoreError::Closed)??;
        Ok(Worker { jobs })
    }

    /// Runs `job` on the connection thread and awaits its result.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Conn) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Box::new(move |conn| {
                // A caller that gave up (its future was dropped) no longer
                // wants the answer; the job still ran to completion, so a
                // write it started is committed or rolled back, never half.
                let _ = tx.send(job(conn));
            }))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)
    }
}

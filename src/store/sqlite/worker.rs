//! The threads that own SQLite's connections. A [`Worker`] is a plain OS
//! thread with one `rusqlite::Connection`, reading jobs from a channel;
//! callers await the answer on a oneshot. This is the only place SQLite's
//! blocking calls run, so no async worker ever blocks on a disk read or an
//! `fsync`, and there is no per-call `spawn_blocking` handoff: the thread
//! and its prepared-statement cache live as long as the store.
//!
//! The writer group-commits as the concurrency model in `store/mod.rs`
//! describes (groups of at most [`MAX_GROUP`]); every write opens its
//! transaction with [`Conn::begin`], and one that cannot share a
//! transaction is sent with [`Mode::Alone`]. A write that opened
//! `BEGIN` itself would fail inside a group, so none may.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;

use rusqlite::{Connection, Savepoint, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::StoreError;
use crate::store::versions::Versioning;

/// The most writes one group commits together: enough to turn a burst into
/// a few `fsync`s, few enough that one group's savepoints stay cheap and its
/// answers do not wait long behind a huge batch.
pub const MAX_GROUP: usize = 256;

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
    pub versioning: Option<Versioning>,
    /// True while the job runs inside a group's transaction.
    grouped: bool,
}

impl Conn {
    /// Opens the job's transaction: a real `BEGIN IMMEDIATE` when the job
    /// runs alone, a savepoint inside the group's transaction otherwise.
    /// Either way, dropping the guard without [`Tx::commit`] undoes exactly
    /// this job's writes.
    pub fn begin(&mut self) -> Result<Tx<'_>, StoreError> {
        let Conn {
            conn,
            sealing_kcv,
            versioning,
            grouped,
        } = self;
        let inner = if *grouped {
            TxInner::Savepoint(conn.savepoint()?)
        } else {
            TxInner::Transaction(conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
        };
        Ok(Tx {
            inner,
            sealing_kcv: sealing_kcv.as_deref(),
            versioning: versioning.as_ref(),
        })
    }
}

/// One job's transaction (see [`Conn::begin`]); derefs to the connection.
pub struct Tx<'a> {
    inner: TxInner<'a>,
    /// The writer's sealing-key check value, for `check_sealing_key`.
    pub sealing_kcv: Option<&'a str>,
    /// The writer's versioning settings.
    pub versioning: Option<&'a Versioning>,
}

enum TxInner<'a> {
    Transaction(Transaction<'a>),
    Savepoint(Savepoint<'a>),
}

impl Tx<'_> {
    /// Commits the job: `COMMIT` (with its `fsync`) when alone; `RELEASE`
    /// inside a group, whose one `COMMIT` comes after the last job.
    pub fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Transaction(tx) => tx.commit()?,
            TxInner::Savepoint(sp) => sp.commit()?,
        }
        Ok(())
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match &self.inner {
            TxInner::Transaction(tx) => tx,
            TxInner::Savepoint(sp) => sp,
        }
    }
}

/// Whether a write may share a group's transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// May run in a savepoint of a group (every ordinary write).
    Group,
    /// Runs on its own, outside any group: `VACUUM` and checkpoints cannot
    /// run inside a transaction, and a master-key reseal changes what every
    /// later job is checked against.
    Alone,
}

/// How a worker serves its queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Serving {
    /// One job after another (the reader).
    OneByOne,
    /// Group commit (the writer).
    Groups,
}

/// How a group's commit ended: `Ok`, or the error every job in it gets.
type Committed<'a> = Result<(), &'a StoreError>;

/// A job's answer, held until its group has committed.
struct Reply {
    /// The job returned `Ok` (its savepoint was released, not rolled back).
    ok: bool,
    /// Sends the job's result, or the group's commit error in its place.
    send: Box<dyn FnOnce(Committed<'_>) + Send>,
}

struct Job {
    mode: Mode,
    run: Box<dyn FnOnce(&mut Conn) -> Reply + Send>,
}

/// One connection thread.
pub struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Starts a thread named `name` that opens its connection with `open`
    /// and then serves jobs as `serving` says. The thread ends (and the
    /// connection closes) when the last handle to this worker is dropped.
    pub async fn spawn(
        name: &str,
        serving: Serving,
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
                    grouped: false,
                };
                serve(&mut conn, &queue, serving);
            })
            .map_err(|e| StoreError::Open(format!("cannot start the SQLite thread: {e}")))?;
        opened.await.map_err(|_| StoreError::Closed)??;
        Ok(Worker { jobs })
    }

    /// Runs `job` on the connection thread and awaits its result (a read,
    /// or a change of the writer's state that writes nothing).
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Conn) -> T + Send + 'static,
    ) -> Result<T, StoreError> {
        self.write(Mode::Group, move |c| Ok::<T, StoreError>(job(c)))
            .await
    }

    /// Runs the write `job` on the connection thread and awaits its result,
    /// which arrives only once the job's writes are committed.
    pub async fn write<T: Send + 'static, E: From<StoreError> + Send + 'static>(
        &self,
        mode: Mode,
        job: impl FnOnce(&mut Conn) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E> {
        let (tx, rx) = oneshot::channel();
        let run = Box::new(move |conn: &mut Conn| {
            let result = job(conn);
            Reply {
                ok: result.is_ok(),
                send: Box::new(move |committed: Committed<'_>| {
                    let answer = match (result, committed) {
                        (Ok(_), Err(e)) => Err(E::from(StoreError::GroupRolledBack(e.to_string()))),
                        (result, _) => result,
                    };
                    // A caller that gave up (its future was dropped) no
                    // longer wants the answer; the job still ran to
                    // completion, so its writes are committed or rolled
                    // back, never half.
                    let _ = tx.send(answer);
                }),
            }
        });
        self.jobs
            .send(Job { mode, run })
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

/// The thread's loop: until every handle is dropped.
fn serve(conn: &mut Conn, queue: &mpsc::Receiver<Job>, serving: Serving) {
    let mut held: Option<Job> = None;
    loop {
        let first = match held.take() {
            Some(job) => job,
            None => match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
        };
        if serving == Serving::OneByOne || first.mode == Mode::Alone {
            run_alone(conn, first);
            continue;
        }
        // Everything queued right now that may share a transaction; a job
        // that must run alone waits for the next turn, keeping the order.
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) if job.mode == Mode::Alone => {
                    held = Some(job);
                    break;
                }
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        if group.len() == 1 {
            group.into_iter().for_each(|job| run_alone(conn, job));
        } else {
            run_group(conn, group);
        }
    }
}

/// Runs `job` in its own transaction (what [`Conn::begin`] opens) and
/// answers it at once: its own `COMMIT` already happened.
fn run_alone(conn: &mut Conn, job: Job) {
    conn.grouped = false;
    if let Some(reply) = run_caught(conn, job) {
        (reply.send)(Ok(()));
    }
}

/// Runs `jobs` in one `BEGIN IMMEDIATE`, each in its own savepoint, commits
/// once and then answers every job. Should the group's transaction be lost
/// midway (SQLite rolls a whole transaction back on some I/O errors), the
/// jobs run so far are answered with that error, and the rest run alone.
fn run_group(conn: &mut Conn, jobs: Vec<Job>) {
    if let Err(e) = conn.conn.execute_batch("BEGIN IMMEDIATE") {
        // Could not take the write lock for the group (another process held
        // it past the busy timeout): each job tries on its own, as before.
        tracing::warn!("cannot begin a group commit ({e}); running its writes one by one");
        jobs.into_iter().for_each(|job| run_alone(conn, job));
        return;
    }
    conn.grouped = true;
    let mut replies = Vec::with_capacity(jobs.len());
    let mut rest = jobs.into_iter();
    let mut lost = None;
    for job in rest.by_ref() {
        if let Some(reply) = run_caught(conn, job) {
            replies.push(reply);
        }
        if conn.conn.is_autocommit() {
            lost = Some(StoreError::GroupRolledBack(
                "SQLite rolled the group's transaction back".into(),
            ));
            break;
        }
    }
    conn.grouped = false;
    let outcome = match lost {
        Some(e) => Err(e),
        None => conn.conn.execute_batch("COMMIT").map_err(StoreError::from),
    };
    if outcome.is_err() && !conn.conn.is_autocommit() {
        let _ = conn.conn.execute_batch("ROLLBACK");
    }
    for reply in replies {
        // A job that failed already rolled back to its savepoint; its own
        // error is its answer whatever the group did.
        let committed = if reply.ok {
            outcome.as_ref().map(|_| ())
        } else {
            Ok(())
        };
        (reply.send)(committed);
    }
    rest.for_each(|job| run_alone(conn, job));
}

/// Runs one job; `None` when it panicked (its guard rolled its writes back
/// on the unwind, and its caller sees the store as closed).
fn run_caught(conn: &mut Conn, job: Job) -> Option<Reply> {
    let reply = std::panic::catch_unwind(AssertUnwindSafe(|| (job.run)(conn)));
    if reply.is_err() {
        tracing::error!("a SQLite job panicked; its transaction was rolled back");
    }
    reply.ok()
}

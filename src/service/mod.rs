//! The service core (design §1): a cloneable [`ServiceHandle`] with one
//! async method per operation over a [`Backend`], local or remote. The TUI,
//! the CLI and the HTTP server call only the handle.
//!
//! ## The concurrency model (the one place it is described)
//!
//! One Tokio runtime. Over a local backend the service is an actor in
//! Alice Ryhl's pattern ("Actors with Tokio"):
//!
//! - **One task owns the mutable state** (`actor.rs`): the key material
//!   every write seals under, the writes in flight and the change feed.
//!   [`ServiceHandle::spawn`] starts it; the handle and [`AdminHandle`]
//!   are cloneable and send it typed commands that carry a
//!   `respond_to: oneshot::Sender`; it stops when the last of them drops
//!   (finishing the writes it already started). A handle whose actor is
//!   gone answers [`ServiceError::Stopped`], never a panic.
//! - **Every write is a command.** The actor hands each write, with the key
//!   in force, to a task it tracks and goes back to its mailbox, so writes
//!   still commit concurrently (the SQLite writer group-commits them, see
//!   below). A master-key rotation is a command too: the actor lets the
//!   writes it handed out commit, then runs the rotation itself, so every
//!   command behind it waits in the mailbox. A write therefore seals either
//!   wholly before a rotation or wholly after it, under the key in force,
//!   and no lock is held across an await: the mailbox is the only queue.
//!   The actor publishes each new key on a `watch` channel for openers.
//! - **Hot reads skip the queue**, as mini-redis's `Db` does: `get`, the
//!   instance list, history, audit and the key map go straight to the store
//!   through the shared read handle ([`LocalBackend`]). Reads change no
//!   state the actor owns, and the store already gives them a consistent
//!   snapshot; sending `GET /llm-config/` through a mailbox would add two
//!   channel hops to the server's hottest path and let one slow write delay
//!   every read. Connection tests and model lists open keys under the
//!   published master key and run their probes in spawned tasks, so a slow
//!   provider never stalls anyone; a test that read a row re-sealed by a
//!   rotation an instant before the new key was published waits for it.
//! - **The store engines serialise their own writes.** SQLite: two
//!   connections, each owned by an OS thread (`store/sqlite/worker.rs`).
//!   Every write goes to the writer thread and runs in arrival order under
//!   `BEGIN IMMEDIATE`; scans (the instance list, audit, history) go to the
//!   reader thread, which WAL lets run beside a write's `fsync`. Callers
//!   await a oneshot, so no async worker blocks on a write or a scan. Point
//!   reads (a config by scope, a token by hash: each server request's two
//!   queries) run on the caller's task on a small pool of read connections
//!   (`store/sqlite/points.rs`): a WAL read of one indexed row never waits
//!   for a lock and costs less than the thread handoff would. The writer **group-commits**: it takes every
//!   write queued at that moment (at most 256), runs each in its own
//!   `SAVEPOINT` of one `BEGIN IMMEDIATE`, commits once and only then
//!   answers them all: N concurrent writes cost one `fsync`, and no write is
//!   acknowledged before it is durable. A failing write rolls back to its
//!   savepoint only. Each write checks the sealing key inside its
//!   transaction, so a rotation in *another process* can never slip between
//!   the check and the commit. Work that cannot share a transaction
//!   (`VACUUM`, checkpoints, the re-seal) runs alone. PostgreSQL: every call
//!   awaits on a pooled connection; transactions and `FOR UPDATE` row locks
//!   serialise writers across connections and replicas.
//!
//! Over a remote backend the service keeps no state of its own (the
//! server does), so there is no actor: each call goes to the
//! [`RemoteService`] directly, on the caller's task.
//!
//! What only a local store can do (API tokens, authentication, master-key
//! rotation) is on [`AdminHandle`], which only a local backend yields, so
//! the remote backend is never asked for it.

mod actor;
mod backend;
pub mod batch;
mod error;
mod handle;
mod health;
pub mod jobs;
mod local;
mod message;
pub mod rotation;

pub use actor::Change;
pub use backend::{Answer, Backend, BackendInfo, RemoteService};
pub use batch::{BatchFailure, BatchItem, ScopeWrite};
pub use error::{MasterKeyError, ServiceError};
pub use handle::{AdminHandle, Authorized, ServiceHandle};
pub use health::{HealthAccess, HealthBoard, MonitorTarget};
pub use local::{LocalBackend, LocalOptions, MasterKeyCheck, OpenNotice, SealFailure};
pub use message::{ChangeMark, TestProgress};

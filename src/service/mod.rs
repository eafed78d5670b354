//! The service core (design §1): a cloneable [`ServiceHandle`] with one
//! async method per operation over a [`Backend`], local or remote. The TUI,
//! the CLI and the HTTP server call only the handle.
//!
//! Concurrency follows the store's model (see [`crate::store`]): the handle
//! runs a local operation on the caller's own task, straight against the
//! store, whose engines do all the serialising; there is no actor queue in
//! front of it. Slow work (connection tests) leaves in spawned tasks, so a
//! slow provider never stalls other requests. A remote backend answers each
//! request from a task of its own.
//!
//! What only a local store can do (API tokens, authentication, master-key
//! rotation) is on [`AdminHandle`], which only a local backend yields, so
//! the remote backend is never asked for it.

mod backend;
pub mod batch;
mod error;
mod handle;
mod health;
mod local;
mod message;
pub mod rotation;

pub use backend::{Backend, BackendInfo, RemoteService};
pub use batch::{BatchFailure, BatchItem, ScopeWrite};
pub use error::{MasterKeyError, ServiceError};
pub use handle::{AdminHandle, ServiceHandle};
pub use health::{HealthAccess, HealthBoard, MonitorTarget};
pub use local::{LocalBackend, LocalOptions, MasterKeyCheck, OpenNotice, SealFailure};
pub use message::{ChangeMark, Reply, Request, TestProgress};

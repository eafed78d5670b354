//! The service core (design §1): an actor task that owns the [`Backend`], and
//! a cloneable [`ServiceHandle`] with one async method per operation. The TUI,
//! the CLI and the HTTP server call only the handle.
//!
//! Slow work (connection tests) leaves the actor in spawned tasks, so a slow
//! provider never stalls other requests.

mod actor;
mod backend;
mod error;
mod handle;
mod local;
mod message;
mod target_check;
mod tokens;

pub use backend::{Backend, BackendInfo};
pub use error::ServiceError;
pub use handle::ServiceHandle;
pub use local::{LocalBackend, LocalOptions, OpenNotice};
pub(crate) use message::Request;
pub use message::{ChangeMark, TestProgress};

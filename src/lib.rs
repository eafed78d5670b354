//! # llmcfg
//!
//! Manage the LLM provider configuration (provider, model, API key) of a
//! control plane and of each tenant instance, from a terminal UI, a CLI or an
//! HTTP API.
//!
//! ## Map
//!
//! ```text
//!  terminal ──► tui ──┐
//!  shell    ──► cli ──┼─► service::ServiceHandle (clone)
//!  HTTP     ──► server┘      │ local: writes, rotation, jobs as typed commands
//!                            ├──────► service actor ──► store (SQLite or PostgreSQL,
//!                            │        (key material,      sealed keys) + prober
//!                            │         change feed, jobs)
//!                            ├─ hot reads (get, list) straight to the store
//!                            └─ remote: HTTP client to an /llm-config server
//! ```
//!
//! - [`domain`]: pure types and rules (scope, config, catalog, masking, validation, secrets, audit actions).
//!   The config's fields are listed once, in [`domain::config`] (whose
//!   module doc says what adding one takes); every layer reads that list.
//! - [`crypto`]: sealing keys with XChaCha20-Poly1305; where the master key comes from.
//! - [`store`]: persistence behind one async interface, on a SQLite file or a
//!   shared PostgreSQL database: schema, migrations, the row layer, audit log.
//! - [`prober`]: connection tests against the provider APIs.
//! - [`service`]: the handle, the service actor, jobs and the local backend.
//!   Its module doc is the one place the concurrency model (one actor task
//!   owning the mutable state, a cloneable handle, the shared read path,
//!   the job engine) is described.
//! - [`cli`]: the command-line front end, one file per subcommand.
//! - [`fleet`]: the fleet file: export, plan, apply and drift over the service handle.
//! - [`monitor`]: scheduled tests of every scope, health history, alerts, `/metrics`.
//! - [`api`]: wire types of the `/llm-config` HTTP API.
//! - [`server`]: `llmcfg serve`, the axum server of that API.
//! - [`remote`]: the backend that speaks that API to a remote server.
//! - [`tui`]: the terminal UI: event loop, screens, popups, keys and theme.
//! - [`settings`]: `config.toml` and the XDG paths.
//! - [`child`]: starting an operator's program without our secrets in its environment.
//!
//! Dependencies point one way: `domain ← crypto ← store ← service ← remote`,
//! and the front ends call only the service handle (the startup code in
//! `cli` builds the local or remote backend and hands it over).

pub mod api;
pub mod child;
pub mod cli;
pub mod crypto;
pub mod domain;
pub mod fleet;
pub mod monitor;
pub mod prober;
pub mod remote;
pub mod server;
pub mod service;
pub mod settings;
pub mod store;
pub mod tui;

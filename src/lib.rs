//! # llmcfg
//!
//! Manage the LLM provider configuration (provider, model, API key) of a
//! control plane and of each tenant instance, from a terminal UI, a CLI or an
//! HTTP API.
//!
//! ## Map
//!
//! ```text
//!  terminal ──► tui ─┐
//!  shell    ──► cli ─┼─► service::ServiceHandle ──mpsc──► service actor ──► Backend
//!  HTTP     ──► server ┘      (clone)         ◄─oneshot─                       │
//!                                           Local: store (SQLite, sealed keys) + prober
//!                                           Remote: HTTP client to an /llm-config server
//! ```
//!
//! - [`domain`]: pure types and rules (scope, config, catalog, masking, validation, secrets).
//! - [`crypto`]: sealing keys with XChaCha20-Poly1305; where the master key comes from.
//! - [`store`]: the SQLite file: schema, migrations, typed queries, audit log.
//! - [`prober`]: connection tests against the provider APIs.
//! - [`service`]: the actor, its handle and the backends.
//! - [`cli`]: the command-line front end, one file per subcommand.
//! - [`fleet`]: the fleet file: export, plan, apply and drift over the service handle.
//! - [`api`]: wire types of the `/llm-config` HTTP API.
//! - [`server`]: `llmcfg serve`, the axum server of that API.
//! - [`remote`]: the backend that speaks that API to a remote server.
//! - [`tui`]: the terminal UI: event loop, screens, popups, keys and theme.
//! - [`settings`]: `config.toml` and the XDG paths.
//!
//! Dependencies point one way: `domain ← crypto ← store ← service`, and the
//! front ends call only the service handle.

pub mod api;
pub mod cli;
pub mod crypto;
pub mod domain;
pub mod fleet;
pub mod prober;
pub mod remote;
pub mod server;
pub mod service;
pub mod settings;
pub mod store;
pub mod tui;

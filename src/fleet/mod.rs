//! The fleet file: the whole fleet's LLM configuration as a reviewable TOML
//! file, and the operations over it — `export` (state → file), `plan` (file vs
//! state → what would change), `apply` (perform a plan, one write per scope)
//! and `drift` (which scopes differ). Everything here talks to the service
//! only through [`crate::service::ServiceHandle`], so it works the same
//! against the local store and a remote server.
//!
//! The flow: [`file`] parses the TOML into spanned entries; [`resolve`] folds
//! `[defaults]`, `[templates.NAME]` and per-scope overrides into one
//! [`resolve::Desired`] per scope, validated with the domain's rules;
//! [`current`] reads what the service holds; [`keyset`] reads each distinct
//! [`keyref`] reference once (only when asked: [`key_reference`] is what a
//! plan says of a reference it did not read); [`plan`] compares file and state, keys by
//! fingerprint; [`pipeline`] chains those steps; [`apply`] writes the plan;
//! [`stale`] refuses a plan whose scopes changed since it was made, and
//! [`saved`] a saved plan that is no longer what planning gives;
//! [`render`] prints plans, reports and drift; [`export`] writes the state
//! back as a fleet file, and [`migrate`] the scopes whose model retires,
//! moved to its successor.

pub mod apply;
mod atomic;
pub mod current;
pub mod diagnostic;
pub mod error;
pub mod export;
pub mod file;
pub mod key_reference;
pub mod keyref;
pub mod keyset;
pub mod migrate;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod resolve;
pub mod saved;
pub mod stale;

pub use diagnostic::{Diagnostic, Diagnostics, SourceFile};
pub use error::FleetError;
pub use file::FleetFile;
pub use keyref::KeyRef;
pub use plan::{Plan, PlanOptions, ScopeAction, ScopePlan};

//! The PostgreSQL server of the TLS tests and the CLI run against it: a
//! cluster of its own started with `ssl=on`, a test CA and server
//! certificate made with rcgen, and a `pg_hba.conf` that lets TCP clients
//! in over TLS only ([`server`]); `llmcfg` run in a clean home on it, every
//! output and written file scanned for the secrets below ([`cli`]).
//!
//! Include it with `mod pg_tls_support;` next to
//! `#[path = "support/llmcfg_process.rs"] mod llmcfg_process;` and
//! `#[path = "support/pg_cluster.rs"] mod pg_cluster;`.
#![allow(dead_code)]

pub mod cli;
#[path = "../support/file_tree.rs"]
mod file_tree;
pub mod server;

/// The master key of every `llmcfg` run: it must never be printed.
pub const MASTER_HEX: &str = "3333333333333333333333333333333333333333333333333333333333333333";
/// The API key the tests store: no part of it may be printed.
pub const KEY: &str = "sk-ant-api03-TLSSECRET-Zq8vN2xKp4Lm7Rt1Yw9B";
/// In every URL: it must never be printed. (The test server trusts
/// loopback clients, so it is never checked either.)
pub const PASSWORD: &str = "pw-Hy7Tn3Mw8Qa2";
/// The only name in the server's certificate; URLs reach it at 127.0.0.1
/// through `hostaddr`, so no resolver is involved.
pub const SERVER_NAME: &str = "db.llmcfg.test";

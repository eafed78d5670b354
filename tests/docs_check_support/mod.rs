//! Helpers of tests/docs_check.rs: reading the docs, the help of the
//! binary, and the settings of config.example.toml.

pub mod help;
pub mod markdown;
pub mod settings;

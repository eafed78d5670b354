//! Errors of the store layer.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No config for the scope.
    #[error("no configuration for this scope")]
    NotFound,
    /// A config already exists for the scope.
    #[error("a configuration already exists for this scope")]
    AlreadyExists,
    /// The file or database could not be opened or prepared.
    #[error("cannot open store {0}")]
    Open(String),
    /// A stored value could not be read back (hand-edited or corrupt row).
    #[error("corrupt store row: {0}")]
    Corrupt(String),
    /// The master key recorded in the store is no longer the one this
    /// process seals with: another process rotated it meanwhile.
    #[error(
        "the master key of this store was rotated by another process; restart llmcfg with the new master key (nothing was written)"
    )]
    KeyChanged,
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed. Its `Display` stops at "db error"; the cause
    /// (the server's message, such as a cancelled statement) is added.
    #[error("database error: {}", crate::store::postgres::error_chain(.0))]
    Postgres(#[from] tokio_postgres::Error),
}

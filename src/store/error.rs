//! Errors of the store layer. Each keeps its cause as its `source`; the
//! messages name the file or say "PostgreSQL", never a URL (it may carry a
//! password) and never key material (the store only sees sealed keys).

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No config (or token) for what was asked.
    #[error("no configuration for this scope")]
    NotFound,
    /// A config (or token) already exists.
    #[error("a configuration already exists for this scope")]
    AlreadyExists,
    /// The scope has no kept version with this number (never written, or
    /// purged by retention).
    #[error("no version {version} of this scope is kept")]
    NoSuchVersion {
        /// The number asked for.
        version: i64,
    },
    /// The version asked for records the config's deletion.
    #[error("version {version} records the deletion of the config; restore an earlier version")]
    NotRestorable {
        /// The number asked for.
        version: i64,
    },
    /// The store refused to open for a reason of our own (schema too new,
    /// no WAL, no thread).
    #[error("cannot open store {0}")]
    Open(String),
    /// The file, its directory or the database could not be opened.
    #[error("cannot open store {target}: {source}")]
    OpenFailed {
        /// The file, or "PostgreSQL".
        target: String,
        /// Why.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A stored value could not be read back (hand-edited or corrupt row).
    #[error("corrupt store row: {0}")]
    Corrupt(String),
    /// The master key recorded in the store is no longer the one this
    /// process seals with: another process rotated it meanwhile.
    #[error(
        "the master key of this store was rotated by another process; restart llmcfg with the new master key (nothing was written)"
    )]
    KeyChanged,
    /// The store's connection thread is gone (the process is shutting down).
    #[error("the store has been closed")]
    Closed,
    /// The write itself succeeded but the group commit it shared failed,
    /// so it was rolled back with the group (see `sqlite/worker.rs`).
    #[error("database error: the write was rolled back with its commit group: {0}")]
    GroupRolledBack(String),
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed. Its `Display` stops at "db error"; the cause
    /// (the server's message, such as a cancelled statement) is added.
    #[error("database error: {}", crate::store::postgres::error_chain(.0))]
    Postgres(#[from] tokio_postgres::Error),
    /// No PostgreSQL connection could be had from the pool.
    #[error("cannot get a PostgreSQL connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
}

impl StoreError {
    /// An [`StoreError::OpenFailed`] for `target`.
    pub fn open(
        target: impl std::fmt::Display,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> StoreError {
        StoreError::OpenFailed {
            target: target.to_string(),
            source: source.into(),
        }
    }
}

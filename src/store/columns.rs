//! Reading a result row by column name, the same way on both engines: the
//! row layer ([`super::rows`]) maps rows through [`Columns`] once, and each
//! engine only says how its driver fetches one named value.

use super::StoreError;

/// A result row whose values are fetched by column name.
pub trait Columns {
    /// A `TEXT` column that may be `NULL`.
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError>;
    /// A `BLOB`/`BYTEA` column.
    fn blob(&self, name: &str) -> Result<Vec<u8>, StoreError>;
    /// An integer column that may be `NULL`.
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError>;
    /// A boolean column (SQLite's 0/1) that may be `NULL`.
    fn opt_bool(&self, name: &str) -> Result<Option<bool>, StoreError>;

    /// A `TEXT NOT NULL` column; a `NULL` there is a corrupt row.
    fn text(&self, name: &str) -> Result<String, StoreError> {
        self.opt_text(name)?.ok_or_else(|| null(name))
    }

    /// An integer `NOT NULL` column.
    fn int(&self, name: &str) -> Result<i64, StoreError> {
        self.opt_int(name)?.ok_or_else(|| null(name))
    }
}

/// The error for a `NULL` where the schema says there is none.
pub fn null(name: &str) -> StoreError {
    StoreError::Corrupt(format!("{name} is NULL"))
}

impl Columns for rusqlite::Row<'_> {
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.get(name)?)
    }
    fn blob(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        Ok(self.get(name)?)
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.get(name)?)
    }
    fn opt_bool(&self, name: &str) -> Result<Option<bool>, StoreError> {
        Ok(self.get(name)?)
    }
}

impl Columns for tokio_postgres::Row {
    fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(name)?)
    }
    fn blob(&self, name: &str) -> Result<Vec<u8>, StoreError> {
        Ok(self.try_get(name)?)
    }
    fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(name)?)
    }
    fn opt_bool(&self, name: &str) -> Result<Option<bool>, StoreError> {
        Ok(self.try_get(name)?)
    }
}

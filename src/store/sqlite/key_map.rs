//! The key-usage map's one scan on SQLite (the query and the row mapping
//! are [`crate::store::key_map`]'s, shared with PostgreSQL).

use rusqlite::Connection;

use super::StoreError;
use super::columns::{SqliteRow, column_names};
use crate::domain::KeyUse;
use crate::store::key_map::{KEY_USES, key_use_from};

/// Every config with its key's mask, fingerprint and last test.
pub(super) fn uses(conn: &Connection) -> Result<Vec<KeyUse>, StoreError> {
    let mut stmt = conn.prepare_cached(KEY_USES)?;
    let names = column_names(&stmt);
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(key_use_from(&SqliteRow::new(r, &names))?);
    }
    Ok(out)
}

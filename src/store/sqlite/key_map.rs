//! The key-usage map's one scan on SQLite (the query and the row mapping
//! are [`crate::store::key_map`]'s, shared with PostgreSQL).

use rusqlite::Connection;

use super::StoreError;
use super::columns::read_all;
use crate::domain::KeyUse;
use crate::store::key_map::{KEY_USES, key_use_from};

/// Every config with its key's mask, fingerprint and last test.
pub(super) fn uses(conn: &Connection) -> Result<Vec<KeyUse>, StoreError> {
    let mut stmt = conn.prepare_cached(KEY_USES)?;
    read_all(&mut stmt, [], |r| key_use_from(r))
}

//! API tokens: name, role and the SHA-256 of the secret. The match itself
//! (constant time over every stored hash) is the row layer's.

use std::sync::OnceLock;

use rusqlite::{Connection, params};

use super::columns::{SqliteRow, constant_column_names, read_all};
use super::rows::{
    FIND_TOKEN, TOKEN_AND_VIEW, TOKEN_COLUMNS, fmt_time, matching_token, token_from, view_if_any,
};
use super::worker::Conn;
use super::{AuditRecord, StoreError, audit};
use crate::domain::{Scope, TokenInfo};
use crate::store::TokenAndConfig;

/// Stores a new token; `AlreadyExists` when the name is taken.
pub(super) fn add(
    c: &mut Conn,
    info: &TokenInfo,
    hash: &[u8; 32],
    audit_rec: &AuditRecord,
) -> Result<(), StoreError> {
    let tx = c.begin()?;
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO tokens (name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            info.name,
            info.role.as_str(),
            &hash[..],
            fmt_time(info.created_at)
        ],
    )?;
    if inserted == 0 {
        return Err(StoreError::AlreadyExists);
    }
    audit::append(&tx, audit_rec)?;
    tx.commit()?;
    Ok(())
}

/// Every token, by name.
pub(super) fn list(conn: &Connection) -> Result<Vec<TokenInfo>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY name"))?;
    read_all(&mut stmt, [], |r| token_from(r))
}

/// Deletes the token `name`; `NotFound` when there is none.
pub(super) fn revoke(c: &mut Conn, name: &str, audit_rec: &AuditRecord) -> Result<(), StoreError> {
    let tx = c.begin()?;
    if tx.execute("DELETE FROM tokens WHERE name = ?1", [name])? == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(&tx, audit_rec)?;
    tx.commit()?;
    Ok(())
}

/// The token whose stored hash equals `hash`, if any.
pub(super) fn find(conn: &Connection, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    let mut stmt = conn.prepare_cached(FIND_TOKEN)?;
    let names = constant_column_names(&NAMES, &stmt);
    let mut rows = stmt.query([])?;
    // rusqlite rows borrow the statement, so they are read one by one into
    // the shared matcher.
    let mut found = None;
    while let Some(r) = rows.next()? {
        if let Some(info) = matching_token([&SqliteRow::new(r, names)], hash)? {
            found.get_or_insert(info);
        }
    }
    Ok(found)
}

/// The token whose stored hash equals `hash` and the view of the config of
/// `scope`, in one statement ([`TOKEN_AND_VIEW`]), so one read transaction.
pub(super) fn token_and_view(
    conn: &Connection,
    hash: &[u8; 32],
    scope: &Scope,
) -> Result<TokenAndConfig, StoreError> {
    static NAMES: OnceLock<Vec<String>> = OnceLock::new();
    let mut stmt = conn.prepare_cached(&TOKEN_AND_VIEW)?;
    let names = constant_column_names(&NAMES, &stmt);
    let mut rows = stmt.query([scope.key()])?;
    let mut read = TokenAndConfig {
        token: None,
        config: None,
    };
    let mut first = true;
    // Every row holds the same config; every stored hash is compared.
    while let Some(r) = rows.next()? {
        let row = SqliteRow::new(r, names);
        if first {
            read.config = view_if_any(&row, scope.instance_id().map(str::to_string))?;
            first = false;
        }
        if let Some(info) = matching_token([&row], hash)? {
            read.token.get_or_insert(info);
        }
    }
    Ok(read)
}

//! Queries on the `configs` table. Every read-modify-write runs inside
//! `BEGIN IMMEDIATE`, which takes the write lock before reading, so two
//! processes cannot both read the old row and overwrite each other.

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use uuid::Uuid;

use super::rows::{fmt_time, parse_time};
use super::{AuditRecord, ConfigRow, RowUpdate, SqliteStore, StoreError, audit};
use crate::crypto::SealedKey;
use crate::domain::Scope;

const COLUMNS: &str = "id, scope, provider, model, base_url, sealed_key, api_key_masked, \
                       key_fingerprint, created_at, updated_at";

pub(super) fn from_row(r: &Row<'_>) -> rusqlite::Result<Result<ConfigRow, StoreError>> {
    let id: String = r.get(0)?;
    let scope: String = r.get(1)?;
    let created: String = r.get(8)?;
    let updated: String = r.get(9)?;
    let build = || -> Result<ConfigRow, StoreError> {
        Ok(ConfigRow {
            id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("id {id:?}: {e}")))?,
            scope: Scope::from_key(&scope).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            provider: r.get(2)?,
            model: r.get(3)?,
            base_url: r.get(4)?,
            sealed_key: SealedKey::from_stored(r.get(5)?),
            api_key_masked: r.get(6)?,
            key_fingerprint: r.get(7)?,
            created_at: parse_time(&created)?,
            updated_at: parse_time(&updated)?,
        })
    };
    Ok(build())
}

pub(super) fn get(conn: &Connection, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
    // Cached: this is the hot read of `GET /llm-config/`.
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM configs WHERE scope = ?1"))?
        .query_row([scope.key()], from_row)
        .optional()?
        .transpose()
}

pub(super) fn all(conn: &Connection) -> Result<Vec<ConfigRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM configs ORDER BY scope"))?;
    let rows = stmt.query_map([], from_row)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row??);
    }
    Ok(out)
}

impl SqliteStore {
    /// The config of `scope`, if any.
    pub fn get(&self, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
        get(&self.conn, scope)
    }

    /// Inserts a new config; `AlreadyExists` if the scope has one. The audit
    /// entry commits in the same transaction.
    pub fn insert(&mut self, row: &ConfigRow, audit: &AuditRecord) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_sealing_key(&tx, self.sealing_kcv.as_deref())?;
        if get(&tx, &row.scope)?.is_some() {
            return Err(StoreError::AlreadyExists);
        }
        tx.execute(
            &format!(
                "INSERT INTO configs ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ),
            params![
                row.id.to_string(),
                row.scope.key(),
                row.provider,
                row.model,
                row.base_url,
                row.sealed_key.as_bytes(),
                row.api_key_masked,
                row.key_fingerprint,
                fmt_time(row.created_at),
                fmt_time(row.updated_at),
            ],
        )?;
        // A new config makes any earlier test result of this scope stale.
        tx.execute("DELETE FROM last_tests WHERE scope = ?1", [row.scope.key()])?;
        audit::append(&tx, audit)?;
        tx.commit()?;
        Ok(())
    }

    /// Reads the config of `scope` and writes back what `change` returns, in
    /// one `BEGIN IMMEDIATE` transaction. `NotFound` if there is none.
    pub fn update<E>(
        &mut self,
        scope: &Scope,
        change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
    ) -> Result<ConfigRow, E>
    where
        E: From<StoreError>,
    {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        check_sealing_key(&tx, self.sealing_kcv.as_deref())?;
        let current = get(&tx, scope)?.ok_or(StoreError::NotFound)?;
        let update = change(&current)?;
        let (next, audit_rec) = current.apply(update);
        tx.execute(
            "UPDATE configs SET provider = ?1, model = ?2, base_url = ?3, sealed_key = ?4,
                 api_key_masked = ?5, key_fingerprint = ?6, updated_at = ?7
             WHERE id = ?8",
            params![
                next.provider,
                next.model,
                next.base_url,
                next.sealed_key.as_bytes(),
                next.api_key_masked,
                next.key_fingerprint,
                fmt_time(next.updated_at),
                next.id.to_string(),
            ],
        )
        .map_err(StoreError::from)?;
        audit::append(&tx, &audit_rec)?;
        tx.commit().map_err(StoreError::from)?;
        Ok(next)
    }

    /// Deletes the config of `scope` and its last test; `NotFound` if none.
    pub fn delete(&mut self, scope: &Scope, audit: &AuditRecord) -> Result<ConfigRow, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = get(&tx, scope)?.ok_or(StoreError::NotFound)?;
        tx.execute(
            "DELETE FROM configs WHERE id = ?1",
            [current.id.to_string()],
        )?;
        tx.execute("DELETE FROM last_tests WHERE scope = ?1", [scope.key()])?;
        let mut audit = audit.clone();
        audit.key_fingerprint = Some(current.key_fingerprint.clone());
        audit::append(&tx, &audit)?;
        tx.commit()?;
        Ok(current)
    }

    /// Every stored config.
    pub fn all_configs(&self) -> Result<Vec<ConfigRow>, StoreError> {
        all(&self.conn)
    }
}

/// Refuses a write when the store's master-key check value is no longer the
/// one this process seals with. `BEGIN IMMEDIATE` already holds the write
/// lock, so a rotation cannot slip in between this check and the commit.
fn check_sealing_key(conn: &Connection, expected: Option<&str>) -> Result<(), StoreError> {
    if expected.is_none() {
        return Ok(());
    }
    let recorded: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
            r.get(0)
        })
        .optional()?;
    super::rows::verify_sealing_key(recorded.as_deref(), expected)
}

//! The fingerprint key and the one-time migration of unkeyed fingerprints
//! on SQLite (see [`crate::store::fingerprints`]).

use rusqlite::{Connection, OptionalExtension, params};

use super::worker::Conn;
use super::{StoreError, configs, versions};
use crate::store::fingerprints::{
    MAP_UPDATE, MARK, READ_KEY, READ_MARK, migrated_config, migrated_version, reseal, withhold,
};
use crate::store::versions::Versioning;

/// Records `sealed` (hex) as the fingerprint key unless one is recorded,
/// and returns the recorded one (another process may have won).
pub(super) fn init(c: &mut Conn, sealed: &str) -> Result<String, StoreError> {
    let tx = c.begin()?;
    tx.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('fingerprint_key', ?1)",
        [sealed],
    )?;
    let stored: String = tx.query_row(READ_KEY, [], |r| r.get(0))?;
    tx.commit()?;
    Ok(stored)
}

/// Re-derives every unkeyed fingerprint (configs, kept versions, and the
/// audit entries naming those keys) and withholds the rest, in one
/// transaction, then marks the store so later opens skip the scan.
/// Returns how many keys moved.
pub(super) fn migrate(c: &mut Conn) -> Result<usize, StoreError> {
    let with = c
        .versioning
        .clone()
        .ok_or_else(|| StoreError::Open("no fingerprint key set".into()))?;
    if mark(&c.conn)?.as_deref() == Some(MARK) {
        return Ok(0);
    }
    let tx = c.begin()?;
    let moved = migrate_in(&tx, &with)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('fingerprints', ?1)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [MARK],
    )?;
    tx.commit()?;
    Ok(moved)
}

fn mark(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn.query_row(READ_MARK, [], |r| r.get(0)).optional()?)
}

fn migrate_in(tx: &Connection, with: &Versioning) -> Result<usize, StoreError> {
    // One pass over each table through a map of old to new, rather than
    // one audit scan per key.
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS fingerprint_map (old TEXT PRIMARY KEY, new TEXT NOT NULL);
         DELETE FROM fingerprint_map;",
    )?;
    let mut moved = 0;
    for row in configs::all(tx)? {
        if let Some((old, new)) = migrated_config(&row, with)? {
            tx.execute(
                "UPDATE configs SET key_fingerprint = ?1 WHERE id = ?2",
                params![new, row.id.to_string()],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO fingerprint_map (old, new) VALUES (?1, ?2)",
                params![old, new],
            )?;
            moved += 1;
        }
    }
    tx.execute_batch(MAP_UPDATE)?;
    // Versions whose key is no longer live anywhere.
    for v in versions::all_sealed(tx)? {
        if let Some(new) = migrated_version(&v, with)? {
            tx.execute(
                "UPDATE config_versions SET key_fingerprint = ?1 WHERE scope = ?2 AND version = ?3",
                params![new, v.scope.key(), v.version],
            )?;
        }
    }
    tx.execute_batch(&withhold())?;
    tx.execute_batch("DROP TABLE fingerprint_map;")?;
    Ok(moved)
}

/// Re-seals the fingerprint key from `old` to `new` inside a rotation.
pub(super) fn reseal_key(
    tx: &Connection,
    old: &Versioning,
    new: &Versioning,
) -> Result<(), StoreError> {
    let stored: Option<String> = tx.query_row(READ_KEY, [], |r| r.get(0)).optional()?;
    if let Some(text) = stored {
        tx.execute(
            "UPDATE meta SET value = ?1 WHERE key = 'fingerprint_key'",
            [reseal(&text, &old.master, &new.master)?],
        )?;
    }
    Ok(())
}

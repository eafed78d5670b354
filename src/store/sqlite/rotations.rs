//! Queries on the `rotations` and `rotation_scopes` tables (see
//! [`crate::store::rotations`]). A swap is one write transaction (its
//! own savepoint when the writer groups commits): the config update with its version and audit entry, and
//! the scope's rotation entry.

use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{fmt_time, parse_time};
use super::worker::Conn;
use super::{ConfigRow, StoreError, configs};
use crate::domain::Scope;
use crate::store::RowUpdate;
use crate::store::rotations::{RotatedScope, RotationRecord};

/// The open rotation from `candidate.old_fingerprint` to
/// `candidate.new_fingerprint` (a re-run continues it), else `candidate`,
/// recorded.
pub(super) fn begin(c: &mut Conn, candidate: RotationRecord) -> Result<RotationRecord, StoreError> {
    let tx = c.begin()?;
    let found = tx
        .query_row(
            "SELECT id, at, actor FROM rotations
             WHERE old_fingerprint = ?1 AND new_fingerprint = ?2 ORDER BY at DESC LIMIT 1",
            params![candidate.old_fingerprint, candidate.new_fingerprint],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)),
        )
        .optional()?;
    let record = match found {
        Some((id, at, actor)) => RotationRecord {
            id,
            at: parse_time(&at)?,
            actor,
            ..candidate
        },
        None => {
            tx.execute(
                "INSERT INTO rotations (id, at, actor, old_fingerprint, new_fingerprint)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    candidate.id,
                    fmt_time(candidate.at),
                    candidate.actor,
                    candidate.old_fingerprint,
                    candidate.new_fingerprint
                ],
            )?;
            candidate
        }
    };
    tx.commit()?;
    Ok(record)
}

/// Swaps the key of `scope` with `change` and records the swap under
/// `rotation`, in one transaction.
pub(super) fn swap<E>(
    c: &mut Conn,
    rotation: &str,
    scope: &Scope,
    change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E>,
) -> Result<(ConfigRow, RotatedScope), E>
where
    E: From<StoreError>,
{
    let tx = c.begin()?;
    configs::check_sealing_key(&tx, tx.sealing_kcv)?;
    let next = configs::update_in(&tx, tx.versioning, scope, change)?;
    let entry = entry_of(&tx, scope)?;
    insert(&tx, rotation, &entry)?;
    tx.commit()?;
    Ok((next, entry))
}

/// Records, in one transaction, that `rotation` swapped `scopes` (their
/// newest versions are the swaps'): after an atomic batch.
pub(super) fn record(
    c: &mut Conn,
    rotation: &str,
    scopes: &[Scope],
) -> Result<Vec<RotatedScope>, StoreError> {
    let tx = c.begin()?;
    let mut out = Vec::with_capacity(scopes.len());
    for scope in scopes {
        let entry = entry_of(&tx, scope)?;
        insert(&tx, rotation, &entry)?;
        out.push(entry);
    }
    tx.commit()?;
    Ok(out)
}

fn entry_of(conn: &Connection, scope: &Scope) -> Result<RotatedScope, StoreError> {
    let after = newest_version(conn, scope)?;
    Ok(RotatedScope {
        scope: scope.key().to_string(),
        version_before: after - 1,
        version_after: after,
    })
}

fn insert(conn: &Connection, rotation: &str, entry: &RotatedScope) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO rotation_scopes
             (rotation_id, scope, version_before, version_after) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        rotation,
        entry.scope,
        entry.version_before,
        entry.version_after
    ])?;
    Ok(())
}

fn newest_version(conn: &Connection, scope: &Scope) -> Result<i64, StoreError> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM config_versions WHERE scope = ?1",
        [scope.key()],
        |r| r.get(0),
    )?)
}

/// Rotation `id` and the scopes it swapped, by scope.
pub(super) fn get(
    conn: &Connection,
    id: &str,
) -> Result<Option<(RotationRecord, Vec<RotatedScope>)>, StoreError> {
    let Some((at, actor, old, new)) = conn
        .query_row(
            "SELECT at, actor, old_fingerprint, new_fingerprint FROM rotations WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = conn.prepare(
        "SELECT scope, version_before, version_after FROM rotation_scopes
         WHERE rotation_id = ?1 ORDER BY scope",
    )?;
    let scopes = stmt
        .query_map([id], |r| {
            Ok(RotatedScope {
                scope: r.get(0)?,
                version_before: r.get(1)?,
                version_after: r.get(2)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let record = RotationRecord {
        id: id.to_string(),
        at: parse_time(&at)?,
        actor,
        old_fingerprint: old,
        new_fingerprint: new,
    };
    Ok(Some((record, scopes)))
}

/// The newest version of each scope, for a rollback's check.
pub(super) fn newest(conn: &Connection, scope: &Scope) -> Result<i64, StoreError> {
    newest_version(conn, scope)
}

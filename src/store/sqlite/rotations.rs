//! Queries on the `rotations` and `rotation_scopes` tables (see
//! [`crate::store::rotations`]). A swap is one write transaction (its
//! own savepoint when the writer groups commits): each config update with
//! its version and audit entry, and the scope's rotation entry. A rollback
//! is one transaction too.

use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{fmt_time, parse_time};
use super::worker::Conn;
use super::{BatchFailure, StoreError, configs, versions};
use crate::domain::Scope;
use crate::store::rotations::{
    KeySwap, RollbackOutcome, RollbackRequest, RotatedScope, RotationRecord,
};

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

/// Swaps the key of each of `swaps` and records each swap under
/// `rotation`, in one transaction: every swap with its entry, or none.
pub(super) fn swap<E>(
    c: &mut Conn,
    rotation: &str,
    swaps: Vec<KeySwap<E>>,
) -> Result<Vec<RotatedScope>, BatchFailure<E>>
where
    E: From<StoreError>,
{
    let tx = c.begin()?;
    configs::check_sealing_key(&tx, tx.sealing_kcv)?;
    let mut out = Vec::with_capacity(swaps.len());
    for KeySwap { scope, change } in swaps {
        configs::update_in(&tx, tx.versioning, &scope, change)
            .map_err(|e| BatchFailure::at(&scope, e))?;
        let entry = RotatedScope::swapped(&scope, newest_version(&tx, &scope)?);
        insert(&tx, rotation, &entry).map_err(|e| BatchFailure::at(&scope, e))?;
        out.push(entry);
    }
    tx.commit()?;
    Ok(out)
}

/// Rolls rotation `req.id` back in one `BEGIN IMMEDIATE` transaction (see
/// [`crate::store::rotations`]): the write lock is held from the check to
/// the last restore, so nothing can change a scope in between.
pub(super) fn roll_back(
    c: &mut Conn,
    req: &RollbackRequest,
) -> Result<RollbackOutcome, BatchFailure<StoreError>> {
    let tx = c.begin()?;
    let Some((record, entries)) = get(&tx, &req.id)? else {
        return Ok(RollbackOutcome::Unknown);
    };
    let mut scopes = Vec::with_capacity(entries.len());
    for entry in &entries {
        scopes.push(entry.scope()?);
    }
    if !req.force {
        let mut changed = Vec::new();
        for (scope, entry) in scopes.iter().zip(&entries) {
            if newest_version(&tx, scope)? != entry.version_after {
                changed.push(scope.clone());
            }
        }
        if !changed.is_empty() {
            return Ok(RollbackOutcome::Changed(changed));
        }
    }
    if !entries.is_empty() {
        configs::check_sealing_key(&tx, tx.sealing_kcv)?;
    }
    for (scope, entry) in scopes.iter().zip(&entries) {
        versions::restore_in(
            &tx,
            tx.versioning,
            scope,
            entry.version_before,
            &req.audit(scope, entry),
        )
        .map_err(|e| BatchFailure::at(scope, e))?;
    }
    tx.execute(
        "DELETE FROM rotation_scopes WHERE rotation_id = ?1",
        [&req.id],
    )
    .map_err(StoreError::from)?;
    tx.commit()?;
    Ok(RollbackOutcome::RolledBack {
        record,
        restored: entries,
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

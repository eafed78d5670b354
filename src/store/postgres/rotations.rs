//! Queries on the `rotations` and `rotation_scopes` tables in PostgreSQL
//! (see [`crate::store::rotations`]). A swap is one transaction holding the
//! scopes' rows `FOR UPDATE`: each config update with its version and
//! audit entry, and the scope's rotation entry. A rollback is one
//! transaction too.

use tokio_postgres::GenericClient;

use super::rows::{fmt_time, parse_time};
use super::{PgStore, StoreError, configs, versions};
use crate::domain::Scope;
use crate::store::BatchFailure;
use crate::store::rotations::{
    KeySwap, RollbackOutcome, RollbackRequest, RotatedScope, RotationRecord,
};

async fn newest_version<C: GenericClient>(c: &C, scope: &Scope) -> Result<i64, StoreError> {
    Ok(c.query_one(
        "SELECT COALESCE(MAX(version), 0)::BIGINT FROM config_versions WHERE scope = $1",
        &[&scope.key()],
    )
    .await?
    .get(0))
}

/// Records that `rotation` swapped `scope`, whose newest version is the swap's.
async fn record_swap<C: GenericClient>(
    c: &C,
    rotation: &str,
    scope: &Scope,
) -> Result<RotatedScope, StoreError> {
    let entry = RotatedScope::swapped(scope, newest_version(c, scope).await?);
    c.execute(
        "INSERT INTO rotation_scopes (rotation_id, scope, version_before, version_after)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (rotation_id, scope) DO UPDATE
         SET version_before = EXCLUDED.version_before, version_after = EXCLUDED.version_after",
        &[
            &rotation,
            &entry.scope,
            &entry.version_before,
            &entry.version_after,
        ],
    )
    .await?;
    Ok(entry)
}

impl PgStore {
    /// Records a rotation, or finds the one a re-run continues.
    pub async fn begin_rotation(
        &self,
        candidate: RotationRecord,
    ) -> Result<RotationRecord, StoreError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // One rotation per fingerprint pair even when two replicas start it.
        tx.execute("LOCK TABLE rotations IN EXCLUSIVE MODE", &[])
            .await?;
        let found = tx
            .query_opt(
                "SELECT id, at, actor FROM rotations
                 WHERE old_fingerprint = $1 AND new_fingerprint = $2 ORDER BY at DESC LIMIT 1",
                &[&candidate.old_fingerprint, &candidate.new_fingerprint],
            )
            .await?;
        let record = match found {
            Some(r) => RotationRecord {
                id: r.get(0),
                at: parse_time(r.get(1))?,
                actor: r.get(2),
                ..candidate
            },
            None => {
                tx.execute(
                    "INSERT INTO rotations (id, at, actor, old_fingerprint, new_fingerprint)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &candidate.id,
                        &fmt_time(candidate.at),
                        &candidate.actor,
                        &candidate.old_fingerprint,
                        &candidate.new_fingerprint,
                    ],
                )
                .await?;
                candidate
            }
        };
        tx.commit().await?;
        Ok(record)
    }

    /// Swaps the key of each of `swaps` and records each swap under
    /// `rotation`, in one transaction: every swap with its entry, or none.
    pub async fn swap_keys<E>(
        &self,
        rotation: &str,
        swaps: Vec<KeySwap<E>>,
    ) -> Result<Vec<RotatedScope>, BatchFailure<E>>
    where
        E: From<StoreError> + Send + 'static,
    {
        let kcv = self.expected_kcv();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StoreError::from)?;
        configs::check_sealing_key(&tx, kcv.as_deref()).await?;
        let with = self.versioning();
        let mut out = Vec::with_capacity(swaps.len());
        for KeySwap { scope, change } in swaps {
            configs::update_in(&tx, with.as_ref(), &scope, change)
                .await
                .map_err(|e| BatchFailure::at(&scope, e))?;
            let entry = record_swap(&*tx, rotation, &scope)
                .await
                .map_err(|e| BatchFailure::at(&scope, e))?;
            out.push(entry);
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(out)
    }

    /// Rolls rotation `req.id` back in one transaction (see
    /// [`crate::store::rotations`]). Each scope's row is held `FOR UPDATE`,
    /// in scope order, before its version is checked, so a write to it
    /// either committed before the check (and is seen) or waits for the
    /// rollback.
    pub async fn roll_back(
        &self,
        req: RollbackRequest,
    ) -> Result<RollbackOutcome, BatchFailure<StoreError>> {
        let kcv = self.expected_kcv();
        let with = self.versioning();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StoreError::from)?;
        // One rollback of a rotation at a time, across replicas.
        let Some(record) = tx
            .query_opt(
                "SELECT at, actor, old_fingerprint, new_fingerprint FROM rotations
                 WHERE id = $1 FOR UPDATE",
                &[&req.id],
            )
            .await
            .map_err(StoreError::from)?
        else {
            return Ok(RollbackOutcome::Unknown);
        };
        let record = record_of(&req.id, &record)?;
        let entries = entries(&*tx, &req.id).await?;
        let mut scopes = Vec::with_capacity(entries.len());
        for entry in &entries {
            let scope = entry.scope()?;
            configs::get_for_update(&*tx, &scope).await?;
            scopes.push(scope);
        }
        if !req.force {
            let mut changed = Vec::new();
            for (scope, entry) in scopes.iter().zip(&entries) {
                if newest_version(&*tx, scope).await? != entry.version_after {
                    changed.push(scope.clone());
                }
            }
            if !changed.is_empty() {
                return Ok(RollbackOutcome::Changed(changed));
            }
        }
        if !entries.is_empty() {
            configs::check_sealing_key(&tx, kcv.as_deref()).await?;
        }
        for (scope, entry) in scopes.iter().zip(&entries) {
            versions::restore_in(
                &*tx,
                with.as_ref(),
                scope,
                entry.version_before,
                &req.audit(scope, entry),
            )
            .await
            .map_err(|e| BatchFailure::at(scope, e))?;
        }
        // Only the entries restored here: a re-run of the rotation on
        // another replica may have recorded a scope meanwhile (its swap
        // waits for no row this rollback holds), and that one stays swapped.
        let restored: Vec<&str> = entries.iter().map(|e| e.scope.as_str()).collect();
        tx.execute(
            "DELETE FROM rotation_scopes WHERE rotation_id = $1 AND scope = ANY($2)",
            &[&req.id, &restored],
        )
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(RollbackOutcome::RolledBack {
            record,
            restored: entries,
        })
    }

    /// Rotation `id` and the scopes it swapped, by scope.
    pub async fn rotation(
        &self,
        id: &str,
    ) -> Result<Option<(RotationRecord, Vec<RotatedScope>)>, StoreError> {
        let c = self.client().await?;
        let Some(r) = c
            .query_opt(
                "SELECT at, actor, old_fingerprint, new_fingerprint FROM rotations WHERE id = $1",
                &[&id],
            )
            .await?
        else {
            return Ok(None);
        };
        Ok(Some((record_of(id, &r)?, entries(&**c, id).await?)))
    }
}

/// A `rotations` row read as `at, actor, old_fingerprint, new_fingerprint`.
fn record_of(id: &str, r: &tokio_postgres::Row) -> Result<RotationRecord, StoreError> {
    Ok(RotationRecord {
        id: id.to_string(),
        at: parse_time(r.get(0))?,
        actor: r.get(1),
        old_fingerprint: r.get(2),
        new_fingerprint: r.get(3),
    })
}

/// The entries of rotation `id`, by scope.
async fn entries<C: GenericClient>(c: &C, id: &str) -> Result<Vec<RotatedScope>, StoreError> {
    Ok(c.query(
        "SELECT scope, version_before, version_after FROM rotation_scopes
         WHERE rotation_id = $1 ORDER BY scope",
        &[&id],
    )
    .await?
    .iter()
    .map(|r| RotatedScope {
        scope: r.get(0),
        version_before: r.get(1),
        version_after: r.get(2),
    })
    .collect())
}

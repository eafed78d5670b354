//! Queries on the `rotations` and `rotation_scopes` tables in PostgreSQL
//! (see [`crate::store::rotations`]). A swap is one transaction holding the
//! scope's row `FOR UPDATE`: the config update with its version and audit
//! entry, and the scope's rotation entry.

use tokio_postgres::GenericClient;

use super::rows::{fmt_time, parse_time};
use super::{ConfigRow, PgStore, StoreError, configs};
use crate::domain::Scope;
use crate::store::RowUpdate;
use crate::store::rotations::{RotatedScope, RotationRecord};

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
    let after = newest_version(c, scope).await?;
    let entry = RotatedScope {
        scope: scope.key().to_string(),
        version_before: after - 1,
        version_after: after,
    };
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

    /// Swaps the key of `scope` with `change` and records the swap under
    /// `rotation`, in one transaction.
    pub async fn swap_key<E>(
        &self,
        rotation: &str,
        scope: &Scope,
        change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E> + Send + 'static,
    ) -> Result<(ConfigRow, RotatedScope), E>
    where
        E: From<StoreError> + Send + 'static,
    {
        let kcv = self.expected_kcv();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StoreError::from)?;
        configs::check_sealing_key(&tx, kcv.as_deref()).await?;
        let with = self.versioning();
        let next = configs::update_in(&tx, with.as_ref(), scope, change).await?;
        let entry = record_swap(&*tx, rotation, scope).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok((next, entry))
    }

    /// Records, in one transaction, that `rotation` swapped `scopes` (their
    /// newest versions are the swaps'): after an atomic batch.
    pub async fn record_swaps(
        &self,
        rotation: &str,
        scopes: Vec<Scope>,
    ) -> Result<Vec<RotatedScope>, StoreError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let mut out = Vec::with_capacity(scopes.len());
        for scope in &scopes {
            out.push(record_swap(&*tx, rotation, scope).await?);
        }
        tx.commit().await?;
        Ok(out)
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
        let record = RotationRecord {
            id: id.to_string(),
            at: parse_time(r.get(0))?,
            actor: r.get(1),
            old_fingerprint: r.get(2),
            new_fingerprint: r.get(3),
        };
        let scopes = c
            .query(
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
            .collect();
        Ok(Some((record, scopes)))
    }

    /// The newest version number of `scope` (0 when it has none).
    pub async fn newest_version(&self, scope: &Scope) -> Result<i64, StoreError> {
        let c = self.client().await?;
        newest_version(&**c, scope).await
    }
}

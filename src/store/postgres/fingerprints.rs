//! The fingerprint key and the one-time migration of unkeyed fingerprints
//! on PostgreSQL (see [`crate::store::fingerprints`]). The migration locks
//! `configs` so no replica writes an unkeyed fingerprint meanwhile, and a
//! second replica finds the mark and does nothing.

use tokio_postgres::GenericClient;

use super::{PgStore, StoreError, configs};
use crate::store::fingerprints::{
    MAP_UPDATE, MARK, READ_KEY, READ_MARK, migrated_config, migrated_version, reseal, withhold,
};
use crate::store::versions::{VERSION_COLUMNS, VersionRow, Versioning};

/// Re-seals the fingerprint key from `old` to `new` inside a rotation.
pub(super) async fn reseal_key<C: GenericClient>(
    tx: &C,
    old: &Versioning,
    new: &Versioning,
) -> Result<(), StoreError> {
    let stored: Option<String> = tx
        .query_opt(&format!("{READ_KEY} FOR UPDATE"), &[])
        .await?
        .map(|r| r.get(0));
    if let Some(text) = stored {
        tx.execute(
            "UPDATE meta SET value = $1 WHERE key = 'fingerprint_key'",
            &[&reseal(&text, &old.master, &new.master)?],
        )
        .await?;
    }
    Ok(())
}

impl PgStore {
    /// Records `sealed` (hex) as the fingerprint key unless one is, and
    /// returns the recorded one (another replica may have won).
    pub async fn init_fingerprint_key(&self, sealed: String) -> Result<String, StoreError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO meta (key, value) VALUES ('fingerprint_key', $1)
                 ON CONFLICT (key) DO NOTHING",
            &[&sealed],
        )
        .await?;
        Ok(c.query_one(READ_KEY, &[]).await?.get(0))
    }

    /// Re-derives every unkeyed fingerprint (configs, kept versions, and
    /// the audit entries naming those keys) and withholds the rest, in one
    /// transaction, then marks the store. Returns how many keys moved.
    pub async fn migrate_fingerprints(&self) -> Result<usize, StoreError> {
        let with = self
            .versioning()
            .ok_or_else(|| StoreError::Open("no fingerprint key set".into()))?;
        let mut c = self.client().await?;
        let mark: Option<String> = c.query_opt(READ_MARK, &[]).await?.map(|r| r.get(0));
        if mark.as_deref() == Some(MARK) {
            return Ok(0);
        }
        let tx = c.transaction().await?;
        tx.batch_execute(
            "LOCK TABLE configs IN SHARE ROW EXCLUSIVE MODE;
             CREATE TEMP TABLE fingerprint_map (old TEXT PRIMARY KEY, new TEXT NOT NULL)
                 ON COMMIT DROP;",
        )
        .await?;
        let mark: Option<String> = tx.query_opt(READ_MARK, &[]).await?.map(|r| r.get(0));
        if mark.as_deref() == Some(MARK) {
            return Ok(0);
        }
        let mut moved = 0;
        for row in configs::all(&*tx).await? {
            if let Some((old, new)) = migrated_config(&row, &with)? {
                tx.execute(
                    "UPDATE configs SET key_fingerprint = $1 WHERE id = $2",
                    &[&new, &row.id.to_string()],
                )
                .await?;
                tx.execute(
                    "INSERT INTO fingerprint_map (old, new) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&old, &new],
                )
                .await?;
                moved += 1;
            }
        }
        tx.batch_execute(MAP_UPDATE).await?;
        let kept = tx
            .query(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM config_versions WHERE sealed_key IS NOT NULL"
                ),
                &[],
            )
            .await?;
        for r in &kept {
            let v = VersionRow::from_columns(r)?;
            if let Some(new) = migrated_version(&v, &with)? {
                tx.execute(
                    "UPDATE config_versions SET key_fingerprint = $1 WHERE scope = $2 AND version = $3",
                    &[&new, &v.scope.key(), &v.version],
                )
                .await?;
            }
        }
        tx.batch_execute(&withhold()).await?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('fingerprints', $1)
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&MARK],
        )
        .await?;
        tx.commit().await?;
        Ok(moved)
    }
}

//! Where the fleet features' calls run (see the module doc of `sqlite/mod.rs`):
//! the all-or-nothing batch, kept versions and restore, key rotations,
//! keyed fingerprints and the key-usage map. The queries are in the
//! sibling files this one names.

use super::*;

impl SqliteStore {
    /// Every write of `writes` in one transaction, or none of them.
    pub async fn write_batch<E>(&self, writes: Vec<BatchWrite<E>>) -> Result<usize, BatchFailure<E>>
    where
        E: From<StoreError> + Send + 'static,
    {
        self.write(move |c| configs::batch(c, writes)).await
    }

    /// Tells the writer what to seal versions with and how many to keep.
    pub async fn set_versioning(&self, with: Versioning) -> Result<(), StoreError> {
        self.shared
            .writer
            .run(move |c| c.versioning = Some(with))
            .await
    }

    /// Every config and every kept version with a sealed key, read in one
    /// transaction (`master-key verify`).
    pub async fn sealed_inventory(&self) -> Result<SealedInventory, StoreError> {
        self.read(|c| {
            let tx = c.unchecked_transaction()?;
            let inventory = SealedInventory {
                configs: configs::all(&tx)?,
                versions: versions::all_sealed(&tx)?,
            };
            tx.finish()?;
            Ok(inventory)
        })
        .await
    }

    /// The newest `limit` versions, newest first; one scope or all. A
    /// scope's history is a point read on its primary key.
    pub async fn history(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<VersionRow>, StoreError> {
        match scope {
            Some(scope) => self
                .shared
                .points
                .run(|c| versions::history(c, Some(scope), limit)),
            None => self.read(move |c| versions::history(c, None, limit)).await,
        }
    }

    /// Makes version `version` of `scope` current again.
    pub async fn restore(
        &self,
        scope: &Scope,
        version: i64,
        audit: AuditRecord,
    ) -> Result<ConfigRow, StoreError> {
        let scope = scope.clone();
        self.write(move |c| versions::restore(c, &scope, version, &audit))
            .await
    }

    /// Records a rotation, or finds the one a re-run continues.
    pub async fn begin_rotation(
        &self,
        candidate: crate::store::rotations::RotationRecord,
    ) -> Result<crate::store::rotations::RotationRecord, StoreError> {
        self.write(move |c| rotations::begin(c, candidate)).await
    }

    /// Swaps each of `swaps` and records it under `rotation`, in one
    /// transaction.
    pub async fn swap_keys<E>(
        &self,
        rotation: &str,
        swaps: Vec<crate::store::rotations::KeySwap<E>>,
    ) -> Result<Vec<crate::store::rotations::RotatedScope>, BatchFailure<E>>
    where
        E: From<StoreError> + Send + 'static,
    {
        let rotation = rotation.to_string();
        self.write(move |c| rotations::swap(c, &rotation, swaps))
            .await
    }

    /// Rolls a rotation back, all or nothing.
    pub async fn roll_back(
        &self,
        req: crate::store::rotations::RollbackRequest,
    ) -> Result<crate::store::rotations::RollbackOutcome, BatchFailure<StoreError>> {
        self.write(move |c| rotations::roll_back(c, &req)).await
    }

    /// Rotation `id` and the scopes it swapped.
    #[allow(clippy::type_complexity)]
    pub async fn rotation(
        &self,
        id: &str,
    ) -> Result<
        Option<(
            crate::store::rotations::RotationRecord,
            Vec<crate::store::rotations::RotatedScope>,
        )>,
        StoreError,
    > {
        let id = id.to_string();
        self.read(move |c| rotations::get(c, &id)).await
    }

    /// Records `sealed` (hex) as the fingerprint key unless one is, and
    /// returns the recorded one.
    pub async fn init_fingerprint_key(&self, sealed: String) -> Result<String, StoreError> {
        self.write(move |c| fingerprints::init(c, &sealed)).await
    }

    /// Re-derives unkeyed fingerprints once (see `fingerprints::migrate`).
    pub async fn migrate_fingerprints(&self) -> Result<usize, StoreError> {
        self.write(fingerprints::migrate).await
    }

    /// Every config with its key's mask, fingerprint and last test.
    pub async fn key_uses(&self) -> Result<Vec<crate::domain::KeyUse>, StoreError> {
        self.read(key_map::uses).await
    }

    /// Rewrites the file without its free pages (`VACUUM`), so nothing a
    /// delete freed remains in it.
    pub async fn vacuum(&self) -> Result<(), StoreError> {
        self.write_alone(|c| Ok(c.conn.execute_batch("VACUUM;")?))
            .await
    }
}

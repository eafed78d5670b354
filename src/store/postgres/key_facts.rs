//! The stored key-endpoint answers on PostgreSQL (SQL in
//! `store/key_facts.rs`).

use super::{PgStore, StoreError};
use crate::domain::KeyFactsRecord;
use crate::store::key_facts::{columns_of, prune, record_from, select, stale_before, upsert};
use crate::store::writes::Dialect;

impl PgStore {
    /// The stored answer for one key and provider.
    pub async fn key_facts(
        &self,
        fingerprint: String,
        provider: String,
    ) -> Result<Option<KeyFactsRecord>, StoreError> {
        let c = self.client().await?;
        let row = c
            .query_opt(&select(Dialect::Postgres), &[&fingerprint, &provider])
            .await?;
        row.map(|r| record_from(r.get(0), r.get(1))).transpose()
    }

    /// Stores the answer for one key and provider; drops the stale ones
    /// (after the save, on its own: a failed clean-up loses nothing).
    pub async fn save_key_facts(
        &self,
        fingerprint: String,
        provider: String,
        record: KeyFactsRecord,
    ) -> Result<(), StoreError> {
        let (at, facts) = columns_of(&record);
        let c = self.client().await?;
        c.execute(
            &upsert(Dialect::Postgres),
            &[&fingerprint, &provider, &at, &facts],
        )
        .await?;
        c.execute(&prune(Dialect::Postgres), &[&stale_before(&record)])
            .await?;
        Ok(())
    }
}

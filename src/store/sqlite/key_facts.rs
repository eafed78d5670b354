//! The stored key-endpoint answers on SQLite (SQL in `store/key_facts.rs`).

use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, StoreError};
use crate::domain::KeyFactsRecord;
use crate::store::key_facts::{columns_of, prune, record_from, select, stale_before, upsert};
use crate::store::writes::Dialect;

impl SqliteStore {
    /// The stored answer for one key and provider.
    pub async fn key_facts(
        &self,
        fingerprint: String,
        provider: String,
    ) -> Result<Option<KeyFactsRecord>, StoreError> {
        self.read(move |c| {
            let row = c
                .query_row(&select(Dialect::Sqlite), [&fingerprint, &provider], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?;
            row.map(|(at, facts)| record_from(&at, &facts)).transpose()
        })
        .await
    }

    /// Stores the answer for one key and provider; drops the stale ones.
    pub async fn save_key_facts(
        &self,
        fingerprint: String,
        provider: String,
        record: KeyFactsRecord,
    ) -> Result<(), StoreError> {
        let (at, facts) = columns_of(&record);
        let stale = stale_before(&record);
        self.write(move |c| {
            let tx = c.begin()?;
            tx.execute(
                &upsert(Dialect::Sqlite),
                params![fingerprint, provider, at, facts],
            )?;
            tx.execute(&prune(Dialect::Sqlite), [stale])?;
            tx.commit()?;
            Ok::<_, StoreError>(())
        })
        .await
    }
}

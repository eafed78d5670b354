//! The stored answers of the providers' free key endpoints, per key
//! fingerprint and provider: read before a test so one answer serves every
//! test of that key for a day, across processes and replicas. An answer
//! older than that is never read again (it is asked anew), so each save
//! also drops the answers past that age: those of keys since rotated away
//! or deleted would otherwise stay for good. The SQL is written once here;
//! each engine only runs it.

use super::rows::{fmt_time, parse_time};
use super::writes::Dialect;
use super::{Store, StoreError};
use crate::domain::{KEY_FACTS_MAX_AGE, KeyFacts, KeyFactsRecord};

/// The stored answer for one key and provider, in `dialect`'s parameters.
pub(crate) fn select(dialect: Dialect) -> String {
    format!(
        "SELECT fetched_at, facts FROM key_facts WHERE key_fingerprint = {} AND provider = {}",
        dialect.param(1),
        dialect.param(2)
    )
}

/// Stores (or replaces) the answer for one key and provider.
pub(crate) fn upsert(dialect: Dialect) -> String {
    let p = |n| dialect.param(n);
    format!(
        "INSERT INTO key_facts (key_fingerprint, provider, fetched_at, facts) \
         VALUES ({}, {}, {}, {}) \
         ON CONFLICT (key_fingerprint, provider) DO UPDATE SET \
         fetched_at = excluded.fetched_at, facts = excluded.facts",
        p(1),
        p(2),
        p(3),
        p(4)
    )
}

/// Drops every answer read before the time in parameter 1. The times are
/// all written by `fmt_time` in UTC, so text order is time order down to
/// the second, which is all a cut-off a day back needs.
pub(crate) fn prune(dialect: Dialect) -> String {
    format!(
        "DELETE FROM key_facts WHERE fetched_at < {}",
        dialect.param(1)
    )
}

/// The cut-off for [`prune`] when `record` is saved: an answer older than
/// [`KEY_FACTS_MAX_AGE`] by then can no longer stand in for a read.
pub(crate) fn stale_before(record: &KeyFactsRecord) -> String {
    fmt_time(record.fetched_at - KEY_FACTS_MAX_AGE)
}

/// A stored row's columns as a record.
pub(crate) fn record_from(fetched_at: &str, facts: &str) -> Result<KeyFactsRecord, StoreError> {
    Ok(KeyFactsRecord {
        fetched_at: parse_time(fetched_at)?,
        facts: serde_json::from_str::<KeyFacts>(facts)
            .map_err(|e| StoreError::Corrupt(format!("key facts {facts:?}: {e}")))?,
    })
}

/// A record as its two stored columns.
pub(crate) fn columns_of(record: &KeyFactsRecord) -> (String, String) {
    (
        fmt_time(record.fetched_at),
        serde_json::to_string(&record.facts).expect("key facts always serialise"),
    )
}

impl Store {
    /// The stored answer of `provider`'s key endpoint for the key with
    /// `fingerprint`, if one was read.
    pub async fn key_facts(
        &self,
        fingerprint: &str,
        provider: &str,
    ) -> Result<Option<KeyFactsRecord>, StoreError> {
        let (fingerprint, provider) = (fingerprint.to_string(), provider.to_string());
        each!(self, s => s.key_facts(fingerprint, provider))
    }

    /// Keeps `record` as the answer of `provider`'s key endpoint for the key
    /// with `fingerprint`, replacing an older one, and drops every answer
    /// too old to be reused by then.
    pub async fn save_key_facts(
        &self,
        fingerprint: &str,
        provider: &str,
        record: KeyFactsRecord,
    ) -> Result<(), StoreError> {
        let (fingerprint, provider) = (fingerprint.to_string(), provider.to_string());
        each!(self, s => s.save_key_facts(fingerprint, provider, record))
    }
}

//! The store's side of keyed fingerprints, written once for both engines:
//! where the sealed fingerprint key lives (`meta`), how a master-key
//! rotation re-seals it, and how the fingerprints an earlier llmcfg stored
//! (unkeyed `sha256:…`) are re-derived from the opened keys, once, in one
//! transaction on open: configs, kept versions, and the audit entries that
//! named those keys. An unkeyed fingerprint of a key stored nowhere any
//! more (an audit entry of a deleted scope) cannot be re-derived; it is
//! replaced by [`WITHHELD`] in the same transaction, since the unkeyed
//! value alone would confirm a guessed key offline.

use super::StoreError;
use super::rows::ConfigRow;
use super::versions::{VersionRow, Versioning};
use crate::crypto::fingerprint::is_keyed;
use crate::crypto::{Fingerprinter, MasterKey, SealedKey};

/// Reads the sealed fingerprint key (hex), both dialects.
pub const READ_KEY: &str = "SELECT value FROM meta WHERE key = 'fingerprint_key'";
/// Reads the mark that every stored fingerprint is keyed.
pub const READ_MARK: &str = "SELECT value FROM meta WHERE key = 'fingerprints'";
/// The value of that mark. A store marked by the first version of the
/// migration (`hmac-sha256`, which left the unkeyed fingerprints of keys no
/// longer stored) is migrated again, which only withholds those.
pub const MARK: &str = "hmac-sha256;unkeyed-withheld";

pub use crate::crypto::fingerprint::WITHHELD;

/// Rewrites the audit log's and the kept versions' fingerprints through a
/// temporary `fingerprint_map (old, new)` table, both dialects.
pub const MAP_UPDATE: &str = "UPDATE audit SET key_fingerprint =
         (SELECT m.new FROM fingerprint_map m WHERE m.old = audit.key_fingerprint)
     WHERE key_fingerprint IN (SELECT old FROM fingerprint_map);
     UPDATE config_versions SET key_fingerprint =
         (SELECT m.new FROM fingerprint_map m WHERE m.old = config_versions.key_fingerprint)
     WHERE key_fingerprint IN (SELECT old FROM fingerprint_map);";

/// Replaces every unkeyed fingerprint the map update and the re-derived
/// versions left (their key is stored nowhere, so there is nothing to
/// derive a keyed one from) with [`WITHHELD`], both dialects.
pub fn withhold() -> String {
    ["audit", "config_versions"]
        .iter()
        .map(|table| {
            format!(
                "UPDATE {table} SET key_fingerprint = '{WITHHELD}'
                 WHERE key_fingerprint LIKE '{UNKEYED_PREFIX}%';"
            )
        })
        .collect()
}

/// How an unkeyed fingerprint begins.
const UNKEYED_PREFIX: &str = "sha256:";

/// The sealed fingerprint key as `meta` holds it.
pub fn encode(sealed: &SealedKey) -> String {
    hex::encode(sealed.as_bytes())
}

/// The sealed fingerprint key read back from `meta`.
pub fn decode(text: &str) -> Result<SealedKey, StoreError> {
    hex::decode(text.trim())
        .map(SealedKey::from_stored)
        .map_err(|_| StoreError::Corrupt("meta.fingerprint_key is not hex".into()))
}

/// The stored fingerprint key (hex) re-sealed from `old` to `new`.
pub fn reseal(text: &str, old: &MasterKey, new: &MasterKey) -> Result<String, StoreError> {
    let sealed = Fingerprinter::reseal(old, new, &decode(text)?)
        .map_err(|e| StoreError::Corrupt(format!("the fingerprint key did not open ({e})")))?;
    Ok(encode(&sealed))
}

/// A config whose stored fingerprint is unkeyed: its old and new fingerprint.
pub fn migrated_config(
    row: &ConfigRow,
    with: &Versioning,
) -> Result<Option<(String, String)>, StoreError> {
    if is_keyed(&row.key_fingerprint) {
        return Ok(None);
    }
    let key = row.open_key(&with.master).map_err(|e| {
        StoreError::Corrupt(format!(
            "the key of the {} did not open to re-derive its fingerprint ({e})",
            row.scope
        ))
    })?;
    Ok(Some((
        row.key_fingerprint.clone(),
        with.fingerprints.fingerprint(&key),
    )))
}

/// A kept version whose stored fingerprint is unkeyed: its new fingerprint.
pub fn migrated_version(v: &VersionRow, with: &Versioning) -> Result<Option<String>, StoreError> {
    match &v.config {
        Some(kept) if !is_keyed(&kept.key_fingerprint) => Ok(Some(
            with.fingerprints.fingerprint(&v.open_key(&with.master)?),
        )),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withholding_rewrites_only_unkeyed_fingerprints_of_both_tables() {
        let sql = withhold();
        for table in ["UPDATE audit ", "UPDATE config_versions "] {
            assert!(sql.contains(table), "{sql}");
        }
        assert_eq!(sql.matches("LIKE 'sha256:%'").count(), 2, "{sql}");
        assert_eq!(sql.matches(WITHHELD).count(), 2, "{sql}");
        use crate::crypto::fingerprint::shown;
        assert_eq!(shown(WITHHELD), "(unkeyed fingerprint withheld)");
        assert_eq!(shown("hmac:00"), "hmac:00");
    }
}

//! The store's side of keyed fingerprints, written once for both engines:
//! where the sealed fingerprint key lives (`meta`), how a master-key
//! rotation re-seals it, and how the fingerprints an earlier llmcfg stored
//! (unkeyed `sha256:…`) are re-derived from the opened keys, once, in one
//! transaction on open: configs, kept versions, and the audit entries that
//! named those keys.

use super::StoreError;
use super::rows::ConfigRow;
use super::versions::{VersionRow, Versioning};
use crate::crypto::fingerprint::is_keyed;
use crate::crypto::{Fingerprinter, MasterKey, SealedKey};

/// Reads the sealed fingerprint key (hex), both dialects.
pub const READ_KEY: &str = "SELECT value FROM meta WHERE key = 'fingerprint_key'";
/// Reads the mark that every stored fingerprint is keyed.
pub const READ_MARK: &str = "SELECT value FROM meta WHERE key = 'fingerprints'";
/// The value of that mark.
pub const MARK: &str = "hmac-sha256";

/// Rewrites the audit log's and the kept versions' fingerprints through a
/// temporary `fingerprint_map (old, new)` table, both dialects.
pub const MAP_UPDATE: &str = "UPDATE audit SET key_fingerprint =
         (SELECT m.new FROM fingerprint_map m WHERE m.old = audit.key_fingerprint)
     WHERE key_fingerprint IN (SELECT old FROM fingerprint_map);
     UPDATE config_versions SET key_fingerprint =
         (SELECT m.new FROM fingerprint_map m WHERE m.old = config_versions.key_fingerprint)
     WHERE key_fingerprint IN (SELECT old FROM fingerprint_map);";

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

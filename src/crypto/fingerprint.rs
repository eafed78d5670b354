//! Keyed key fingerprints: HMAC-SHA256 under a fingerprint key of the
//! store's own, so an audit log, an export or a history listing cannot be
//! used to confirm a guessed API key offline (an unkeyed hash could). The
//! fingerprint key is random, kept in the store sealed under the master key
//! (and re-sealed by a master-key rotation, so fingerprints stay stable
//! across it). A fingerprint is `hmac:` and 16 bytes in hex: 128 bits, so
//! 100,000 keys collide with odds around 10^-29.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{Aad, CryptoError, MasterKey, SealedKey, open, seal};
use crate::domain::{ApiKey, Scope};

const KEY_LEN: usize = 32;
/// Bytes of the HMAC kept in a fingerprint.
const FINGERPRINT_BYTES: usize = 16;
/// What a keyed fingerprint starts with (an unkeyed one, from before,
/// starts with `sha256:`).
pub const KEYED_PREFIX: &str = "hmac:";

/// What stands in place of an unkeyed fingerprint whose key is no longer
/// stored anywhere (so it cannot be re-derived): the unkeyed value would
/// confirm a guessed key offline, so it is not kept.
pub const WITHHELD: &str = "legacy:withheld";

/// A fingerprint as a person reads it: the withheld marker said in words.
pub fn shown(fingerprint: &str) -> &str {
    if fingerprint == WITHHELD {
        "(unkeyed fingerprint withheld)"
    } else {
        fingerprint
    }
}

/// The "provider" the fingerprint key's sealing is bound to: no catalog
/// entry has parentheses, and the nil record id is no row's.
const PURPOSE: &str = "(fingerprint key)";

/// The store's fingerprint key. `Debug` never shows it.
#[derive(Clone)]
pub struct Fingerprinter(Zeroizing<[u8; KEY_LEN]>);

impl std::fmt::Debug for Fingerprinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fingerprinter([REDACTED])")
    }
}

fn aad() -> Aad {
    Aad::for_record(&Scope::Global, Uuid::nil(), PURPOSE, None)
}

impl Fingerprinter {
    /// A fresh random fingerprint key.
    pub fn generate() -> Fingerprinter {
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        getrandom::fill(bytes.as_mut()).expect("the OS random generator is available");
        Fingerprinter(bytes)
    }

    /// The fingerprint of `key`: `hmac:` and 32 hex digits.
    pub fn fingerprint(&self, key: &ApiKey) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_ref())
            .expect("HMAC takes a key of any length");
        mac.update(b"llmcfg fingerprint v2\0");
        mac.update(key.expose().as_bytes());
        let tag = mac.finalize().into_bytes();
        format!("{KEYED_PREFIX}{}", hex::encode(&tag[..FINGERPRINT_BYTES]))
    }

    /// This key sealed under `master`, for the store.
    pub fn seal(&self, master: &MasterKey) -> SealedKey {
        let text = Zeroizing::new(hex::encode(self.0.as_ref()));
        seal(master, &aad(), &ApiKey::new(text.as_str()))
    }

    /// The key the store holds sealed under `master`.
    pub fn open(master: &MasterKey, sealed: &SealedKey) -> Result<Fingerprinter, CryptoError> {
        let text = open(master, &aad(), sealed)?;
        let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
        hex::decode_to_slice(text.expose(), bytes.as_mut())
            .map_err(|_| CryptoError::Malformed("fingerprint key"))?;
        Ok(Fingerprinter(bytes))
    }

    /// The stored fingerprint key re-sealed from `old` to `new`, for a
    /// master-key rotation.
    pub fn reseal(
        old: &MasterKey,
        new: &MasterKey,
        sealed: &SealedKey,
    ) -> Result<SealedKey, CryptoError> {
        Ok(Fingerprinter::open(old, sealed)?.seal(new))
    }
}

/// True for a keyed fingerprint; false for one from before (`sha256:…`).
pub fn is_keyed(fingerprint: &str) -> bool {
    fingerprint.starts_with(KEYED_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_long_stable_and_bound_to_the_key() {
        let f = Fingerprinter::generate();
        let k = ApiKey::new("sk-ant-abcdef");
        let fp = f.fingerprint(&k);
        assert_eq!(fp, f.fingerprint(&k));
        assert_eq!(fp.len(), KEYED_PREFIX.len() + 2 * FINGERPRINT_BYTES);
        assert!(is_keyed(&fp) && !fp.contains("abcdef"));
        // Another store's key gives another fingerprint: no offline check.
        assert_ne!(fp, Fingerprinter::generate().fingerprint(&k));
        assert_ne!(fp, f.fingerprint(&ApiKey::new("sk-ant-abcdeg")));
        assert!(!format!("{f:?}").contains(&hex::encode(f.0.as_ref())));
    }

    #[test]
    fn sealed_under_the_master_key_and_resealed_by_a_rotation() {
        let (old, new) = (MasterKey::generate(), MasterKey::generate());
        let f = Fingerprinter::generate();
        let k = ApiKey::new("sk-proj-x");
        let sealed = f.seal(&old);
        assert!(
            !sealed
                .as_bytes()
                .windows(8)
                .any(|w| f.0.windows(8).any(|x| x == w))
        );
        let again = Fingerprinter::open(&old, &sealed).unwrap();
        assert_eq!(again.fingerprint(&k), f.fingerprint(&k));
        let moved = Fingerprinter::reseal(&old, &new, &sealed).unwrap();
        assert!(Fingerprinter::open(&old, &moved).is_err());
        let rotated = Fingerprinter::open(&new, &moved).unwrap();
        assert_eq!(rotated.fingerprint(&k), f.fingerprint(&k));
    }

    #[test]
    fn a_hundred_thousand_keys_do_not_collide() {
        let f = Fingerprinter::generate();
        let mut seen = std::collections::HashSet::new();
        for i in 0..100_000 {
            assert!(seen.insert(f.fingerprint(&ApiKey::new(format!("sk-{i:08}")))));
        }
    }
}

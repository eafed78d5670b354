//! Sealing an API key: XChaCha20-Poly1305 with a random 192-bit nonce. The
//! associated data binds each ciphertext to its scope, record id, provider and
//! base-URL origin, so a blob copied onto another row fails to open.
//!
//! Blob layout: `version (1) | key id (4) | nonce (24) | ciphertext + tag`.

use chacha20poly1305::aead::{Aead, Generate, Key, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{CryptoError, MasterKey};
use crate::domain::validation::origin_of;
use crate::domain::{ApiKey, Scope};

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const HEADER_LEN: usize = 1 + 4 + NONCE_LEN;

/// What a ciphertext is bound to: the fields a key can never move between
/// without being re-entered (design §2). Built only by [`Aad::for_record`],
/// so every seal and open derives it the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aad {
    scope_key: String,
    record_id: Uuid,
    provider: String,
    /// Origin of the base-URL override, or `""` for the provider default.
    origin: String,
    /// The version number of a kept earlier version (see `store::versions`);
    /// `None` for the live row, whose bytes stay as they were before
    /// versions existed.
    version: Option<u64>,
}

impl Aad {
    /// The binding of the record `record_id` of `scope` for `provider` at
    /// `base_url` (its origin only; `None` for the provider default).
    pub fn for_record(
        scope: &Scope,
        record_id: Uuid,
        provider: &str,
        base_url: Option<&str>,
    ) -> Aad {
        Aad {
            scope_key: scope.key().to_string(),
            record_id,
            provider: provider.to_string(),
            origin: base_url.map(origin_of).unwrap_or_default(),
            version: None,
        }
    }

    /// This binding narrowed to version `version` of the record, so a kept
    /// version's ciphertext opens neither as the live row nor as any other
    /// version.
    pub fn at_version(mut self, version: u64) -> Aad {
        self.version = Some(version);
        self
    }

    fn bytes(&self) -> Vec<u8> {
        // Length-prefixed so no two field combinations serialise alike.
        let mut out = b"llmcfg/v1".to_vec();
        for field in [
            self.scope_key.as_bytes(),
            self.record_id.as_bytes().as_slice(),
            self.provider.as_bytes(),
            self.origin.as_bytes(),
        ] {
            out.extend_from_slice(&(field.len() as u32).to_be_bytes());
            out.extend_from_slice(field);
        }
        // A fifth field only for a kept version: the live row's bytes (and so
        // every ciphertext stored before versions) are unchanged.
        if let Some(version) = self.version {
            let field = version.to_be_bytes();
            out.extend_from_slice(&(field.len() as u32).to_be_bytes());
            out.extend_from_slice(&field);
        }
        out
    }
}

/// An API key sealed under the master key for one record. The only way to
/// make one is [`seal`] (or reading back what the store holds, which only
/// the store may do), so a plaintext key cannot be written by mistake and
/// no empty placeholder ever stands in for a key.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedKey(Vec<u8>);

impl SealedKey {
    /// Wraps bytes the store read back from a row it wrote.
    pub(crate) fn from_stored(bytes: Vec<u8>) -> SealedKey {
        SealedKey(bytes)
    }

    /// The bytes to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The same bytes with one bit flipped: what a tampered row holds.
    #[cfg(test)]
    fn tampered(&self) -> SealedKey {
        let mut bytes = self.0.clone();
        if let Some(last) = bytes.last_mut() {
            *last ^= 1;
        }
        SealedKey(bytes)
    }
}

impl std::fmt::Debug for SealedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealedKey({} bytes)", self.0.len())
    }
}

fn cipher(master: &MasterKey) -> XChaCha20Poly1305 {
    let key = Key::<XChaCha20Poly1305>::from(*master.bytes());
    XChaCha20Poly1305::new(&key)
}

/// Seals `key` for the record described by `aad`, with a fresh nonce.
pub fn seal(master: &MasterKey, aad: &Aad, key: &ApiKey) -> SealedKey {
    let nonce = XNonce::generate();
    let ct = cipher(master)
        .encrypt(
            &nonce,
            Payload {
                msg: key.expose().as_bytes(),
                aad: &aad.bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 encryption of a bounded message cannot fail");
    let mut blob = Vec::with_capacity(HEADER_LEN + ct.len());
    blob.push(VERSION);
    blob.extend_from_slice(&master.key_id());
    blob.extend_from_slice(nonce.as_slice());
    blob.extend_from_slice(&ct);
    SealedKey(blob)
}

/// Opens a sealed key; fails if it was tampered with, moved, or sealed under
/// another master key.
pub fn open(master: &MasterKey, aad: &Aad, sealed: &SealedKey) -> Result<ApiKey, CryptoError> {
    let blob = sealed.as_bytes();
    if blob.len() < HEADER_LEN + 16 {
        return Err(CryptoError::Malformed("too short"));
    }
    if blob[0] != VERSION {
        return Err(CryptoError::Malformed("unknown version"));
    }
    if blob[1..5] != master.key_id() {
        return Err(CryptoError::OtherMasterKey);
    }
    let nonce =
        XNonce::try_from(&blob[5..HEADER_LEN]).map_err(|_| CryptoError::Malformed("nonce"))?;
    let plain = zeroize::Zeroizing::new(
        cipher(master)
            .decrypt(
                &nonce,
                Payload {
                    msg: &blob[HEADER_LEN..],
                    aad: &aad.bytes(),
                },
            )
            .map_err(|_| CryptoError::Integrity)?,
    );
    let text = std::str::from_utf8(&plain).map_err(|_| CryptoError::Integrity)?;
    Ok(ApiKey::new(text))
}

/// The unkeyed fingerprint earlier versions stored (`sha256:` and 6 bytes).
/// Anyone can compute it, so it could confirm a guessed key offline; it is
/// used only to find the audit entries to migrate to the keyed
/// [`super::Fingerprinter`].
pub fn fingerprint(key: &ApiKey) -> String {
    let digest = Sha256::new()
        .chain_update(b"llmcfg fingerprint v1\0")
        .chain_update(key.expose().as_bytes())
        .finalize();
    format!("sha256:{}", hex::encode(&digest[..6]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aad(scope: &str, id: Uuid) -> Aad {
        Aad::for_record(&Scope::from_key(scope).unwrap(), id, "openai", None)
    }

    #[test]
    fn round_trip() {
        let m = MasterKey::generate();
        let id = Uuid::new_v4();
        let s = seal(&m, &aad("acme", id), &ApiKey::new("sk-secret-value"));
        assert!(!s.as_bytes().windows(9).any(|w| w == b"sk-secret"));
        assert_eq!(
            open(&m, &aad("acme", id), &s).unwrap().expose(),
            "sk-secret-value"
        );
    }

    #[test]
    fn nonces_differ() {
        let m = MasterKey::generate();
        let id = Uuid::new_v4();
        let k = ApiKey::new("same");
        assert_ne!(seal(&m, &aad("a", id), &k), seal(&m, &aad("a", id), &k));
    }

    #[test]
    fn moved_or_tampered_blob_fails() {
        let m = MasterKey::generate();
        let id = Uuid::new_v4();
        let s = seal(&m, &aad("acme", id), &ApiKey::new("k"));
        assert!(matches!(
            open(&m, &aad("other", id), &s),
            Err(CryptoError::Integrity)
        ));
        assert!(matches!(
            open(&m, &aad("acme", Uuid::new_v4()), &s),
            Err(CryptoError::Integrity)
        ));
        let scope = Scope::from_key("acme").unwrap();
        let other_provider = Aad::for_record(&scope, id, "anthropic", None);
        assert!(open(&m, &other_provider, &s).is_err());
        let other_origin = Aad::for_record(&scope, id, "openai", Some("https://evil.example/v1"));
        assert!(open(&m, &other_origin, &s).is_err());
        assert!(matches!(
            open(&m, &aad("acme", id), &s.tampered()),
            Err(CryptoError::Integrity)
        ));
        assert!(matches!(
            open(&MasterKey::generate(), &aad("acme", id), &s),
            Err(CryptoError::OtherMasterKey)
        ));
    }

    #[test]
    fn a_version_binding_opens_only_at_its_version() {
        let m = MasterKey::generate();
        let id = Uuid::new_v4();
        let k = ApiKey::new("sk-versioned");
        let s = seal(&m, &aad("acme", id).at_version(3), &k);
        assert_eq!(
            open(&m, &aad("acme", id).at_version(3), &s)
                .unwrap()
                .expose(),
            "sk-versioned"
        );
        assert!(open(&m, &aad("acme", id), &s).is_err());
        assert!(open(&m, &aad("acme", id).at_version(4), &s).is_err());
        let live = seal(&m, &aad("acme", id), &k);
        assert!(open(&m, &aad("acme", id).at_version(0), &live).is_err());
    }

    #[test]
    fn fingerprint_is_short_and_stable() {
        let k = ApiKey::new("sk-ant-abcdef");
        assert_eq!(fingerprint(&k), fingerprint(&k));
        assert_eq!(fingerprint(&k).len(), "sha256:".len() + 12);
        assert!(!fingerprint(&k).contains("abcdef"));
    }
}

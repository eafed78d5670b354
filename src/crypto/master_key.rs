//! The 32-byte master key. It never leaves this type except as a borrowed
//! slice for the cipher, zeroizes on drop, and prints `[REDACTED]`.

use std::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::CryptoError;

/// Length of the master key, in bytes.
pub const MASTER_KEY_LEN: usize = 32;

/// The master key that seals every stored API key.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; MASTER_KEY_LEN]>);

impl MasterKey {
    /// A fresh random key from the OS generator.
    pub fn generate() -> MasterKey {
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        getrandom::fill(bytes.as_mut()).expect("the OS random generator is available");
        MasterKey(bytes)
    }

    /// Parses 64 hex characters (surrounding whitespace ignored).
    pub fn from_hex(text: &str, source_name: &str) -> Result<MasterKey, CryptoError> {
        let bad = || CryptoError::BadMasterKey {
            source_name: source_name.to_string(),
        };
        let text = text.trim();
        if text.len() != MASTER_KEY_LEN * 2 {
            return Err(bad());
        }
        let mut bytes = Zeroizing::new([0u8; MASTER_KEY_LEN]);
        hex::decode_to_slice(text, bytes.as_mut()).map_err(|_| bad())?;
        Ok(MasterKey(bytes))
    }

    /// The key as 64 lowercase hex characters, for writing a key file.
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// The raw bytes, for the cipher only.
    pub(crate) fn bytes(&self) -> &[u8; MASTER_KEY_LEN] {
        &self.0
    }

    /// A 4-byte id written into each sealed blob, so a blob sealed under
    /// another master key is told apart from a tampered one.
    pub fn key_id(&self) -> [u8; 4] {
        let digest = Sha256::new()
            .chain_update(b"llmcfg key-id v1\0")
            .chain_update(self.0.as_ref())
            .finalize();
        [digest[0], digest[1], digest[2], digest[3]]
    }

    /// The key check value stored with the database: proves at open time that
    /// this is the key the store was sealed with, without revealing it.
    pub fn check_value(&self) -> String {
        let digest = Sha256::new()
            .chain_update(b"llmcfg key-check v1\0")
            .chain_update(self.0.as_ref())
            .finalize();
        hex::encode(&digest[..16])
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_check_value() {
        let k = MasterKey::generate();
        let k2 = MasterKey::from_hex(&k.to_hex(), "test").unwrap();
        assert_eq!(k.check_value(), k2.check_value());
        assert_ne!(k.check_value(), MasterKey::generate().check_value());
        assert!(!format!("{k:?}").contains(&k.to_hex()[..8]));
    }

    #[test]
    fn malformed_hex_is_refused() {
        for bad in ["", "abc", &"zz".repeat(32), &"00".repeat(31)] {
            let e = MasterKey::from_hex(bad, "LLMCFG_MASTER_KEY").unwrap_err();
            assert!(e.to_string().contains("LLMCFG_MASTER_KEY"));
        }
    }
}

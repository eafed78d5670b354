//! The only code that sees plaintext keys at rest: sealing API keys with
//! XChaCha20-Poly1305 under the master key, and finding that master key
//! (environment, key file, OS keyring, or a new 0600 key file).

pub mod error;
pub mod fingerprint;
pub mod keyring;
pub mod master_key;
pub mod rotation_lock;
pub mod seal;
pub mod source;

pub use error::CryptoError;
pub use fingerprint::Fingerprinter;
pub use master_key::MasterKey;
pub use rotation_lock::{ROTATION_LOCK_WAIT, RotationLock};
pub use seal::{Aad, SealedKey, fingerprint, open, seal};
pub use source::{KeySource, LoadedKey, MasterKeyOptions, WhenMissing, load_or_create};

//! The OS keyring, where a persistent one exists: macOS Keychain, Windows
//! Credential Manager, and the Linux Secret Service when built with the
//! `desktop-keyring` feature and a session bus is present. The volatile Linux
//! kernel keyring is deliberately never used: a reboot would lose the key.

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

use super::CryptoError;

const SERVICE: &str = "llmcfg";

/// The persistent OS credential store, if this platform and build have one.
pub fn os_store() -> Option<Arc<CredentialStore>> {
    #[cfg(target_os = "macos")]
    {
        return apple_native_keyring_store::keychain::Store::new()
            .ok()
            .map(|s| s as Arc<CredentialStore>);
    }
    #[cfg(target_os = "windows")]
    {
        return windows_native_keyring_store::Store::new()
            .ok()
            .map(|s| s as Arc<CredentialStore>);
    }
    #[cfg(all(target_os = "linux", feature = "desktop-keyring"))]
    {
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
            return None;
        }
        return zbus_secret_service_keyring_store::Store::new()
            .ok()
            .map(|s| s as Arc<CredentialStore>);
    }
    #[allow(unreachable_code)]
    None
}

/// Reads the secret stored under `account`; `None` when there is none.
pub fn get(
    store: &Arc<CredentialStore>,
    account: &str,
) -> Result<Option<Zeroizing<String>>, CryptoError> {
    let entry = Entry::new_in_store(store, SERVICE, account)
        .map_err(|e| CryptoError::Keyring(e.to_string()))?;
    match entry.get_password() {
        Ok(secret) => Ok(Some(Zeroizing::new(secret))),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(e) => Err(CryptoError::Keyring(e.to_string())),
    }
}

/// Stores `secret` under `account`.
pub fn set(store: &Arc<CredentialStore>, account: &str, secret: &str) -> Result<(), CryptoError> {
    let entry = Entry::new_in_store(store, SERVICE, account)
        .map_err(|e| CryptoError::Keyring(e.to_string()))?;
    entry
        .set_password(secret)
        .map_err(|e| CryptoError::Keyring(e.to_string()))
}

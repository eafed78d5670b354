//! The OS keyring, where a persistent one exists: macOS Keychain, Windows
//! Credential Manager, and on Linux the Secret Service (GNOME Keyring,
//! KWallet) — built in by default (`desktop-keyring` feature), used when a
//! session bus is set and a Secret Service answers on it. The volatile
//! Linux kernel keyring is deliberately never used: a reboot would lose the
//! key. When no keyring answers, callers fall back to a 0600 file and say
//! why with [`unavailable_reason`].

use std::sync::{Arc, Mutex, OnceLock};

use keyring_core::{CredentialStore, Entry};
use zeroize::Zeroizing;

use super::CryptoError;

const SERVICE: &str = "llmcfg";

/// The store, or why there is none; looked up once per process (a D-Bus
/// connection is not free, and the answer does not change while we run).
static OS_STORE: OnceLock<Result<Arc<CredentialStore>, String>> = OnceLock::new();

/// The persistent OS credential store, if this platform and build have one
/// and it answers.
pub fn os_store() -> Option<Arc<CredentialStore>> {
    OS_STORE.get_or_init(find_store).as_ref().ok().cloned()
}

/// A keyring that answered but refused a write (locked, no prompt possible).
static REFUSED: Mutex<Option<String>> = Mutex::new(None);

/// Why no keyring holds what a caller wanted to store (`None` when one
/// does), for the notice that a file is used instead.
pub fn unavailable_reason() -> Option<String> {
    if let Err(reason) = OS_STORE.get_or_init(find_store) {
        return Some(reason.clone());
    }
    REFUSED.lock().ok()?.clone()
}

/// Records that the keyring refused a write, so the fallback can say why.
pub fn note_refusal(error: &CryptoError) {
    if let Ok(mut slot) = REFUSED.lock() {
        *slot = Some(format!("the keyring refused the entry ({error})"));
    }
}

fn find_store() -> Result<Arc<CredentialStore>, String> {
    let found = platform_store();
    if let Err(reason) = &found {
        tracing::info!(%reason, "no OS keyring; secrets go to 0600 files");
    }
    found
}

#[cfg(target_os = "macos")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    apple_native_keyring_store::keychain::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| format!("the macOS Keychain did not open: {e}"))
}

#[cfg(target_os = "windows")]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    windows_native_keyring_store::Store::new()
        .map(|s| s as Arc<CredentialStore>)
        .map_err(|e| format!("the Windows Credential Manager did not open: {e}"))
}

#[cfg(all(target_os = "linux", feature = "desktop-keyring"))]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none_or(|v| v.is_empty()) {
        return Err("no session bus (DBUS_SESSION_BUS_ADDRESS is not set)".into());
    }
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| format!("no Secret Service answered on the session bus ({e})"))?;
    Ok(store as Arc<CredentialStore>)
}

#[cfg(all(target_os = "linux", not(feature = "desktop-keyring")))]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    Err("built without the desktop-keyring feature".into())
}

#[cfg(not(any(target_os = "macos", target_os = "windows", target_os = "linux")))]
fn platform_store() -> Result<Arc<CredentialStore>, String> {
    Err("no OS keyring is supported on this platform".into())
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

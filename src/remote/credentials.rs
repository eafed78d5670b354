//! Where the CLI and TUI find the bearer token of a remote server:
//! `LLMCFG_TOKEN`, else the OS keyring (where a persistent one exists), else
//! a 0600 file under the config directory (`tokens/<hash of the URL>`), the
//! same fallback the master key uses. `llmcfg login` writes the latter two.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::RemoteError;
use crate::crypto::keyring;

/// Environment variable holding the token.
pub const TOKEN_ENV: &str = "LLMCFG_TOKEN";

/// Where a token was stored by [`store`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenLocation {
    /// The OS keyring.
    Keyring,
    /// A 0600 file.
    File(PathBuf),
}

fn account(url: &str) -> String {
    format!("token {url}")
}

/// The token file of `url` under `config_dir`.
pub fn token_file(config_dir: &Path, url: &str) -> PathBuf {
    let digest = Sha256::digest(url.as_bytes());
    config_dir
        .join("tokens")
        .join(format!("{}.token", hex::encode(&digest[..8])))
}

/// The token for the server at `url` (normalised), or an error naming how to
/// provide one.
pub fn resolve(url: &str, config_dir: &Path) -> Result<Zeroizing<String>, RemoteError> {
    if let Ok(token) = std::env::var(TOKEN_ENV) {
        let token = Zeroizing::new(token.trim().to_string());
        if !token.is_empty() {
            return Ok(token);
        }
    }
    if let Some(store) = keyring::os_store()
        && let Ok(Some(token)) = keyring::get(&store, &account(url))
    {
        return Ok(token);
    }
    let path = token_file(config_dir, url);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            let token = Zeroizing::new(text.trim().to_string());
            if token.is_empty() {
                Err(RemoteError::NoToken { url: url.into() })
            } else {
                Ok(token)
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(RemoteError::NoToken { url: url.into() })
        }
        Err(e) => Err(RemoteError::Storage(format!("{}: {e}", path.display()))),
    }
}

/// Stores `token` for `url`: in the OS keyring when one persists, else in a
/// 0600 file (replaced atomically) in a 0700 directory.
pub fn store(url: &str, token: &str, config_dir: &Path) -> Result<TokenLocation, RemoteError> {
    if let Some(store) = keyring::os_store() {
        match keyring::set(&store, &account(url), token) {
            Ok(()) => return Ok(TokenLocation::Keyring),
            Err(e) => keyring::note_refusal(&e),
        }
    }
    let path = token_file(config_dir, url);
    let dir = path.parent().unwrap_or(config_dir);
    crate::crypto::source::create_private_dir(dir)
        .map_err(|e| RemoteError::Storage(format!("{}: {e}", dir.display())))?;
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let write = || -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(token.as_bytes())?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    write().map_err(|e| RemoteError::Storage(format!("{}: {e}", path.display())))?;
    Ok(TokenLocation::File(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fallback_round_trips_with_private_mode() {
        let dir = tempfile::tempdir().unwrap();
        let url = "http://127.0.0.1:1";
        if keyring::os_store().is_some() {
            return; // a desktop keyring would take the token instead
        }
        let at = store(url, "llmcfg_abc", dir.path()).unwrap();
        let TokenLocation::File(path) = at else {
            panic!("expected a file")
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store(url, "llmcfg_def", dir.path()).unwrap();
        // LLMCFG_TOKEN may be set by the environment running the tests.
        if std::env::var(TOKEN_ENV).is_err() {
            assert_eq!(resolve(url, dir.path()).unwrap().as_str(), "llmcfg_def");
            assert!(matches!(
                resolve("http://127.0.0.1:2", dir.path()),
                Err(RemoteError::NoToken { .. })
            ));
        }
    }
}

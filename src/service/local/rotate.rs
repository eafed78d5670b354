//! `master-key rotate`: under the rotation lock, the new key is staged
//! durably, every sealed key is re-sealed in one transaction, then the
//! staged key is moved into place. The service actor runs it alone (every
//! write of this process waits in its queue, see [`crate::service`]), so
//! none seals under the old key meanwhile; other processes are refused by
//! the store's key check, and their opens follow the protocol in
//! `key_settle.rs`.

use std::path::PathBuf;

use crate::crypto::{self, KeySource, MasterKey, ROTATION_LOCK_WAIT, RotationLock};
use crate::domain::{AuditAction, Scope};
use crate::service::{MasterKeyError, ServiceError};
use crate::store::{AuditRecord, StoreError};

use super::LocalBackend;

/// Where the new master key goes.
enum NewKeyHome {
    /// Staged beside the current key file, renamed over it after the commit.
    InPlace(PathBuf),
    /// A new file the operator named (`--new-key-file`).
    NewFile(PathBuf),
}

/// What a master-key rotation did: how many keys it re-sealed (or why it
/// failed) and the master key the store opens with afterwards, which the
/// actor keeps and publishes whether or not the rotation reported success.
pub(crate) struct Rotated {
    /// The count of re-sealed keys, or why the rotation failed.
    pub(crate) result: Result<usize, ServiceError>,
    /// The master key in force after the rotation.
    pub(crate) key: MasterKey,
}

impl LocalBackend {
    /// Rotates from `old`, the key the actor holds.
    pub(crate) async fn rotate(
        &self,
        old: &MasterKey,
        new_key_file: Option<PathBuf>,
        caller: String,
    ) -> Rotated {
        let mut key = old.clone();
        let result = self.rotate_from(&mut key, new_key_file, caller).await;
        Rotated { result, key }
    }

    async fn rotate_from(
        &self,
        master: &mut MasterKey,
        new_key_file: Option<PathBuf>,
        actor: String,
    ) -> Result<usize, ServiceError> {
        self.writable("master-key rotate")?;
        let home = match (&self.shared.key_source, new_key_file) {
            (_, Some(path)) => NewKeyHome::NewFile(path),
            (KeySource::File(p) | KeySource::DefaultFile(p), None) => {
                NewKeyHome::InPlace(p.clone())
            }
            (KeySource::Env, None) => {
                return Err(ServiceError::MasterKey(MasterKeyError::Unsupported(
                    "the master key comes from LLMCFG_MASTER_KEY; pass --new-key-file PATH \
                     to write the new key there, then point LLMCFG_MASTER_KEY (or \
                     --master-key-file) at it",
                )));
            }
            (KeySource::Keyring(_), None) => {
                return Err(ServiceError::MasterKey(MasterKeyError::Unsupported(
                    "the master key lives in the OS keyring; pass --new-key-file PATH and \
                     use it with --master-key-file afterwards",
                )));
            }
        };
        // Held until the new key is in place: openers that find the staged
        // file and cannot take this lock leave it alone (key_settle.rs).
        let _lock = match &home {
            NewKeyHome::InPlace(p) => Some(lock_rotation(p.clone()).await?),
            NewKeyHome::NewFile(_) => None,
        };
        let old = master.clone();
        // Another process may have rotated since this one opened the store:
        // then our key is stale, and re-sealing from it must not start.
        if self.shared.store.key_check_value().await?.as_deref() != Some(&old.check_value()) {
            return Err(StoreError::KeyChanged.into());
        }
        let new = MasterKey::generate();
        // The new key is durable (file and directory entry) where the next
        // opener looks before the store commits to it.
        match &home {
            NewKeyHome::InPlace(p) => crypto::source::stage_key_file(p, &new)?,
            NewKeyHome::NewFile(p) => crypto::source::create_key_file(p, &new)?,
        }
        let mut rec = AuditRecord::new(actor, &Scope::Global, AuditAction::RotateMasterKey);
        rec.detail = Some("every stored key re-sealed".into());
        let sealing = new.clone();
        let opening = old.clone();
        let result = self
            .shared
            .store
            .reseal_all(
                &new.check_value(),
                move |row| {
                    row.reseal(&opening, &sealing)
                        .map_err(|e| RotateError::Service(ServiceError::integrity(&row.scope, e)))
                },
                new.clone(),
                rec,
            )
            .await
            .map_err(|e| match e {
                RotateError::Service(s) => s,
                RotateError::Store(s) => s.into(),
            });
        let count = match result {
            Ok(n) => n,
            Err(e) => {
                // The error may have come after the commit: only a store
                // still on the old key makes the new key garbage.
                let recorded = self.shared.store.key_check_value().await;
                match recorded.as_ref().ok().and_then(|v| v.as_deref()) {
                    Some(v) if v == old.check_value() => discard(&home),
                    Some(v) if v == new.check_value() => {
                        if let NewKeyHome::InPlace(p) = &home {
                            crypto::source::commit_staged(p, &new)?;
                        }
                        *master = new;
                    }
                    _ => tracing::warn!(
                        "the store's key check could not be read after a failed rotation; the new key is kept"
                    ),
                }
                return Err(e);
            }
        };
        // The store now opens only with the new key; put it where the key
        // file is (an opener may have done so already: commit_staged
        // accepts that).
        if let NewKeyHome::InPlace(p) = &home {
            crypto::source::commit_staged(p, &new)?;
        }
        *master = new;
        let _ = self.shared.store.checkpoint().await;
        tracing::info!(count, "master key rotated");
        Ok(count)
    }
}

/// Takes the rotation lock beside `key_file` (blocking I/O, with a short wait).
async fn lock_rotation(key_file: PathBuf) -> Result<RotationLock, ServiceError> {
    tokio::task::spawn_blocking(move || RotationLock::acquire(&key_file, ROTATION_LOCK_WAIT))
        .await
        .map_err(|_| ServiceError::MasterKey(MasterKeyError::Unsettled))?
        .map_err(ServiceError::from)
}

/// Removes a new key the store never committed to.
fn discard(home: &NewKeyHome) {
    let removed = match home {
        NewKeyHome::InPlace(p) => crypto::source::discard_staged(p).map_err(|e| e.to_string()),
        NewKeyHome::NewFile(p) => std::fs::remove_file(p).map_err(|e| e.to_string()),
    };
    if let Err(e) = removed {
        tracing::warn!(error = %e, "could not remove the unused new master key");
    }
}

/// Why a re-seal stopped: a key that would not open, or the store.
enum RotateError {
    Service(ServiceError),
    Store(StoreError),
}

impl From<StoreError> for RotateError {
    fn from(e: StoreError) -> Self {
        RotateError::Store(e)
    }
}

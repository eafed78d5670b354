//! Finding the master key at open, beside rotations in other processes.
//!
//! A rotation (`rotate.rs`) holds the [`RotationLock`], stages the new key
//! durably as `<key file>.new`, commits the store to it, then renames the
//! staged file over the key file. So at every instant the key the store
//! records is on disk: in the key file, or in the staged file. An opener
//! reads both files and the store's key check, then:
//!
//! - **no staged file**: the key file's key must match. If it does not, the
//!   files are read once more (a rotation may have renamed between our
//!   reads); only a mismatch that stays put is an error.
//! - **a staged file and the lock is held**: a rotation is alive. Touch
//!   nothing; use whichever of the two keys the store records (a rotation
//!   that committed moves its file itself).
//! - **a staged file and the lock is free**: the rotation that staged it is
//!   dead. Under the lock, read everything again and settle it: the store
//!   on the staged key finishes the rotation (rename), the store on the old
//!   key makes the staged file garbage (delete).
//!
//! A staged file is therefore never deleted by a process that cannot prove
//! its rotation dead, which is the fault that used to lose every key.

use std::sync::Arc;
use std::time::Duration;

use crate::crypto::{self, LoadedKey, MasterKey, MasterKeyOptions, RotationLock, WhenMissing};
use crate::service::{MasterKeyError, ServiceError};
use crate::store::Store;

use super::OpenNotice;

/// How many times the files and the store are read again when they
/// disagree while a rotation moves between its steps.
const SETTLE_ATTEMPTS: usize = 100;

/// The pause between two reads while a live rotation commits.
const SETTLE_PAUSE: Duration = Duration::from_millis(20);

/// The master key that opens the store, where it came from, and what the
/// user should be told.
pub(super) struct Settled {
    pub key: MasterKey,
    pub source: crypto::KeySource,
    pub notices: Vec<OpenNotice>,
}

/// Finds the master key the store records, recovering an interrupted
/// rotation where that is provably safe (see the module docs).
pub(super) async fn settle_master_key(
    store: &Store,
    opts: &MasterKeyOptions,
    when_missing: WhenMissing,
    store_name: &str,
) -> Result<Settled, ServiceError> {
    let mut notices = Vec::new();
    let mut previous: Option<(String, Option<String>)> = None;
    for _ in 0..SETTLE_ATTEMPTS {
        let loaded = load(opts, when_missing).await?;
        if loaded.created {
            notices.push(OpenNotice::CreatedMasterKey(loaded.source.clone()));
        }
        let ours = loaded.key.check_value();
        let recorded = match store.key_check_value().await? {
            Some(v) => v,
            None => store.init_key_check_value(&ours).await?,
        };
        let staged_check = loaded.staged.as_ref().map(MasterKey::check_value);
        let key_file = loaded.source.key_file().map(|p| p.to_path_buf());
        match (loaded.staged.clone(), key_file) {
            (Some(staged), Some(key_file)) => {
                let Some(_lock) = RotationLock::try_acquire(&key_file)? else {
                    // A rotation is alive: use the key the store is on and
                    // leave its files to it.
                    if staged_check.as_deref() == Some(recorded.as_str()) {
                        return Ok(settled(staged, loaded.source, notices));
                    }
                    if recorded == ours {
                        return Ok(settled(loaded.key, loaded.source, notices));
                    }
                    tokio::time::sleep(SETTLE_PAUSE).await;
                    continue;
                };
                // No rotation runs and none can start while we hold the
                // lock: what we read now is final.
                let again = load(opts, WhenMissing::Refuse).await?;
                let recorded = store.key_check_value().await?.unwrap_or_default();
                let Some(staged) = again.staged.clone() else {
                    continue;
                };
                if staged.check_value() == recorded {
                    crypto::source::commit_staged(&key_file, &staged)?;
                    tracing::info!("finished a master-key rotation that was interrupted");
                    notices.push(OpenNotice::FinishedRotation);
                    return Ok(settled(staged, again.source, notices));
                }
                if again.key.check_value() == recorded {
                    crypto::source::discard_staged(&key_file)?;
                    tracing::info!("removed the staged key of a rotation that never committed");
                    return Ok(settled(again.key, again.source, notices));
                }
                return Err(mismatch(&again, store_name));
            }
            (staged, _) => {
                if recorded == ours {
                    return Ok(settled(loaded.key, loaded.source, notices));
                }
                if let Some(staged) = staged.filter(|s| s.check_value() == recorded) {
                    return Ok(settled(staged, loaded.source, notices));
                }
                // Read again only while what we read keeps changing.
                let seen = (ours, staged_check);
                if previous.as_ref() == Some(&seen) {
                    return Err(mismatch(&loaded, store_name));
                }
                previous = Some(seen);
            }
        }
    }
    Err(ServiceError::MasterKey(MasterKeyError::Unsettled))
}

fn settled(key: MasterKey, source: crypto::KeySource, notices: Vec<OpenNotice>) -> Settled {
    Settled {
        key,
        source,
        notices,
    }
}

fn mismatch(loaded: &LoadedKey, store_name: &str) -> ServiceError {
    ServiceError::MasterKey(MasterKeyError::Mismatch {
        key_source: loaded.source.to_string(),
        store: store_name.to_string(),
    })
}

/// Key files and the OS keyring are blocking I/O.
async fn load(
    opts: &MasterKeyOptions,
    when_missing: WhenMissing,
) -> Result<LoadedKey, ServiceError> {
    let opts = opts.clone();
    tokio::task::spawn_blocking(move || crypto::load_or_create(&opts, when_missing))
        .await
        .map_err(|e| {
            ServiceError::MasterKey(MasterKeyError::Crypto(Arc::new(
                crypto::CryptoError::Keyring(format!("the key lookup failed: {e}")),
            )))
        })?
        .map_err(ServiceError::from)
}

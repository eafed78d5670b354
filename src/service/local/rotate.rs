//! `master-key rotate`: the new key is staged durably, every sealed key is
//! re-sealed in one transaction, then the staged key is committed.

use std::path::PathBuf;

use crate::crypto::{self, KeySource, MasterKey};
use crate::domain::Scope;
use crate::service::ServiceError;
use crate::store::StoreError;

use super::{Inner, audit};

impl Inner {
    pub(super) fn rotate(
        &self,
        new_key_file: Option<PathBuf>,
        actor: String,
    ) -> Result<usize, ServiceError> {
        self.writable("master-key rotate")?;
        let mk_err = |e: crypto::CryptoError| ServiceError::MasterKey(e.to_string());
        let old = self.master();
        let new = MasterKey::generate();
        // Stage the new key durably before the store commits to it, so a
        // crash at any point leaves a key that opens the store.
        let target: Option<PathBuf> = match (&self.key_source, &new_key_file) {
            (_, Some(path)) => {
                crypto::source::create_key_file(path, &new).map_err(mk_err)?;
                None
            }
            (KeySource::File(p) | KeySource::DefaultFile(p), None) => {
                crypto::source::stage_key_file(p, &new).map_err(mk_err)?;
                Some(p.clone())
            }
            (KeySource::Env, None) => {
                return Err(ServiceError::MasterKey(
                    "the master key comes from LLMCFG_MASTER_KEY; pass --new-key-file PATH \
                     to write the new key there, then point LLMCFG_MASTER_KEY (or \
                     --master-key-file) at it"
                        .into(),
                ));
            }
            (KeySource::Keyring(_), None) => {
                return Err(ServiceError::MasterKey(
                    "the master key lives in the OS keyring; pass --new-key-file PATH and \
                     use it with --master-key-file afterwards"
                        .into(),
                ));
            }
        };
        let mut rec = audit(actor, &Scope::Global, "rotate_master_key");
        rec.detail = Some("every stored key re-sealed".into());
        let result = self.lock().reseal_all(
            &new.check_value(),
            |row| -> Result<crypto::SealedKey, RotateError> {
                let origin = row.origin();
                let aad = row.aad(&origin);
                let key = crypto::open(&old, &aad, &row.sealed_key).map_err(|e| {
                    RotateError::Service(ServiceError::Integrity {
                        scope: row.scope.clone(),
                        reason: e.to_string(),
                    })
                })?;
                Ok(crypto::seal(&new, &aad, &key))
            },
            &rec,
        );
        let count = match result {
            Ok(n) => n,
            Err(e) => {
                if let Some(p) = &target {
                    let _ = std::fs::remove_file(crypto::source::staged_path(p));
                } else if let Some(p) = &new_key_file {
                    let _ = std::fs::remove_file(p);
                }
                return Err(match e {
                    RotateError::Service(s) => s,
                    RotateError::Store(s) => ServiceError::Store(s.to_string()),
                });
            }
        };
        // From here on this process seals under the new key, and the store
        // refuses writes from any process still holding the old one.
        self.lock().set_sealing_key_check(&new.check_value());
        if let Some(p) = &target {
            crypto::source::commit_staged(p).map_err(mk_err)?;
        }
        *self.master.write().unwrap_or_else(|p| p.into_inner()) = new;
        let _ = self.lock().checkpoint();
        tracing::info!(count, "master key rotated");
        Ok(count)
    }
}

enum RotateError {
    Service(ServiceError),
    Store(StoreError),
}

impl From<StoreError> for RotateError {
    fn from(e: StoreError) -> Self {
        RotateError::Store(e)
    }
}

//! `master-key rotate`: the new key is staged durably, every sealed key is
//! re-sealed in one transaction, then the staged key is committed. The
//! master key's write guard is held throughout, so no write seals under the
//! old key meanwhile.

use std::path::PathBuf;

use crate::crypto::{self, KeySource, MasterKey};
use crate::domain::{AuditAction, Scope};
use crate::service::{MasterKeyError, ServiceError};
use crate::store::{AuditRecord, StoreError};

use super::LocalBackend;

impl LocalBackend {
    pub(crate) async fn rotate(
        &self,
        new_key_file: Option<PathBuf>,
        actor: String,
    ) -> Result<usize, ServiceError> {
        self.writable("master-key rotate")?;
        let mut master = self.shared.master.write().await;
        let old = master.clone();
        let new = MasterKey::generate();
        // Stage the new key durably before the store commits to it, so a
        // crash at any point leaves a key that opens the store.
        let target: Option<PathBuf> = match (&self.shared.key_source, &new_key_file) {
            (_, Some(path)) => {
                crypto::source::create_key_file(path, &new)?;
                None
            }
            (KeySource::File(p) | KeySource::DefaultFile(p), None) => {
                crypto::source::stage_key_file(p, &new)?;
                Some(p.clone())
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
        let mut rec = AuditRecord::new(actor, &Scope::Global, AuditAction::RotateMasterKey);
        rec.detail = Some("every stored key re-sealed".into());
        let sealing = new.clone();
        let result = self
            .shared
            .store
            .reseal_all(
                &new.check_value(),
                move |row| {
                    row.reseal(&old, &sealing)
                        .map_err(|e| RotateError::Service(ServiceError::integrity(&row.scope, e)))
                },
                new.clone(),
                rec,
            )
            .await;
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
                    RotateError::Store(s) => s.into(),
                });
            }
        };
        // From here on the store refuses writes from any process still
        // holding the old key, and this process seals under the new one.
        if let Some(p) = &target {
            crypto::source::commit_staged(p)?;
        }
        *master = new;
        drop(master);
        let _ = self.shared.store.checkpoint().await;
        tracing::info!(count, "master key rotated");
        Ok(count)
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

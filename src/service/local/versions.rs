//! Kept versions in the local backend: `history` reads them, `restore`
//! makes one current again. The store keeps a version with every write in
//! that write's transaction (see [`crate::store::versions`]); a restore
//! seals, so it runs through the service actor like every write.

use crate::domain::{ApiKey, AuditAction, ConfigView, Scope, VersionEntry};
use crate::service::ServiceError;
use crate::store::AuditRecord;

use super::LocalBackend;

impl LocalBackend {
    pub(crate) async fn history(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<VersionEntry>, ServiceError> {
        let rows = self.shared.store.history(scope, limit).await?;
        Ok(rows.iter().map(|v| v.to_entry()).collect())
    }

    pub(crate) async fn restore(
        &self,
        scope: &Scope,
        version: u64,
        caller: String,
    ) -> Result<ConfigView, ServiceError> {
        self.writable("restore")?;
        let number = i64::try_from(version).map_err(|_| ServiceError::NoSuchVersion {
            scope: scope.clone(),
            version,
        })?;
        let mut rec = AuditRecord::new(caller, scope, AuditAction::Restore);
        rec.detail = Some(format!("version {version}"));
        let row = self
            .shared
            .store
            .restore(scope, number, rec)
            .await
            .map_err(|e| ServiceError::from_store(e, scope))?;
        tracing::info!(scope = %scope, version, "restored config version");
        Ok(row.to_view())
    }

    /// The fingerprint `key` has (or would have) in this store: of the key
    /// as a create checks and stores it (trimmed; refused where a create
    /// refuses it).
    pub(crate) fn key_fingerprint(&self, key: &ApiKey) -> Result<String, ServiceError> {
        Ok(self.shared.fingerprints.fingerprint(&key.validated()?))
    }
}

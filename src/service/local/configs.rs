//! Configuration operations of the local backend: read, create, update,
//! delete and the instance list. Each write seals with the master key the
//! service actor hands it and commits together with its audit entry.

use crate::crypto::MasterKey;
use crate::domain::instances::{ListStart, list_start};
use crate::domain::{
    AuditAction, ConfigPatch, ConfigView, InstanceId, InstanceSummary, NewConfig, Scope,
    ValidationError,
};
use crate::service::ServiceError;
use crate::store::{AuditRecord, ConfigRow, RowUpdate, StoreError};

use super::LocalBackend;

impl LocalBackend {
    pub(crate) async fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        self.shared
            .store
            .get_view(scope)
            .await
            .map_err(|e| ServiceError::from_store(e, scope))
    }

    pub(crate) async fn create(
        &self,
        scope: &Scope,
        config: NewConfig,
        caller: String,
        master: &MasterKey,
    ) -> Result<ConfigView, ServiceError> {
        self.writable("create")?;
        let (row, rec) = self.sealed_row(scope, config, caller, master)?;
        let view = row.to_view();
        self.shared
            .store
            .insert(row, rec)
            .await
            .map_err(|e| ServiceError::from_store(e, scope))?;
        tracing::info!(scope = %scope, provider = %view.provider, "created config");
        Ok(view)
    }

    pub(crate) async fn update(
        &self,
        scope: &Scope,
        patch: ConfigPatch,
        caller: String,
        master: &MasterKey,
    ) -> Result<ConfigView, ServiceError> {
        self.writable("update")?;
        let row = self
            .shared
            .store
            .update(scope, self.change_of(scope, patch, caller, master))
            .await
            .map_err(|e| e.into_service(scope))?;
        tracing::info!(scope = %scope, "updated config");
        Ok(row.to_view())
    }

    pub(crate) async fn delete(&self, scope: &Scope, caller: String) -> Result<(), ServiceError> {
        self.writable("delete")?;
        self.shared
            .store
            .delete(scope, AuditRecord::new(caller, scope, AuditAction::Delete))
            .await
            .map_err(|e| ServiceError::from_store(e, scope))?;
        tracing::info!(scope = %scope, "deleted config");
        Ok(())
    }

    pub(crate) async fn list_instances(&self) -> Result<Vec<InstanceSummary>, ServiceError> {
        let list = self.shared.store.list_instances().await?;
        Ok(crate::domain::instances::merge_configured(
            list,
            &self.shared.configured,
        ))
    }

    pub(crate) async fn list_instances_start(
        &self,
        rows: usize,
    ) -> Result<ListStart, ServiceError> {
        let stored = self.shared.store.list_instances_first(rows).await?;
        Ok(list_start(stored, rows, &self.shared.configured))
    }

    pub(crate) async fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
        caller: String,
    ) -> Result<(), ServiceError> {
        self.writable("add instance")?;
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if let Some(n) = &name
            && (n.chars().count() > 128 || n.chars().any(char::is_control))
        {
            return Err(ValidationError::new(
                "name",
                "must be at most 128 characters without control characters",
            )
            .into());
        }
        let scope = Scope::Instance(id.clone());
        let mut rec = AuditRecord::new(caller, &scope, AuditAction::AddInstance);
        rec.fields = name.iter().map(|_| "name".to_string()).collect();
        self.shared.store.add_instance(id, name, rec).await?;
        Ok(())
    }
}

impl LocalBackend {
    /// The row and audit entry of a create: `config` validated, its key
    /// sealed for a fresh row of `scope`.
    pub(super) fn sealed_row(
        &self,
        scope: &Scope,
        config: NewConfig,
        actor: String,
        master: &MasterKey,
    ) -> Result<(ConfigRow, AuditRecord), ServiceError> {
        let config = config.validate(self.shared.catalog)?;
        let row = ConfigRow::seal_new(
            scope,
            config.fields(),
            &config.api_key,
            master,
            &self.shared.fingerprints,
        );
        let mut rec = AuditRecord::new(actor, scope, AuditAction::Create);
        // The create's version then carries the row's creation time to the
        // second, which a restore after a delete gives back as `Created`.
        rec.at = row.created_at;
        rec.fields = ["provider", "model", "api_key"]
            .into_iter()
            .chain(row.fields.base_url.as_ref().map(|_| "base_url"))
            .map(str::to_string)
            .collect();
        rec.key_fingerprint = Some(row.key_fingerprint.clone());
        Ok((row, rec))
    }

    /// The change an update makes to the row it reads in its transaction:
    /// `patch` merged with the row's fields, a new key sealed for the
    /// merged fields, and the audit entry.
    pub(super) fn change_of(
        &self,
        scope: &Scope,
        patch: ConfigPatch,
        actor: String,
        master: &MasterKey,
    ) -> impl FnOnce(&ConfigRow) -> Result<RowUpdate, UpdateError> + Send + 'static {
        let catalog = self.shared.catalog;
        let sealing = master.clone();
        let fingerprints = self.shared.fingerprints.clone();
        let audit_scope = scope.clone();
        move |current| {
            let merged = patch.merge(&current.fields, catalog)?;
            let new_key = merged
                .api_key
                .as_ref()
                .map(|key| current.rekey(&merged.fields, key, &sealing, &fingerprints));
            let mut rec = AuditRecord::new(actor, &audit_scope, AuditAction::Update);
            rec.fields = merged.changed.iter().map(|f| f.to_string()).collect();
            rec.key_fingerprint = new_key.as_ref().map(|k| k.fingerprint().to_string());
            Ok(RowUpdate {
                fields: merged.fields,
                new_key,
                audit: rec,
            })
        }
    }
}

/// Why a write's change was refused: the patch, the store, or (in a batch)
/// a row that is not the one the caller planned on.
pub(super) enum UpdateError {
    Invalid(ValidationError),
    Store(StoreError),
    Changed,
}

impl UpdateError {
    /// The service's error for this refusal of a write to `scope`.
    pub(super) fn into_service(self, scope: &Scope) -> ServiceError {
        match self {
            UpdateError::Invalid(v) => ServiceError::Invalid(v),
            UpdateError::Store(s) => ServiceError::from_store(s, scope),
            UpdateError::Changed => ServiceError::Changed {
                scope: scope.clone(),
            },
        }
    }
}

impl From<ValidationError> for UpdateError {
    fn from(e: ValidationError) -> Self {
        UpdateError::Invalid(e)
    }
}

impl From<StoreError> for UpdateError {
    fn from(e: StoreError) -> Self {
        UpdateError::Store(e)
    }
}

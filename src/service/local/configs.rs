//! Configuration operations of the local backend: read, create, update,
//! delete and the instance list. Each write seals with the master key and
//! commits together with its audit entry.

use crate::crypto;
use crate::domain::config::CurrentFields;
use crate::domain::validation::origin_of;
use crate::domain::{
    ConfigPatch, ConfigView, InstanceId, InstanceSummary, NewConfig, Scope, ValidationError,
    mask_key,
};
use crate::service::ServiceError;
use crate::store::{ConfigRow, RowUpdate, StoreError};

use super::{Inner, audit};

impl Inner {
    pub(super) fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        Ok(self
            .lock()
            .get(scope)
            .map_err(|e| ServiceError::from_store(e, scope))?
            .map(|row| row.to_view()))
    }

    pub(super) fn create(
        &self,
        scope: &Scope,
        config: NewConfig,
        actor: String,
    ) -> Result<ConfigView, ServiceError> {
        self.writable("create")?;
        let config = config.validate(self.catalog)?;
        let now = crate::store::rows_now();
        let mut row = ConfigRow {
            id: uuid::Uuid::now_v7(),
            scope: scope.clone(),
            provider: config.provider,
            model: config.model,
            base_url: config.base_url,
            sealed_key: crypto::SealedKey::from_stored(Vec::new()),
            api_key_masked: mask_key(config.api_key.expose()),
            key_fingerprint: crypto::fingerprint(&config.api_key),
            created_at: now,
            updated_at: now,
        };
        let origin = row.origin();
        row.sealed_key = crypto::seal(&self.master(), &row.aad(&origin), &config.api_key);
        let mut rec = audit(actor, scope, "create");
        rec.fields = ["provider", "model", "api_key"]
            .into_iter()
            .chain(row.base_url.as_ref().map(|_| "base_url"))
            .map(str::to_string)
            .collect();
        rec.key_fingerprint = Some(row.key_fingerprint.clone());
        self.lock()
            .insert(&row, &rec)
            .map_err(|e| ServiceError::from_store(e, scope))?;
        tracing::info!(scope = %scope, provider = %row.provider, "created config");
        Ok(row.to_view())
    }

    pub(super) fn update(
        &self,
        scope: &Scope,
        patch: ConfigPatch,
        actor: String,
    ) -> Result<ConfigView, ServiceError> {
        self.writable("update")?;
        let master = self.master();
        let catalog = self.catalog;
        let row = self
            .lock()
            .update(scope, |current| -> Result<RowUpdate, UpdateError> {
                let merged = patch.merge(
                    &CurrentFields {
                        provider: current.provider.clone(),
                        model: current.model.clone(),
                        base_url: current.base_url.clone(),
                    },
                    catalog,
                )?;
                let new_key = merged.api_key.as_ref().map(|key| {
                    let origin = merged
                        .base_url
                        .as_deref()
                        .map(origin_of)
                        .unwrap_or_default();
                    let aad = crypto::Aad {
                        scope_key: current.scope.key(),
                        record_id: current.id,
                        provider: &merged.provider,
                        origin: &origin,
                    };
                    (
                        crypto::seal(&master, &aad, key),
                        mask_key(key.expose()),
                        crypto::fingerprint(key),
                    )
                });
                let mut rec = audit(actor, scope, "update");
                rec.fields = merged.changed.iter().map(|f| f.to_string()).collect();
                rec.key_fingerprint = new_key.as_ref().map(|(_, _, fp)| fp.clone());
                Ok(RowUpdate {
                    provider: merged.provider,
                    model: merged.model,
                    base_url: merged.base_url,
                    new_key,
                    audit: rec,
                })
            })
            .map_err(|e| match e {
                UpdateError::Invalid(v) => ServiceError::Invalid(v),
                UpdateError::Store(s) => ServiceError::from_store(s, scope),
            })?;
        tracing::info!(scope = %scope, "updated config");
        Ok(row.to_view())
    }

    pub(super) fn delete(&self, scope: &Scope, actor: String) -> Result<(), ServiceError> {
        self.writable("delete")?;
        self.lock()
            .delete(scope, &audit(actor, scope, "delete"))
            .map_err(|e| ServiceError::from_store(e, scope))?;
        tracing::info!(scope = %scope, "deleted config");
        Ok(())
    }

    pub(super) fn list_instances(&self) -> Result<Vec<InstanceSummary>, ServiceError> {
        let list = self
            .lock()
            .list_instances()
            .map_err(|e| ServiceError::Store(e.to_string()))?;
        Ok(crate::domain::instances::merge_configured(
            list,
            &self.configured,
        ))
    }

    pub(super) fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
        actor: String,
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
        let mut rec = audit(actor, &scope, "add_instance");
        rec.fields = name.iter().map(|_| "name".to_string()).collect();
        self.lock()
            .add_instance(id, name.as_deref(), &rec)
            .map_err(|e| ServiceError::Store(e.to_string()))?;
        Ok(())
    }
}

enum UpdateError {
    Invalid(ValidationError),
    Store(StoreError),
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

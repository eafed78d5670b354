//! `master-key verify`: opens every sealed key the store holds (configs and
//! kept versions) under the master key, changing nothing. The command an
//! operator runs before and after a rotation.

use serde::Serialize;

use crate::service::ServiceError;
use crate::store::StoreError;

use super::LocalBackend;

/// What `master-key verify` found.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MasterKeyCheck {
    /// Configs whose sealed key opened.
    pub configs_opened: usize,
    /// Kept versions whose sealed key opened.
    pub versions_opened: usize,
    /// Every sealed key that did not open; empty when the store is sound.
    pub failures: Vec<SealFailure>,
}

/// One sealed key that would not open.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SealFailure {
    /// The scope ("control plane" or "tenant: ID").
    pub scope: String,
    /// The kept version, or `None` for the live config.
    pub version: Option<i64>,
    /// Why (never key material).
    pub error: String,
}

impl MasterKeyCheck {
    /// True when every sealed key opened.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl LocalBackend {
    pub(crate) async fn verify_master_key(&self) -> Result<MasterKeyCheck, ServiceError> {
        let master = self.master();
        // A process opened before a rotation holds the old key: say so
        // instead of listing every key as broken.
        if self.shared.store.key_check_value().await?.as_deref() != Some(&master.check_value()) {
            return Err(StoreError::KeyChanged.into());
        }
        let inventory = self.shared.store.sealed_inventory().await?;
        let mut failures = Vec::new();
        let mut configs_opened = 0;
        for row in &inventory.configs {
            match row.open_key(&master) {
                Ok(_) => configs_opened += 1,
                Err(e) => failures.push(SealFailure {
                    scope: row.scope.to_string(),
                    version: None,
                    error: e.to_string(),
                }),
            }
        }
        let mut versions_opened = 0;
        for v in &inventory.versions {
            match v.open_key(&master) {
                Ok(_) => versions_opened += 1,
                Err(e) => failures.push(SealFailure {
                    scope: v.scope.to_string(),
                    version: Some(v.version),
                    error: e.to_string(),
                }),
            }
        }
        Ok(MasterKeyCheck {
            configs_opened,
            versions_opened,
            failures,
        })
    }
}

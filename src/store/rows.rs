//! Row types: what the store reads and writes. A config row holds the sealed
//! key and the mask computed at write time, so reads never decrypt.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::StoreError;
use crate::crypto::{Aad, SealedKey};
use crate::domain::validation::origin_of;
use crate::domain::{ConfigView, InstanceSummary, Scope, TestResult, TestStatus};

/// A stored configuration.
#[derive(Debug, Clone)]
pub struct ConfigRow {
    /// Record id.
    pub id: Uuid,
    /// Its scope.
    pub scope: Scope,
    /// Provider id.
    pub provider: String,
    /// Model.
    pub model: String,
    /// Base-URL override.
    pub base_url: Option<String>,
    /// The sealed key.
    pub sealed_key: SealedKey,
    /// Mask computed at write time.
    pub api_key_masked: String,
    /// Fingerprint of the key, for the audit log.
    pub key_fingerprint: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change time.
    pub updated_at: OffsetDateTime,
}

impl ConfigRow {
    /// The public view of this row.
    pub fn to_view(&self) -> ConfigView {
        ConfigView {
            id: self.id.into(),
            provider: self.provider.clone(),
            model: self.model.clone(),
            api_key_masked: self.api_key_masked.clone(),
            instance_id: self.scope.instance_id().map(str::to_string),
            base_url: self.base_url.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }

    /// The origin the key is bound to (`""` for the provider default).
    pub fn origin(&self) -> String {
        self.base_url.as_deref().map(origin_of).unwrap_or_default()
    }

    /// Associated data for sealing/opening this row's key; `origin` comes
    /// from [`ConfigRow::origin`].
    pub fn aad<'a>(&'a self, origin: &'a str) -> Aad<'a> {
        Aad {
            scope_key: self.scope.key(),
            record_id: self.id,
            provider: &self.provider,
            origin,
        }
    }
}

impl ConfigRow {
    /// This row after `update`, stamped now, and the audit entry that goes
    /// with it: the one place both stores turn a change into the new row.
    pub fn apply(&self, update: RowUpdate) -> (ConfigRow, AuditRecord) {
        let mut next = self.clone();
        next.provider = update.provider;
        next.model = update.model;
        next.base_url = update.base_url;
        if let Some((sealed, mask, fp)) = update.new_key {
            next.sealed_key = sealed;
            next.api_key_masked = mask;
            next.key_fingerprint = fp;
        }
        next.updated_at = now();
        (next, update.audit)
    }
}

/// Refuses a write when the master-key check value recorded in the store is
/// not the one this process seals with (another process rotated the key).
pub fn verify_sealing_key(
    recorded: Option<&str>,
    expected: Option<&str>,
) -> Result<(), StoreError> {
    match expected {
        Some(expected) if recorded != Some(expected) => Err(StoreError::KeyChanged),
        _ => Ok(()),
    }
}

/// The columns of one instance-list row, as both stores read them from the
/// same query; turned into a summary in one place.
#[derive(Debug, Default)]
pub struct ListColumns {
    /// Scope key (`""` for the control plane).
    pub scope: String,
    /// Display name.
    pub name: Option<String>,
    /// Config id; `None` when the scope has no config.
    pub config_id: Option<String>,
    /// Config provider.
    pub provider: Option<String>,
    /// Config model.
    pub model: Option<String>,
    /// Config base URL.
    pub base_url: Option<String>,
    /// Stored mask.
    pub api_key_masked: Option<String>,
    /// Config creation time (RFC 3339).
    pub created_at: Option<String>,
    /// Config change time (RFC 3339).
    pub updated_at: Option<String>,
    /// Last test: success flag.
    pub test_success: Option<bool>,
    /// Last test: provider.
    pub test_provider: Option<String>,
    /// Last test: model.
    pub test_model: Option<String>,
    /// Last test: status; `None` when never tested.
    pub test_status: Option<String>,
    /// Last test: message.
    pub test_message: Option<String>,
    /// Last test: latency in ms.
    pub test_latency_ms: Option<i64>,
    /// Last test: time (RFC 3339).
    pub test_checked_at: Option<String>,
}

fn required<T>(value: Option<T>, column: &str) -> Result<T, StoreError> {
    value.ok_or_else(|| StoreError::Corrupt(format!("{column} is NULL")))
}

impl ListColumns {
    /// The summary these columns describe.
    pub fn into_summary(self) -> Result<InstanceSummary, StoreError> {
        let instance_id = (!self.scope.is_empty()).then_some(self.scope);
        let config = match self.config_id {
            Some(id) => Some(ConfigView {
                id: Uuid::parse_str(&id)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?
                    .into(),
                provider: required(self.provider, "configs.provider")?,
                model: required(self.model, "configs.model")?,
                base_url: self.base_url,
                api_key_masked: required(self.api_key_masked, "configs.api_key_masked")?,
                instance_id: instance_id.clone(),
                created_at: parse_time(&required(self.created_at, "configs.created_at")?)?,
                updated_at: parse_time(&required(self.updated_at, "configs.updated_at")?)?,
            }),
            None => None,
        };
        let last_test = match self.test_status {
            Some(status) => Some(TestResult {
                success: required(self.test_success, "last_tests.success")?,
                provider: required(self.test_provider, "last_tests.provider")?,
                model: required(self.test_model, "last_tests.model")?,
                status: TestStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("test status {status:?}")))?,
                message: required(self.test_message, "last_tests.message")?,
                latency_ms: required(self.test_latency_ms, "last_tests.latency_ms")?.max(0) as u64,
                checked_at: parse_time(&required(self.test_checked_at, "last_tests.checked_at")?)?,
            }),
            None => None,
        };
        Ok(InstanceSummary {
            instance_id,
            name: self.name,
            config,
            last_test,
        })
    }
}

/// The new values of an updated row.
#[derive(Debug, Clone)]
pub struct RowUpdate {
    /// Provider id.
    pub provider: String,
    /// Model.
    pub model: String,
    /// Base-URL override.
    pub base_url: Option<String>,
    /// A newly sealed key with its mask and fingerprint, when the key changed.
    pub new_key: Option<(SealedKey, String, String)>,
    /// The audit entry written in the same transaction.
    pub audit: AuditRecord,
}

/// An audit-log entry to append.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    /// When.
    pub at: OffsetDateTime,
    /// Who.
    pub actor: String,
    /// Scope.
    pub scope: Scope,
    /// What (`create`, `update`, …).
    pub action: &'static str,
    /// Changed field names.
    pub fields: Vec<String>,
    /// Fingerprint of the key written, if any.
    pub key_fingerprint: Option<String>,
    /// Extra detail.
    pub detail: Option<String>,
}

/// Now, in UTC, to whole seconds (the API's timestamp precision).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

pub(crate) fn fmt_time(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).expect("UTC timestamps always format")
}

pub(crate) fn parse_time(s: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

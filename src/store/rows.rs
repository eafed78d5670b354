//! Row types: what the store reads and writes. A config row holds the sealed
//! key and the mask computed at write time, so reads never decrypt.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::StoreError;
use crate::crypto::{Aad, SealedKey};
use crate::domain::validation::origin_of;
use crate::domain::{ConfigView, Scope};

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
            id: self.id,
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

//! The row layer, written once for both engines: the row types the store
//! reads and writes, how a result row (read by column name through
//! [`Columns`]) becomes a config, an instance-list entry (`instance_list.rs`),
//! an audit entry or a token, the token match, and the sealing-key check. The engines keep only
//! the SQL whose dialects truly differ.
//!
//! A config row holds the sealed key and the mask computed at write time, so
//! reads never decrypt. Sealing is a typestate: a [`ConfigRow`] is built
//! only by sealing a plaintext key for that very row ([`ConfigRow::seal_new`],
//! [`ConfigRow::rekey`]) or by reading back what the store wrote, and the
//! associated data always comes from the row's own fields
//! ([`ConfigRow::aad`]).

use std::sync::LazyLock;

use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreError;
use super::columns::Columns;
use crate::domain::utc_text::UtcText;

mod instance_list;
mod tokens;

use crate::crypto::{self, Aad, CryptoError, Fingerprinter, MasterKey, SealedKey};
use crate::domain::{
    ApiKey, AuditAction, AuditEntry, ConfigFields, ConfigView, Scope, ViewRecord, mask_key,
};
pub use instance_list::{ListRows, list_sql};
pub(crate) use instance_list::{last_test_from, lifecycle_text, summary_from};
pub use tokens::{FIND_TOKEN, TOKEN_AND_VIEW, TOKEN_COLUMNS, TokenAndConfig};
pub(crate) use tokens::{matching_token, token_from};

/// The columns of a [`ConfigRow`], as both engines select them: the record
/// columns around one column per config field ([`ConfigFields::NAMES`]), so
/// a new field needs no edit here.
pub static CONFIG_COLUMNS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "id, scope, {}, sealed_key, api_key_masked, key_fingerprint, created_at, updated_at",
        ConfigFields::NAMES.join(", ")
    )
});

/// A scope's config as its view shows it (`$1` scope), the same text on
/// both engines: what `GET /llm-config/` reads, without the sealed key,
/// fingerprint and scope a [`ConfigRow`] carries. Decoded by [`view_from`].
pub static GET_VIEW: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT id AS config_id, {}, api_key_masked, created_at, updated_at \
         FROM configs WHERE scope = $1",
        ConfigFields::NAMES.join(", ")
    )
});

/// The view of the config selected as `config_id`, the config fields,
/// `api_key_masked`, `created_at` and `updated_at` (by [`GET_VIEW`] and the
/// instance list), for the scope `instance_id` names.
pub(crate) fn view_from(
    r: &impl Columns,
    instance_id: Option<String>,
) -> Result<ConfigView, StoreError> {
    Ok(ConfigView::new(
        ViewRecord {
            id: r.with_text("config_id", parse_id)??.into(),
            api_key_masked: r.text("api_key_masked")?,
            instance_id,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
        },
        fields_from(r)?,
    ))
}

/// A config's id as stored (`NULL` is a corrupt row).
fn parse_id(id: Option<&str>) -> Result<Uuid, StoreError> {
    let id = id.ok_or_else(|| super::columns::null("config_id"))?;
    Uuid::parse_str(id).map_err(|e| StoreError::Corrupt(format!("id {id:?}: {e}")))
}

/// A stored configuration.
#[derive(Debug, Clone)]
pub struct ConfigRow {
    /// Record id.
    pub id: Uuid,
    /// Its scope.
    pub scope: Scope,
    /// Provider, model and base URL.
    pub fields: ConfigFields,
    /// The sealed key, bound to this row's [`ConfigRow::aad`].
    sealed_key: SealedKey,
    /// Mask computed at write time.
    pub api_key_masked: String,
    /// Fingerprint of the key, for the audit log.
    pub key_fingerprint: String,
    /// Creation time.
    pub created_at: OffsetDateTime,
    /// Last change time.
    pub updated_at: OffsetDateTime,
}

/// A key sealed for one row, with the mask and fingerprint that go with it.
/// Made only by [`ConfigRow::rekey`], so it is always bound to the row it
/// is written to.
#[derive(Debug, Clone)]
pub struct NewKey {
    sealed: SealedKey,
    mask: String,
    fingerprint: String,
}

impl NewKey {
    fn seal(master: &MasterKey, fingerprints: &Fingerprinter, aad: &Aad, key: &ApiKey) -> NewKey {
        NewKey {
            sealed: crypto::seal(master, aad, key),
            mask: mask_key(key.expose()),
            fingerprint: fingerprints.fingerprint(key),
        }
    }

    /// The fingerprint of the new key, for the audit entry.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

impl ConfigRow {
    /// A new row of `scope` (fresh id, stamped now) with `key` sealed for it.
    pub fn seal_new(
        scope: &Scope,
        fields: ConfigFields,
        key: &ApiKey,
        master: &MasterKey,
        fingerprints: &Fingerprinter,
    ) -> ConfigRow {
        let now = now();
        ConfigRow {
            // Created and updated at the same instant, not a tick apart.
            updated_at: now,
            ..ConfigRow::sealed_as(
                Uuid::now_v7(),
                scope,
                fields,
                key,
                master,
                fingerprints,
                now,
            )
        }
    }

    /// A row with a given id and creation time, `key` sealed for it and
    /// stamped now: what `restore` writes back.
    pub(crate) fn sealed_as(
        id: Uuid,
        scope: &Scope,
        fields: ConfigFields,
        key: &ApiKey,
        master: &MasterKey,
        fingerprints: &Fingerprinter,
        created_at: OffsetDateTime,
    ) -> ConfigRow {
        let aad = Aad::for_record(scope, id, &fields.provider, fields.base_url.as_deref());
        let new = NewKey::seal(master, fingerprints, &aad, key);
        ConfigRow {
            id,
            scope: scope.clone(),
            fields,
            sealed_key: new.sealed,
            api_key_masked: new.mask,
            key_fingerprint: new.fingerprint,
            created_at,
            updated_at: now(),
        }
    }

    /// `key` sealed for this row as it will be after an update to `fields`.
    pub fn rekey(
        &self,
        fields: &ConfigFields,
        key: &ApiKey,
        master: &MasterKey,
        fingerprints: &Fingerprinter,
    ) -> NewKey {
        NewKey::seal(
            master,
            fingerprints,
            &Aad::for_record(
                &self.scope,
                self.id,
                &fields.provider,
                fields.base_url.as_deref(),
            ),
            key,
        )
    }

    /// The associated data this row's key is sealed with.
    pub fn aad(&self) -> Aad {
        Aad::for_record(
            &self.scope,
            self.id,
            &self.fields.provider,
            self.fields.base_url.as_deref(),
        )
    }

    /// The plaintext key of this row; fails if the row was tampered with,
    /// moved, or sealed under another master key.
    pub fn open_key(&self, master: &MasterKey) -> Result<ApiKey, CryptoError> {
        crypto::open(master, &self.aad(), &self.sealed_key)
    }

    /// This row's key opened under `old` and sealed again under `new`, for
    /// a master-key rotation.
    pub fn reseal(&self, old: &MasterKey, new: &MasterKey) -> Result<SealedKey, CryptoError> {
        let key = self.open_key(old)?;
        Ok(crypto::seal(new, &self.aad(), &key))
    }

    /// The sealed bytes, as stored.
    pub fn sealed_key(&self) -> &SealedKey {
        &self.sealed_key
    }

    /// The public view of this row.
    pub fn to_view(&self) -> ConfigView {
        ConfigView::new(
            ViewRecord {
                id: self.id.into(),
                api_key_masked: self.api_key_masked.clone(),
                instance_id: self.scope.instance_id().map(str::to_string),
                created_at: self.created_at,
                updated_at: self.updated_at,
            },
            self.fields.clone(),
        )
    }

    /// This row after `update`, stamped now, and the audit entry that goes
    /// with it: the one place both stores turn a change into the new row.
    pub fn apply(&self, update: RowUpdate) -> (ConfigRow, AuditRecord) {
        let mut next = self.clone();
        next.fields = update.fields;
        if let Some(new) = update.new_key {
            next.sealed_key = new.sealed;
            next.api_key_masked = new.mask;
            next.key_fingerprint = new.fingerprint;
        }
        next.updated_at = now();
        (next, update.audit)
    }

    /// The row selected with [`CONFIG_COLUMNS`].
    pub(crate) fn from_columns(r: &impl Columns) -> Result<ConfigRow, StoreError> {
        let id = r.text("id")?;
        Ok(ConfigRow {
            id: Uuid::parse_str(&id).map_err(|e| StoreError::Corrupt(format!("id {id:?}: {e}")))?,
            scope: r.scope("scope")?,
            fields: fields_from(r)?,
            sealed_key: SealedKey::from_stored(r.blob("sealed_key")?),
            api_key_masked: r.text("api_key_masked")?,
            key_fingerprint: r.text("key_fingerprint")?,
            created_at: r.time("created_at")?,
            updated_at: r.time("updated_at")?,
        })
    }
}

/// The config fields of a row selected by their own column names.
pub(crate) fn fields_from(r: &impl Columns) -> Result<ConfigFields, StoreError> {
    ConfigFields::from_texts(|name| r.opt_text(name), super::columns::null)
}

/// The columns of an [`AuditEntry`].
pub const AUDIT_COLUMNS: &str = "id, at, actor, scope, action, fields, key_fingerprint, detail";

/// One audit row selected with [`AUDIT_COLUMNS`].
pub(crate) fn audit_entry_from(r: &impl Columns) -> Result<AuditEntry, StoreError> {
    let scope = r.text("scope")?;
    let fields = r.text("fields")?;
    Ok(AuditEntry {
        id: r.int("id")?,
        at: r.time("at")?,
        actor: r.text("actor")?,
        instance_id: (!scope.is_empty()).then_some(scope),
        action: AuditAction::parse(&r.text("action")?),
        fields: fields
            .split(',')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect(),
        key_fingerprint: r.opt_text("key_fingerprint")?,
        detail: r.opt_text("detail")?,
    })
}

/// The view of the config a row selected as [`view_from`] says holds
/// one; `None` when its `config_id` is `NULL` (a scope without a config).
pub(crate) fn view_if_any(
    r: &impl Columns,
    instance_id: Option<String>,
) -> Result<Option<ConfigView>, StoreError> {
    match r.opt_text("config_id")? {
        Some(_) => Ok(Some(view_from(r, instance_id)?)),
        None => Ok(None),
    }
}

/// Reads the recorded master-key check value (both dialects).
pub const KEY_CHECK: &str = "SELECT value FROM meta WHERE key = 'key_check'";

/// The change mark: the newest audit id. Every write and every recorded test
/// appends an audit entry in its own transaction, so the mark moves whenever
/// anything a reader shows changes, in any process or replica.
pub const CHANGE_MARK: &str = "SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) FROM audit";

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

/// The new values of an updated row.
#[derive(Debug, Clone)]
pub struct RowUpdate {
    /// Provider, model and base URL after the update.
    pub fields: ConfigFields,
    /// A newly sealed key, when the key changed.
    pub new_key: Option<NewKey>,
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
    /// What.
    pub action: AuditAction,
    /// Changed field names.
    pub fields: Vec<String>,
    /// Fingerprint of the key written, if any.
    pub key_fingerprint: Option<String>,
    /// Extra detail.
    pub detail: Option<String>,
}

impl AuditRecord {
    /// An entry stamped now, with no fields, fingerprint or detail yet.
    pub fn new(actor: impl Into<String>, scope: &Scope, action: AuditAction) -> AuditRecord {
        AuditRecord {
            at: now(),
            actor: actor.into(),
            scope: scope.clone(),
            action,
            fields: Vec::new(),
            key_fingerprint: None,
            detail: None,
        }
    }
}

/// Now, in UTC, to whole seconds (the API's timestamp precision).
pub fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// `t` as the store keeps every time: the one UTC text form the wire also
/// writes ([`UtcText`]), so that comparing two stored times as text (a
/// cut-off in SQL) compares the instants, to the second.
pub(crate) fn fmt_time(t: OffsetDateTime) -> String {
    UtcText::new(t)
        .expect("stored times are within years 0 to 9999")
        .as_str()
        .to_owned()
}

pub(crate) fn parse_time(s: &str) -> Result<OffsetDateTime, StoreError> {
    crate::domain::utc_text::parse(s)
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn a_stored_time_is_written_in_utc_so_text_order_is_time_order() {
        let east = datetime!(2026-12-07 12:00:00 +02:00);
        let utc = datetime!(2026-12-07 11:00:00 UTC);
        assert_eq!(fmt_time(east), "2026-12-07T10:00:00Z");
        assert!(
            fmt_time(east) < fmt_time(utc),
            "10:00 UTC is before 11:00 UTC"
        );
        assert_eq!(parse_time(&fmt_time(east)).unwrap(), east);
        assert_eq!(
            fmt_time(datetime!(2026-12-07 10:00:00.25 UTC)),
            "2026-12-07T10:00:00.25Z"
        );
    }
}

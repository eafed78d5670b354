//! The versions of a scope's config, written once for both engines: the
//! row type of the `config_versions` table ([`VersionRow`]), how a write
//! turns into the version it appends, how a version turns back into a live
//! row for `restore`, and the [`Versioning`] a store seals versions with.
//!
//! Every create, update, delete and restore appends one version in the
//! same transaction as the change (the engines' `configs.rs` call their
//! `versions::append`). A version that holds a config carries its own copy
//! of the key, sealed under the master key with the associated data of its
//! row *and* its version number ([`Aad::at_version`]), so a kept ciphertext
//! can be moved neither onto the live row nor onto another version. A
//! deletion is a version without a config. Retention purges run in the same
//! transaction; SQLite's `secure_delete` zeroes the purged bytes.
//!
//! A config written before versions existed gets a `recorded` version of
//! its state the first time it changes, so that change keeps what it
//! replaced like any other.

use time::OffsetDateTime;
use uuid::Uuid;

use super::StoreError;
use super::columns::{Columns, null};
use super::rows::{AuditRecord, ConfigRow, fmt_time};
use super::writes::{Dialect, Value, Write};
use crate::crypto::{self, Aad, Fingerprinter, MasterKey, SealedKey};
use crate::domain::{AuditAction, ConfigFields, Retention, Scope, VersionEntry};

/// The columns of a [`VersionRow`], as both engines select them (the
/// config fields' columns come from the field list).
pub const VERSION_COLUMNS: VersionColumns = VersionColumns;

/// The column list of [`VERSION_COLUMNS`], written out where it is shown.
#[derive(Debug, Clone, Copy)]
pub struct VersionColumns;

impl VersionColumns {
    fn names() -> Vec<&'static str> {
        let mut names = vec![
            "scope",
            "version",
            "record_id",
            "at",
            "actor",
            "action",
            "fields",
        ];
        names.extend(ConfigFields::NAMES);
        names.extend(["sealed_key", "api_key_masked", "key_fingerprint"]);
        names
    }
}

impl std::fmt::Display for VersionColumns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&VersionColumns::names().join(", "))
    }
}

/// When a config record was created: the time of its oldest kept version
/// (`$1` scope, `$2` record id), for a restore of a deleted scope. One text
/// for both engines (SQLite reads `$n` as the n-th parameter).
pub(crate) const RECORD_CREATED: &str = "SELECT at FROM config_versions \
     WHERE scope = $1 AND record_id = $2 ORDER BY version LIMIT 1";

/// What a store seals kept versions with and how many it keeps. Set by the
/// service when it opens the store, and replaced by a master-key rotation in
/// the rotation's own transaction.
#[derive(Clone)]
pub struct Versioning {
    /// The master key live rows are sealed with.
    pub master: MasterKey,
    /// The store's fingerprint key, for a restored row's fingerprint.
    pub fingerprints: Fingerprinter,
    /// Which versions are kept.
    pub retention: Retention,
}

/// A config as one version holds it.
#[derive(Debug, Clone)]
pub struct KeptConfig {
    /// Provider, model and base URL.
    pub fields: ConfigFields,
    /// The key, sealed for this version only.
    sealed_key: SealedKey,
    /// Mask of the key.
    pub api_key_masked: String,
    /// Fingerprint of the key.
    pub key_fingerprint: String,
}

/// One stored version of a scope.
#[derive(Debug, Clone)]
pub struct VersionRow {
    /// The scope.
    pub scope: Scope,
    /// Its number, from 1 per scope.
    pub version: i64,
    /// The id of the config row it was taken from.
    pub record_id: Uuid,
    /// When it was written.
    pub at: OffsetDateTime,
    /// Who wrote it.
    pub actor: String,
    /// The write that made it.
    pub action: AuditAction,
    /// The fields that changed.
    pub fields: Vec<String>,
    /// The config; `None` when this version is the deletion.
    pub config: Option<KeptConfig>,
}

/// What a write left in the scope: a row, or nothing.
pub enum Written<'a> {
    /// The row as committed.
    Row(&'a ConfigRow),
    /// The config with this id was deleted.
    Deleted(&'a ConfigRow),
}

fn corrupt_key(scope: &Scope, e: crypto::CryptoError) -> StoreError {
    StoreError::Corrupt(format!(
        "the key of the {scope} did not open while keeping a version ({e})"
    ))
}

impl KeptConfig {
    /// The sealed bytes, as stored.
    pub fn sealed_key(&self) -> &SealedKey {
        &self.sealed_key
    }
}

impl VersionRow {
    /// Version `version` of what `written` left, written by `audit`.
    pub(crate) fn of(
        written: Written<'_>,
        version: i64,
        audit: &AuditRecord,
        with: &Versioning,
    ) -> Result<VersionRow, StoreError> {
        let (row, config) = match written {
            Written::Deleted(row) => (row, None),
            Written::Row(row) => (row, Some(keep(row, version, &with.master)?)),
        };
        Ok(VersionRow {
            scope: row.scope.clone(),
            version,
            record_id: row.id,
            at: audit.at,
            actor: audit.actor.clone(),
            action: audit.action.clone(),
            fields: audit.fields.clone(),
            config,
        })
    }

    /// Version 1 of a config found without versions: its state as it is.
    pub(crate) fn recorded(row: &ConfigRow, with: &Versioning) -> Result<VersionRow, StoreError> {
        Ok(VersionRow {
            scope: row.scope.clone(),
            version: 1,
            record_id: row.id,
            at: row.updated_at,
            actor: "llmcfg".into(),
            action: AuditAction::Recorded,
            fields: Vec::new(),
            config: Some(keep(row, 1, &with.master)?),
        })
    }

    fn aad(&self, fields: &ConfigFields) -> Aad {
        Aad::for_record(
            &self.scope,
            self.record_id,
            &fields.provider,
            fields.base_url.as_deref(),
        )
        .at_version(self.version as u64)
    }

    /// The live row that makes this version current again: `current`'s id
    /// and creation time when the scope has a config, else this version's
    /// record id and `first`, when that record was created
    /// ([`RECORD_CREATED`]; this version's own time if none is kept).
    /// `NotRestorable` when this version is a deletion.
    pub(crate) fn restored(
        &self,
        current: Option<&ConfigRow>,
        first: Option<OffsetDateTime>,
        with: &Versioning,
    ) -> Result<ConfigRow, StoreError> {
        let master = &with.master;
        let kept = self.config.as_ref().ok_or(StoreError::NotRestorable {
            version: self.version,
        })?;
        let key = crypto::open(master, &self.aad(&kept.fields), &kept.sealed_key)
            .map_err(|e| corrupt_key(&self.scope, e))?;
        let id = current.map(|c| c.id).unwrap_or(self.record_id);
        let created = current.map(|c| c.created_at).or(first).unwrap_or(self.at);
        Ok(ConfigRow::sealed_as(
            id,
            &self.scope,
            kept.fields.clone(),
            &key,
            master,
            &with.fingerprints,
            created,
        ))
    }

    /// What a restore of this version writes, both engines: the live row
    /// ([`VersionRow::restored`]) and `audit` completed with the restored
    /// key's fingerprint and the fields that differ from `current`.
    pub(crate) fn restore_write(
        &self,
        current: Option<&ConfigRow>,
        first: Option<OffsetDateTime>,
        with: &Versioning,
        audit: &AuditRecord,
    ) -> Result<(ConfigRow, AuditRecord), StoreError> {
        let row = self.restored(current, first, with)?;
        let mut rec = audit.clone();
        rec.key_fingerprint = Some(row.key_fingerprint.clone());
        rec.fields = changed_fields(current, &row);
        Ok((row, rec))
    }

    /// This version's plaintext key (none for a deletion: `Corrupt`).
    pub(crate) fn open_key(&self, master: &MasterKey) -> Result<crate::domain::ApiKey, StoreError> {
        let kept = self
            .config
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("a deletion holds no key".into()))?;
        crypto::open(master, &self.aad(&kept.fields), &kept.sealed_key)
            .map_err(|e| corrupt_key(&self.scope, e))
    }

    /// This version's key opened under `old` and sealed under `new`.
    pub(crate) fn reseal(
        &self,
        old: &MasterKey,
        new: &MasterKey,
    ) -> Result<Option<SealedKey>, StoreError> {
        let Some(kept) = &self.config else {
            return Ok(None);
        };
        let aad = self.aad(&kept.fields);
        let key =
            crypto::open(old, &aad, &kept.sealed_key).map_err(|e| corrupt_key(&self.scope, e))?;
        Ok(Some(crypto::seal(new, &aad, &key)))
    }

    /// The `INSERT` of this version (the config columns from the field
    /// list; all `NULL` for a deletion).
    pub(crate) fn insert(&self, dialect: Dialect) -> Write {
        let kept = self.config.as_ref();
        let text = |t: Option<&str>| Value::Text(t.map(str::to_string));
        let mut values = vec![
            Value::text(self.scope.key()),
            Value::int(self.version),
            Value::text(self.record_id.to_string()),
            Value::text(fmt_time(self.at)),
            Value::text(&self.actor),
            Value::text(self.action.as_str()),
            Value::text(self.fields.join(",")),
        ];
        values.extend(
            ConfigFields::NAMES
                .iter()
                .map(|name| text(kept.and_then(|k| k.fields.text(name)))),
        );
        values.extend([
            Value::Bytes(kept.map(|k| k.sealed_key.as_bytes().to_vec())),
            text(kept.map(|k| k.api_key_masked.as_str())),
            text(kept.map(|k| k.key_fingerprint.as_str())),
        ]);
        let params: Vec<String> = (1..=values.len()).map(|n| dialect.param(n)).collect();
        Write {
            sql: format!(
                "INSERT INTO config_versions ({VERSION_COLUMNS}) VALUES ({})",
                params.join(", ")
            ),
            values,
        }
    }

    /// The row selected with [`VERSION_COLUMNS`].
    pub(crate) fn from_columns(r: &impl Columns) -> Result<VersionRow, StoreError> {
        let id = r.text("record_id")?;
        // A deletion's row holds no config: its required columns are NULL.
        let config = match r.opt_text(ConfigFields::NAMES[0])? {
            None => None,
            Some(_) => Some(KeptConfig {
                fields: ConfigFields::from_texts(|name| r.opt_text(name), null)?,
                sealed_key: SealedKey::from_stored(r.blob("sealed_key")?),
                api_key_masked: r.text("api_key_masked")?,
                key_fingerprint: r.text("key_fingerprint")?,
            }),
        };
        Ok(VersionRow {
            scope: r.scope("scope")?,
            version: r.int("version")?,
            record_id: Uuid::parse_str(&id)
                .map_err(|e| StoreError::Corrupt(format!("record id {id:?}: {e}")))?,
            at: r.time("at")?,
            actor: r.text("actor")?,
            action: AuditAction::parse(&r.text("action")?),
            fields: r
                .text("fields")?
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect(),
            config,
        })
    }

    /// What `history` shows of this version (no key material).
    pub fn to_entry(&self) -> VersionEntry {
        let kept = self.config.as_ref();
        VersionEntry {
            instance_id: self.scope.instance_id().map(str::to_string),
            version: self.version.max(0) as u64,
            at: self.at,
            actor: self.actor.clone(),
            action: self.action.clone(),
            fields: self.fields.clone(),
            deleted: kept.is_none(),
            config: kept.map(|k| k.fields.clone()),
            api_key_masked: kept.map(|k| k.api_key_masked.clone()),
            key_fingerprint: kept.map(|k| k.key_fingerprint.clone()),
        }
    }
}

/// The fields a restore changes: those that differ between the scope's
/// current row (none after a deletion: every field) and the restored one.
pub(crate) fn changed_fields(current: Option<&ConfigRow>, restored: &ConfigRow) -> Vec<String> {
    let Some(current) = current else {
        let mut out: Vec<String> = ConfigFields::NAMES
            .iter()
            .filter(|name| restored.fields.text(name).is_some())
            .map(|name| name.to_string())
            .collect();
        out.push("api_key".to_string());
        return out;
    };
    let mut out: Vec<String> = current
        .fields
        .differing(&restored.fields)
        .into_iter()
        .map(str::to_string)
        .collect();
    if current.key_fingerprint != restored.key_fingerprint {
        out.push("api_key".to_string());
    }
    out
}

/// `row`'s key as version `version` keeps it.
fn keep(row: &ConfigRow, version: i64, master: &MasterKey) -> Result<KeptConfig, StoreError> {
    let key = row
        .open_key(master)
        .map_err(|e| corrupt_key(&row.scope, e))?;
    let aad = row.aad().at_version(version as u64);
    Ok(KeptConfig {
        fields: row.fields.clone(),
        sealed_key: crypto::seal(master, &aad, &key),
        api_key_masked: row.api_key_masked.clone(),
        key_fingerprint: row.key_fingerprint.clone(),
    })
}

/// The purge cutoff time as stored (`""` sorts before every timestamp, so
/// no version is older than it).
pub(crate) fn cutoff(before: Option<OffsetDateTime>) -> String {
    before.map(fmt_time).unwrap_or_default()
}

/// Everything sealed under the master key that lives in rows: the configs
/// and the kept versions that hold a key.
#[derive(Debug, Default)]
pub struct SealedInventory {
    /// Every stored config.
    pub configs: Vec<ConfigRow>,
    /// Every kept version with a sealed key (deletions hold none).
    pub versions: Vec<VersionRow>,
}

//! Queries on the `config_versions` table in PostgreSQL (see
//! [`crate::store::versions`] for what a version is). [`append`] runs in the
//! transaction of the write it records, which holds the config row
//! `FOR UPDATE` (or, for a create, the scope's unique index), so two
//! replicas never number a scope's versions alike. [`restore_in`] is a
//! restore inside a caller's transaction (a rotation's rollback).

use tokio_postgres::GenericClient;

use super::rows::{now, parse_time};
use super::{AuditRecord, ConfigRow, PgStore, StoreError, audit, configs};
use crate::domain::Scope;
use crate::store::columns::pg_params;
use crate::store::versions::{
    RECORD_CREATED, SealedInventory, VERSION_COLUMNS, VersionRow, Versioning, Written, cutoff,
};
use crate::store::writes::Dialect;

/// Appends the version `written` leaves (and, for a config that has none
/// yet, a `recorded` version of `before` first), then purges what the
/// retention rule drops. Nothing when `with` is `None`.
pub(super) async fn append<C: GenericClient>(
    tx: &C,
    with: Option<&Versioning>,
    before: Option<&ConfigRow>,
    written: Written<'_>,
    audit_rec: &AuditRecord,
) -> Result<(), StoreError> {
    let Some(with) = with else {
        return Ok(());
    };
    let scope = audit_rec.scope.key();
    let mut newest: i64 = tx
        .query_one(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM config_versions WHERE scope = $1",
            &[&scope],
        )
        .await?
        .get(0);
    if newest == 0
        && let Some(before) = before
    {
        insert(tx, &VersionRow::recorded(before, with)?).await?;
        newest = 1;
    }
    let version = VersionRow::of(written, newest + 1, audit_rec, with)?;
    insert(tx, &version).await?;
    let bounds = with.retention.bounds(version.version, now());
    tx.execute(
        "DELETE FROM config_versions WHERE scope = $1 AND version < $2
             AND (version <= $3 OR at < $4)",
        &[
            &scope,
            &bounds.newest,
            &bounds.through,
            &cutoff(bounds.before),
        ],
    )
    .await?;
    Ok(())
}

async fn insert<C: GenericClient>(tx: &C, v: &VersionRow) -> Result<(), StoreError> {
    let write = v.insert(Dialect::Postgres);
    tx.execute(&write.sql, &pg_params(&write.values)).await?;
    Ok(())
}

/// Re-seals every kept version from `old`'s master key to `new`'s, inside
/// the rotation's transaction.
pub(super) async fn reseal<C: GenericClient>(
    tx: &C,
    old: &Versioning,
    new: &Versioning,
) -> Result<usize, StoreError> {
    let rows = tx
        .query(
            &format!(
                "SELECT {VERSION_COLUMNS} FROM config_versions WHERE sealed_key IS NOT NULL FOR UPDATE"
            ),
            &[],
        )
        .await?;
    for r in &rows {
        let v = VersionRow::from_columns(r)?;
        if let Some(sealed) = v.reseal(&old.master, &new.master)? {
            tx.execute(
                "UPDATE config_versions SET sealed_key = $1 WHERE scope = $2 AND version = $3",
                &[&sealed.as_bytes(), &v.scope.key(), &v.version],
            )
            .await?;
        }
    }
    Ok(rows.len())
}

impl PgStore {
    /// The newest `limit` versions, newest first; one scope or all.
    /// Every config and every kept version with a sealed key, read in one
    /// repeatable-read transaction (`master-key verify`).
    pub async fn sealed_inventory(&self) -> Result<SealedInventory, StoreError> {
        let mut c = self.client().await?;
        let tx = c
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let configs = super::configs::all(&*tx).await?;
        let versions = tx
            .query(
                &format!(
                    "SELECT {VERSION_COLUMNS} FROM config_versions WHERE sealed_key IS NOT NULL"
                ),
                &[],
            )
            .await?
            .iter()
            .map(VersionRow::from_columns)
            .collect::<Result<Vec<_>, _>>()?;
        tx.commit().await?;
        Ok(SealedInventory { configs, versions })
    }

    pub async fn history(
        &self,
        scope: Option<&Scope>,
        limit: usize,
    ) -> Result<Vec<VersionRow>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = format!("SELECT {VERSION_COLUMNS} FROM config_versions");
        let rows = match scope {
            Some(scope) => {
                let c = self.hot().await?;
                let stmt = c
                    .prepare_cached(&format!(
                        "{sql} WHERE scope = $1 ORDER BY version DESC LIMIT $2"
                    ))
                    .await?;
                c.query(&stmt, &[&scope.key(), &limit]).await?
            }
            None => {
                let c = self.client().await?;
                c.query(
                    &format!("{sql} ORDER BY at DESC, scope COLLATE \"C\", version DESC LIMIT $1"),
                    &[&limit],
                )
                .await?
            }
        };
        rows.iter().map(VersionRow::from_columns).collect()
    }

    /// Makes version `version` of `scope` current again, in one transaction
    /// that also appends the `restore` version and the audit entry.
    pub async fn restore(
        &self,
        scope: &Scope,
        version: i64,
        audit_rec: AuditRecord,
    ) -> Result<ConfigRow, StoreError> {
        let with = self.versioning();
        let kcv = self.expected_kcv();
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        configs::check_sealing_key(&tx, kcv.as_deref()).await?;
        let row = restore_in(&*tx, with.as_ref(), scope, version, &audit_rec).await?;
        tx.commit().await?;
        Ok(row)
    }
}

/// The restore inside a transaction the caller holds (a rollback's holds
/// many), holding the scope's row `FOR UPDATE`; `NoSuchVersion` when
/// versions are not kept.
pub(super) async fn restore_in<C: GenericClient>(
    tx: &C,
    with: Option<&Versioning>,
    scope: &Scope,
    version: i64,
    audit_rec: &AuditRecord,
) -> Result<ConfigRow, StoreError> {
    let with = with.ok_or(StoreError::NoSuchVersion { version })?;
    let current = configs::get_for_update(tx, scope).await?;
    let wanted = tx
        .query_opt(
            &format!(
                "SELECT {VERSION_COLUMNS} FROM config_versions WHERE scope = $1 AND version = $2"
            ),
            &[&scope.key(), &version],
        )
        .await?
        .as_ref()
        .map(VersionRow::from_columns)
        .transpose()?
        .ok_or(StoreError::NoSuchVersion { version })?;
    let first = record_created(tx, &wanted).await?;
    let (row, rec) = wanted.restore_write(current.as_ref(), first, with, audit_rec)?;
    configs::put(tx, &row, current.is_some()).await?;
    append(tx, Some(with), current.as_ref(), Written::Row(&row), &rec).await?;
    audit::append(tx, &rec).await?;
    Ok(row)
}

/// When the record `version` was taken from was created (see
/// [`RECORD_CREATED`]).
async fn record_created<C: GenericClient>(
    tx: &C,
    version: &VersionRow,
) -> Result<Option<time::OffsetDateTime>, StoreError> {
    let row = tx
        .query_opt(
            RECORD_CREATED,
            &[&version.scope.key(), &version.record_id.to_string()],
        )
        .await?;
    row.map(|r| parse_time(r.get(0))).transpose()
}

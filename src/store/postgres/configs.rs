//! Queries on the `configs` table in PostgreSQL. A read-modify-write takes
//! the row with `SELECT … FOR UPDATE`: a second replica patching the same
//! scope waits, then reads the committed row, so neither change is lost. A
//! create relies on the unique index on `scope`: when two replicas insert at
//! once, the loser's INSERT fails with a unique violation → `AlreadyExists`.

use tokio_postgres::GenericClient;
use tokio_postgres::error::SqlState;

use super::rows::{CONFIG_COLUMNS, KEY_CHECK, fmt_time, verify_sealing_key};
use super::versions;
use super::{AuditRecord, ConfigRow, PgStore, StoreError, audit};
use crate::domain::Scope;
use crate::store::RowUpdate;
use crate::store::versions::Written;

/// The row of `scope`, held until the transaction ends.
pub(super) async fn get_for_update<C: GenericClient>(
    c: &C,
    scope: &Scope,
) -> Result<Option<ConfigRow>, StoreError> {
    c.query_opt(
        &format!("SELECT {CONFIG_COLUMNS} FROM configs WHERE scope = $1 FOR UPDATE"),
        &[&scope.key()],
    )
    .await?
    .as_ref()
    .map(ConfigRow::from_columns)
    .transpose()
}

pub(super) async fn all<C: GenericClient>(c: &C) -> Result<Vec<ConfigRow>, StoreError> {
    // Byte order, like SQLite's, whatever the database's collation.
    c.query(
        &format!("SELECT {CONFIG_COLUMNS} FROM configs ORDER BY scope COLLATE \"C\""),
        &[],
    )
    .await?
    .iter()
    .map(ConfigRow::from_columns)
    .collect()
}

impl PgStore {
    /// The config of `scope`, if any.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
        let c = self.hot().await?;
        // The hot read of `GET /llm-config/`: prepared once per connection.
        let statement = c
            .prepare_cached(&format!(
                "SELECT {CONFIG_COLUMNS} FROM configs WHERE scope = $1"
            ))
            .await?;
        c.query_opt(&statement, &[&scope.key()])
            .await?
            .as_ref()
            .map(ConfigRow::from_columns)
            .transpose()
    }

    /// Every stored config.
    pub async fn all_configs(&self) -> Result<Vec<ConfigRow>, StoreError> {
        let c = self.client().await?;
        all(&**c).await
    }

    /// Inserts a new config; `AlreadyExists` if the scope has one. The audit
    /// entry commits in the same transaction.
    pub async fn insert(&self, row: ConfigRow, audit_rec: AuditRecord) -> Result<(), StoreError> {
        let kcv = self.expected_kcv();
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        check_sealing_key(&tx, kcv.as_deref()).await?;
        match insert_row(&*tx, &row).await {
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                return Err(StoreError::AlreadyExists);
            }
            other => other?,
        };
        // A new config makes any earlier test result of this scope stale.
        tx.execute(
            "DELETE FROM last_tests WHERE scope = $1",
            &[&row.scope.key()],
        )
        .await?;
        let with = self.versioning();
        versions::append(&*tx, with.as_ref(), None, Written::Row(&row), &audit_rec).await?;
        audit::append(&*tx, &audit_rec).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Reads the config of `scope` under `FOR UPDATE` and writes back what
    /// `change` returns, in one transaction. `NotFound` if there is none.
    pub async fn update<E>(
        &self,
        scope: &Scope,
        change: impl FnOnce(&ConfigRow) -> Result<RowUpdate, E> + Send + 'static,
    ) -> Result<ConfigRow, E>
    where
        E: From<StoreError> + Send + 'static,
    {
        let kcv = self.expected_kcv();
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StoreError::from)?;
        check_sealing_key(&tx, kcv.as_deref()).await?;
        let current = get_for_update(&*tx, scope)
            .await?
            .ok_or(StoreError::NotFound)?;
        // A rejected change drops `tx`, which rolls back and frees the row.
        let update = change(&current)?;
        let (next, audit_rec) = current.apply(update);
        tx.execute(
            "UPDATE configs SET provider = $1, model = $2, base_url = $3, sealed_key = $4,
                 api_key_masked = $5, key_fingerprint = $6, updated_at = $7
             WHERE id = $8",
            &[
                &next.fields.provider,
                &next.fields.model,
                &next.fields.base_url,
                &next.sealed_key().as_bytes(),
                &next.api_key_masked,
                &next.key_fingerprint,
                &fmt_time(next.updated_at),
                &next.id.to_string(),
            ],
        )
        .await
        .map_err(StoreError::from)?;
        let with = self.versioning();
        versions::append(
            &*tx,
            with.as_ref(),
            Some(&current),
            Written::Row(&next),
            &audit_rec,
        )
        .await?;
        audit::append(&*tx, &audit_rec).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(next)
    }

    /// Deletes the config of `scope` and its last test; `NotFound` if none.
    pub async fn delete(
        &self,
        scope: &Scope,
        mut audit_rec: AuditRecord,
    ) -> Result<ConfigRow, StoreError> {
        let kcv = self.expected_kcv();
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // A delete may seal a `recorded` version of what it removes.
        check_sealing_key(&tx, kcv.as_deref()).await?;
        let current = get_for_update(&*tx, scope)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.execute(
            "DELETE FROM configs WHERE id = $1",
            &[&current.id.to_string()],
        )
        .await?;
        tx.execute("DELETE FROM last_tests WHERE scope = $1", &[&scope.key()])
            .await?;
        audit_rec.key_fingerprint = Some(current.key_fingerprint.clone());
        let with = self.versioning();
        versions::append(
            &*tx,
            with.as_ref(),
            Some(&current),
            Written::Deleted(&current),
            &audit_rec,
        )
        .await?;
        audit::append(&*tx, &audit_rec).await?;
        tx.commit().await?;
        Ok(current)
    }
}

/// Inserts `row` as it is.
async fn insert_row<C: GenericClient>(
    c: &C,
    row: &ConfigRow,
) -> Result<u64, tokio_postgres::Error> {
    c.execute(
        &format!(
            "INSERT INTO configs ({CONFIG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ),
        &[
            &row.id.to_string(),
            &row.scope.key(),
            &row.fields.provider,
            &row.fields.model,
            &row.fields.base_url,
            &row.sealed_key().as_bytes(),
            &row.api_key_masked,
            &row.key_fingerprint,
            &fmt_time(row.created_at),
            &fmt_time(row.updated_at),
        ],
    )
    .await
}

/// Writes `row` as the scope's config, replacing the scope's row when
/// `exists` (held `FOR UPDATE` by the caller).
pub(super) async fn put<C: GenericClient>(
    c: &C,
    row: &ConfigRow,
    exists: bool,
) -> Result<(), StoreError> {
    if exists {
        c.execute("DELETE FROM configs WHERE scope = $1", &[&row.scope.key()])
            .await?;
    }
    insert_row(c, row).await?;
    // The restored key has not been tested in this state.
    c.execute(
        "DELETE FROM last_tests WHERE scope = $1",
        &[&row.scope.key()],
    )
    .await?;
    Ok(())
}

/// Refuses a write when the store's master-key check value is no longer the
/// one this process seals with. `FOR SHARE` waits for a rotation in flight
/// (which updates this row) and then reads its committed value, so a stale
/// replica cannot seal a key under the old master key after a rotation.
pub(super) async fn check_sealing_key(
    tx: &tokio_postgres::Transaction<'_>,
    expected: Option<&str>,
) -> Result<(), StoreError> {
    if expected.is_none() {
        return Ok(());
    }
    let recorded: Option<String> = tx
        .query_opt(&format!("{KEY_CHECK} FOR SHARE"), &[])
        .await?
        .map(|r| r.get(0));
    verify_sealing_key(recorded.as_deref(), expected)
}

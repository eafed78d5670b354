//! PostgreSQL persistence for several replicas sharing one database. The
//! database does the coordinating: a unique index keeps one config per
//! scope, `SELECT … FOR UPDATE` holds a row through each read-modify-write
//! (so two replicas patching different fields both land), and every write
//! commits with its audit entry in one transaction.
//!
//! Every call awaits natively on a connection from a `deadpool-postgres`
//! pool ([`pool`]): no runtime of our own, no blocking wait. Transactions
//! each take a pooled connection of their own. The two point reads of every
//! server request (config by scope, token by hash) share one pooled
//! connection instead: tokio-postgres pipelines concurrent queries on it, so
//! a burst of requests costs about one round trip and one PostgreSQL backend
//! rather than one of each per request. It never runs a transaction, so it
//! reads only committed rows. Hot statements are prepared once per
//! connection through the pool's statement cache.

mod audit;
mod configs;
mod connect_settings;
mod fingerprints;
mod health;
mod instances;
mod key_facts;
mod lifecycle_alerts;
mod migrations;
mod options;
mod pinned;
mod pool;
mod rotations;
mod tests_table;
mod tls;
mod tokens;
mod versions;

use std::sync::{Arc, Mutex, RwLock};

use deadpool_postgres::{Object, Pool};

pub use connect_settings::{DEFAULT_POOL_SIZE, MAX_POOL_SIZE, PgSettings, SslMode};
pub use options::PgConnectOptions;
pub use pool::build_pool;
pub use tls::{CaSource, PgConnector, error_chain};

use super::{AuditRecord, ConfigRow, StoreError, columns, rows, writes};
use crate::crypto::{MasterKey, SealedKey};
use crate::store::versions::Versioning;

/// An open PostgreSQL store; clones share one pool.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Says which TLS rules were in force when a connection fails.
    connector: PgConnector,
    /// Check value of the master key this process seals with; writes of a
    /// sealed key verify it inside their transaction. Read for a moment at
    /// the start of each write, never held across an await.
    sealing_kcv: Arc<RwLock<Option<String>>>,
    /// The shared connection of the point reads; replaced once closed.
    hot: Arc<Mutex<Option<Arc<Object>>>>,
    /// What versions are sealed with and kept by; `None` (no versions
    /// written) until the service sets it. Read for a moment per write.
    versioning: Arc<RwLock<Option<Versioning>>>,
}

impl PgStore {
    /// Connects as `options` say (TLS mode and CA, pool size, statement
    /// timeout) and brings the schema up to date.
    pub async fn open(options: &PgConnectOptions) -> Result<PgStore, StoreError> {
        let connector = options.connector()?;
        let pool = build_pool(
            options.pg_config().clone(),
            options.tls_connector()?,
            options.pool_size(),
        )?;
        PgStore::open_pool(pool, connector).await
    }

    /// A store over `pool` (see [`build_pool`]); runs the migrations.
    /// `connector` describes the connection rules in errors.
    pub async fn open_pool(pool: Pool, connector: PgConnector) -> Result<PgStore, StoreError> {
        let store = PgStore {
            pool,
            connector,
            sealing_kcv: Arc::new(RwLock::new(None)),
            hot: Arc::new(Mutex::new(None)),
            versioning: Arc::new(RwLock::new(None)),
        };
        let mut client = store.client().await?;
        migrations::migrate(&mut client).await?;
        Ok(store)
    }

    /// A pooled connection. A connection the server closed (restart,
    /// failover) is dropped by the pool and a new one made; an operation
    /// that fails mid-way is never retried, since the caller cannot tell
    /// whether it committed.
    async fn client(&self) -> Result<Object, StoreError> {
        self.pool.get().await.map_err(|e| match e {
            // A failed connect (TLS, auth, refused) says why and under which
            // TLS rules; the URL is not repeated, as it may carry a password.
            deadpool_postgres::PoolError::Backend(e) => self.connector.connect_error(&e),
            other => StoreError::Pool(other),
        })
    }

    /// The connection the point reads share. Two reads may both replace a
    /// closed one; the later wins and the other returns to the pool when
    /// its last reader is done.
    async fn hot(&self) -> Result<Arc<Object>, StoreError> {
        let lock = || self.hot.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(conn) = lock().as_ref().filter(|c| !c.is_closed()) {
            return Ok(conn.clone());
        }
        let conn = Arc::new(self.client().await?);
        *lock() = Some(conn.clone());
        Ok(conn)
    }

    fn expected_kcv(&self) -> Option<String> {
        self.sealing_kcv
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn versioning(&self) -> Option<Versioning> {
        self.versioning
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Tells the store what to seal versions with and how many to keep.
    pub async fn set_versioning(&self, with: Versioning) -> Result<(), StoreError> {
        *self.versioning.write().unwrap_or_else(|p| p.into_inner()) = Some(with);
        Ok(())
    }

    /// Tells the store which master key this process seals with.
    pub async fn set_sealing_key_check(&self, kcv: String) -> Result<(), StoreError> {
        *self.sealing_kcv.write().unwrap_or_else(|p| p.into_inner()) = Some(kcv);
        Ok(())
    }

    /// The stored master-key check value, if the store has one yet.
    pub async fn key_check_value(&self) -> Result<Option<String>, StoreError> {
        let c = self.client().await?;
        let row = c.query_opt(rows::KEY_CHECK, &[]).await?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Records the check value of the master key if none is recorded yet, and
    /// returns the one that is recorded (another replica may have won).
    pub async fn init_key_check_value(&self, kcv: String) -> Result<String, StoreError> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO meta (key, value) VALUES ('key_check', $1)
                 ON CONFLICT (key) DO NOTHING",
            &[&kcv],
        )
        .await?;
        let row = c.query_one(rows::KEY_CHECK, &[]).await?;
        Ok(row.get(0))
    }

    /// True when the store has never held a sealed key.
    pub async fn is_fresh(&self) -> Result<bool, StoreError> {
        let c = self.client().await?;
        let row = c
            .query_one(
                "SELECT (SELECT COUNT(*) FROM configs) = 0
                        AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'key_check')",
                &[],
            )
            .await?;
        Ok(row.get(0))
    }

    /// Re-seals every stored key and records the new check value, in one
    /// transaction that locks `configs` against concurrent writers, so no
    /// replica slips in a row sealed under the old key meanwhile.
    pub async fn reseal_all<E>(
        &self,
        new_kcv: String,
        mut reseal: impl FnMut(&ConfigRow) -> Result<SealedKey, E> + Send + 'static,
        new_master: MasterKey,
        audit_rec: AuditRecord,
    ) -> Result<usize, E>
    where
        E: From<StoreError> + Send + 'static,
    {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(StoreError::from)?;
        tx.batch_execute("LOCK TABLE configs IN SHARE ROW EXCLUSIVE MODE")
            .await
            .map_err(StoreError::from)?;
        // Another replica may have rotated since this one opened.
        configs::check_sealing_key(&tx, self.expected_kcv().as_deref()).await?;
        let all = configs::all(&*tx).await?;
        for row in &all {
            // An error drops `tx`, which rolls everything back.
            let sealed = reseal(row)?;
            tx.execute(
                "UPDATE configs SET sealed_key = $1 WHERE id = $2",
                &[&sealed.as_bytes(), &row.id.to_string()],
            )
            .await
            .map_err(StoreError::from)?;
        }
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('key_check', $1)
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&new_kcv],
        )
        .await
        .map_err(StoreError::from)?;
        let next = self.versioning().map(|old| {
            let new = Versioning {
                master: new_master,
                ..old.clone()
            };
            (old, new)
        });
        if let Some((old, new)) = &next {
            versions::reseal(&*tx, old, new).await?;
            fingerprints::reseal_key(&*tx, old, new).await?;
        }
        audit::append(&*tx, &audit_rec).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.set_sealing_key_check(new_kcv).await?;
        if let Some((_, new)) = next {
            self.set_versioning(new).await?;
        }
        Ok(all.len())
    }
}

impl PgStore {
    /// Every config with its key's mask, fingerprint and last test.
    pub async fn key_uses(&self) -> Result<Vec<crate::domain::KeyUse>, StoreError> {
        let c = self.client().await?;
        c.query(super::key_map::KEY_USES, &[])
            .await?
            .iter()
            .map(super::key_map::key_use_from)
            .collect()
    }
}

//! PostgreSQL persistence for several replicas sharing one database. The
//! database does the coordinating: a unique index keeps one config per
//! scope, `SELECT … FOR UPDATE` holds a row through each read-modify-write
//! (so two replicas patching different fields both land), and every write
//! commits with its audit entry in one transaction.
//!
//! Why `tokio-postgres` behind a synchronous facade rather than the sync
//! `postgres` crate: `postgres::Client` owns a current-thread runtime and
//! calls `Runtime::block_on`, which panics on a thread inside the service's
//! runtime (the CLI opens the store from async code, and tests run the store
//! inline on a current-thread runtime), and dropping it there panics too.
//! Here the connection task runs on a one-thread runtime this store owns,
//! and callers wait with a plain executor (`futures_executor::block_on`),
//! which is legal on any thread. The service already moves store calls off
//! its async workers (`block_in_place`/`spawn_blocking`), so waiting here
//! never stalls other requests. The store calls run one at a time on this
//! connection (the service holds them behind a mutex); the hot reads of a
//! server get a second connection of their own, see [`PgReader`].

mod audit;
mod configs;
mod connect_settings;
mod instances;
mod migrations;
mod options;
mod reader;
mod tests_table;
mod tls;
mod tokens;

use std::collections::HashMap;
use std::future::Future;

use tokio::runtime::Runtime;
use tokio_postgres::{Client, Statement};

pub use connect_settings::{DEFAULT_POOL_SIZE, MAX_POOL_SIZE, PgSettings, SslMode};
pub use options::PgConnectOptions;
pub use reader::PgReader;
pub use tls::{CaSource, PgConnector, error_chain};

use super::rows;
use super::{AuditRecord, ConfigRow, StoreError};
use crate::crypto::SealedKey;

/// An open PostgreSQL store: one connection, re-established when it drops.
pub struct PgStore {
    /// `None` only while dropping (the runtime is shut down in the background).
    runtime: Option<Runtime>,
    client: Client,
    connector: PgConnector,
    /// Prepared statements of the hot reads, by SQL text: a cached
    /// statement saves the parse round trip on every request.
    statements: HashMap<&'static str, Statement>,
    /// Check value of the master key this process seals with; writes of a
    /// sealed key verify it inside their transaction.
    pub(super) sealing_kcv: Option<String>,
}

impl PgStore {
    /// Connects as `options` say and brings the schema up to date.
    pub fn open(options: &PgConnectOptions) -> Result<PgStore, StoreError> {
        let connector = options.connector()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("llmcfg-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Open(format!("cannot start the PostgreSQL runtime: {e}")))?;
        let client = match connect(&runtime, &connector) {
            Ok(client) => client,
            Err(e) => {
                // Dropping the runtime here would block, and panic when the
                // caller is async code (the CLI opens the store there).
                runtime.shutdown_background();
                return Err(e);
            }
        };
        let mut store = PgStore {
            runtime: Some(runtime),
            client,
            connector,
            statements: HashMap::new(),
            sealing_kcv: None,
        };
        let (rt, c) = store.conn()?;
        wait(rt, migrations::migrate(c))?;
        Ok(store)
    }

    /// The runtime and a live connection. A connection that the server
    /// closed (restart, failover) is replaced first; an operation that fails
    /// mid-way is never retried, since the caller cannot tell whether it
    /// committed.
    fn conn(&mut self) -> Result<(&Runtime, &mut Client), StoreError> {
        let runtime = self.runtime.as_ref().expect("runtime lives until drop");
        if self.client.is_closed() {
            tracing::warn!("PostgreSQL connection lost; reconnecting");
            self.client = connect(runtime, &self.connector)?;
            // Statements belong to the connection that prepared them.
            self.statements.clear();
        }
        Ok((runtime, &mut self.client))
    }

    /// Like [`PgStore::conn`], plus `sql` prepared once per connection.
    fn prepared(
        &mut self,
        sql: &'static str,
    ) -> Result<(&Runtime, &mut Client, Statement), StoreError> {
        self.conn()?;
        let runtime = self.runtime.as_ref().expect("runtime lives until drop");
        let statement = match self.statements.get(sql) {
            Some(s) => s.clone(),
            None => {
                let s = wait(runtime, self.client.prepare(sql))?;
                self.statements.insert(sql, s.clone());
                s
            }
        };
        Ok((runtime, &mut self.client, statement))
    }

    /// A reader for the hot reads, on a connection of its own (see
    /// [`PgReader`]); it connects on first use.
    pub fn reader(&self) -> PgReader {
        let runtime = self.runtime.as_ref().expect("runtime lives until drop");
        PgReader::new(runtime.handle().clone(), self.connector.clone())
    }

    /// The stored master-key check value, if the store has one yet.
    pub fn key_check_value(&mut self) -> Result<Option<String>, StoreError> {
        let (rt, c) = self.conn()?;
        wait(rt, async move {
            let row = c
                .query_opt("SELECT value FROM meta WHERE key = 'key_check'", &[])
                .await?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    /// Records the check value of the master key if none is recorded yet, and
    /// returns the one that is recorded (another replica may have won).
    pub fn init_key_check_value(&mut self, kcv: &str) -> Result<String, StoreError> {
        let (rt, c) = self.conn()?;
        wait(rt, async move {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ('key_check', $1)
                     ON CONFLICT (key) DO NOTHING",
                &[&kcv],
            )
            .await?;
            let row = c
                .query_one("SELECT value FROM meta WHERE key = 'key_check'", &[])
                .await?;
            Ok(row.get(0))
        })
    }

    /// True when the store has never held a sealed key.
    pub fn is_fresh(&mut self) -> Result<bool, StoreError> {
        let (rt, c) = self.conn()?;
        wait(rt, async move {
            let row = c
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM configs) = 0
                            AND NOT EXISTS (SELECT 1 FROM meta WHERE key = 'key_check')",
                    &[],
                )
                .await?;
            Ok(row.get(0))
        })
    }

    /// Re-seals every stored key and records the new check value, in one
    /// transaction that locks `configs` against concurrent writers, so no
    /// replica slips in a row sealed under the old key meanwhile.
    pub fn reseal_all<E>(
        &mut self,
        new_kcv: &str,
        mut reseal: impl FnMut(&ConfigRow) -> Result<SealedKey, E>,
        audit_rec: &AuditRecord,
    ) -> Result<usize, E>
    where
        E: From<StoreError>,
    {
        let mut failure: Option<E> = None;
        let failure_slot = &mut failure;
        let (rt, c) = self.conn().map_err(E::from)?;
        let result = wait(rt, async move {
            let tx = c.transaction().await?;
            tx.batch_execute("LOCK TABLE configs IN SHARE ROW EXCLUSIVE MODE")
                .await?;
            let rows = configs::all(&tx).await?;
            for row in &rows {
                let sealed = match reseal(row) {
                    Ok(s) => s,
                    Err(e) => {
                        // Dropping the transaction rolls it back.
                        *failure_slot = Some(e);
                        return Ok(0);
                    }
                };
                tx.execute(
                    "UPDATE configs SET sealed_key = $1 WHERE id = $2",
                    &[&sealed.as_bytes(), &row.id.to_string()],
                )
                .await?;
            }
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('key_check', $1)
                     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&new_kcv],
            )
            .await?;
            audit::append(&tx, audit_rec).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(rows.len())
        });
        match failure {
            Some(e) => Err(e),
            None => result.map_err(E::from),
        }
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which Tokio forbids (with a panic) when
        // the last handle goes away on an async worker; shut it down in the
        // background instead. The server notices the closed socket.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Waits for `fut` on this thread. Entering the runtime lets the future
/// reach the runtime's I/O driver; the plain executor then parks this thread
/// without starting a second runtime.
fn wait<F: Future>(runtime: &Runtime, fut: F) -> F::Output {
    let _enter = runtime.enter();
    futures_executor::block_on(fut)
}

/// Opens one connection and spawns its I/O task on `runtime`.
fn connect(runtime: &Runtime, connector: &PgConnector) -> Result<Client, StoreError> {
    let connector = connector.clone();
    let connecting = runtime.spawn(async move { connector.connect().await });
    match futures_executor::block_on(connecting) {
        Ok(result) => result,
        Err(e) => Err(StoreError::Open(format!(
            "PostgreSQL connect task failed: {e}"
        ))),
    }
}

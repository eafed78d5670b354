//! The hot reads of a server replica — a config by scope, a token by hash —
//! on a connection of their own, awaited directly from async code. The
//! store's main connection sits behind the service's mutex and serves one
//! call at a time; this one is shared by every request in flight, and
//! tokio-postgres pipelines their queries on its socket, so a burst of GETs
//! costs about one round trip instead of one per request. It never runs a
//! transaction, so it reads only committed rows: a write acknowledged by
//! any replica is what the next read here returns.

use std::sync::{Arc, Mutex};

use tokio::runtime::Handle;
use tokio_postgres::{Client, Statement};

use super::configs::{GET_ONE, from_row};
use super::tokens::{FIND_TOKEN, matching};
use super::{ConfigRow, PgConnector, StoreError};
use crate::domain::{Scope, TokenInfo};

/// A cloneable reader; see the module docs.
#[derive(Clone)]
pub struct PgReader {
    shared: Arc<Shared>,
}

struct Shared {
    /// The store's runtime, which drives this connection's I/O task.
    runtime: Handle,
    connector: PgConnector,
    /// The live connection; replaced when the server closes it.
    conn: Mutex<Option<Arc<Conn>>>,
}

struct Conn {
    client: Client,
    get_one: Statement,
    find_token: Statement,
}

impl PgReader {
    pub(super) fn new(runtime: Handle, connector: PgConnector) -> PgReader {
        PgReader {
            shared: Arc::new(Shared {
                runtime,
                connector,
                conn: Mutex::new(None),
            }),
        }
    }

    /// The config of `scope`, if any.
    pub async fn get(&self, scope: &Scope) -> Result<Option<ConfigRow>, StoreError> {
        let conn = self.conn().await?;
        conn.client
            .query_opt(&conn.get_one, &[&scope.key()])
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// The token whose stored hash equals `hash`, if any.
    pub async fn find_token(&self, hash: &[u8; 32]) -> Result<Option<TokenInfo>, StoreError> {
        let conn = self.conn().await?;
        let rows = conn.client.query(&conn.find_token, &[]).await?;
        matching(&rows, hash)
    }

    async fn conn(&self) -> Result<Arc<Conn>, StoreError> {
        let lock = || self.shared.conn.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(conn) = lock().as_ref().filter(|c| !c.client.is_closed()) {
            return Ok(conn.clone());
        }
        // Two requests may both connect after a drop; the later one wins
        // and the other connection closes when its last user is done.
        let connector = self.shared.connector.clone();
        let connecting = self.shared.runtime.spawn(async move {
            let client = connector.connect().await?;
            let get_one = client.prepare(GET_ONE).await?;
            let find_token = client.prepare(FIND_TOKEN).await?;
            Ok::<_, StoreError>(Conn {
                client,
                get_one,
                find_token,
            })
        });
        let conn = match connecting.await {
            Ok(conn) => Arc::new(conn?),
            Err(e) => {
                return Err(StoreError::Open(format!(
                    "PostgreSQL connect task failed: {e}"
                )));
            }
        };
        *lock() = Some(conn.clone());
        Ok(conn)
    }
}

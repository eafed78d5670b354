//! The one place a PostgreSQL connection pool is built: from a
//! `tokio_postgres::Config` and a TLS connector (`NoTls`, or a rustls
//! `MakeRustlsConnect`), with a size. Everything else takes the pool.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::Socket;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};

use super::StoreError;

/// A pool of up to `size` connections to `config` through `tls`.
/// Connections open lazily, on first use; a closed one is replaced.
pub fn build_pool<T>(
    config: tokio_postgres::Config,
    tls: T,
    size: usize,
) -> Result<Pool, StoreError>
where
    T: MakeTlsConnect<Socket> + Clone + Sync + Send + 'static,
    T::Stream: Sync + Send,
    T::TlsConnect: Sync + Send,
    <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
{
    let manager = Manager::from_config(
        config,
        tls,
        ManagerConfig {
            // `is_closed` only: a broken connection is caught by the query
            // that hits it, without a round trip on every checkout.
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size.max(1))
        .build()
        .map_err(|e| StoreError::open("PostgreSQL", e))
}

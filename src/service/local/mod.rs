//! The local backend: the embedded store (SQLite, or PostgreSQL for several
//! replicas) with keys sealed under the master key. Every operation runs on
//! the task the service actor (or, for reads, the caller) gives it,
//! straight against the store, which does the serialising; see
//! [`crate::service`] for the one concurrency model. Writes that seal take
//! the master key as an argument from the actor, which owns it; openers
//! read the copy the actor publishes ([`LocalBackend::master`]).
//!
//! This file opens the backend; the operations live
//! in `configs` (CRUD and instances), `testing` (probes and model lists),
//! `tokens` (server API tokens), `rotate` (master-key rotation) and
//! `versions` (history and restore).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::watch;

mod batch;
mod configs;
mod key_rotation;
mod key_settle;
mod key_swap;
mod rollback;
mod rotate;
mod testing;
mod tokens;
mod verify;
mod versions;

pub use verify::{MasterKeyCheck, SealFailure};

use super::ServiceError;
use crate::crypto::{Fingerprinter, KeySource, MasterKey, MasterKeyOptions, WhenMissing};
use crate::domain::{Catalog, InstanceId, Retention};
use crate::prober::{ProbeSettings, Prober};
use crate::store::{PgSettings, Store, StoreLocation, Versioning};

/// How many times an open settles the master key again when a rotation in
/// another process commits while it opens.
const OPEN_ATTEMPTS: usize = 5;

/// How to open the local backend. `Default` gives no configured instances,
/// default prober timeouts, writes allowed and default `[store]` settings, so
/// callers name only the store and the master key:
/// `LocalOptions { store_path, master, ..Default::default() }`.
#[derive(Clone, Default)]
pub struct LocalOptions {
    /// The SQLite file, or a `postgres://` URL (see [`StoreLocation::parse`]).
    pub store_path: PathBuf,
    /// Master-key sources.
    pub master: MasterKeyOptions,
    /// Instances listed in `config.toml`, merged into the instance list.
    pub configured_instances: Vec<(InstanceId, Option<String>)>,
    /// Prober timeouts.
    pub probe: ProbeSettings,
    /// Refuse every write.
    pub read_only: bool,
    /// `[store]` TLS, pool and timeout settings; used with a PostgreSQL URL.
    pub postgres: PgSettings,
    /// `[versions]`: how many versions of each scope are kept.
    pub versions: Retention,
}

/// Something the user should be told once after opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenNotice {
    /// A new master key was created here; it must be backed up.
    CreatedMasterKey(KeySource),
    /// An interrupted rotation was completed.
    FinishedRotation,
}

struct Shared {
    store: Store,
    /// The master key as the service actor last published it.
    master: watch::Sender<MasterKey>,
    /// The store's fingerprint key; a master-key rotation re-seals it but
    /// never changes it.
    fingerprints: Fingerprinter,
    key_source: KeySource,
    catalog: &'static Catalog,
    configured: Vec<(InstanceId, Option<String>)>,
    prober: Prober,
    store_path: PathBuf,
    read_only: bool,
}

/// The embedded backend; clones share one store and master key.
#[derive(Clone)]
pub struct LocalBackend {
    shared: Arc<Shared>,
}

impl LocalBackend {
    /// Opens the store, finds the master key and checks it against the
    /// store's key check value. A wrong key is refused before anything is
    /// written.
    pub async fn open(opts: LocalOptions) -> Result<(LocalBackend, Vec<OpenNotice>), ServiceError> {
        let location = StoreLocation::parse(&opts.store_path);
        let store = Store::open_at(&location, &opts.postgres).await?;
        let when_missing = if store.is_fresh().await? {
            WhenMissing::Create
        } else {
            WhenMissing::Refuse
        };
        let mut attempts = 0;
        let (settled, fingerprints) = loop {
            let settled = key_settle::settle_master_key(
                &store,
                &opts.master,
                when_missing,
                &location.redacted(),
            )
            .await?;
            match fingerprint_key(&store, &settled.key).await {
                Ok(f) => break (settled, f),
                // A rotation in another process committed between settling
                // and this read: the key that opens the store is the new
                // one, so settle again (a bounded number of times).
                Err(e) => {
                    let ours = settled.key.check_value();
                    let recorded = store.key_check_value().await?;
                    attempts += 1;
                    if attempts >= OPEN_ATTEMPTS || recorded.as_deref() == Some(ours.as_str()) {
                        return Err(e);
                    }
                }
            }
        };
        let key_settle::Settled {
            key,
            source,
            notices,
        } = settled;
        store.set_sealing_key_check(&key.check_value()).await?;
        store
            .set_versioning(Versioning {
                master: key.clone(),
                fingerprints: fingerprints.clone(),
                retention: opts.versions,
            })
            .await?;
        let migrated = store.migrate_fingerprints().await?;
        if migrated > 0 {
            tracing::info!(
                migrated,
                "re-derived key fingerprints under the fingerprint key"
            );
        }
        let shared = Shared {
            store,
            master: watch::Sender::new(key),
            fingerprints,
            key_source: source,
            catalog: Catalog::builtin(),
            configured: opts.configured_instances,
            prober: Prober::new(opts.probe),
            // What `BackendInfo` shows: never a database password.
            store_path: location.redacted().into(),
            read_only: opts.read_only,
        };
        Ok((
            LocalBackend {
                shared: Arc::new(shared),
            },
            notices,
        ))
    }

    /// The store, for the health operations of `service::health`.
    pub(crate) fn store(&self) -> &Store {
        &self.shared.store
    }

    /// The SQLite file, or the PostgreSQL URL without its password.
    pub fn store_path(&self) -> &Path {
        &self.shared.store_path
    }

    /// The master key in force, as the service actor last published it:
    /// what openers (connection tests, verify) open keys with. Writes that
    /// seal are handed the actor's own copy instead.
    pub(crate) fn master(&self) -> MasterKey {
        self.shared.master.borrow().clone()
    }

    /// Publishes the key a rotation left in force; only the service actor
    /// calls this, right after the rotation returns.
    pub(crate) fn publish_master(&self, key: MasterKey) {
        self.shared.master.send_replace(key);
    }

    /// A receiver that wakes when the actor publishes a new master key.
    pub(super) fn master_changes(&self) -> watch::Receiver<MasterKey> {
        self.shared.master.subscribe()
    }

    /// The provider catalog.
    pub(crate) fn catalog(&self) -> &'static Catalog {
        self.shared.catalog
    }

    /// A cheap signal that anything shown changed.
    pub(crate) async fn change_mark(&self) -> Result<i64, ServiceError> {
        Ok(self.shared.store.change_mark().await?)
    }

    /// The newest `limit` audit entries of one scope, or of all.
    pub(crate) async fn audit(
        &self,
        scope: Option<&crate::domain::Scope>,
        limit: usize,
    ) -> Result<Vec<crate::domain::AuditEntry>, ServiceError> {
        Ok(self.shared.store.audit(scope, limit).await?)
    }

    /// Every key in use, grouped by fingerprint.
    pub(crate) async fn key_map(&self) -> Result<Vec<crate::domain::KeyGroup>, ServiceError> {
        Ok(crate::domain::key_map::group(
            self.shared.store.key_uses().await?,
        ))
    }

    fn writable(&self, what: &'static str) -> Result<(), ServiceError> {
        if self.shared.read_only {
            Err(ServiceError::ReadOnly(what))
        } else {
            Ok(())
        }
    }
}

/// The store's fingerprint key: created and recorded on the first open
/// (another process may record its own first; then that one is used),
/// opened under the master key after.
async fn fingerprint_key(store: &Store, master: &MasterKey) -> Result<Fingerprinter, ServiceError> {
    let candidate = Fingerprinter::generate().seal(master);
    let recorded = store
        .init_fingerprint_key(crate::store::fingerprints::encode(&candidate))
        .await?;
    let sealed = crate::store::fingerprints::decode(&recorded)?;
    Fingerprinter::open(master, &sealed)
        .map_err(|e| ServiceError::integrity(&crate::domain::Scope::Global, e))
}

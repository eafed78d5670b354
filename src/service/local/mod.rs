//! The local backend: the embedded store (SQLite, or PostgreSQL for several
//! replicas) with keys sealed under the master key. Every operation runs on
//! the caller's task straight against the store, which does the
//! serialising (see [`crate::store`]); connection tests and model lists run
//! in spawned tasks so a slow provider holds up nobody.
//!
//! The master key is the one piece of shared state above the store. It sits
//! in a `tokio::sync::RwLock`: each write that seals takes a read guard for
//! its seal and commit, and only a rotation takes the write guard, so no
//! key sealed under the old master key can land after a rotation. Reads of
//! configs never touch it.
//!
//! This file opens the backend and dispatches requests; the operations live
//! in `configs` (CRUD and instances), `testing` (probes and model lists),
//! `tokens` (server API tokens), `rotate` (master-key rotation) and
//! `versions` (history and restore).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::RwLock;

mod batch;
mod configs;
mod key_rotation;
mod key_settle;
mod rollback;
mod rotate;
mod testing;
mod tokens;
mod verify;
mod versions;

pub use verify::{MasterKeyCheck, SealFailure};

use super::ServiceError;
use super::message::Request;
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
    master: RwLock<MasterKey>,
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
            master: RwLock::new(key),
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

    /// Answers one request on the caller's task.
    pub(crate) async fn serve(&self, request: Request) {
        let this = self.clone();
        match request {
            Request::Get { scope, respond_to } => {
                let _ = respond_to.send(this.get(&scope).await);
            }
            Request::Create {
                scope,
                config,
                actor,
                respond_to,
            } => {
                let _ = respond_to.send(this.create(&scope, config, actor).await);
            }
            Request::Update {
                scope,
                patch,
                actor,
                respond_to,
            } => {
                let _ = respond_to.send(this.update(&scope, patch, actor).await);
            }
            Request::Delete {
                scope,
                actor,
                respond_to,
            } => {
                let _ = respond_to.send(this.delete(&scope, actor).await);
            }
            Request::ChangeMark { respond_to } => {
                let mark = this.shared.store.change_mark().await;
                let _ = respond_to.send(
                    mark.map(|m| Some(super::message::ChangeMark(m)))
                        .map_err(ServiceError::from),
                );
            }
            Request::ListInstances { respond_to } => {
                let _ = respond_to.send(this.list_instances().await);
            }
            Request::AddInstance {
                id,
                name,
                actor,
                respond_to,
            } => {
                let _ = respond_to.send(this.add_instance(&id, name, actor).await);
            }
            Request::Audit {
                scope,
                limit,
                respond_to,
            } => {
                let result = this.shared.store.audit(scope.as_ref(), limit).await;
                let _ = respond_to.send(result.map_err(ServiceError::from));
            }
            Request::Providers { respond_to } => {
                let _ = respond_to.send(Ok(this.shared.catalog.providers().to_vec()));
            }
            Request::TestConnection {
                scope,
                actor,
                respond_to,
            } => match this.load_with_key(&scope).await {
                Err(e) => {
                    let _ = respond_to.send(Err(e));
                }
                Ok((row, key)) => {
                    // In a task of its own: the result is recorded even if
                    // the caller stops waiting.
                    tokio::spawn(async move {
                        let _ = respond_to.send(this.probe_and_record(row, key, actor).await);
                    });
                }
            },
            Request::TestAll {
                concurrency,
                actor,
                progress,
                respond_to,
            } => match this.load_all_with_keys().await {
                Err(e) => {
                    let _ = respond_to.send(Err(e));
                }
                Ok(rows) => {
                    let _ = respond_to.send(Ok(()));
                    tokio::spawn(this.test_all(rows, concurrency, actor, progress));
                }
            },
            Request::ListModels { scope, respond_to } => match this.load_with_key(&scope).await {
                Err(e) => {
                    let _ = respond_to.send(Err(e));
                }
                Ok((row, key)) => {
                    tokio::spawn(async move {
                        let result = this.list_models(&row.fields, &key).await;
                        let _ = respond_to.send(result);
                    });
                }
            },
            Request::ListModelsFor {
                provider,
                api_key,
                base_url,
                respond_to,
            } => {
                tokio::spawn(async move {
                    let result = this
                        .list_models_unsaved(&provider, &api_key, base_url.as_deref())
                        .await;
                    let _ = respond_to.send(result);
                });
            }
            Request::History {
                scope,
                limit,
                respond_to,
            } => {
                let _ = respond_to.send(this.history(scope.as_ref(), limit).await);
            }
            Request::Restore {
                scope,
                version,
                actor,
                respond_to,
            } => {
                let _ = respond_to.send(this.restore(&scope, version, actor).await);
            }
            Request::KeyFingerprint {
                api_key,
                respond_to,
            } => {
                let _ = respond_to.send(this.key_fingerprint(&api_key));
            }
            Request::KeyMap { respond_to } => {
                let uses = this.shared.store.key_uses().await;
                let _ = respond_to.send(
                    uses.map(crate::domain::key_map::group)
                        .map_err(ServiceError::from),
                );
            }
            Request::RotateKey {
                request,
                actor,
                progress,
                respond_to,
            } => {
                let _ = respond_to.send(this.rotate_key(request, actor, progress).await);
            }
            Request::Rollback {
                rotation_id,
                force,
                actor,
                respond_to,
            } => {
                let _ = respond_to.send(this.rollback(&rotation_id, force, actor).await);
            }
        }
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

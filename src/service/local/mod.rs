//! The local backend: the embedded store (SQLite, or PostgreSQL for several
//! replicas) with keys sealed under the master key. Store calls are short and
//! run in the actor (writes under `block_in_place`); connection tests run in
//! spawned tasks so the actor keeps answering while a provider is slow.
//!
//! This file opens the backend and dispatches requests; the operations live
//! in `configs` (CRUD and instances), `testing` (probes and model lists) and
//! `rotate` (master-key rotation).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

mod configs;
mod rotate;
mod testing;

use super::ServiceError;
use super::message::{Reply, Request};
use crate::crypto::{self, KeySource, MasterKey, MasterKeyOptions};
use crate::domain::{Catalog, InstanceId, Scope};
use crate::prober::{ProbeSettings, Prober};
use crate::store::{AuditRecord, PgReader, Store, StoreError, StoreLocation};

/// How to open the local backend.
#[derive(Clone)]
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
}

/// Something the user should be told once after opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenNotice {
    /// A new master key was created here; it must be backed up.
    CreatedMasterKey(KeySource),
    /// An interrupted rotation was completed.
    FinishedRotation,
}

struct Inner {
    store: Mutex<Store>,
    master: RwLock<MasterKey>,
    key_source: KeySource,
    catalog: &'static Catalog,
    configured: Vec<(InstanceId, Option<String>)>,
    prober: Prober,
    store_path: PathBuf,
    read_only: bool,
    /// PostgreSQL's hot reads, awaited without the store lock; `None` on
    /// SQLite, whose reads are answered inline in the actor.
    reader: Option<PgReader>,
}

/// The embedded backend.
pub struct LocalBackend {
    inner: Arc<Inner>,
}

impl LocalBackend {
    /// Opens the store, finds the master key and checks it against the
    /// store's key check value. A wrong key is refused before anything is
    /// written.
    pub fn open(opts: LocalOptions) -> Result<(LocalBackend, Vec<OpenNotice>), ServiceError> {
        let location = StoreLocation::parse(&opts.store_path);
        let mut store =
            Store::open_at(&location).map_err(|e| ServiceError::Store(e.to_string()))?;
        let store_err = |e: StoreError| ServiceError::Store(e.to_string());
        let fresh = store.is_fresh().map_err(store_err)?;
        let loaded = crypto::load_or_create(&opts.master, fresh)
            .map_err(|e| ServiceError::MasterKey(e.to_string()))?;
        let mut notices = Vec::new();
        if loaded.created {
            notices.push(OpenNotice::CreatedMasterKey(loaded.source.clone()));
        }
        let ours = loaded.key.check_value();
        let recorded = match store.key_check_value().map_err(store_err)? {
            Some(v) => v,
            None => store.init_key_check_value(&ours).map_err(store_err)?,
        };
        let key = if recorded == ours {
            if loaded.staged.is_some() {
                // A rotation staged a key but never committed: the old key
                // is still the right one, and the staged file is garbage.
                discard_staged(&loaded.source);
            }
            loaded.key
        } else if let Some(staged) = loaded.staged.filter(|s| s.check_value() == recorded) {
            // The rotation committed to the store but not to the key file.
            finish_staged(&loaded.source)?;
            notices.push(OpenNotice::FinishedRotation);
            staged
        } else {
            return Err(ServiceError::MasterKey(format!(
                "the master key from {} does not match this store ({}): its key check failed. \
                 Use the master key the store was created with; nothing was changed",
                loaded.source,
                location.redacted()
            )));
        };
        store.set_sealing_key_check(&recorded);
        let reader = store.reader();
        let inner = Inner {
            store: Mutex::new(store),
            master: RwLock::new(key),
            key_source: loaded.source,
            catalog: Catalog::builtin(),
            configured: opts.configured_instances,
            prober: Prober::new(opts.probe),
            // What `BackendInfo` shows: never a database password.
            store_path: location.redacted().into(),
            reader,
            read_only: opts.read_only,
        };
        Ok((
            LocalBackend {
                inner: Arc::new(inner),
            },
            notices,
        ))
    }

    /// The SQLite file.
    pub fn store_path(&self) -> &Path {
        &self.inner.store_path
    }

    /// Answers one request.
    pub async fn handle(&mut self, request: Request) {
        let inner = self.inner.clone();
        match request {
            // Reads leave the actor at once: a burst of GETs (the server
            // under load) then overlaps its blocking-pool hops instead of
            // queueing them one by one. Writes stay in order.
            // Reads are a few microseconds of SQLite on cached pages: answered
            // inline, with no task spawn or thread handoff on the hot path.
            // A PostgreSQL read waits for a network round trip, which must
            // not hold up the actor: it is awaited in a task of its own on
            // the reader's connection, which pipelines concurrent reads.
            Request::Get { scope, respond_to } => match inner.reader.clone() {
                None => {
                    let _ = respond_to.send(inner.get(&scope));
                }
                Some(reader) => {
                    tokio::spawn(async move {
                        let result = reader
                            .get(&scope)
                            .await
                            .map(|row| row.map(|r| r.to_view()))
                            .map_err(|e| ServiceError::from_store(e, &scope));
                        let _ = respond_to.send(result);
                    });
                }
            },
            Request::Create {
                scope,
                config,
                actor,
                respond_to,
            } => blocking(respond_to, move || inner.create(&scope, config, actor)).await,
            Request::Update {
                scope,
                patch,
                actor,
                respond_to,
            } => blocking(respond_to, move || inner.update(&scope, patch, actor)).await,
            Request::Delete {
                scope,
                actor,
                respond_to,
            } => blocking(respond_to, move || inner.delete(&scope, actor)).await,
            Request::ChangeMark { respond_to } => {
                blocking(respond_to, move || {
                    inner
                        .lock()
                        .change_mark()
                        .map(|m| Some(super::message::ChangeMark(m)))
                        .map_err(|e| ServiceError::Store(e.to_string()))
                })
                .await
            }
            Request::ListInstances { respond_to } => {
                blocking(respond_to, move || inner.list_instances()).await
            }
            Request::AddInstance {
                id,
                name,
                actor,
                respond_to,
            } => blocking(respond_to, move || inner.add_instance(&id, name, actor)).await,
            Request::Audit {
                scope,
                limit,
                respond_to,
            } => {
                blocking(respond_to, move || {
                    inner
                        .lock()
                        .audit(scope.as_ref(), limit)
                        .map_err(|e| ServiceError::Store(e.to_string()))
                })
                .await
            }
            Request::Providers { respond_to } => {
                let _ = respond_to.send(Ok(inner.catalog.providers().to_vec()));
            }
            Request::TestConnection {
                scope,
                actor,
                respond_to,
            } => {
                with_opened_key(inner, scope, respond_to, |inner, row, key| async move {
                    inner.probe_and_record(row, key, actor).await
                })
                .await
            }
            Request::TestAll {
                concurrency,
                actor,
                progress,
                respond_to,
            } => {
                let rows = {
                    let inner = inner.clone();
                    run_blocking(move || inner.load_all_with_keys()).await
                };
                match rows {
                    Err(e) => {
                        let _ = respond_to.send(Err(e));
                    }
                    Ok(rows) => {
                        let _ = respond_to.send(Ok(()));
                        tokio::spawn(inner.test_all(rows, concurrency, actor, progress));
                    }
                }
            }
            Request::ListModels { scope, respond_to } => {
                with_opened_key(inner, scope, respond_to, |inner, row, key| async move {
                    inner
                        .list_models(&row.provider, &row.model, &key, row.base_url.as_deref())
                        .await
                })
                .await
            }
            Request::ListModelsFor {
                provider,
                api_key,
                base_url,
                respond_to,
            } => {
                tokio::spawn(async move {
                    let result = inner
                        .list_models_unsaved(&provider, &api_key, base_url.as_deref())
                        .await;
                    let _ = respond_to.send(result);
                });
            }
            Request::RotateMasterKey {
                new_key_file,
                actor,
                respond_to,
            } => blocking(respond_to, move || inner.rotate(new_key_file, actor)).await,
            Request::CreateToken {
                name,
                role,
                actor,
                respond_to,
            } => {
                blocking(respond_to, move || {
                    super::tokens::create(&mut inner.lock(), &name, role, actor)
                })
                .await
            }
            Request::ListTokens { respond_to } => {
                blocking(respond_to, move || super::tokens::list(&mut inner.lock())).await
            }
            Request::RevokeToken {
                name,
                actor,
                respond_to,
            } => {
                blocking(respond_to, move || {
                    super::tokens::revoke(&mut inner.lock(), &name, actor)
                })
                .await
            }
            Request::Authenticate { secret, respond_to } => match inner.reader.clone() {
                None => {
                    let _ =
                        respond_to.send(super::tokens::authenticate(&mut inner.lock(), &secret));
                }
                Some(reader) => {
                    tokio::spawn(async move {
                        let result = super::tokens::authenticate_with(&reader, &secret).await;
                        let _ = respond_to.send(result);
                    });
                }
            },
        }
    }
}

/// Opens the stored key of `scope` on the blocking pool, then runs `work`
/// (a probe or a model list) in a task of its own so the actor is free at
/// once; a missing config or an integrity failure is answered directly.
async fn with_opened_key<T, F, Fut>(inner: Arc<Inner>, scope: Scope, respond_to: Reply<T>, work: F)
where
    T: Send + 'static,
    F: FnOnce(Arc<Inner>, crate::store::ConfigRow, crate::domain::ApiKey) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, ServiceError>> + Send + 'static,
{
    let loaded = {
        let inner = inner.clone();
        run_blocking(move || inner.load_with_key(&scope)).await
    };
    match loaded {
        Err(e) => {
            let _ = respond_to.send(Err(e));
        }
        Ok((row, key)) => {
            tokio::spawn(async move {
                let _ = respond_to.send(work(inner, row, key).await);
            });
        }
    }
}

/// Runs a store operation in the actor task and sends its result. On a
/// multi-threaded runtime `block_in_place` hands this worker's other tasks to
/// another thread first; that avoids a thread handoff per request, which
/// would dominate a microsecond-scale read. On a current-thread runtime
/// (tests) the short SQLite call runs inline.
async fn blocking<T: Send + 'static>(
    respond_to: Reply<T>,
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) {
    let multi_thread = matches!(
        tokio::runtime::Handle::current().runtime_flavor(),
        tokio::runtime::RuntimeFlavor::MultiThread
    );
    let result = if multi_thread {
        tokio::task::block_in_place(f)
    } else {
        f()
    };
    let _ = respond_to.send(result);
}

async fn run_blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(ServiceError::Store(format!("store task failed: {e}"))))
}

fn discard_staged(source: &KeySource) {
    if let KeySource::File(p) | KeySource::DefaultFile(p) = source {
        let _ = std::fs::remove_file(crypto::source::staged_path(p));
    }
}

fn finish_staged(source: &KeySource) -> Result<(), ServiceError> {
    match source {
        KeySource::File(p) | KeySource::DefaultFile(p) => {
            crypto::source::commit_staged(p).map_err(|e| ServiceError::MasterKey(e.to_string()))
        }
        _ => Ok(()),
    }
}

fn audit(actor: String, scope: &Scope, action: &'static str) -> AuditRecord {
    AuditRecord {
        at: crate::store::rows_now(),
        actor,
        scope: scope.clone(),
        action,
        fields: Vec::new(),
        key_fingerprint: None,
        detail: None,
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave SQLite half-written
        // (the transaction rolls back on drop), so a poisoned lock is usable.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn master(&self) -> MasterKey {
        self.master
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn writable(&self, what: &'static str) -> Result<(), ServiceError> {
        if self.read_only {
            Err(ServiceError::ReadOnly(what))
        } else {
            Ok(())
        }
    }
}

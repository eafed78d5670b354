//! The local backend: the embedded SQLite store with keys sealed under the
//! master key. Store work runs on Tokio's blocking pool (SQLite is
//! synchronous); connection tests run in spawned tasks so the actor keeps
//! answering while a provider is slow.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};

use super::ServiceError;
use super::message::{Reply, Request, TestProgress};
use crate::crypto::{self, KeySource, MasterKey, MasterKeyOptions};
use crate::domain::config::CurrentFields;
use crate::domain::validation::origin_of;
use crate::domain::{
    ApiKey, Catalog, ConfigPatch, ConfigView, InstanceId, InstanceSummary, NewConfig, Scope,
    TestResult, TestStatus, ValidationError, mask_key,
};
use crate::prober::{ProbeOutcome, ProbeSettings, ProbeTarget, Prober};
use crate::store::{AuditRecord, ConfigRow, PgReader, RowUpdate, Store, StoreError, StoreLocation};

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
                // Decrypt on the blocking pool, then probe in a task of its
                // own so the actor is free at once.
                let loaded = {
                    let inner = inner.clone();
                    let scope = scope.clone();
                    run_blocking(move || inner.load_with_key(&scope)).await
                };
                match loaded {
                    Err(e) => {
                        let _ = respond_to.send(Err(e));
                    }
                    Ok((row, key)) => {
                        tokio::spawn(async move {
                            let result = inner.probe_and_record(row, key, actor).await;
                            let _ = respond_to.send(result);
                        });
                    }
                }
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
                let loaded = {
                    let inner = inner.clone();
                    let scope = scope.clone();
                    run_blocking(move || inner.load_with_key(&scope)).await
                };
                match loaded {
                    Err(e) => {
                        let _ = respond_to.send(Err(e));
                    }
                    Ok((row, key)) => {
                        tokio::spawn(async move {
                            let result = inner
                                .list_models(
                                    &row.provider,
                                    &row.model,
                                    &key,
                                    row.base_url.as_deref(),
                                )
                                .await;
                            let _ = respond_to.send(result);
                        });
                    }
                }
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

    fn get(&self, scope: &Scope) -> Result<Option<ConfigView>, ServiceError> {
        Ok(self
            .lock()
            .get(scope)
            .map_err(|e| ServiceError::from_store(e, scope))?
            .map(|row| row.to_view()))
    }

    fn create(
        &self,
        scope: &Scope,
        config: NewConfig,
        actor: String,
    ) -> Result<ConfigView, ServiceError> {
        self.writable("create")?;
        let config = config.validate(self.catalog)?;
        let now = crate::store::rows_now();
        let mut row = ConfigRow {
            id: uuid::Uuid::now_v7(),
            scope: scope.clone(),
            provider: config.provider,
            model: config.model,
            base_url: config.base_url,
            sealed_key: crypto::SealedKey::from_stored(Vec::new()),
            api_key_masked: mask_key(config.api_key.expose()),
            key_fingerprint: crypto::fingerprint(&config.api_key),
            created_at: now,
            updated_at: now,
        };
        let origin = row.origin();
        row.sealed_key = crypto::seal(&self.master(), &row.aad(&origin), &config.api_key);
        let mut rec = audit(actor, scope, "create");
        rec.fields = ["provider", "model", "api_key"]
            .into_iter()
            .chain(row.base_url.as_ref().map(|_| "base_url"))
            .map(str::to_string)
            .collect();
        rec.key_fingerprint = Some(row.key_fingerprint.clone());
        self.lock()
            .insert(&row, &rec)
            .map_err(|e| ServiceError::from_store(e, scope))?;
        tracing::info!(scope = %scope, provider = %row.provider, "created config");
        Ok(row.to_view())
    }

    fn update(
        &self,
        scope: &Scope,
        patch: ConfigPatch,
        actor: String,
    ) -> Result<ConfigView, ServiceError> {
        self.writable("update")?;
        let master = self.master();
        let catalog = self.catalog;
        let row = self
            .lock()
            .update(scope, |current| -> Result<RowUpdate, UpdateError> {
                let merged = patch.merge(
                    &CurrentFields {
                        provider: current.provider.clone(),
                        model: current.model.clone(),
                        base_url: current.base_url.clone(),
                    },
                    catalog,
                )?;
                let new_key = merged.api_key.as_ref().map(|key| {
                    let origin = merged
                        .base_url
                        .as_deref()
                        .map(origin_of)
                        .unwrap_or_default();
                    let aad = crypto::Aad {
                        scope_key: current.scope.key(),
                        record_id: current.id,
                        provider: &merged.provider,
                        origin: &origin,
                    };
                    (
                        crypto::seal(&master, &aad, key),
                        mask_key(key.expose()),
                        crypto::fingerprint(key),
                    )
                });
                let mut rec = audit(actor, scope, "update");
                rec.fields = merged.changed.iter().map(|f| f.to_string()).collect();
                rec.key_fingerprint = new_key.as_ref().map(|(_, _, fp)| fp.clone());
                Ok(RowUpdate {
                    provider: merged.provider,
                    model: merged.model,
                    base_url: merged.base_url,
                    new_key,
                    audit: rec,
                })
            })
            .map_err(|e| match e {
                UpdateError::Invalid(v) => ServiceError::Invalid(v),
                UpdateError::Store(s) => ServiceError::from_store(s, scope),
            })?;
        tracing::info!(scope = %scope, "updated config");
        Ok(row.to_view())
    }

    fn delete(&self, scope: &Scope, actor: String) -> Result<(), ServiceError> {
        self.writable("delete")?;
        self.lock()
            .delete(scope, &audit(actor, scope, "delete"))
            .map_err(|e| ServiceError::from_store(e, scope))?;
        tracing::info!(scope = %scope, "deleted config");
        Ok(())
    }

    fn list_instances(&self) -> Result<Vec<InstanceSummary>, ServiceError> {
        let mut list = self
            .lock()
            .list_instances()
            .map_err(|e| ServiceError::Store(e.to_string()))?;
        if self.configured.is_empty() {
            return Ok(list);
        }
        for (id, name) in &self.configured {
            match list
                .iter_mut()
                .find(|s| s.instance_id.as_deref() == Some(id.as_str()))
            {
                Some(entry) if entry.name.is_none() => entry.name = name.clone(),
                Some(_) => {}
                None => list.push(InstanceSummary {
                    instance_id: Some(id.to_string()),
                    name: name.clone(),
                    config: None,
                    last_test: None,
                }),
            }
        }
        // Control plane (None) sorts first, then by id.
        list.sort_by(|a, b| a.instance_id.cmp(&b.instance_id));
        Ok(list)
    }

    fn add_instance(
        &self,
        id: &InstanceId,
        name: Option<String>,
        actor: String,
    ) -> Result<(), ServiceError> {
        self.writable("add instance")?;
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if let Some(n) = &name
            && (n.chars().count() > 128 || n.chars().any(char::is_control))
        {
            return Err(ValidationError::new(
                "name",
                "must be at most 128 characters without control characters",
            )
            .into());
        }
        let scope = Scope::Instance(id.clone());
        let mut rec = audit(actor, &scope, "add_instance");
        rec.fields = name.iter().map(|_| "name".to_string()).collect();
        self.lock()
            .add_instance(id, name.as_deref(), &rec)
            .map_err(|e| ServiceError::Store(e.to_string()))?;
        Ok(())
    }

    /// The row of `scope` and its opened key; an integrity error names the scope.
    fn load_with_key(&self, scope: &Scope) -> Result<(ConfigRow, ApiKey), ServiceError> {
        let row = self
            .lock()
            .get(scope)
            .map_err(|e| ServiceError::from_store(e, scope))?
            .ok_or_else(|| ServiceError::NotFound {
                scope: scope.clone(),
            })?;
        let key = self.open_row(&row)?;
        Ok((row, key))
    }

    fn open_row(&self, row: &ConfigRow) -> Result<ApiKey, ServiceError> {
        let origin = row.origin();
        crypto::open(&self.master(), &row.aad(&origin), &row.sealed_key).map_err(|e| {
            tracing::warn!(scope = %row.scope, error = %e, "stored key failed to open");
            ServiceError::Integrity {
                scope: row.scope.clone(),
                reason: e.to_string(),
            }
        })
    }

    #[allow(clippy::type_complexity)]
    fn load_all_with_keys(
        &self,
    ) -> Result<Vec<(ConfigRow, Result<ApiKey, ServiceError>)>, ServiceError> {
        let rows = self
            .lock()
            .all_configs()
            .map_err(|e| ServiceError::Store(e.to_string()))?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let key = self.open_row(&row);
                (row, key)
            })
            .collect())
    }

    async fn probe(&self, row: &ConfigRow, key: &ApiKey) -> ProbeOutcome {
        let Some(spec) = self.catalog.get(&row.provider) else {
            return ProbeOutcome {
                status: TestStatus::UnexpectedResponse,
                message: format!(
                    "provider {:?} is not in this llmcfg's catalog",
                    row.provider
                ),
                latency: std::time::Duration::ZERO,
            };
        };
        if let (Some(policy), Some(url)) = (
            self.prober.settings().guard.as_deref(),
            spec.effective_base_url(row.base_url.as_deref()),
        ) && let Some(message) = super::target_check::refusal(policy, url).await
        {
            return ProbeOutcome {
                status: TestStatus::Unreachable,
                message,
                latency: std::time::Duration::ZERO,
            };
        }
        self.prober
            .test(ProbeTarget {
                spec,
                model: &row.model,
                key,
                base_url: row.base_url.as_deref(),
            })
            .await
    }

    async fn probe_and_record(
        self: Arc<Self>,
        row: ConfigRow,
        key: ApiKey,
        actor: String,
    ) -> Result<TestResult, ServiceError> {
        let started = Instant::now();
        let outcome = self.probe(&row, &key).await;
        drop(key);
        let result = TestResult {
            success: outcome.status == TestStatus::Ok,
            provider: row.provider.clone(),
            model: row.model.clone(),
            message: outcome.message,
            status: outcome.status,
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            checked_at: crate::store::rows_now(),
        };
        let mut rec = audit(actor, &row.scope, "test");
        rec.key_fingerprint = Some(row.key_fingerprint.clone());
        rec.detail = Some(result.status.as_str().to_string());
        let inner = self.clone();
        let scope = row.scope.clone();
        let recorded = result.clone();
        run_blocking(move || {
            inner
                .lock()
                .record_test(&scope, &recorded, &rec)
                .map_err(|e| ServiceError::Store(e.to_string()))
        })
        .await?;
        tracing::info!(scope = %row.scope, status = result.status.as_str(), "connection test");
        Ok(result)
    }

    async fn test_all(
        self: Arc<Self>,
        rows: Vec<(ConfigRow, Result<ApiKey, ServiceError>)>,
        concurrency: usize,
        actor: String,
        progress: mpsc::UnboundedSender<TestProgress>,
    ) {
        let _ = progress.send(TestProgress::Started { total: rows.len() });
        let permits = Arc::new(Semaphore::new(concurrency));
        let mut tasks = tokio::task::JoinSet::new();
        for (row, key) in rows {
            let scope = row.scope.clone();
            let key = match key {
                Ok(key) => key,
                Err(e) => {
                    let _ = progress.send(TestProgress::Finished {
                        scope,
                        result: Err(e),
                    });
                    continue;
                }
            };
            let permits = permits.clone();
            let inner = self.clone();
            let actor = actor.clone();
            let progress = progress.clone();
            tasks.spawn(async move {
                let _permit = permits
                    .acquire_owned()
                    .await
                    .expect("semaphore never closes");
                let result = inner.probe_and_record(row, key, actor).await;
                let _ = progress.send(TestProgress::Finished { scope, result });
            });
        }
        while tasks.join_next().await.is_some() {}
    }

    async fn list_models(
        &self,
        provider: &str,
        model: &str,
        key: &ApiKey,
        base_url: Option<&str>,
    ) -> Result<Vec<String>, ServiceError> {
        let spec = self.catalog.get(provider).ok_or_else(|| {
            ValidationError::new("provider", format!("unknown provider {provider:?}"))
        })?;
        self.prober
            .list_models(ProbeTarget {
                spec,
                model,
                key,
                base_url,
            })
            .await
            .map_err(|o| ServiceError::Remote(format!("{} ({})", o.message, o.status.as_str())))
    }

    async fn list_models_unsaved(
        &self,
        provider: &str,
        key: &ApiKey,
        base_url: Option<&str>,
    ) -> Result<Vec<String>, ServiceError> {
        // Same rules as a create, so the form cannot send a key somewhere a
        // save would refuse.
        let checked = NewConfig {
            provider: provider.to_string(),
            model: "-".to_string(),
            api_key: key.clone(),
            base_url: base_url.map(str::to_string),
        }
        .validate(self.catalog)?;
        self.list_models(
            &checked.provider,
            "",
            &checked.api_key,
            checked.base_url.as_deref(),
        )
        .await
    }

    fn rotate(&self, new_key_file: Option<PathBuf>, actor: String) -> Result<usize, ServiceError> {
        self.writable("master-key rotate")?;
        let mk_err = |e: crypto::CryptoError| ServiceError::MasterKey(e.to_string());
        let old = self.master();
        let new = MasterKey::generate();
        // Stage the new key durably before the store commits to it, so a
        // crash at any point leaves a key that opens the store.
        let target: Option<PathBuf> = match (&self.key_source, &new_key_file) {
            (_, Some(path)) => {
                crypto::source::create_key_file(path, &new).map_err(mk_err)?;
                None
            }
            (KeySource::File(p) | KeySource::DefaultFile(p), None) => {
                crypto::source::stage_key_file(p, &new).map_err(mk_err)?;
                Some(p.clone())
            }
            (KeySource::Env, None) => {
                return Err(ServiceError::MasterKey(
                    "the master key comes from LLMCFG_MASTER_KEY; pass --new-key-file PATH \
                     to write the new key there, then point LLMCFG_MASTER_KEY (or \
                     --master-key-file) at it"
                        .into(),
                ));
            }
            (KeySource::Keyring(_), None) => {
                return Err(ServiceError::MasterKey(
                    "the master key lives in the OS keyring; pass --new-key-file PATH and \
                     use it with --master-key-file afterwards"
                        .into(),
                ));
            }
        };
        let mut rec = audit(actor, &Scope::Global, "rotate_master_key");
        rec.detail = Some("every stored key re-sealed".into());
        let result = self.lock().reseal_all(
            &new.check_value(),
            |row| -> Result<crypto::SealedKey, RotateError> {
                let origin = row.origin();
                let aad = row.aad(&origin);
                let key = crypto::open(&old, &aad, &row.sealed_key).map_err(|e| {
                    RotateError::Service(ServiceError::Integrity {
                        scope: row.scope.clone(),
                        reason: e.to_string(),
                    })
                })?;
                Ok(crypto::seal(&new, &aad, &key))
            },
            &rec,
        );
        let count = match result {
            Ok(n) => n,
            Err(e) => {
                if let Some(p) = &target {
                    let _ = std::fs::remove_file(crypto::source::staged_path(p));
                } else if let Some(p) = &new_key_file {
                    let _ = std::fs::remove_file(p);
                }
                return Err(match e {
                    RotateError::Service(s) => s,
                    RotateError::Store(s) => ServiceError::Store(s.to_string()),
                });
            }
        };
        if let Some(p) = &target {
            crypto::source::commit_staged(p).map_err(mk_err)?;
        }
        *self.master.write().unwrap_or_else(|p| p.into_inner()) = new;
        let _ = self.lock().checkpoint();
        tracing::info!(count, "master key rotated");
        Ok(count)
    }
}

enum UpdateError {
    Invalid(ValidationError),
    Store(StoreError),
}

impl From<ValidationError> for UpdateError {
    fn from(e: ValidationError) -> Self {
        UpdateError::Invalid(e)
    }
}

impl From<StoreError> for UpdateError {
    fn from(e: StoreError) -> Self {
        UpdateError::Store(e)
    }
}

enum RotateError {
    Service(ServiceError),
    Store(StoreError),
}

impl From<StoreError> for RotateError {
    fn from(e: StoreError) -> Self {
        RotateError::Store(e)
    }
}

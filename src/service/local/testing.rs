//! Connection tests and live model lists of the local backend: keys are
//! opened on the calling task, probes run in spawned tasks, results are
//! recorded with an audit entry.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::CancellationToken;

use crate::crypto;
use crate::domain::{
    ApiKey, AuditAction, ConfigFields, NewConfig, RetirementCatalog, Scope, TestResult, TestStatus,
    ValidationError,
};
use crate::prober::{ProbeOutcome, ProbeTarget};
use crate::service::ServiceError;
use crate::service::message::TestProgress;
use crate::store::{AuditRecord, ConfigRow};

use super::LocalBackend;

/// How long an opener waits for this process's rotation to publish the key
/// a row is already sealed under (the rename of the key file after commit).
const PUBLISH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The plaintext key of `row`; an integrity failure names the scope.
fn open_row(master: &crypto::MasterKey, row: &ConfigRow) -> Result<ApiKey, ServiceError> {
    row.open_key(master).map_err(|e| {
        tracing::warn!(scope = %row.scope, error = %e, "stored key failed to open");
        ServiceError::integrity(&row.scope, e)
    })
}

impl LocalBackend {
    /// The row of `scope` and its opened key; an integrity error names the scope.
    pub(crate) async fn load_with_key(
        &self,
        scope: &Scope,
    ) -> Result<(ConfigRow, ApiKey), ServiceError> {
        let row = self
            .shared
            .store
            .get(scope)
            .await
            .map_err(|e| ServiceError::from_store(e, scope))?
            .ok_or_else(|| ServiceError::NotFound {
                scope: scope.clone(),
            })?;
        let key = self.open_published(&row).await?;
        Ok((row, key))
    }

    /// The key of `row`, opened under the published master key. A rotation
    /// in this process publishes its new key just after its commit, so a
    /// row read in between is sealed under a key not yet out: wait briefly
    /// for it and try again before calling the row broken.
    pub(super) async fn open_published(&self, row: &ConfigRow) -> Result<ApiKey, ServiceError> {
        let mut published = self.master_changes();
        let first = published.borrow_and_update().clone();
        let e = match open_row(&first, row) {
            Ok(key) => return Ok(key),
            Err(e) => e,
        };
        let recorded = self.shared.store.key_check_value().await;
        if matches!(&recorded, Ok(Some(v)) if *v != first.check_value())
            && tokio::time::timeout(PUBLISH_WAIT, published.changed())
                .await
                .is_ok_and(|r| r.is_ok())
        {
            let now = published.borrow().clone();
            if let Ok(key) = open_row(&now, row) {
                return Ok(key);
            }
        }
        Err(self.rotated_or(e).await)
    }

    /// `e`, or "rotated by another process" when the store no longer
    /// records this process's master key: a key that fails to open then is
    /// sealed under the new key, not tampered with.
    pub(super) async fn rotated_or(&self, e: ServiceError) -> ServiceError {
        let ours = self.master().check_value();
        match self.shared.store.key_check_value().await {
            Ok(Some(recorded)) if recorded != ours => crate::store::StoreError::KeyChanged.into(),
            _ => e,
        }
    }

    #[allow(clippy::type_complexity)]
    pub(super) async fn load_all_with_keys(
        &self,
    ) -> Result<Vec<(ConfigRow, Result<ApiKey, ServiceError>)>, ServiceError> {
        let rows = self.shared.store.all_configs().await?;
        let master = self.master();
        let opened: Vec<_> = rows
            .into_iter()
            .map(|row| {
                let key = open_row(&master, &row);
                (row, key)
            })
            .collect();
        if let Some((_, Err(e))) = opened.iter().find(|(_, k)| k.is_err())
            && let rotated @ ServiceError::MasterKey(_) = self.rotated_or(e.clone()).await
        {
            return Err(rotated);
        }
        Ok(opened)
    }

    /// Tests `row`'s fields with `key` (its own, or a rotation's new one).
    /// The stored answer of the provider's key endpoint for that key is
    /// reused while fresh and a new one is kept, so the extra call is made
    /// at most once a day per key; the catalog adds a retirement the API
    /// did not report.
    pub(crate) async fn probe(&self, row: &ConfigRow, key: &ApiKey) -> ProbeOutcome {
        let Some(spec) = self.shared.catalog.get(&row.fields.provider) else {
            return ProbeOutcome {
                status: TestStatus::UnexpectedResponse,
                message: format!(
                    "provider {:?} is not in this llmcfg's catalog",
                    row.fields.provider
                ),
                latency: std::time::Duration::ZERO,
                http_status: None,
                lifecycle: None,
                key_facts: None,
            };
        };
        let store = &self.shared.store;
        let fingerprint = self.shared.fingerprints.fingerprint(key);
        let known = match spec.probe.key_facts {
            Some(_) => store
                .key_facts(&fingerprint, &spec.id)
                .await
                .unwrap_or_else(|e| {
                    tracing::warn!(scope = %row.scope, error = %e, "stored key facts unreadable");
                    None
                }),
            None => None,
        };
        let target = ProbeTarget::new(spec, &row.fields, key).with_key_facts(known.as_ref());
        let mut outcome = self.shared.prober.test(target).await;
        if let Some(record) = outcome.key_facts.take()
            && let Err(e) = store.save_key_facts(&fingerprint, &spec.id, record).await
        {
            tracing::warn!(scope = %row.scope, error = %e, "key facts not kept");
        }
        let said = outcome.lifecycle.take().map(|l| *l).unwrap_or_default();
        let lifecycle =
            RetirementCatalog::builtin().fill(&row.fields.provider, &row.fields.model, said);
        outcome.lifecycle = (!lifecycle.is_empty()).then(|| Box::new(lifecycle));
        outcome
    }

    pub(super) async fn probe_and_record(
        self,
        row: ConfigRow,
        key: ApiKey,
        actor: String,
    ) -> Result<TestResult, ServiceError> {
        let started = Instant::now();
        let outcome = self.probe(&row, &key).await;
        drop(key);
        let result = TestResult::new(
            row.fields.provider.clone(),
            row.fields.model.clone(),
            outcome.status,
            outcome.message,
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            crate::store::rows_now(),
        )
        .with_lifecycle(outcome.lifecycle.map(|l| *l).unwrap_or_default());
        let mut rec = AuditRecord::new(actor, &row.scope, AuditAction::Test);
        rec.key_fingerprint = Some(row.key_fingerprint.clone());
        rec.detail = Some(result.status.as_str().to_string());
        self.shared
            .store
            .record_test(&row.scope, result.clone(), rec)
            .await?;
        tracing::info!(scope = %row.scope, status = result.status.as_str(), "connection test");
        Ok(result)
    }

    pub(super) async fn test_all(
        self,
        rows: Vec<(ConfigRow, Result<ApiKey, ServiceError>)>,
        concurrency: usize,
        actor: String,
        progress: mpsc::UnboundedSender<TestProgress>,
        cancel: CancellationToken,
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
            let this = self.clone();
            let actor = actor.clone();
            let progress = progress.clone();
            let cancel = cancel.clone();
            tasks.spawn(async move {
                let _permit = permits
                    .acquire_owned()
                    .await
                    .expect("semaphore never closes");
                // Cancelled while waiting for a slot: this probe never starts.
                if cancel.is_cancelled() {
                    return;
                }
                let result = this.probe_and_record(row, key, actor).await;
                let _ = progress.send(TestProgress::Finished { scope, result });
            });
        }
        while tasks.join_next().await.is_some() {}
    }

    pub(super) async fn list_models(
        &self,
        fields: &ConfigFields,
        key: &ApiKey,
    ) -> Result<Vec<String>, ServiceError> {
        let provider = &fields.provider;
        let spec = self.shared.catalog.get(provider).ok_or_else(|| {
            ValidationError::new("provider", format!("unknown provider {provider:?}"))
        })?;
        self.shared
            .prober
            .list_models(ProbeTarget::new(spec, fields, key))
            .await
            .map_err(|o| ServiceError::ModelList {
                status: o.status,
                message: o.message,
            })
    }

    pub(super) async fn list_models_unsaved(
        &self,
        mut config: NewConfig,
    ) -> Result<Vec<String>, ServiceError> {
        // A list needs no model and a form may not have one yet; every
        // other rule is a create's, so the form cannot send a key somewhere
        // a save would refuse.
        if config.model.trim().is_empty() {
            config.model = "-".into();
        }
        let checked = config.validate(self.shared.catalog)?;
        self.list_models(&checked.fields(), &checked.api_key).await
    }

    /// Tests the stored credentials of `scope`. The probe runs in a task of
    /// its own, so its result is recorded even if the caller stops waiting.
    pub(crate) async fn test_connection(
        &self,
        scope: &Scope,
        caller: String,
    ) -> Result<TestResult, ServiceError> {
        let (row, key) = self.load_with_key(scope).await?;
        let this = self.clone();
        tokio::spawn(this.probe_and_record(row, key, caller))
            .await
            .map_err(|_| ServiceError::Stopped)?
    }

    /// Opens every configured scope's key, then tests them in a task of its
    /// own; progress arrives on `progress`, which closes when the run ends.
    /// No probe starts once `cancel` is cancelled.
    pub(crate) async fn start_test_all(
        &self,
        concurrency: usize,
        caller: String,
        progress: mpsc::UnboundedSender<TestProgress>,
        cancel: CancellationToken,
    ) -> Result<(), ServiceError> {
        let rows = self.load_all_with_keys().await?;
        let run = self
            .clone()
            .test_all(rows, concurrency, caller, progress, cancel);
        tokio::spawn(run);
        Ok(())
    }

    /// Live model ids for the stored config of `scope`, fetched in a task
    /// of its own.
    pub(crate) async fn stored_models(&self, scope: &Scope) -> Result<Vec<String>, ServiceError> {
        let (row, key) = self.load_with_key(scope).await?;
        let this = self.clone();
        tokio::spawn(async move { this.list_models(&row.fields, &key).await })
            .await
            .map_err(|_| ServiceError::Stopped)?
    }

    /// Live model ids for a config not yet saved.
    pub(crate) async fn models_for(&self, config: NewConfig) -> Result<Vec<String>, ServiceError> {
        let this = self.clone();
        tokio::spawn(async move { this.list_models_unsaved(config).await })
            .await
            .map_err(|_| ServiceError::Stopped)?
    }
}

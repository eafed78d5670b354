//! Connection tests and live model lists of the local backend: keys are
//! opened on the calling task, probes run in spawned tasks, results are
//! recorded with an audit entry.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};

use crate::crypto;
use crate::domain::{
    ApiKey, AuditAction, ConfigFields, NewConfig, Scope, TestResult, TestStatus, ValidationError,
};
use crate::prober::{ProbeOutcome, ProbeTarget};
use crate::service::ServiceError;
use crate::service::message::TestProgress;
use crate::store::{AuditRecord, ConfigRow};

use super::LocalBackend;

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
        let opened = open_row(&*self.shared.master.read().await, &row);
        match opened {
            Ok(key) => Ok((row, key)),
            Err(e) => Err(self.rotated_or(e).await),
        }
    }

    /// `e`, or "rotated by another process" when the store no longer
    /// records this process's master key: a key that fails to open then is
    /// sealed under the new key, not tampered with.
    pub(super) async fn rotated_or(&self, e: ServiceError) -> ServiceError {
        let ours = self.shared.master.read().await.check_value();
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
        let master = self.shared.master.read().await;
        let opened: Vec<_> = rows
            .into_iter()
            .map(|row| {
                let key = open_row(&master, &row);
                (row, key)
            })
            .collect();
        drop(master);
        if let Some((_, Err(e))) = opened.iter().find(|(_, k)| k.is_err())
            && let rotated @ ServiceError::MasterKey(_) = self.rotated_or(e.clone()).await
        {
            return Err(rotated);
        }
        Ok(opened)
    }

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
            };
        };
        self.shared
            .prober
            .test(ProbeTarget::new(spec, &row.fields, key))
            .await
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
        let result = TestResult {
            success: outcome.status == TestStatus::Ok,
            provider: row.fields.provider.clone(),
            model: row.fields.model.clone(),
            message: outcome.message,
            status: outcome.status,
            latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            checked_at: crate::store::rows_now(),
        };
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
            tasks.spawn(async move {
                let _permit = permits
                    .acquire_owned()
                    .await
                    .expect("semaphore never closes");
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
        provider: &str,
        key: &ApiKey,
        base_url: Option<&str>,
    ) -> Result<Vec<String>, ServiceError> {
        // Same rules as a create, so the form cannot send a key somewhere a
        // save would refuse.
        let mut fields = ConfigFields::new(provider, "-");
        fields.base_url = base_url.map(str::to_string);
        let checked = NewConfig::from_fields(fields, key.clone()).validate(self.shared.catalog)?;
        self.list_models(&checked.fields(), &checked.api_key).await
    }
}

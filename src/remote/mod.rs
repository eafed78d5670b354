//! The remote backend: every service operation over HTTP to a server that
//! speaks the `/llm-config` API (design §3, §7): the product's own control
//! plane, which implements only the seed routes, or `llmcfg serve`, which
//! adds the extensions.
//!
//! The remote keeps no state calls could race on, so the service handle
//! calls it directly on the caller's task (see [`crate::service`]). Input
//! is checked before it is sent with the same domain rules as local mode;
//! answers are read in every shape a seed server may give, error bodies in
//! every common framework's shape (`error_body.rs`); HTTP statuses map back
//! to the same typed [`ServiceError`]s the local backend returns
//! (`answer.rs`); every request is paced to the server's rate limit
//! (`pacing.rs`); and a feature the server lacks says so in one line.

mod answer;
pub mod check;
mod checks;
mod client;
pub mod credentials;
mod error;
mod error_body;
mod extensions;
pub mod features;
mod helper;
mod lifecycle;
mod listing;
pub mod memory;
mod options;
pub mod pacing;
pub mod secret_ref;
pub mod sources;
mod url;

use std::sync::Arc;

pub use client::{RemoteClient, RemoteOptions, SessionCookie, normalise_url};
pub use error::RemoteError;
pub use memory::ScopeMemory;
pub use sources::InstanceSources;

use tokio::sync::mpsc;

use crate::domain::{
    ApiKey, AuditEntry, ConfigPatch, ConfigView, InstanceId, InstanceSummary, KeyGroup, NewConfig,
    ProviderSpec, Scope, TestResult, VersionEntry,
};
use crate::service::rotation::{RollbackReport, RotationReport, RotationRequest};
use crate::service::{Answer, RemoteService, ServiceError, TestProgress};
use checks::Sent;
use features::Offered;

/// How many scopes are read at once to build an instance list without a
/// server route.
pub const LIST_CONCURRENCY: usize = 8;

/// A remote `/llm-config` server.
pub struct RemoteBackend {
    inner: Arc<Inner>,
}

struct Inner {
    client: RemoteClient,
    sources: InstanceSources,
}

impl RemoteBackend {
    /// A backend for `client`; `configured` are the `config.toml` instances.
    pub fn new(client: RemoteClient, configured: Vec<(InstanceId, Option<String>)>) -> Self {
        RemoteBackend::with_sources(
            client,
            InstanceSources {
                configured,
                ..InstanceSources::default()
            },
        )
    }

    /// A backend for `client` whose instance list also draws on `sources`.
    pub fn with_sources(client: RemoteClient, sources: InstanceSources) -> Self {
        RemoteBackend {
            inner: Arc::new(Inner { client, sources }),
        }
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        self.inner.client.url()
    }
}

impl RemoteService for RemoteBackend {
    fn url(&self) -> &str {
        self.inner.client.url()
    }

    fn get<'a>(&'a self, scope: &'a Scope) -> Answer<'a, Option<ConfigView>> {
        Box::pin(async move {
            let r = self.inner.client.get(scope).await;
            if matches!(r, Ok(Some(_))) {
                self.inner.remember(scope);
            }
            r
        })
    }

    fn create<'a>(&'a self, scope: &'a Scope, config: NewConfig) -> Answer<'a, ConfigView> {
        Box::pin(async move { self.inner.create(scope, &config).await })
    }

    fn update<'a>(&'a self, scope: &'a Scope, patch: ConfigPatch) -> Answer<'a, ConfigView> {
        Box::pin(async move { self.inner.update(scope, &patch).await })
    }

    fn delete<'a>(&'a self, scope: &'a Scope) -> Answer<'a, ()> {
        Box::pin(self.inner.client.delete(scope))
    }

    fn list_instances(&self) -> Answer<'_, Vec<InstanceSummary>> {
        Box::pin(self.inner.instances())
    }

    fn reports_lifecycle(&self) -> Answer<'_, bool> {
        Box::pin(async move { Ok(self.inner.client.reports_lifecycle().await) })
    }

    fn add_instance<'a>(&'a self, id: &'a InstanceId, name: Option<String>) -> Answer<'a, ()> {
        Box::pin(async move {
            let r = self
                .inner
                .client
                .register_instance(id, name)
                .await
                .and_then(Offered::required);
            if r.is_ok() {
                self.inner.remember(&Scope::Instance(id.clone()));
            }
            r
        })
    }

    fn audit<'a>(&'a self, scope: Option<&'a Scope>, limit: usize) -> Answer<'a, Vec<AuditEntry>> {
        Box::pin(async move {
            let r = self.inner.client.audit(scope, limit).await;
            r.and_then(Offered::required)
        })
    }

    fn providers(&self) -> Answer<'_, Vec<ProviderSpec>> {
        Box::pin(async move { self.inner.client.providers().await?.required() })
    }

    fn test_connection<'a>(&'a self, scope: &'a Scope) -> Answer<'a, TestResult> {
        Box::pin(async move {
            let r = self.inner.client.test_connection(scope).await;
            if r.is_ok() {
                self.inner.remember(scope);
            }
            r
        })
    }

    fn start_test_all(
        &self,
        concurrency: usize,
        progress: mpsc::UnboundedSender<TestProgress>,
        cancel: tokio_util::sync::CancellationToken,
    ) -> Answer<'_, ()> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let pauses = inner.forward_pauses(progress.clone());
            let reads = match inner.instance_reads().await {
                Ok(reads) => reads,
                Err(e) => {
                    pauses.abort();
                    return Err(e);
                }
            };
            tokio::spawn(async move {
                inner.test_all(reads, concurrency, progress, cancel).await;
                pauses.abort();
            });
            Ok(())
        })
    }

    fn list_models<'a>(&'a self, scope: &'a Scope) -> Answer<'a, Vec<String>> {
        Box::pin(async move { self.inner.client.models(scope).await?.required() })
    }

    fn list_models_for(&self, config: NewConfig) -> Answer<'_, Vec<String>> {
        Box::pin(async move { self.inner.client.models_for(&config).await?.required() })
    }

    fn history<'a>(
        &'a self,
        scope: Option<&'a Scope>,
        limit: usize,
    ) -> Answer<'a, Vec<VersionEntry>> {
        Box::pin(async move {
            match scope {
                Some(scope) => self.inner.client.versions(scope, limit).await?.required(),
                None => Err(not_offered("every scope's version history")),
            }
        })
    }

    fn restore<'a>(&'a self, scope: &'a Scope, version: u64) -> Answer<'a, ConfigView> {
        Box::pin(async move {
            // A restore needs no live config: the route's 404 is always an
            // unknown version.
            self.inner
                .client
                .restore(scope, version)
                .await
                .and_then(Offered::required)
                .map_err(|e| match e {
                    ServiceError::NotFound { scope } => {
                        ServiceError::NoSuchVersion { scope, version }
                    }
                    other => other,
                })
        })
    }

    // Fingerprints are keyed by the server's own fingerprint key.
    fn key_fingerprint<'a>(&'a self, key: &'a ApiKey) -> Answer<'a, String> {
        Box::pin(async move { self.inner.client.key_fingerprint(key).await?.required() })
    }

    fn key_map(&self) -> Answer<'_, Vec<KeyGroup>> {
        Box::pin(async move { self.inner.client.key_map().await?.required() })
    }

    fn rotate_key(&self, request: RotationRequest) -> Answer<'_, RotationReport> {
        Box::pin(self.inner.rotate_key(request))
    }

    fn rollback(&self, rotation_id: String, force: bool) -> Answer<'_, RollbackReport> {
        Box::pin(async move {
            let body = crate::api::rotation::RollbackRequest { rotation_id, force };
            self.inner.client.rollback(&body).await?.required()
        })
    }
}

impl Inner {
    fn remember(&self, scope: &Scope) {
        if let (Some(memory), Scope::Instance(id)) = (&self.sources.memory, scope) {
            memory.remember(id);
        }
    }

    /// A rotation on the server: the old key named by fingerprint (a key
    /// given itself is fingerprinted by the server first), the new key in
    /// the body. A server without the route says so in one line.
    async fn rotate_key(&self, request: RotationRequest) -> Result<RotationReport, ServiceError> {
        use crate::service::rotation::OldKey;
        if !self
            .client
            .offers(features::Feature::RotateKey)
            .await
            .unwrap_or(true)
        {
            return Err(ServiceError::NotOffered(
                features::Feature::RotateKey.missing_message(),
            ));
        }
        let fingerprint = match &request.old {
            OldKey::Fingerprint(fp) => fp.clone(),
            OldKey::Key(key) => self.client.key_fingerprint(key).await?.required()?,
        };
        let body = crate::api::rotation::RotateKeyBody {
            fingerprint: &fingerprint,
            new_api_key: request.new_key.expose(),
            mode: request.mode,
            concurrency: request.concurrency,
        };
        self.client.rotate_key(&body).await?.required()
    }

    async fn create(&self, scope: &Scope, config: &NewConfig) -> Result<ConfigView, ServiceError> {
        let catalog = self.client.catalog().await?;
        let checked = checks::checked_create(config, catalog)?;
        let view = self.client.create(scope, &checked).await?;
        self.remember(scope);
        kept_as_sent(&Sent::create(&checked), view)
    }

    async fn update(&self, scope: &Scope, patch: &ConfigPatch) -> Result<ConfigView, ServiceError> {
        // The re-key rule needs the stored provider and base URL.
        let current = self
            .client
            .get(scope)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                scope: scope.clone(),
            })?;
        let catalog = self.client.catalog().await?;
        let checked = checks::checked_patch(patch, &current, catalog)?;
        let view = self.client.update(scope, &checked).await?;
        self.remember(scope);
        kept_as_sent(&Sent::patch(&checked), view)
    }
}

/// A write's answer, unless the server kept something other than what was
/// sent: then the write happened but is not what was asked, which is
/// reported (and exits non-zero) rather than shown as a success.
fn kept_as_sent(sent: &Sent, view: ConfigView) -> Result<ConfigView, ServiceError> {
    let dropped = sent.dropped(&view);
    if dropped.is_empty() {
        return Ok(view);
    }
    Err(ServiceError::Remote(format!(
        "warning: the server saved the configuration but did not keep {}; it may not support \
         that field — check with `llmcfg get`",
        dropped.join(", ")
    )))
}

/// The one-line error for a fleet feature no remote route carries yet.
fn not_offered(what: &str) -> ServiceError {
    ServiceError::NotOffered(format!(
        "{what} is not offered over the remote API; run it where the store is"
    ))
}

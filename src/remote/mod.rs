//! The remote backend: every service operation over HTTP to a server that
//! speaks the `/llm-config` API (design §3, §7): the product's own control
//! plane, which implements only the seed routes, or `llmcfg serve`, which
//! adds the extensions.
//!
//! Each request runs in a task of its own, so a slow server answer (a
//! connection test) never queues the others behind it in the actor. Input
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

use crate::domain::{ConfigPatch, ConfigView, InstanceId, NewConfig, Scope};
use crate::service::{RemoteService, Request, ServiceError};
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

    /// Answers one request in a task of its own.
    fn handle(&self, request: Request) {
        let inner = self.inner.clone();
        tokio::spawn(async move { inner.dispatch(request).await });
    }
}

impl Inner {
    fn remember(&self, scope: &Scope) {
        if let (Some(memory), Scope::Instance(id)) = (&self.sources.memory, scope) {
            memory.remember(id);
        }
    }

    async fn dispatch(self: Arc<Self>, request: Request) {
        match request {
            Request::Get { scope, respond_to } => {
                let r = self.client.get(&scope).await;
                if matches!(r, Ok(Some(_))) {
                    self.remember(&scope);
                }
                let _ = respond_to.send(r);
            }
            Request::Create {
                scope,
                config,
                respond_to,
                ..
            } => {
                let _ = respond_to.send(self.create(&scope, &config).await);
            }
            Request::Update {
                scope,
                patch,
                respond_to,
                ..
            } => {
                let _ = respond_to.send(self.update(&scope, &patch).await);
            }
            Request::Delete {
                scope, respond_to, ..
            } => {
                let _ = respond_to.send(self.client.delete(&scope).await);
            }
            // A remote server offers no cheap change signal: no auto-refresh.
            Request::ChangeMark { respond_to } => {
                let _ = respond_to.send(Ok(None));
            }
            Request::ListInstances { respond_to } => {
                let _ = respond_to.send(self.instances().await);
            }
            Request::AddInstance {
                id,
                name,
                respond_to,
                ..
            } => {
                let r = self
                    .client
                    .register_instance(&id, name)
                    .await
                    .and_then(Offered::required);
                if r.is_ok() {
                    self.remember(&Scope::Instance(id));
                }
                let _ = respond_to.send(r);
            }
            Request::Audit {
                scope,
                limit,
                respond_to,
            } => {
                let r = self.client.audit(scope.as_ref(), limit).await;
                let _ = respond_to.send(r.and_then(Offered::required));
            }
            Request::Providers { respond_to } => {
                let r = self.client.providers().await;
                let _ = respond_to.send(r.and_then(Offered::required));
            }
            Request::TestConnection {
                scope, respond_to, ..
            } => {
                let r = self.client.test_connection(&scope).await;
                if r.is_ok() {
                    self.remember(&scope);
                }
                let _ = respond_to.send(r);
            }
            Request::TestAll {
                concurrency,
                progress,
                respond_to,
                ..
            } => {
                let pauses = self.forward_pauses(progress.clone());
                match self.instance_reads().await {
                    Err(e) => {
                        let _ = respond_to.send(Err(e));
                    }
                    Ok(reads) => {
                        let _ = respond_to.send(Ok(()));
                        self.test_all(reads, concurrency, progress).await;
                    }
                }
                pauses.abort();
            }
            Request::ListModels { scope, respond_to } => {
                let r = self.client.models(&scope).await;
                let _ = respond_to.send(r.and_then(Offered::required));
            }
            Request::ListModelsFor {
                provider,
                api_key,
                base_url,
                respond_to,
            } => {
                let r = self
                    .client
                    .models_for(&provider, &api_key, base_url.as_deref())
                    .await
                    .and_then(Offered::required);
                let _ = respond_to.send(r);
            }
            Request::History {
                scope: Some(scope),
                limit,
                respond_to,
            } => {
                let r = self.client.versions(&scope, limit).await;
                let _ = respond_to.send(r.and_then(Offered::required));
            }
            Request::History {
                scope: None,
                respond_to,
                ..
            } => {
                let _ = respond_to.send(Err(not_offered("every scope's version history")));
            }
            Request::Restore {
                scope,
                version,
                respond_to,
                ..
            } => {
                // A restore needs no live config: the route's 404 is always
                // an unknown version.
                let r = self
                    .client
                    .restore(&scope, version)
                    .await
                    .and_then(Offered::required)
                    .map_err(|e| match e {
                        ServiceError::NotFound { scope } => {
                            ServiceError::NoSuchVersion { scope, version }
                        }
                        other => other,
                    });
                let _ = respond_to.send(r);
            }
            // Fingerprints are keyed by the server's own fingerprint key.
            Request::KeyFingerprint {
                api_key,
                respond_to,
            } => {
                let r = self.client.key_fingerprint(&api_key).await;
                let _ = respond_to.send(r.and_then(Offered::required));
            }
            Request::KeyMap { respond_to } => {
                let r = self.client.key_map().await;
                let _ = respond_to.send(r.and_then(Offered::required));
            }
            Request::RotateKey {
                request,
                respond_to,
                ..
            } => {
                let _ = respond_to.send(self.rotate_key(request).await);
            }
            Request::Rollback {
                rotation_id,
                force,
                respond_to,
                ..
            } => {
                let body = crate::api::rotation::RollbackRequest { rotation_id, force };
                let r = self.client.rollback(&body).await;
                let _ = respond_to.send(r.and_then(Offered::required));
            }
        }
    }

    /// A rotation on the server: the old key named by fingerprint (a key
    /// given itself is fingerprinted by the server first), the new key in
    /// the body. A server without the route says so in one line.
    async fn rotate_key(
        &self,
        request: crate::service::rotation::RotationRequest,
    ) -> Result<crate::service::rotation::RotationReport, ServiceError> {
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

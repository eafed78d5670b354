//! The remote backend: every service operation over HTTP to a server that
//! speaks the `/llm-config` API (design §3), such as `llmcfg serve`.
//!
//! Each request runs in a task of its own, so a slow server answer (a
//! connection test) never queues the others behind it in the actor. HTTP
//! statuses map back to the same typed [`ServiceError`]s the local backend
//! returns, so the CLI and TUI behave the same against either.

mod client;
pub mod credentials;
mod error;

use std::sync::Arc;

use tokio::sync::Semaphore;

pub use client::{RemoteClient, normalise_url};
pub use error::RemoteError;

use crate::domain::{InstanceId, InstanceSummary, Scope};
use crate::service::{Request, ServiceError, TestProgress};

/// A remote `/llm-config` server.
pub struct RemoteBackend {
    client: Arc<RemoteClient>,
    configured: Arc<Vec<(InstanceId, Option<String>)>>,
}

impl RemoteBackend {
    /// A backend for `client`; `configured` are the `config.toml` instances
    /// merged into the server's instance list.
    pub fn new(client: RemoteClient, configured: Vec<(InstanceId, Option<String>)>) -> Self {
        RemoteBackend {
            client: Arc::new(client),
            configured: Arc::new(configured),
        }
    }

    /// The server's base URL.
    pub fn url(&self) -> &str {
        self.client.url()
    }

    /// Answers one request in a task of its own.
    pub(crate) async fn handle(&mut self, request: Request) {
        let client = self.client.clone();
        let configured = self.configured.clone();
        tokio::spawn(async move { dispatch(&client, &configured, request).await });
    }
}

fn unsupported(what: &str) -> ServiceError {
    ServiceError::Remote(format!(
        "{what} is not part of the remote API; run it on the server host"
    ))
}

async fn dispatch(
    client: &Arc<RemoteClient>,
    configured: &[(InstanceId, Option<String>)],
    request: Request,
) {
    match request {
        Request::Get { scope, respond_to } => {
            let _ = respond_to.send(client.get(&scope).await);
        }
        Request::Create {
            scope,
            config,
            respond_to,
            ..
        } => {
            let _ = respond_to.send(client.create(&scope, &config).await);
        }
        Request::Update {
            scope,
            patch,
            respond_to,
            ..
        } => {
            let _ = respond_to.send(client.update(&scope, &patch).await);
        }
        Request::Delete {
            scope, respond_to, ..
        } => {
            let _ = respond_to.send(client.delete(&scope).await);
        }
        // A remote server offers no cheap change signal: no auto-refresh.
        Request::ChangeMark { respond_to } => {
            let _ = respond_to.send(Ok(None));
        }
        Request::ListInstances { respond_to } => {
            let listed = client
                .instances()
                .await
                .map(|list| crate::domain::instances::merge_configured(list, configured));
            let _ = respond_to.send(listed);
        }
        Request::AddInstance { respond_to, .. } => {
            let _ = respond_to.send(Err(ServiceError::Remote(
                "instances cannot be registered through the remote API; list them under \
                 [[instances]] in config.toml, or create their configuration"
                    .into(),
            )));
        }
        Request::Audit {
            scope,
            limit,
            respond_to,
        } => {
            let _ = respond_to.send(client.audit(scope.as_ref(), limit).await);
        }
        Request::Providers { respond_to } => {
            let _ = respond_to.send(client.providers().await);
        }
        Request::TestConnection {
            scope, respond_to, ..
        } => {
            let _ = respond_to.send(client.test_connection(&scope).await);
        }
        Request::TestAll {
            concurrency,
            progress,
            respond_to,
            ..
        } => match client.instances().await {
            Err(e) => {
                let _ = respond_to.send(Err(e));
            }
            Ok(list) => {
                let _ = respond_to.send(Ok(()));
                test_all(client.clone(), list, concurrency, progress).await;
            }
        },
        Request::ListModels { respond_to, .. } => {
            let _ = respond_to.send(Err(unsupported("listing live models")));
        }
        Request::ListModelsFor { respond_to, .. } => {
            let _ = respond_to.send(Err(unsupported("listing live models")));
        }
        Request::RotateMasterKey { respond_to, .. } => {
            let _ = respond_to.send(Err(unsupported("master-key rotation")));
        }
        Request::CreateToken { respond_to, .. } => {
            let _ = respond_to.send(Err(unsupported("token management")));
        }
        Request::ListTokens { respond_to } => {
            let _ = respond_to.send(Err(unsupported("token management")));
        }
        Request::RevokeToken { respond_to, .. } => {
            let _ = respond_to.send(Err(unsupported("token management")));
        }
        Request::Authenticate { respond_to, .. } => {
            let _ = respond_to.send(Err(unsupported("token authentication")));
        }
    }
}

async fn test_all(
    client: Arc<RemoteClient>,
    list: Vec<InstanceSummary>,
    concurrency: usize,
    progress: tokio::sync::mpsc::UnboundedSender<TestProgress>,
) {
    let scopes: Vec<Scope> = list
        .into_iter()
        .filter(|s| s.config.is_some())
        .filter_map(|s| Scope::from_optional(s.instance_id.as_deref()).ok())
        .collect();
    let _ = progress.send(TestProgress::Started {
        total: scopes.len(),
    });
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for scope in scopes {
        let (client, limit, progress) = (client.clone(), limit.clone(), progress.clone());
        tasks.spawn(async move {
            let Ok(_permit) = limit.acquire_owned().await else {
                return;
            };
            let result = client.test_connection(&scope).await;
            let _ = progress.send(TestProgress::Finished { scope, result });
        });
    }
    while tasks.join_next().await.is_some() {}
}

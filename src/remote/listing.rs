//! The instance list and "test all" of the remote backend: the server's
//! list when it offers one, else every known scope read with `GET`, paced
//! to the server's rate limit. A scope that could not be read is named with
//! why, never listed or skipped as unconfigured.

use std::sync::Arc;

use futures_util::StreamExt;
use tokio::sync::Semaphore;

use super::features::Offered;
use super::{Inner, LIST_CONCURRENCY};
use crate::domain::{ConfigView, InstanceSummary, Scope};
use crate::service::{ServiceError, TestProgress};

impl Inner {
    /// The instance list: the server's when it offers one, else built from
    /// the control plane and every local source, each read with `GET`. A
    /// scope that could not be read makes the list an error naming every
    /// such scope and why: it is never listed as unconfigured.
    pub(super) async fn instances(&self) -> Result<Vec<InstanceSummary>, ServiceError> {
        let mut listed = Vec::new();
        let mut unread = Vec::new();
        for read in self.instance_reads().await? {
            match read.config {
                Ok(config) => listed.push(InstanceSummary {
                    instance_id: read.scope.instance_id().map(str::to_string),
                    name: read.name,
                    config,
                    last_test: read.last_test,
                }),
                Err(e) => unread.push((read.scope, e)),
            }
        }
        if unread.is_empty() {
            return Ok(listed);
        }
        Err(ServiceError::Remote(unread_scopes(&unread)))
    }

    /// Every scope with its configuration, or why it could not be read.
    pub(super) async fn instance_reads(&self) -> Result<Vec<ScopeRead>, ServiceError> {
        let named = self.sources.collect().await?;
        if let Offered::Yes(list) = self.client.instances().await? {
            return Ok(crate::domain::instances::merge_configured(list, &named)
                .into_iter()
                .filter_map(|s| {
                    let scope = Scope::from_optional(s.instance_id.as_deref()).ok()?;
                    Some(ScopeRead {
                        scope,
                        name: s.name,
                        config: Ok(s.config),
                        last_test: s.last_test,
                    })
                })
                .collect());
        }
        let mut scopes: Vec<(Scope, Option<String>)> = vec![(Scope::Global, None)];
        scopes.extend(
            named
                .into_iter()
                .map(|(id, name)| (Scope::Instance(id), name)),
        );
        // The client paces these reads to the server's rate limit.
        Ok(
            futures_util::stream::iter(scopes.into_iter().map(|(scope, name)| async {
                let config = self.client.get(&scope).await;
                ScopeRead {
                    scope,
                    name,
                    config,
                    last_test: None,
                }
            }))
            .buffered(LIST_CONCURRENCY)
            .collect::<Vec<_>>()
            .await,
        )
    }

    /// Sends each rate-limit pause of the server to `progress` (the
    /// progress bar shows the wait) until the returned task is aborted.
    pub(super) fn forward_pauses(
        &self,
        progress: tokio::sync::mpsc::UnboundedSender<TestProgress>,
    ) -> tokio::task::JoinHandle<()> {
        let mut pauses = self.client.pacer.pauses();
        tokio::spawn(async move {
            while pauses.changed().await.is_ok() {
                let until = *pauses.borrow_and_update();
                let wait =
                    until.and_then(|at| at.checked_duration_since(tokio::time::Instant::now()));
                if let Some(wait) = wait
                    && progress.send(TestProgress::Waiting { wait }).is_err()
                {
                    return;
                }
            }
        })
    }

    /// Tests every configured scope; a scope whose configuration could not
    /// be read is reported as not tested, with why, never skipped.
    pub(super) async fn test_all(
        self: &Arc<Self>,
        reads: Vec<ScopeRead>,
        concurrency: usize,
        progress: tokio::sync::mpsc::UnboundedSender<TestProgress>,
        cancel: tokio_util::sync::CancellationToken,
    ) {
        let mut unread = Vec::new();
        let mut scopes = Vec::new();
        for read in reads {
            match read.config {
                Ok(Some(_)) => scopes.push(read.scope),
                Ok(None) => {}
                Err(e) => unread.push((read.scope, e)),
            }
        }
        let _ = progress.send(TestProgress::Started {
            total: scopes.len() + unread.len(),
        });
        for (scope, e) in unread {
            let result = Err(ServiceError::Remote(format!(
                "not tested: its configuration could not be read ({e})"
            )));
            let _ = progress.send(TestProgress::Finished { scope, result });
        }
        let limit = Arc::new(Semaphore::new(concurrency.max(1)));
        let mut tasks = tokio::task::JoinSet::new();
        for scope in scopes {
            let (inner, limit, progress) = (self.clone(), limit.clone(), progress.clone());
            let cancel = cancel.clone();
            tasks.spawn(async move {
                let Ok(_permit) = limit.acquire_owned().await else {
                    return;
                };
                // Cancelled while waiting for a slot: this test never starts.
                if cancel.is_cancelled() {
                    return;
                }
                let result = inner.client.test_connection(&scope).await;
                let _ = progress.send(TestProgress::Finished { scope, result });
            });
        }
        while tasks.join_next().await.is_some() {}
    }
}

/// One scope of the instance list as read.
pub(super) struct ScopeRead {
    scope: Scope,
    name: Option<String>,
    config: Result<Option<ConfigView>, ServiceError>,
    last_test: Option<crate::domain::TestResult>,
}

/// The error of an instance list some scopes of which could not be read.
fn unread_scopes(unread: &[(Scope, ServiceError)]) -> String {
    let each: Vec<String> = unread
        .iter()
        .map(|(scope, e)| format!("the {scope}: {e}"))
        .collect();
    format!(
        "could not read {} scope(s), so the instance list is incomplete (none is shown as \
         unconfigured): {}",
        unread.len(),
        each.join("; ")
    )
}

//! The service actor of a local backend: one task that owns the service's
//! mutable state (the master key every write seals under, the writes in
//! flight and the change feed) and takes typed [`Command`]s from the
//! cloneable [`super::ServiceHandle`]. The model and its reasons are
//! described once, in [`crate::service`].

use std::path::PathBuf;

use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::ServiceError;
use super::batch::{BatchFailure, BatchItem};
use super::local::LocalBackend;
use super::rotation::{RollbackReport, RotationProgress, RotationReport, RotationRequest};
use crate::crypto::MasterKey;
use crate::domain::{ConfigPatch, ConfigView, InstanceId, NewConfig, Scope};

/// The reply channel of one command.
pub(super) type Reply<T> = oneshot::Sender<Result<T, ServiceError>>;

/// How many commands may wait in the mailbox; a caller beyond that waits
/// for room (it is never refused).
const MAILBOX: usize = 256;

/// How many changes a slow change-feed subscriber may fall behind before it
/// is told it lagged (and reads everything again).
const CHANGE_FEED: usize = 1024;

/// What changed, as the change feed announces it after the write commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// One scope's config (or its registration) changed.
    Scope(Scope),
    /// Several scopes may have changed at once (a batch, a key rotation or
    /// its rollback): read again whatever is shown.
    Many,
}

/// One command to the actor: every write of a local backend.
pub(super) enum Command {
    Create {
        scope: Scope,
        config: NewConfig,
        caller: String,
        respond_to: Reply<ConfigView>,
    },
    Update {
        scope: Scope,
        patch: ConfigPatch,
        caller: String,
        respond_to: Reply<ConfigView>,
    },
    Delete {
        scope: Scope,
        caller: String,
        respond_to: Reply<()>,
    },
    AddInstance {
        id: InstanceId,
        name: Option<String>,
        caller: String,
        respond_to: Reply<()>,
    },
    Restore {
        scope: Scope,
        version: u64,
        caller: String,
        respond_to: Reply<ConfigView>,
    },
    Rollback {
        rotation_id: String,
        force: bool,
        caller: String,
        respond_to: Reply<RollbackReport>,
    },
    RotateKey {
        request: RotationRequest,
        caller: String,
        progress: mpsc::UnboundedSender<RotationProgress>,
        cancel: CancellationToken,
        respond_to: Reply<RotationReport>,
    },
    WriteBatch {
        items: Vec<BatchItem>,
        caller: String,
        respond_to: oneshot::Sender<Result<usize, BatchFailure>>,
    },
    RotateMasterKey {
        new_key_file: Option<PathBuf>,
        caller: String,
        respond_to: Reply<usize>,
    },
}

/// The actor's ends that a handle keeps.
#[derive(Clone)]
pub(super) struct ActorLink {
    /// The actor's mailbox; the actor stops when the last sender drops.
    pub(super) mailbox: mpsc::Sender<Command>,
    /// The change feed, to subscribe to.
    pub(super) changes: broadcast::Sender<Change>,
}

impl ActorLink {
    /// Sends one command and waits for its reply; `Stopped` when the actor
    /// is gone (its runtime shut down, or it panicked).
    pub(super) async fn ask<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, ServiceError> {
        let (respond_to, reply) = oneshot::channel();
        self.mailbox
            .send(make(respond_to))
            .await
            .map_err(|_| ServiceError::Stopped)?;
        reply.await.map_err(|_| ServiceError::Stopped)?
    }
}

/// The task that owns the state.
pub(super) struct ServiceActor {
    local: LocalBackend,
    /// The key every write of this process seals under.
    master: MasterKey,
    inbox: mpsc::Receiver<Command>,
    /// Writes handed out and not yet committed (or failed).
    in_flight: JoinSet<()>,
    changes: broadcast::Sender<Change>,
}

impl ServiceActor {
    /// Starts the actor over `local` on the current Tokio runtime.
    pub(super) fn spawn(local: LocalBackend) -> ActorLink {
        let (mailbox, inbox) = mpsc::channel(MAILBOX);
        let (changes, _) = broadcast::channel(CHANGE_FEED);
        let actor = ServiceActor {
            master: local.master(),
            local,
            inbox,
            in_flight: JoinSet::new(),
            changes: changes.clone(),
        };
        tokio::spawn(actor.run());
        ActorLink { mailbox, changes }
    }

    async fn run(mut self) {
        loop {
            tokio::select! {
                // Reaping first keeps the set of finished writes small.
                biased;
                Some(_) = self.in_flight.join_next(), if !self.in_flight.is_empty() => {}
                command = self.inbox.recv() => match command {
                    Some(command) => self.handle(command).await,
                    None => break,
                },
            }
        }
        // Every handle is gone; the writes already started still finish.
        self.drain().await;
    }

    /// Waits until every write handed out has committed or failed.
    async fn drain(&mut self) {
        while self.in_flight.join_next().await.is_some() {}
    }

    async fn handle(&mut self, command: Command) {
        // Each write runs in a task of its own with the key in force now, so
        // writes commit concurrently (the store group-commits them) while
        // the actor goes on reading its mailbox.
        let local = self.local.clone();
        let key = self.master.clone();
        let feed = self.changes.clone();
        match command {
            Command::Create {
                scope,
                config,
                caller,
                respond_to,
            } => self.track(async move {
                let r = local.create(&scope, config, caller, &key).await;
                announce(&feed, &r, Change::Scope(scope));
                let _ = respond_to.send(r);
            }),
            Command::Update {
                scope,
                patch,
                caller,
                respond_to,
            } => self.track(async move {
                let r = local.update(&scope, patch, caller, &key).await;
                announce(&feed, &r, Change::Scope(scope));
                let _ = respond_to.send(r);
            }),
            Command::Delete {
                scope,
                caller,
                respond_to,
            } => self.track(async move {
                let r = local.delete(&scope, caller).await;
                announce(&feed, &r, Change::Scope(scope));
                let _ = respond_to.send(r);
            }),
            Command::AddInstance {
                id,
                name,
                caller,
                respond_to,
            } => self.track(async move {
                let r = local.add_instance(&id, name, caller).await;
                announce(&feed, &r, Change::Scope(Scope::Instance(id)));
                let _ = respond_to.send(r);
            }),
            Command::Restore {
                scope,
                version,
                caller,
                respond_to,
            } => self.track(async move {
                let r = local.restore(&scope, version, caller).await;
                announce(&feed, &r, Change::Scope(scope));
                let _ = respond_to.send(r);
            }),
            Command::Rollback {
                rotation_id,
                force,
                caller,
                respond_to,
            } => self.track(async move {
                let r = local.rollback(&rotation_id, force, caller).await;
                announce(&feed, &r, Change::Many);
                let _ = respond_to.send(r);
            }),
            Command::RotateKey {
                request,
                caller,
                progress,
                cancel,
                respond_to,
            } => self.track(async move {
                let r = local
                    .rotate_key(request, caller, progress, &key, cancel)
                    .await;
                announce(&feed, &r, Change::Many);
                let _ = respond_to.send(r);
            }),
            Command::WriteBatch {
                items,
                caller,
                respond_to,
            } => self.track(async move {
                let r = local.write_batch(items, caller, &key).await;
                announce(&feed, &r, Change::Many);
                let _ = respond_to.send(r);
            }),
            Command::RotateMasterKey {
                new_key_file,
                caller,
                respond_to,
            } => {
                // No write may seal under the old key once the re-seal has
                // read its rows: let those handed out commit, and run the
                // rotation here, so the commands behind it wait.
                self.drain().await;
                let rotated = self.local.rotate(&self.master, new_key_file, caller).await;
                self.master = rotated.key.clone();
                self.local.publish_master(rotated.key);
                let _ = respond_to.send(rotated.result);
            }
        }
    }

    fn track(&mut self, write: impl Future<Output = ()> + Send + 'static) {
        self.in_flight.spawn(write);
    }
}

/// Announces `change` when the write `result` succeeded. Nobody listening
/// is not an error.
fn announce<T, E>(feed: &broadcast::Sender<Change>, result: &Result<T, E>, change: Change) {
    if result.is_ok() {
        let _ = feed.send(change);
    }
}

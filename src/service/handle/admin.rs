//! What only a local store can do: token management, authentication and
//! master-key rotation, reached through [`ServiceHandle`] (which answers a
//! clear error over a remote backend) or through [`AdminHandle`], got from
//! [`ServiceHandle::admin`]. Apart from [`super`] because none of it is
//! part of the remote API.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::{Core, ServiceHandle};
use crate::domain::{IssuedToken, Role, TokenInfo};
use crate::service::actor::{ActorLink, Command};
use crate::service::local::LocalBackend;
use crate::service::{BatchFailure, BatchItem, HealthAccess, MasterKeyCheck, ServiceError};

impl ServiceHandle {
    /// Token management, authentication and master-key rotation: `Some`
    /// only over a local store.
    pub fn admin(&self) -> Option<AdminHandle> {
        match &self.core {
            Core::Local { reads, actor } => Some(AdminHandle {
                local: reads.clone(),
                actor: actor.clone(),
                caller: self.caller.clone(),
            }),
            Core::Remote(_) => None,
        }
    }

    fn admin_or(&self, what: &str) -> Result<AdminHandle, ServiceError> {
        self.admin().ok_or_else(|| not_in_remote_api(what))
    }

    /// Re-seals every stored key under a new master key; returns how many.
    pub async fn rotate_master_key(
        &self,
        new_key_file: Option<std::path::PathBuf>,
    ) -> Result<usize, ServiceError> {
        self.admin_or("master-key rotation")?
            .rotate_master_key(new_key_file)
            .await
    }

    /// Opens every sealed key and kept version under the master key,
    /// changing nothing.
    pub async fn verify_master_key(&self) -> Result<MasterKeyCheck, ServiceError> {
        self.admin_or("master-key verification")?
            .verify_master_key()
            .await
    }

    /// Issues a server API token (see [`AdminHandle::create_token`]).
    pub async fn create_token(&self, name: &str, role: Role) -> Result<IssuedToken, ServiceError> {
        self.admin_or("token management")?
            .create_token(name, role)
            .await
    }

    /// Every server API token (names and roles, never secrets).
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, ServiceError> {
        self.admin_or("token management")?.list_tokens().await
    }

    /// Revokes the token `name`.
    pub async fn revoke_token(&self, name: &str) -> Result<(), ServiceError> {
        self.admin_or("token management")?.revoke_token(name).await
    }

    /// The token a bearer secret belongs to, or `None`.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>, ServiceError> {
        // Checked on every request, so the backend is borrowed rather than
        // cloned into an `AdminHandle` (whose reference counts both cores
        // would bounce).
        match &self.core {
            Core::Local { reads, .. } => reads.authenticate(secret).await,
            Core::Remote(_) => Err(not_in_remote_api("token authentication")),
        }
    }
}

/// The error for a local-only operation asked of a remote backend.
pub(super) fn not_in_remote_api(what: &str) -> ServiceError {
    ServiceError::Remote(format!(
        "{what} is not part of the remote API; run it on the server host"
    ))
}

/// What only a local store can do. Got from [`ServiceHandle::admin`].
#[derive(Clone)]
pub struct AdminHandle {
    local: LocalBackend,
    /// The service actor: master-key rotation and batches seal, so they
    /// go through it like every write.
    actor: ActorLink,
    caller: Arc<str>,
}

impl AdminHandle {
    fn local(&self) -> &LocalBackend {
        &self.local
    }

    /// Re-seals every stored key under a new master key; returns how many.
    pub async fn rotate_master_key(
        &self,
        new_key_file: Option<std::path::PathBuf>,
    ) -> Result<usize, ServiceError> {
        self.actor
            .ask(|respond_to| Command::RotateMasterKey {
                new_key_file,
                caller: self.caller.to_string(),
                respond_to,
            })
            .await
    }

    /// Opens every sealed key and kept version, changing nothing.
    pub async fn verify_master_key(&self) -> Result<MasterKeyCheck, ServiceError> {
        self.local().verify_master_key().await
    }

    /// Issues a server API token; the secret is returned once and only its
    /// hash is stored.
    pub async fn create_token(&self, name: &str, role: Role) -> Result<IssuedToken, ServiceError> {
        self.local()
            .create_token(name, role, self.caller.to_string())
            .await
    }

    /// Every server API token (names and roles, never secrets).
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, ServiceError> {
        self.local().list_tokens().await
    }

    /// Revokes the token `name`.
    pub async fn revoke_token(&self, name: &str) -> Result<(), ServiceError> {
        self.local()
            .revoke_token(name, self.caller.to_string())
            .await
    }

    /// The token a bearer secret belongs to, or `None`.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<TokenInfo>, ServiceError> {
        self.local().authenticate(secret).await
    }

    /// Writes every item in one transaction, or none of them (`apply
    /// --atomic`); returns how many were written.
    pub async fn write_batch(&self, items: Vec<BatchItem>) -> Result<usize, BatchFailure> {
        let (respond_to, reply) = oneshot::channel();
        let stopped = || BatchFailure {
            scope: None,
            error: ServiceError::Stopped,
        };
        let command = Command::WriteBatch {
            items,
            caller: self.caller.to_string(),
            respond_to,
        };
        self.actor
            .mailbox
            .send(command)
            .await
            .map_err(|_| stopped())?;
        reply.await.map_err(|_| stopped())?
    }

    /// The monitor's and `llmcfg health`'s access to the health history.
    pub fn health(&self) -> HealthAccess {
        HealthAccess {
            local: self.local.clone(),
        }
    }
}

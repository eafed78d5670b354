//! Server API tokens in the local backend: issue (random secret, only its
//! SHA-256 stored), list, revoke, and authenticate a presented secret.
//! Local-only: reached through [`crate::service::AdminHandle`].

use zeroize::Zeroizing;

use super::LocalBackend;
use crate::domain::token::{TOKEN_PREFIX, token_hash, validate_token_name};
use crate::domain::{AuditAction, IssuedToken, Role, Scope, TokenInfo, ValidationError};
use crate::service::ServiceError;
use crate::store::{AuditRecord, StoreError, TokenAndConfig};

/// Random bytes per token secret (256 bits).
const TOKEN_BYTES: usize = 32;

fn record(actor: String, action: AuditAction, name: &str) -> AuditRecord {
    let mut rec = AuditRecord::new(actor, &Scope::Global, action);
    rec.detail = Some(format!("token {name}"));
    rec
}

impl LocalBackend {
    /// Issues a token named `name`.
    pub(crate) async fn create_token(
        &self,
        name: &str,
        role: Role,
        actor: String,
    ) -> Result<IssuedToken, ServiceError> {
        let name = validate_token_name(name)?;
        let mut bytes = Zeroizing::new([0u8; TOKEN_BYTES]);
        getrandom::fill(bytes.as_mut()).map_err(|e| {
            StoreError::Open(format!("no system randomness for a token secret: {e}"))
        })?;
        let secret = Zeroizing::new(format!("{TOKEN_PREFIX}{}", hex::encode(bytes.as_ref())));
        let info = TokenInfo {
            name: name.clone(),
            role,
            created_at: crate::store::rows_now(),
        };
        let mut rec = record(actor, AuditAction::TokenCreate, &name);
        rec.fields = vec![format!("role={role}")];
        match self
            .shared
            .store
            .add_token(info.clone(), token_hash(&secret), rec)
            .await
        {
            Ok(()) => Ok(IssuedToken { info, secret }),
            Err(StoreError::AlreadyExists) => Err(ValidationError::new(
                "name",
                format!("a token named {name:?} already exists; revoke it first"),
            )
            .into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every token.
    pub(crate) async fn list_tokens(&self) -> Result<Vec<TokenInfo>, ServiceError> {
        Ok(self.shared.store.tokens().await?)
    }

    /// Revokes the token `name`.
    pub(crate) async fn revoke_token(&self, name: &str, actor: String) -> Result<(), ServiceError> {
        let rec = record(actor, AuditAction::TokenRevoke, name);
        match self.shared.store.revoke_token(name, rec).await {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => Err(ServiceError::NoSuchToken {
                name: name.to_string(),
            }),
            Err(e) => Err(e.into()),
        }
    }

    /// The token `secret` belongs to.
    pub(crate) async fn authenticate(
        &self,
        secret: &str,
    ) -> Result<Option<TokenInfo>, ServiceError> {
        Ok(self.shared.store.find_token(&token_hash(secret)).await?)
    }

    /// The token `secret` belongs to and the config of `scope`, in one read.
    pub(crate) async fn token_and_config(
        &self,
        secret: &str,
        scope: &Scope,
    ) -> Result<TokenAndConfig, ServiceError> {
        self.shared
            .store
            .token_and_config(&token_hash(secret), scope)
            .await
            .map_err(|e| ServiceError::from_store(e, scope))
    }
}

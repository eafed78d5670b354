//! Server API tokens in the local backend: issue (random secret, only its
//! SHA-256 stored), list, revoke, and authenticate a presented secret.

use zeroize::Zeroizing;

use super::ServiceError;
use crate::domain::token::{TOKEN_PREFIX, token_hash, validate_token_name};
use crate::domain::{IssuedToken, Role, Scope, TokenInfo, ValidationError};
use crate::store::{AuditRecord, Store, StoreError};

/// Random bytes per token secret (256 bits).
const TOKEN_BYTES: usize = 32;

fn record(actor: String, action: &'static str, name: &str) -> AuditRecord {
    AuditRecord {
        at: crate::store::rows_now(),
        actor,
        scope: Scope::Global,
        action,
        fields: Vec::new(),
        key_fingerprint: None,
        detail: Some(format!("token {name}")),
    }
}

fn store_err(e: StoreError) -> ServiceError {
    ServiceError::Store(e.to_string())
}

/// Issues a token named `name`.
pub(super) fn create(
    store: &mut Store,
    name: &str,
    role: Role,
    actor: String,
) -> Result<IssuedToken, ServiceError> {
    let name = validate_token_name(name)?;
    let mut bytes = Zeroizing::new([0u8; TOKEN_BYTES]);
    getrandom::fill(bytes.as_mut())
        .map_err(|e| ServiceError::Store(format!("no system randomness: {e}")))?;
    let secret = Zeroizing::new(format!("{TOKEN_PREFIX}{}", hex::encode(bytes.as_ref())));
    let info = TokenInfo {
        name: name.clone(),
        role,
        created_at: crate::store::rows_now(),
    };
    let mut rec = record(actor, "token_create", &name);
    rec.fields = vec![format!("role={role}")];
    match store.add_token(&info, &token_hash(&secret), &rec) {
        Ok(()) => Ok(IssuedToken { info, secret }),
        Err(StoreError::AlreadyExists) => Err(ValidationError::new(
            "name",
            format!("a token named {name:?} already exists; revoke it first"),
        )
        .into()),
        Err(e) => Err(store_err(e)),
    }
}

/// Every token.
pub(super) fn list(store: &mut Store) -> Result<Vec<TokenInfo>, ServiceError> {
    store.tokens().map_err(store_err)
}

/// Revokes the token `name`.
pub(super) fn revoke(store: &mut Store, name: &str, actor: String) -> Result<(), ServiceError> {
    match store.revoke_token(name, &record(actor, "token_revoke", name)) {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(ServiceError::NoSuchToken {
            name: name.to_string(),
        }),
        Err(e) => Err(store_err(e)),
    }
}

/// The token `secret` belongs to, read through PostgreSQL's reader.
pub(super) async fn authenticate_with(
    reader: &crate::store::PgReader,
    secret: &str,
) -> Result<Option<TokenInfo>, ServiceError> {
    reader
        .find_token(&token_hash(secret))
        .await
        .map_err(store_err)
}

/// The token `secret` belongs to.
pub(super) fn authenticate(
    store: &mut Store,
    secret: &str,
) -> Result<Option<TokenInfo>, ServiceError> {
    store.find_token(&token_hash(secret)).map_err(store_err)
}

//! A read authorised in the same store read as its token check: the hot
//! path of `GET /llm-config/`, which would otherwise read the store twice
//! (the token, then the config), each a read transaction of its own.
//! Nothing is cached: a token revoked or a config written by another
//! process or replica is seen by the next request.

use super::{Core, ServiceHandle};
use crate::domain::{ConfigView, Role, Scope, TokenInfo};
use crate::service::ServiceError;

/// What a bearer secret may see: the value read only when its token has
/// the role asked for, so a refused caller's answer cannot carry it.
#[derive(Debug)]
pub enum Authorized<T> {
    /// No token has this secret (or it was revoked).
    UnknownToken,
    /// The token exists but has another role.
    WrongRole(TokenInfo),
    /// The token has the role; what was read for it.
    Granted {
        /// The token, whose name is the caller.
        token: TokenInfo,
        /// What was read.
        value: T,
    },
}

impl ServiceHandle {
    /// The config of `scope`, for the holder of `secret` if its token has
    /// `role`, read together with the token check.
    pub async fn get_authorized(
        &self,
        secret: &str,
        role: Role,
        scope: &Scope,
    ) -> Result<Authorized<Option<ConfigView>>, ServiceError> {
        let Core::Local { reads, .. } = &self.core else {
            return Err(super::admin::not_in_remote_api("token authentication"));
        };
        let read = reads.token_and_config(secret, scope).await?;
        Ok(match read.token {
            None => Authorized::UnknownToken,
            Some(token) if token.role != role => Authorized::WrongRole(token),
            Some(token) => Authorized::Granted {
                token,
                value: read.config,
            },
        })
    }
}

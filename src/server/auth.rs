//! Bearer-token authentication of every `/llm-config` route (design §3):
//! missing, malformed or unknown token → 401; a valid token whose role is
//! not superadmin → 403. The caller's handle audits under the token's name.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::extract::Caller;
use crate::domain::Role;

/// `WWW-Authenticate` challenge sent with every 401.
const CHALLENGE: &str = "Bearer realm=\"llmcfg\"";

fn unauthorized(detail: &str) -> Response {
    let mut response = ApiError::new(StatusCode::UNAUTHORIZED, detail).into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static(CHALLENGE),
    );
    response
}

/// Middleware: authenticates the bearer token and installs the [`Caller`].
pub async fn require_superadmin(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(secret) = bearer(&request) else {
        return unauthorized("missing or malformed `Authorization: Bearer <token>` header");
    };
    let token = match state.handle.authenticate(secret).await {
        Ok(Some(token)) => token,
        Ok(None) => return unauthorized("unknown or revoked token"),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if token.role != Role::Superadmin {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "token {:?} has role {}; the LLM configuration API needs a superadmin token",
                token.name, token.role
            ),
        )
        .into_response();
    }
    let caller = Caller(state.handle.with_caller(token.name));
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// The secret of an `Authorization: Bearer <secret>` header.
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, secret) = value.split_once(' ')?;
    let secret = secret.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !secret.is_empty()).then_some(secret)
}

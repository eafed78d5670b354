//! Bearer-token authentication of every `/llm-config` route (design §3):
//! missing, malformed or unknown token → 401; a valid token whose role is
//! not superadmin → 403. The caller's handle audits under the token's name.
//!
//! `GET /llm-config/` with a valid scope, the hot path, reads the token and
//! the config in one store read here ([`ServiceHandle::get_authorized`])
//! and is answered here with what was read: the same 401/403 before
//! anything else, the same 400 for a bad scope (through the general path
//! and the route's handler), one read transaction per request instead of
//! two, and none of the handler's dispatch (a boxed future, the method
//! router, the request's extensions, two extractors: about 2,200
//! instructions a request, `docs/benchmarks.md`, "The GET hot path, fourth
//! round").
//!
//! [`ServiceHandle::get_authorized`]: crate::service::ServiceHandle::get_authorized

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::extract::{Caller, scope_of};
use super::json::Json;
use crate::api::CONFIG_PATH;
use crate::domain::{Role, Scope, TokenInfo};
use crate::service::Authorized;

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
    if let Some(scope) = config_read(&request) {
        let read = state
            .handle
            .get_authorized(secret, Role::Superadmin, &scope)
            .await;
        return match read {
            Ok(Authorized::Granted { value, .. }) => Json(value).into_response(),
            Ok(Authorized::UnknownToken) => unauthorized(UNKNOWN_TOKEN),
            Ok(Authorized::WrongRole(token)) => forbidden(&token),
            Err(e) => ApiError::from(e).into_response(),
        };
    }
    let token = match state.handle.authenticate(secret).await {
        Ok(Some(token)) => token,
        Ok(None) => return unauthorized(UNKNOWN_TOKEN),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if token.role != Role::Superadmin {
        return forbidden(&token);
    }
    let caller = Caller(state.handle.with_caller(token.name));
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// The 401 detail for a secret no token has.
const UNKNOWN_TOKEN: &str = "unknown or revoked token";

/// The 403 for a token without the superadmin role.
fn forbidden(token: &TokenInfo) -> Response {
    ApiError::new(
        StatusCode::FORBIDDEN,
        format!(
            "token {:?} has role {}; the LLM configuration API needs a superadmin token",
            token.name, token.role
        ),
    )
    .into_response()
}

/// The scope of a `GET /llm-config/` whose `X-Instance-Id` is valid: that
/// read is done together with the token check.
fn config_read(request: &Request) -> Option<Scope> {
    if request.method() != Method::GET || request.uri().path() != CONFIG_PATH {
        return None;
    }
    scope_of(request.headers()).ok()
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

//! Route handlers: each extracts, calls the service handle once, and
//! serializes. Status codes for failures come from [`ApiError`] alone.

use axum::http::StatusCode;

use super::error::ApiError;
use super::extract::{Caller, JsonBody, NoBody, QueryParams, RequestScope};
use super::json::Json;
use crate::api::{AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT, AuditQuery};
use crate::domain::{
    AuditEntry, ConfigPatch, ConfigView, InstanceSummary, NewConfig, ProviderSpec, Scope,
    TestResult, ValidationError,
};

type ApiResult<T> = Result<T, ApiError>;

/// `GET /llm-config/`: the view, or `null`. A request with a valid
/// `X-Instance-Id` is answered by the auth middleware from the read that
/// checked its token ([`super::auth`]); this answers the rest, which is a
/// 400 for the scope after the token has passed.
pub async fn get_config(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
) -> ApiResult<Json<Option<ConfigView>>> {
    Ok(Json(h.get(&scope).await?))
}

/// `POST /llm-config/`: 201 with the view.
pub async fn create_config(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
    JsonBody(config): JsonBody<NewConfig>,
) -> ApiResult<(StatusCode, Json<ConfigView>)> {
    Ok((StatusCode::CREATED, Json(h.create(&scope, config).await?)))
}

/// `PATCH /llm-config/`: 200 with the view.
pub async fn update_config(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
    JsonBody(patch): JsonBody<ConfigPatch>,
) -> ApiResult<Json<ConfigView>> {
    Ok(Json(h.update(&scope, patch).await?))
}

/// `DELETE /llm-config/`: 204.
pub async fn delete_config(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
) -> ApiResult<StatusCode> {
    h.delete(&scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /llm-config/test-connection`: 200 with the outcome.
pub async fn test_connection(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
    _: NoBody,
) -> ApiResult<Json<TestResult>> {
    Ok(Json(h.test_connection(&scope).await?))
}

/// `GET /llm-config/instances`.
pub async fn instances(Caller(h): Caller) -> ApiResult<Json<Vec<InstanceSummary>>> {
    Ok(Json(h.list_instances().await?))
}

/// `GET /llm-config/providers`.
pub async fn providers(Caller(h): Caller) -> ApiResult<Json<Vec<ProviderSpec>>> {
    Ok(Json(h.providers().await?))
}

/// `GET /llm-config/audit?instance=&limit=`.
pub async fn audit(
    Caller(h): Caller,
    QueryParams(q): QueryParams<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let scope = match q.instance.as_deref() {
        None => None,
        Some("") => Some(Scope::Global),
        Some(id) => Some(Scope::from_optional(Some(id)).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                format!("invalid instance query parameter: {}", e.reason),
            )
        })?),
    };
    let limit = q.limit.unwrap_or(AUDIT_DEFAULT_LIMIT);
    if limit == 0 || limit > AUDIT_MAX_LIMIT {
        return Err(ValidationError::new(
            "limit",
            format!("must be between 1 and {AUDIT_MAX_LIMIT}"),
        ))
        .map_err(|e| ApiError::from(crate::service::ServiceError::from(e)));
    }
    Ok(Json(h.audit(scope.as_ref(), limit).await?))
}

/// `GET /openapi.json`.
pub async fn openapi() -> Json<serde_json::Value> {
    Json(super::openapi::document())
}

/// `GET /healthz`.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

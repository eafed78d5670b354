//! Extension routes that give llmcfg-to-llmcfg remote mode everything the
//! TUI offers locally: live model lists (of a stored config, and of an
//! unsaved provider/key/base URL whose key travels in the body, never a
//! URL) and registering an instance id. Token management and master-key
//! rotation deliberately stay on the server host.

use axum::Json;
use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{Caller, JsonBody, RequestScope};
use super::openapi::{api_key, base_url, base_url_required, blank, instance_id, provider_id};
use crate::api::{ModelsForRequest, RegisterInstanceBody};
use crate::domain::InstanceId;
use crate::service::ServiceError;

type ApiResult<T> = Result<T, ApiError>;

/// `GET /llm-config/models`: live model ids of the scope's stored config.
pub async fn models(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(h.list_models(&scope).await?))
}

/// `POST /llm-config/models`: live model ids of an unsaved key, checked
/// with the same rules (and SSRF guard) as a create.
pub async fn models_for(
    Caller(h): Caller,
    JsonBody(body): JsonBody<ModelsForRequest>,
) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(
        h.list_models_for(&body.provider, body.api_key, body.base_url)
            .await?,
    ))
}

/// `POST /llm-config/instances`: register an instance id (201 with it).
pub async fn register_instance(
    Caller(h): Caller,
    JsonBody(body): JsonBody<RegisterInstanceBody>,
) -> ApiResult<(StatusCode, Json<RegisterInstanceBody>)> {
    let id = InstanceId::parse(&body.id).map_err(|e| ApiError::from(ServiceError::from(e)))?;
    h.add_instance(&id, body.name.clone()).await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterInstanceBody {
            id: id.to_string(),
            name: body.name,
        }),
    ))
}

/// The component schemas of these routes' bodies, with the same field
/// rules as the seed's bodies.
pub fn schemas() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "ModelList".into(),
        json!({"type": "array", "items": {"type": "string"}}),
    );
    m.insert(
        "ModelsForRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["provider", "api_key"],
            "properties": {
                "provider": provider_id(),
                "api_key": api_key(),
                "base_url": {"anyOf": [base_url(), blank(), {"type": "null"}]},
            },
            "if": {"required": ["provider"], "properties": {"provider": {"enum": base_url_required()}}},
            "then": {"required": ["base_url"], "properties": {"base_url": base_url()}},
        }),
    );
    m.insert(
        "RegisterInstance".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["id"],
            "properties": {
                "id": instance_id(),
                "name": {"type": ["string", "null"], "maxLength": 128,
                         "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$",
                         "description": "display name; blank means none"},
            },
        }),
    );
    m
}

//! Extension routes that give llmcfg-to-llmcfg remote mode everything the
//! TUI offers locally: live model lists (of a stored config, and of an
//! unsaved config whose key travels in the body, never a URL) and registering an instance id. Token management and master-key
//! rotation deliberately stay on the server host.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{Caller, JsonBody, RequestScope};
use super::json::Json;
use super::openapi::{BodyKind, api_key, blank, body_properties, body_rules, instance_id};
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
    JsonBody(ModelsForRequest(config)): JsonBody<ModelsForRequest>,
) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(h.list_models_for(config).await?))
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

/// A create's properties, with a blank model too: a list needs none.
fn unsaved_properties() -> Map<String, Value> {
    let mut props = body_properties(&[("api_key", api_key())]);
    if let Some(model) = props.remove("model") {
        props.insert("model".into(), json!({"anyOf": [model, blank()]}));
    }
    props
}

/// The component schemas of these routes' bodies, with the same field
/// rules as the seed's bodies.
pub fn schemas() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "ModelList".into(),
        json!({"type": "array", "items": {"type": "string"}}),
    );
    // A create's body with the model optional (a list needs none).
    m.insert(
        "ModelsForRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["provider", "api_key"],
            "properties": unsaved_properties(),
            "allOf": body_rules(BodyKind::Whole),
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

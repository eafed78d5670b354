//! Extension routes of the fleet features (design §8): a key's keyed
//! fingerprint, which only the server can compute (it is keyed by the
//! server store's own fingerprint key; the key travels in the body and is
//! never stored or logged), the kept versions of a scope and restoring
//! one, and the key-usage map.

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{Caller, JsonBody, QueryParams, RequestScope};
use super::json::Json;
use super::openapi::{api_key, reference};
use crate::api::{
    AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT, KeyFingerprint, KeyFingerprintRequest, RestoreRequest,
    VersionsQuery,
};
use crate::domain::{ConfigView, KeyGroup, ValidationError, VersionEntry};
use crate::service::ServiceError;

/// `POST /llm-config/key-fingerprint`: the store's fingerprint of a key.
pub async fn key_fingerprint(
    Caller(h): Caller,
    JsonBody(body): JsonBody<KeyFingerprintRequest>,
) -> Result<Json<KeyFingerprint>, ApiError> {
    Ok(Json(KeyFingerprint {
        fingerprint: h.key_fingerprint(&body.api_key).await?,
    }))
}

/// `GET /llm-config/versions`: the scope's kept versions, newest first.
pub async fn versions(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
    QueryParams(q): QueryParams<VersionsQuery>,
) -> Result<Json<Vec<VersionEntry>>, ApiError> {
    let limit = q.limit.unwrap_or(AUDIT_DEFAULT_LIMIT);
    if limit == 0 || limit > AUDIT_MAX_LIMIT {
        return Err(ServiceError::from(ValidationError::new(
            "limit",
            format!("must be between 1 and {AUDIT_MAX_LIMIT}"),
        ))
        .into());
    }
    Ok(Json(h.history(Some(&scope), limit).await?))
}

/// `POST /llm-config/restore`: make a kept version of the scope current.
pub async fn restore(
    Caller(h): Caller,
    RequestScope(scope): RequestScope,
    JsonBody(body): JsonBody<RestoreRequest>,
) -> Result<Json<ConfigView>, ApiError> {
    Ok(Json(h.restore(&scope, body.version).await?))
}

/// `GET /llm-config/keys`: every key in use, by fingerprint.
pub async fn keys(Caller(h): Caller) -> Result<Json<Vec<KeyGroup>>, ApiError> {
    Ok(Json(h.key_map().await?))
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

/// The component schemas of these routes' bodies.
pub fn schemas() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "KeyFingerprintRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["api_key"],
            "properties": {"api_key": api_key()},
        }),
    );
    m.insert(
        "KeyFingerprint".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["fingerprint"],
            "properties": {
                "fingerprint": {"type": "string", "pattern": "^hmac:[0-9a-f]{32}$"},
            },
        }),
    );
    m.insert(
        "VersionEntry".into(),
        json!({
            "type": "object",
            "required": ["instance_id", "version", "at", "actor", "action", "fields", "deleted",
                         "api_key_masked", "key_fingerprint"],
            "description": "The config's fields are absent from a deletion's version",
            "properties": version_properties(),
        }),
    );
    m.insert(
        "VersionList".into(),
        json!({"type": "array", "items": reference("VersionEntry")}),
    );
    m.insert(
        "RestoreRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["version"],
            "properties": {"version": {"type": "integer", "minimum": 1, "maximum": crate::api::MAX_VERSION}},
        }),
    );
    m.insert(
        "KeyUse".into(),
        json!({
            "type": "object",
            "required": ["instance_id", "provider", "model", "api_key_masked", "key_fingerprint", "last_test"],
            "properties": {
                "instance_id": nullable_string(),
                "provider": {"type": "string"}, "model": {"type": "string"},
                "api_key_masked": {"type": "string"}, "key_fingerprint": {"type": "string"},
                "last_test": {"oneOf": [reference("TestResult"), {"type": "null"}]},
            },
        }),
    );
    m.insert(
        "KeyGroup".into(),
        json!({
            "type": "object",
            "required": ["key_fingerprint", "api_key_masked", "providers", "scope_count", "scopes"],
            "properties": {
                "key_fingerprint": {"type": "string"}, "api_key_masked": {"type": "string"},
                "providers": {"type": "array", "items": {"type": "string"}},
                "scope_count": {"type": "integer", "minimum": 1},
                "scopes": {"type": "array", "items": reference("KeyUse")},
            },
        }),
    );
    m.insert(
        "KeyMap".into(),
        json!({"type": "array", "items": reference("KeyGroup")}),
    );
    m
}

/// A version's properties: its record, and the config fields as a view
/// shows them (absent from a deletion).
fn version_properties() -> Map<String, Value> {
    let mut props = super::openapi::view_properties();
    props.extend([
        ("instance_id".to_string(), nullable_string()),
        (
            "version".to_string(),
            json!({"type": "integer", "minimum": 1}),
        ),
        (
            "at".to_string(),
            json!({"type": "string", "format": "date-time"}),
        ),
        ("actor".to_string(), json!({"type": "string"})),
        ("action".to_string(), json!({"type": "string"})),
        (
            "fields".to_string(),
            json!({"type": "array", "items": {"type": "string"}}),
        ),
        ("deleted".to_string(), json!({"type": "boolean"})),
        ("api_key_masked".to_string(), nullable_string()),
        ("key_fingerprint".to_string(), nullable_string()),
    ]);
    props
}

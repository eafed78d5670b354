//! Extension routes of fleet key rotation (superadmin, like every
//! `/llm-config` route): `POST /llm-config/rotate-key` runs a rotation
//! through the service (the new key travels in the body and is never
//! stored in plain text, logged or echoed) and answers its per-scope
//! report; `POST /llm-config/rollback` undoes one.

use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{Caller, JsonBody};
use super::json::Json;
use super::openapi::{api_key, reference};
use crate::api::rotation::{MAX_ROTATION_CONCURRENCY, RollbackRequest, RotateKeyRequest};
use crate::domain::ValidationError;
use crate::domain::validation::validate_fingerprint;
use crate::service::ServiceError;
use crate::service::rotation::{OldKey, RollbackReport, RotationReport, RotationRequest};

/// `POST /llm-config/rotate-key`.
pub async fn rotate_key(
    Caller(h): Caller,
    JsonBody(body): JsonBody<RotateKeyRequest>,
) -> Result<Json<RotationReport>, ApiError> {
    if body.concurrency == 0 || body.concurrency > MAX_ROTATION_CONCURRENCY {
        return Err(ServiceError::from(ValidationError::new(
            "concurrency",
            format!("must be between 1 and {MAX_ROTATION_CONCURRENCY}"),
        ))
        .into());
    }
    // Checked before the service, whose "no scope uses …" would repeat it:
    // a key sent as the fingerprint must not come back.
    let fingerprint = validate_fingerprint(&body.fingerprint).map_err(ServiceError::from)?;
    // Nobody watches the progress of an HTTP rotation.
    let (progress, _) = tokio::sync::mpsc::unbounded_channel();
    let request = RotationRequest {
        old: OldKey::Fingerprint(fingerprint),
        new_key: body.new_api_key,
        mode: body.mode,
        concurrency: body.concurrency,
    };
    match h.rotate_key(request, progress).await {
        Ok(report) => Ok(Json(report)),
        // The service names the key `api_key`, as the CLI's stdin prompt
        // does; in this body it is `new_api_key`.
        Err(ServiceError::Invalid(mut e)) if e.field == "api_key" => {
            e.field = "new_api_key";
            Err(ServiceError::Invalid(e).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /llm-config/rollback`.
pub async fn rollback(
    Caller(h): Caller,
    JsonBody(body): JsonBody<RollbackRequest>,
) -> Result<Json<RollbackReport>, ApiError> {
    Ok(Json(
        h.rollback_rotation(&body.rotation_id, body.force).await?,
    ))
}

fn nullable_string() -> Value {
    json!({"type": ["string", "null"]})
}

/// The component schemas of these routes' bodies.
pub fn schemas() -> Map<String, Value> {
    let mode = json!({"type": "string", "enum": ["passed", "atomic", "dry_run"]});
    let mut m = Map::new();
    m.insert(
        "RotateKeyRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["fingerprint", "new_api_key"],
            "properties": {
                // The rule of `validation::validate_fingerprint`, so a
                // schema-valid value is never refused.
                "fingerprint": {"type": "string", "pattern": "^(hmac|sha256):[0-9a-fA-F]{1,128}$"},
                "new_api_key": api_key(),
                "mode": mode,
                "concurrency": {"type": "integer", "minimum": 1, "maximum": MAX_ROTATION_CONCURRENCY},
            },
        }),
    );
    m.insert(
        "RotatedScopeReport".into(),
        json!({
            "type": "object",
            "required": ["instance_id", "provider", "model", "outcome", "test_status", "reason"],
            "properties": {
                "instance_id": nullable_string(),
                "provider": {"type": "string"}, "model": {"type": "string"},
                "outcome": {"type": "string",
                            "enum": ["swapped", "passed", "kept", "unreachable", "already_rotated"]},
                "test_status": nullable_string(),
                "reason": nullable_string(),
            },
        }),
    );
    m.insert(
        "RotationReport".into(),
        json!({
            "type": "object",
            "required": ["rotation_id", "old_fingerprint", "new_fingerprint", "mode", "scopes",
                         "test_ms", "swap_ms"],
            "properties": {
                "rotation_id": nullable_string(),
                "old_fingerprint": {"type": "string"}, "new_fingerprint": {"type": "string"},
                "mode": mode,
                "scopes": {"type": "array", "items": reference("RotatedScopeReport")},
                "test_ms": {"type": "integer", "minimum": 0},
                "swap_ms": {"type": "integer", "minimum": 0},
            },
        }),
    );
    m.insert(
        "RollbackRequest".into(),
        json!({
            "type": "object", "additionalProperties": false,
            "required": ["rotation_id"],
            "properties": {
                "rotation_id": {"type": "string"},
                "force": {"type": "boolean"},
            },
        }),
    );
    m.insert(
        "RollbackReport".into(),
        json!({
            "type": "object",
            "required": ["rotation_id", "rotated_at", "restored"],
            "properties": {
                "rotation_id": {"type": "string"},
                "rotated_at": {"type": "string", "format": "date-time"},
                "restored": {"type": "array", "items": {
                    "type": "object",
                    "required": ["instance_id", "restored_version"],
                    "properties": {
                        "instance_id": nullable_string(),
                        "restored_version": {"type": "integer", "minimum": 0},
                    },
                }},
            },
        }),
    );
    m
}

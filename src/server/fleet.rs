//! Extension routes of the fleet features (design §8): a key's keyed
//! fingerprint, which only the server can compute, since it is keyed by
//! the server store's own fingerprint key. The key travels in the body,
//! is never stored or logged, and the answer carries only the fingerprint.

use axum::Json;
use serde_json::{Map, Value, json};

use super::error::ApiError;
use super::extract::{Caller, JsonBody};
use super::openapi::api_key;
use crate::api::{KeyFingerprint, KeyFingerprintRequest};

/// `POST /llm-config/key-fingerprint`: the store's fingerprint of a key.
pub async fn key_fingerprint(
    Caller(h): Caller,
    JsonBody(body): JsonBody<KeyFingerprintRequest>,
) -> Result<Json<KeyFingerprint>, ApiError> {
    Ok(Json(KeyFingerprint {
        fingerprint: h.key_fingerprint(&body.api_key).await?,
    }))
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
    m
}

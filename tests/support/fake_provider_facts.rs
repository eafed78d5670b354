//! The fake provider's lifecycle answers, in each provider's documented
//! shape: extra fields on a model's object and list entry (OpenAI's
//! `shutdown_date`, Azure's `deprecation.inference`, Mistral's
//! `deprecation` and `deprecation_replacement_model`, OpenRouter's
//! `expiration_date`), and the key endpoints (OpenRouter's `/api/v1/key`,
//! xAI's `/v1/api-key`, DeepSeek's `/user/balance`), each behind the auth
//! the fake already enforced.

use axum::response::Response;
use serde_json::{Value, json};

use super::errors::model_json;
use super::{Canned, Config, Flavor};

/// A model's object or list entry, with the facts the test gave it.
pub(super) fn entry(flavor: Flavor, cfg: &Config, id: &str) -> Value {
    let mut value = model_json(flavor, id);
    if let (Some(extra), Some(object)) = (
        cfg.model_facts.get(id).and_then(Value::as_object),
        value.as_object_mut(),
    ) {
        object.extend(extra.clone());
    }
    value
}

/// The answer of a key endpoint, when `path` is one of `flavor`'s.
pub(super) fn key_endpoint(flavor: Flavor, cfg: &Config, path: &str) -> Option<Response> {
    let body = match flavor {
        Flavor::OpenRouter if path.ends_with("/v1/key") => json!({
            "data": cfg.key_info.clone().unwrap_or_else(|| json!({
                "label": "sk-or-v1-116...0ce", "limit": null, "usage": 0, "is_free_tier": false
            }))
        }),
        Flavor::XAi if path == "/v1/api-key" => cfg.key_info.clone().unwrap_or_else(|| {
            json!({
                "redacted_api_key": "xai-...b14o", "name": "fake", "acls": ["api-key:model:*",
                "api-key:endpoint:*"], "api_key_blocked": false, "api_key_disabled": false,
                "team_blocked": false
            })
        }),
        Flavor::DeepSeek if path == "/user/balance" => cfg.key_info.clone().unwrap_or_else(|| {
            json!({"is_available": true, "balance_infos": [{"currency": "USD",
                "total_balance": "110.00", "granted_balance": "10.00",
                "topped_up_balance": "100.00"}]})
        }),
        _ => return None,
    };
    Some(Canned::json(200, body).respond())
}

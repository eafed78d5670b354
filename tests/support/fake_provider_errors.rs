//! The documented bodies of providers.md §1b for the fake provider: model
//! objects, bad-key and not-found answers per flavor, and the error answers
//! tests script by outcome (403, 402, 429, 529, 503, 500).
#![allow(dead_code)]

use axum::response::Response;
use serde_json::{Value, json};

use super::{Canned, Flavor};

/// 403 in the flavor's shape.
pub fn forbidden(flavor: Flavor) -> Canned {
    match flavor {
        Flavor::Anthropic => Canned::json(
            403,
            json!({"type": "error", "error": {"type": "permission_error", "message": "Your API key does not have permission to use the specified resource."}}),
        ),
        Flavor::Gemini => Canned::json(
            403,
            json!({"error": {"code": 403, "message": "Generative Language API has not been used in project 1 before or it is disabled.", "status": "PERMISSION_DENIED"}}),
        ),
        _ => Canned::json(
            403,
            json!({"error": {"message": "Country, region, or territory not supported", "type": "request_forbidden", "param": null, "code": "unsupported_country_region_territory"}}),
        ),
    }
}

/// 402 (DeepSeek's insufficient balance, OpenRouter's no credit).
pub fn payment_required() -> Canned {
    Canned::json(
        402,
        json!({"error": {"message": "Insufficient Balance", "type": "unknown_error", "param": null, "code": "invalid_request_error"}}),
    )
}

/// OpenAI's 429 `insufficient_quota`.
pub fn insufficient_quota() -> Canned {
    Canned::json(
        429,
        json!({"error": {"message": "You exceeded your current quota, please check your plan and billing details.", "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}}),
    )
}

/// A 429 rate limit in the flavor's shape, `Retry-After: 0`.
pub fn rate_limited(flavor: Flavor) -> Canned {
    match flavor {
        Flavor::Anthropic => Canned::json(429, json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit"}})),
        Flavor::Gemini => Canned::json(429, json!({"error": {"code": 429, "message": "Resource has been exhausted (e.g. check quota).", "status": "RESOURCE_EXHAUSTED"}})),
        _ => Canned::json(429, json!({"error": {"message": "Rate limit reached for requests", "type": "requests", "param": null, "code": "rate_limit_exceeded"}})),
    }
    .header("retry-after", "0")
}

/// Anthropic's 529 `overloaded_error`, `Retry-After: 0`.
pub fn overloaded_529() -> Canned {
    Canned::json(
        529,
        json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
    )
    .header("retry-after", "0")
}

/// A 503 in the flavor's shape, `Retry-After: 0`.
pub fn unavailable(flavor: Flavor) -> Canned {
    match flavor {
        Flavor::Gemini => Canned::json(503, json!({"error": {"code": 503, "message": "The model is overloaded. Please try again later.", "status": "UNAVAILABLE"}})),
        _ => Canned::json(503, json!({"error": {"message": "The engine is currently overloaded, please try again later", "type": "server_error", "param": null, "code": null}})),
    }
    .header("retry-after", "0")
}

/// A 500, `Retry-After: 0`.
pub fn internal() -> Canned {
    Canned::json(
        500,
        json!({"error": {"message": "internal", "type": "api_error"}}),
    )
    .header("retry-after", "0")
}

pub(super) fn model_json(flavor: Flavor, id: &str) -> Value {
    match flavor {
        Flavor::Anthropic => {
            json!({"type": "model", "id": id, "display_name": id, "created_at": "2025-02-19T00:00:00Z"})
        }
        Flavor::Gemini => {
            json!({"name": format!("models/{id}"), "displayName": id, "inputTokenLimit": 1048576})
        }
        Flavor::Cohere => json!({"name": id, "endpoints": ["chat"]}),
        _ => json!({"id": id, "object": "model", "created": 1686935002, "owned_by": "fake"}),
    }
}

/// A partial echo like OpenAI's "sk-PMafP***…E873", or the whole key.
fn echo(key: &str, whole: bool) -> String {
    if whole {
        return key.to_string();
    }
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "***".into();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}***{tail}")
}

pub(super) fn bad_key(flavor: Flavor, key: &str, whole: bool) -> Response {
    let shown = echo(key, whole);
    let body = match flavor {
        Flavor::Anthropic => Canned::json(
            401,
            json!({"type": "error", "error": {"type": "authentication_error", "message": format!("invalid x-api-key {shown}")}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}),
        ),
        Flavor::XAi => Canned::json(
            400,
            json!({"code": "Client specified an invalid argument", "error": format!("Incorrect API key provided: {shown}. You can obtain an API key from https://console.x.ai.")}),
        ),
        Flavor::Gemini => {
            let mut details = vec![
                json!({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}}),
            ];
            if whole {
                details.push(json!({"@type": "type.googleapis.com/google.rpc.DebugInfo", "detail": format!("Invalid API key: {key}")}));
            }
            Canned::json(
                400,
                json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT", "details": details}}),
            )
        }
        Flavor::Azure => Canned::json(
            401,
            json!({"error": {"code": "401", "message": format!("Access denied due to invalid subscription key {shown} or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.")}}),
        ),
        Flavor::OpenRouter => Canned::json(
            401,
            json!({"error": {"message": format!("No auth credentials found {shown}"), "code": 401}}),
        ),
        Flavor::Cohere => Canned::json(
            401,
            json!({"message": format!("invalid api token {shown}")}),
        ),
        _ => Canned::json(
            401,
            json!({"error": {"message": format!("Incorrect API key provided: {shown}. You can find your API key at https://platform.openai.com/account/api-keys."), "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}),
        ),
    };
    body.header("x-request-id", "req_abc123").respond()
}

pub(super) fn not_found(flavor: Flavor, id: &str) -> Response {
    match flavor {
        Flavor::Anthropic => Canned::json(404, json!({"type": "error", "error": {"type": "not_found_error", "message": format!("model: {id}")}, "request_id": "req_404"})),
        Flavor::Gemini => Canned::json(404, json!({"error": {"code": 404, "message": format!("models/{id} is not found for API version v1beta"), "status": "NOT_FOUND"}})),
        Flavor::Ollama => Canned::json(404, json!({"error": format!("model '{id}' not found, try pulling it first")})),
        _ => Canned::json(404, json!({"error": {"message": format!("The model `{id}` does not exist or you do not have access to it."), "type": "invalid_request_error", "param": null, "code": "model_not_found"}})),
    }
    .respond()
}

//! The machine-readable part of a provider's error answer: error type, code,
//! Google `ErrorInfo` reason and request id. These drive the outcome table
//! and may be logged; the human `message` is never read, so a key a
//! provider echoes back has nowhere to go.
//!
//! Shapes (providers.md §1b): Anthropic `{"type":"error","error":{"type"},
//! "request_id"}`; OpenAI-style `{"error":{"type","code"}}`; Google
//! `{"error":{"code","status","details":[{"reason"}]}}`.

use reqwest::header::HeaderMap;
use serde_json::Value;

/// Longest token kept from a provider answer, in characters.
const MAX_TOKEN_CHARS: usize = 64;

/// Request-id headers, in the order they are tried.
const REQUEST_ID_HEADERS: [&str; 3] = ["request-id", "x-request-id", "x-goog-request-id"];

/// What a provider's error answer says, in codes only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderError {
    /// `error.type` (Anthropic, OpenAI) or `error.status` (Google).
    pub kind: Option<String>,
    /// `error.code` (OpenAI `insufficient_quota`, Google's numeric code).
    pub code: Option<String>,
    /// Google `ErrorInfo.reason` (`API_KEY_INVALID`).
    pub reason: Option<String>,
    /// Provider request id, for support tickets.
    pub request_id: Option<String>,
}

impl ProviderError {
    /// Reads codes from a (possibly truncated or non-JSON) body and headers.
    pub fn parse(headers: &HeaderMap, body: &[u8]) -> ProviderError {
        let mut out = ProviderError {
            request_id: REQUEST_ID_HEADERS
                .iter()
                .find_map(|h| headers.get(*h)?.to_str().ok().and_then(token)),
            ..ProviderError::default()
        };
        let Ok(json) = serde_json::from_slice::<Value>(body) else {
            return out;
        };
        if out.request_id.is_none() {
            out.request_id = json.get("request_id").and_then(value_token);
        }
        if let Some(err) = json.get("error").filter(|e| e.is_object()) {
            out.kind = err
                .get("type")
                .or_else(|| err.get("status"))
                .and_then(value_token);
            out.code = err.get("code").and_then(value_token);
            out.reason = err
                .get("details")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .find_map(|d| d.get("reason").and_then(value_token));
        }
        out
    }

    /// True when type or code says the account's quota or credit is gone.
    pub fn is_insufficient_quota(&self) -> bool {
        [&self.kind, &self.code]
            .iter()
            .any(|v| v.as_deref() == Some("insufficient_quota"))
    }
}

/// A string or number as a short identifier, or nothing.
fn value_token(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => token(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `s` when it looks like an identifier (`[A-Za-z0-9_.:-]`, ≤ 64 chars);
/// anything freer could be prose or a key and is dropped.
fn token(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.chars().count() <= MAX_TOKEN_CHARS
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'));
    ok.then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ProviderError {
        ProviderError::parse(&HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn anthropic_shape() {
        let e = parse(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"x"},"request_id":"req_1"}"#,
        );
        assert_eq!(e.kind.as_deref(), Some("overloaded_error"));
        assert_eq!(e.request_id.as_deref(), Some("req_1"));
    }

    #[test]
    fn openai_quota_and_google_reason() {
        let e = parse(
            r#"{"error":{"message":"m","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}"#,
        );
        assert!(e.is_insufficient_quota());
        let e = parse(
            r#"{"error":{"code":400,"message":"API key not valid","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}}"#,
        );
        assert_eq!(e.kind.as_deref(), Some("INVALID_ARGUMENT"));
        assert_eq!(e.code.as_deref(), Some("400"));
        assert_eq!(e.reason.as_deref(), Some("API_KEY_INVALID"));
    }

    #[test]
    fn prose_and_garbage_are_dropped() {
        let e = parse(r#"{"error":{"type":"Incorrect API key provided: sk-abc"}}"#);
        assert_eq!(e.kind, None);
        assert_eq!(parse("<html>").kind, None);
        assert_eq!(
            parse(r#"{"error":"model 'x' not found"}"#),
            ProviderError::default()
        );
    }
}

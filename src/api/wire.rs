//! Bodies whose shape differs between `llmcfg serve` and a seed-only server,
//! read leniently here so the rest of the crate sees one typed value; and the
//! bodies of the extension routes added for remote parity.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::domain::{ApiKey, Lifecycle, NewConfig, TestResult, TestStatus};

/// A `POST /llm-config/test-connection` answer: ours has seven fields, the
/// seed's only `success`, `provider`, `model` and `message`.
#[derive(Debug, Clone, Deserialize)]
pub struct TestAnswer {
    /// True only when the key works.
    pub success: bool,
    /// Provider tested.
    #[serde(default)]
    pub provider: String,
    /// Model tested.
    #[serde(default)]
    pub model: String,
    /// The server's message.
    #[serde(default)]
    pub message: String,
    /// Our outcome name, when the server sends one.
    #[serde(default)]
    pub status: Option<String>,
    /// Server-side duration, when sent.
    #[serde(default)]
    pub latency_ms: Option<u64>,
    /// When the server finished the test, when sent.
    #[serde(default, with = "crate::domain::timestamp::optional")]
    pub checked_at: Option<OffsetDateTime>,
    /// Lifecycle facts, from an llmcfg server; a seed server sends none.
    #[serde(default)]
    pub lifecycle: Option<Box<Lifecycle>>,
}

impl TestAnswer {
    /// The typed result; `round_trip_ms` and `received_at` stand in for the
    /// fields a seed server leaves out. Without a known status, a success is
    /// `ok` and a failure is `no_reason` (the server gave none of ours), with
    /// the server's message kept.
    pub fn into_result(self, round_trip_ms: u64, received_at: OffsetDateTime) -> TestResult {
        let status = match self.status.as_deref().and_then(TestStatus::parse) {
            Some(status) => status,
            None if self.success => TestStatus::Ok,
            None => TestStatus::NoReason,
        };
        let message = match (self.message.trim(), status) {
            ("", TestStatus::NoReason) => "the server gave no reason".to_string(),
            ("", _) => status.as_str().to_string(),
            (text, _) => text.to_string(),
        };
        TestResult {
            success: self.success && status == TestStatus::Ok,
            provider: self.provider,
            model: self.model,
            message,
            status,
            latency_ms: self.latency_ms.unwrap_or(round_trip_ms),
            checked_at: self.checked_at.unwrap_or(received_at),
            lifecycle: self.lifecycle.filter(|l| !l.is_empty()),
        }
    }
}

/// Server side of `POST /llm-config/models`: list the live models of an
/// unsaved config (the TUI form's model picker, a plan's key test). The
/// body is a create's, with the model optional: a list needs none, and a
/// form may not have one yet.
#[derive(Debug, Clone)]
pub struct ModelsForRequest(pub NewConfig);

impl<'de> Deserialize<'de> for ModelsForRequest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut body = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        body.entry("model")
            .or_insert_with(|| serde_json::Value::from(""));
        NewConfig::deserialize(serde_json::Value::Object(body))
            .map(ModelsForRequest)
            .map_err(serde::de::Error::custom)
    }
}

/// Server side of `POST /llm-config/key-fingerprint`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyFingerprintRequest {
    /// The key to fingerprint; never stored or logged.
    pub api_key: ApiKey,
}

/// Client side of `POST /llm-config/key-fingerprint` (borrows the key).
#[derive(Serialize)]
pub struct KeyFingerprintBody<'a> {
    /// The key, exposed only into the request body.
    pub api_key: &'a str,
}

/// Answer of `POST /llm-config/key-fingerprint`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KeyFingerprint {
    /// `hmac:` and 32 hex digits.
    pub fingerprint: String,
}

/// Body of `POST /llm-config/instances`: register an instance id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterInstanceBody {
    /// The instance id.
    pub id: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> OffsetDateTime {
        crate::domain::timestamp::parse("2026-02-27T10:00:00Z").unwrap()
    }

    #[test]
    fn four_field_answers_become_ok_or_no_reason() {
        let good: TestAnswer = serde_json::from_str(
            r#"{"success":true,"provider":"openai","model":"gpt-4o","message":"Connection successful"}"#,
        )
        .unwrap();
        let r = good.into_result(12, at());
        assert_eq!(
            (r.success, r.status, r.latency_ms),
            (true, TestStatus::Ok, 12)
        );
        let bad: TestAnswer = serde_json::from_str(
            r#"{"success":false,"provider":"openai","model":"gpt-4o","message":"Authentication failed","extra":1}"#,
        )
        .unwrap();
        let r = bad.into_result(5, at());
        assert_eq!(r.status, TestStatus::NoReason);
        assert!(!r.success);
        assert_eq!(r.message, "Authentication failed");
        assert_eq!(r.checked_at, at());
    }

    #[test]
    fn seven_field_answers_keep_their_status_and_time() {
        let ours: TestAnswer = serde_json::from_str(
            r#"{"success":false,"provider":"openai","model":"m","message":"HTTP 401",
                "status":"invalid_key","latency_ms":80,"checked_at":"2026-02-27T11:00:00+01:00"}"#,
        )
        .unwrap();
        let r = ours.into_result(999, OffsetDateTime::UNIX_EPOCH);
        assert_eq!(r.status, TestStatus::InvalidKey);
        assert_eq!(r.latency_ms, 80);
        assert_eq!(r.checked_at, at());
    }
}

//! The outcome of a connection test (design §4): its status, from our own
//! table and never from a provider's text, and the result a scope records.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Lifecycle;

/// The outcome of a connection test (design §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    /// Key accepted and model available.
    Ok,
    /// The provider rejected the key.
    InvalidKey,
    /// The key lacks permission.
    PermissionDenied,
    /// The key is valid but the model is not available to it.
    ModelNotFound,
    /// Billing or quota exhausted.
    Quota,
    /// Rate limited (inconclusive).
    RateLimited,
    /// Provider overloaded (inconclusive).
    Overloaded,
    /// DNS, connect or TLS failure.
    Unreachable,
    /// No answer within the bound.
    Timeout,
    /// Anything else.
    UnexpectedResponse,
    /// A remote server reported a failure without saying why (a seed answer
    /// with only `success`, `provider`, `model` and `message`).
    NoReason,
    /// The server's SSRF guard refused the target; nothing was sent.
    Blocked,
    /// The provider says the key is blocked or disabled (xAI's
    /// `api_key_blocked`, OpenRouter's disabled key): conclusive, and never
    /// "the key is valid". Not [`TestStatus::Blocked`], which is our guard.
    BlockedKey,
}

impl TestStatus {
    /// The wire name (`invalid_key`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Ok => "ok",
            TestStatus::InvalidKey => "invalid_key",
            TestStatus::PermissionDenied => "permission_denied",
            TestStatus::ModelNotFound => "model_not_found",
            TestStatus::Quota => "quota",
            TestStatus::RateLimited => "rate_limited",
            TestStatus::Overloaded => "overloaded",
            TestStatus::Unreachable => "unreachable",
            TestStatus::Timeout => "timeout",
            TestStatus::UnexpectedResponse => "unexpected_response",
            TestStatus::NoReason => "no_reason",
            TestStatus::Blocked => "blocked",
            TestStatus::BlockedKey => "blocked_key",
        }
    }

    /// True for the outcomes that say nothing about the key (`rate_limited`,
    /// `overloaded`, `timeout`): the monitor retries them later and never
    /// lets them change a scope's health.
    pub fn is_inconclusive(self) -> bool {
        matches!(
            self,
            TestStatus::RateLimited | TestStatus::Overloaded | TestStatus::Timeout
        )
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<TestStatus> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// The result of `POST /llm-config/test-connection`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    /// True only for `ok`.
    pub success: bool,
    /// Provider tested.
    pub provider: String,
    /// Model tested.
    pub model: String,
    /// Our message (never the provider's text).
    pub message: String,
    /// The outcome.
    pub status: TestStatus,
    /// Time spent, in milliseconds.
    pub latency_ms: u64,
    /// When the test finished.
    #[serde(with = "super::timestamp")]
    pub checked_at: OffsetDateTime,
    /// What the provider said about the model's retirement and the key's
    /// credit and expiry; absent when it said nothing (and from a seed
    /// server, whose answers never carry it). Boxed: most results carry
    /// none, and the facts would double the size of every result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Box<Lifecycle>>,
}

impl TestResult {
    /// A result of `status` for `provider` and `model`, finished at
    /// `checked_at`, with no lifecycle facts; `success` follows the status.
    pub fn new(
        provider: impl Into<String>,
        model: impl Into<String>,
        status: TestStatus,
        message: impl Into<String>,
        latency_ms: u64,
        checked_at: OffsetDateTime,
    ) -> TestResult {
        TestResult {
            success: status == TestStatus::Ok,
            provider: provider.into(),
            model: model.into(),
            message: message.into(),
            status,
            latency_ms,
            checked_at,
            lifecycle: None,
        }
    }

    /// The same result carrying `lifecycle` (none when it is empty).
    pub fn with_lifecycle(mut self, lifecycle: Lifecycle) -> TestResult {
        self.lifecycle = (!lifecycle.is_empty()).then(|| Box::new(lifecycle));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names() {
        assert_eq!(TestStatus::InvalidKey.as_str(), "invalid_key");
        assert_eq!(
            TestStatus::parse("model_not_found"),
            Some(TestStatus::ModelNotFound)
        );
        assert_eq!(
            serde_json::to_string(&TestStatus::UnexpectedResponse).unwrap(),
            "\"unexpected_response\""
        );
        assert_eq!(
            TestStatus::parse("blocked_key"),
            Some(TestStatus::BlockedKey)
        );
        assert!(!TestStatus::BlockedKey.is_inconclusive());
    }

    #[test]
    fn a_result_without_lifecycle_reads_and_writes_as_before() {
        let seed = serde_json::json!({
            "success": true, "provider": "openai", "model": "gpt-4o",
            "message": "Connection successful", "status": "ok", "latency_ms": 3,
            "checked_at": "2026-02-27T10:00:00Z",
        });
        let r: TestResult = serde_json::from_value(seed.clone()).unwrap();
        assert_eq!(r.lifecycle, None);
        assert_eq!(serde_json::to_value(&r).unwrap(), seed);
    }
}

//! The outcome of a connection test (design §4): its status, from our own
//! table and never from a provider's text, and the result a scope records.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    }
}

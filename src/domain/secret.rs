//! `ApiKey`: the only type a plaintext API key ever travels in. It zeroizes
//! its memory on drop, prints `[REDACTED]` under `Debug`, and has no
//! `Serialize` or `Display`, so a key cannot reach JSON, a log or a message by
//! accident.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

use super::ValidationError;

/// Longest API key accepted, in characters.
pub const API_KEY_MAX_LEN: usize = 4096;

/// A plaintext API key.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// Wraps `raw` without checking it; call [`ApiKey::validated`] before use.
    pub fn new(raw: impl Into<String>) -> Self {
        Self(SecretString::from(raw.into()))
    }

    /// The key with surrounding whitespace trimmed, checked against design §2:
    /// 1–4096 chars and no control characters (CR/LF would inject headers).
    pub fn validated(&self) -> Result<ApiKey, ValidationError> {
        let key = self.expose().trim();
        if key.is_empty() {
            return Err(ValidationError::new(
                "api_key",
                "must not be empty or whitespace",
            ));
        }
        if key.chars().count() > API_KEY_MAX_LEN {
            return Err(ValidationError::new(
                "api_key",
                format!("must be at most {API_KEY_MAX_LEN} characters"),
            ));
        }
        if key.chars().any(char::is_control) {
            return Err(ValidationError::new(
                "api_key",
                "must not contain control characters (such as a line break)",
            ));
        }
        Ok(ApiKey::new(key))
    }

    /// The plaintext. Callers keep the borrow short and never format it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([REDACTED])")
    }
}

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = zeroize::Zeroizing::new(String::deserialize(deserializer)?);
        Ok(ApiKey::new(raw.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key = ApiKey::new("sk-ant-supersecret-1234");
        let dbg = format!("{key:?} {:?}", Some(&key));
        assert!(!dbg.contains("supersecret"));
        assert!(dbg.contains("[REDACTED]"));
    }

    #[test]
    fn validation_trims_and_checks() {
        assert_eq!(ApiKey::new("  abc \n").validated().unwrap().expose(), "abc");
        for (raw, rule) in [
            ("", "must not be empty"),
            (" \t ", "must not be empty"),
            ("ab\rc", "control characters"),
            ("ab\ncd", "control characters"),
            ("ab\u{7}", "control characters"),
        ] {
            let e = ApiKey::new(raw).validated().unwrap_err();
            assert_eq!(e.field, "api_key");
            assert!(e.reason.contains(rule), "{raw:?}: {}", e.reason);
        }
        assert!(ApiKey::new("k".repeat(4096)).validated().is_ok());
        let e = ApiKey::new("k".repeat(4097)).validated().unwrap_err();
        assert!(e.reason.contains("at most 4096"));
    }

    #[test]
    fn deserializes_from_json_string() {
        let key: ApiKey = serde_json::from_str("\"sk-123\"").unwrap();
        assert_eq!(key.expose(), "sk-123");
    }
}

//! What a rejection may repeat of the input it rejects.
//!
//! A key pasted into the wrong field (`provider`, `fingerprint`, an enum
//! such as `mode`) must not come back in the error, which lands in HTTP
//! answers, terminals and log files. So a rejected value is repeated only
//! when it is shaped like the names those fields hold — short, lowercase
//! ASCII letters, digits, `_`, `-`, `.` and `:` — and does not start like a
//! key; anything else is described, not shown.

use super::mask::KNOWN_PREFIXES;

/// Longest value a rejection repeats.
const MAX_ECHO_CHARS: usize = 32;

/// `value` when it may be repeated in a rejection; `None` when it might be a
/// secret.
pub fn echoable(value: &str) -> Option<&str> {
    let named = !value.is_empty()
        && value.chars().count() <= MAX_ECHO_CHARS
        && value.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.' | ':')
        });
    let keyish = KNOWN_PREFIXES.iter().any(|p| value.starts_with(p));
    (named && !keyish).then_some(value)
}

/// `value` quoted when it may be repeated, else a phrase saying it is not.
pub fn quoted_or_withheld(value: &str) -> String {
    match echoable(value) {
        Some(v) => format!("{v:?}"),
        None => "(value not shown: it is not shaped like a name and may be a key)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_repeated_and_key_shaped_values_are_not() {
        for name in ["openai", "azure-openai", "dry_run", "hmac:00ff", "x.y"] {
            assert_eq!(echoable(name), Some(name));
        }
        for secret in [
            "sk-ant-api03-Zq8vN2xKp4Lm7Rt1",
            "sk-abc",
            "gsk_abc",
            "xai-abc",
            "AIzaSyA",
            "Bearer abc",
            "a-very-long-lowercase-value-that-goes-on",
            "",
        ] {
            assert_eq!(echoable(secret), None, "{secret}");
        }
        assert!(quoted_or_withheld("sk-ant-secret").contains("not shown"));
        assert_eq!(quoted_or_withheld("openia"), "\"openia\"");
    }
}

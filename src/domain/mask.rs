//! The display mask of an API key, computed once at write time and stored so
//! that reads never decrypt. It shows at most a well-known prefix and the last
//! four characters, and never the length.

/// Prefixes shown in a mask; any other leading characters stay hidden (every
/// Google key starts `AIza`, so showing "the first 5" would reveal nothing safe).
pub const KNOWN_PREFIXES: &[&str] = &[
    "sk-ant-",
    "sk-proj-",
    "sk-or-v1-",
    "sk-",
    "gsk_",
    "xai-",
    "AIza",
    "AQ.",
];

/// The fixed mask of a key too short to show any part of.
pub const OPAQUE_MASK: &str = "********";

/// Masks `key` per design §2.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let last4: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let prefix = KNOWN_PREFIXES
        .iter()
        .filter(|p| key.starts_with(**p))
        .max_by_key(|p| p.len());
    match prefix {
        Some(prefix) if chars.len() >= 20 => format!("{prefix}...{last4}"),
        _ if chars.len() >= 24 => format!("...{last4}"),
        _ => OPAQUE_MASK.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_prefixes_longest_match() {
        assert_eq!(
            mask_key("sk-ant-api03-abcdefghijklmnopXXXX"),
            "sk-ant-...XXXX"
        );
        assert_eq!(mask_key("sk-proj-abcdefghijklmnop1234"), "sk-proj-...1234");
        assert_eq!(
            mask_key("sk-or-v1-0123456789abcdef9876"),
            "sk-or-v1-...9876"
        );
        assert_eq!(mask_key("sk-abcdefghijklmnopq1234"), "sk-...1234");
        assert_eq!(mask_key("gsk_abcdefghijklmnopq5678"), "gsk_...5678");
        assert_eq!(mask_key("xai-abcdefghijklmnopq5678"), "xai-...5678");
        assert_eq!(mask_key("AIzaSyAbcdefghijklmnop0000"), "AIza...0000");
        assert_eq!(mask_key("AQ.abcdefghijklmnopq0000"), "AQ....0000");
    }

    #[test]
    fn unknown_prefix_or_short() {
        // Known prefix but under 20 chars, and under 24 overall: opaque.
        assert_eq!(mask_key("sk-ant-short1234"), OPAQUE_MASK);
        // Unknown prefix, 24+ chars: last four only.
        assert_eq!(mask_key("abcdefghijklmnopqrstuvwxyz"), "...wxyz");
        // Unknown prefix, 23 chars: opaque.
        assert_eq!(mask_key("abcdefghijklmnopqrstuvw"), OPAQUE_MASK);
        assert_eq!(mask_key("x"), OPAQUE_MASK);
    }

    #[test]
    fn mask_never_reveals_length() {
        let a = mask_key(&format!("sk-ant-{}WXYZ", "a".repeat(20)));
        let b = mask_key(&format!("sk-ant-{}WXYZ", "a".repeat(200)));
        assert_eq!(a, b);
    }
}

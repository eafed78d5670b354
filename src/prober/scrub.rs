//! Scrubbing: removes the stored key, and every fragment of it at least
//! [`MIN_FRAGMENT_CHARS`] long, from a text before it leaves the prober.
//! Providers echo keys (OpenAI and xAI partially, Gemini's `DebugInfo`
//! wholly), so this runs on every message even though ours are built from
//! our own words.

/// Shortest key fragment that is scrubbed, in characters. Shorter runs are
/// too common in ordinary words to be evidence of a leak.
pub const MIN_FRAGMENT_CHARS: usize = 8;

/// What a scrubbed fragment is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// `text` with every run of at least [`MIN_FRAGMENT_CHARS`] characters that
/// also occurs in `key` replaced by [`REDACTED`].
pub fn scrub(text: &str, key: &str) -> String {
    let t: Vec<char> = text.chars().collect();
    let k: Vec<char> = key.chars().collect();
    if k.len() < MIN_FRAGMENT_CHARS || t.len() < MIN_FRAGMENT_CHARS {
        return text.to_string();
    }
    // Longest common substring ending at each (i, j), one row at a time:
    // O(|text| × |key|), fine for our short messages and keys ≤ 4096 chars.
    let mut covered = vec![false; t.len()];
    let mut prev = vec![0usize; k.len() + 1];
    let mut cur = vec![0usize; k.len() + 1];
    for (i, tc) in t.iter().enumerate() {
        let mut best = 0;
        for (j, kc) in k.iter().enumerate() {
            cur[j + 1] = if tc == kc { prev[j] + 1 } else { 0 };
            best = best.max(cur[j + 1]);
        }
        if best >= MIN_FRAGMENT_CHARS {
            covered[i + 1 - best..=i].iter_mut().for_each(|c| *c = true);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    for (c, hidden) in t.iter().zip(&covered) {
        match (hidden, in_run) {
            (true, false) => {
                out.push_str(REDACTED);
                in_run = true;
            }
            (true, true) => {}
            (false, _) => {
                out.push(*c);
                in_run = false;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-proj-abcdefghijklmnopqrstuvwxyz0123";

    #[test]
    fn whole_key_and_fragments_are_removed() {
        let s = scrub(&format!("key {KEY} end"), KEY);
        assert_eq!(s, "key [REDACTED] end");
        let s = scrub("Incorrect key: sk-proj-abcd***0123 nopqrstu", KEY);
        assert!(!s.contains("sk-proj-abcd"), "{s}");
        assert!(!s.contains("nopqrstu"), "{s}");
        assert!(s.contains("***0123"), "short runs stay: {s}");
    }

    #[test]
    fn unrelated_text_is_untouched() {
        let s = "Anthropic rejected the API key (HTTP 401).";
        assert_eq!(scrub(s, KEY), s);
        assert_eq!(scrub(s, "short"), s);
    }

    #[test]
    fn non_ascii_text_is_safe() {
        let s = scrub("é—ü abcdefghij ✓", "xxabcdefghijxx");
        assert_eq!(s, "é—ü [REDACTED] ✓");
    }
}

//! Fuzzy ranking for the instance filter and picker (nucleo-matcher). The
//! haystacks are converted to UTF-32 once when the list loads, so a
//! keystroke costs only the match and the sort.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};

/// Low bits of a packed sort key that hold the position.
const INDEX_MASK: u64 = (1 << 39) - 1;

/// Lists at least this long are scored on two threads.
const PARALLEL_FROM: usize = 20_000;

/// Priority of an entry that is neither the control plane nor recent.
pub const NO_PRIORITY: u32 = u32::MAX;

/// Reusable matchers (they own scratch memory), one per scoring thread.
pub struct Fuzzy {
    matchers: Vec<Matcher>,
}

impl Default for Fuzzy {
    fn default() -> Self {
        Fuzzy {
            matchers: vec![Matcher::new(Config::DEFAULT), Matcher::new(Config::DEFAULT)],
        }
    }
}

impl std::fmt::Debug for Fuzzy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fuzzy")
    }
}

impl Fuzzy {
    /// Indices of `haystacks` matching `pattern`, best first. `priority[i]`
    /// orders entries before the score does for `0` (the control plane, always
    /// first) and breaks ties after it (recent scopes rank 1, 2, …). An empty
    /// pattern keeps everything, ordered by priority then position.
    pub fn rank(
        &mut self,
        pattern_text: &str,
        haystacks: &[Utf32String],
        priority: &[u32],
    ) -> Vec<usize> {
        self.rank_within(pattern_text, haystacks, None, priority)
    }

    /// Like [`Fuzzy::rank`], but scores only `candidates` when given: while
    /// the user keeps typing, the matches of the longer pattern are a subset
    /// of the previous ones (see [`Fuzzy::narrows`]).
    pub fn rank_within(
        &mut self,
        pattern_text: &str,
        haystacks: &[Utf32String],
        candidates: Option<&[usize]>,
        priority: &[u32],
    ) -> Vec<usize> {
        let prio = |i: usize| priority.get(i).copied().unwrap_or(NO_PRIORITY);
        let pattern = Pattern::parse(pattern_text, CaseMatching::Smart, Normalization::Smart);
        let quick = QuickCheck::new(pattern_text);
        let all: Vec<usize>;
        let candidates = match candidates {
            Some(c) => c,
            None => {
                all = (0..haystacks.len()).collect();
                &all
            }
        };
        let score_chunk = |chunk: &[usize], matcher: &mut Matcher| {
            chunk
                .iter()
                .filter_map(|&i| {
                    let h = haystacks.get(i)?.slice(..);
                    if !quick.may_match(h) {
                        return None;
                    }
                    pattern.score(h, matcher).map(|s| (s, i))
                })
                .collect::<Vec<(u32, usize)>>()
        };
        let scored: Vec<(u32, usize)> = if candidates.len() >= PARALLEL_FROM {
            let (a, b) = candidates.split_at(candidates.len() / 2);
            let (m1, rest) = self.matchers.split_first_mut().expect("two matchers");
            let m2 = &mut rest[0];
            std::thread::scope(|s| {
                let second = s.spawn(|| score_chunk(b, m2));
                let mut first = score_chunk(a, m1);
                first.extend(second.join().unwrap_or_default());
                first
            })
        } else {
            score_chunk(candidates, &mut self.matchers[0])
        };
        // One packed u64 per match sorts several times faster than a tuple
        // key: pinned bit, inverted score, priority, then position.
        let mut keys: Vec<u64> = scored
            .iter()
            .map(|&(score, i)| {
                let p = prio(i);
                let pinned = u64::from(p != 0);
                let inverted = u64::from(u16::MAX - score.min(u32::from(u16::MAX)) as u16);
                let rank = u64::from(p.min(255));
                (pinned << 63) | (inverted << 47) | (rank << 39) | (i as u64 & INDEX_MASK)
            })
            .collect();
        keys.sort_unstable();
        keys.into_iter()
            .map(|k| (k & INDEX_MASK) as usize)
            .collect()
    }
}

impl Fuzzy {
    /// Whether every match of `new` is also a match of `old`, so only the
    /// previous matches need scoring: `new` extends a non-empty `old`, and
    /// neither uses syntax that could widen the set (`!` negation, …).
    pub fn narrows(old: &str, new: &str) -> bool {
        !old.is_empty() && new.starts_with(old) && QuickCheck::new(new).words.is_some()
    }
}

/// A cheap ASCII subsequence test run before the real matcher: a haystack
/// that does not contain every pattern word as a subsequence cannot match,
/// and most of a long list is rejected here at a fraction of the cost.
struct QuickCheck {
    /// Lower-cased words, or `None` when the pattern uses syntax (`!`, `^`,
    /// `$`, `'`, `\\`), upper case or non-ASCII, where only the matcher decides.
    words: Option<Vec<Vec<u8>>>,
}

impl QuickCheck {
    fn new(pattern: &str) -> QuickCheck {
        let plain = pattern.chars().all(|c| {
            c.is_ascii() && !c.is_ascii_uppercase() && !matches!(c, '!' | '^' | '$' | '\'' | '\\')
        });
        let words = plain.then(|| {
            pattern
                .split_whitespace()
                .map(|w| w.as_bytes().to_vec())
                .collect()
        });
        QuickCheck { words }
    }

    fn may_match(&self, haystack: Utf32Str<'_>) -> bool {
        let (Some(words), Utf32Str::Ascii(bytes)) = (&self.words, haystack) else {
            return true;
        };
        words.iter().all(|w| {
            let mut needle = w.iter().peekable();
            for b in bytes {
                if needle.peek().is_some_and(|n| **n == b.to_ascii_lowercase()) {
                    needle.next();
                }
            }
            needle.peek().is_none()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hay(items: &[&str]) -> Vec<Utf32String> {
        items.iter().map(|s| Utf32String::from(*s)).collect()
    }

    #[test]
    fn quick_check_agrees_with_the_matcher() {
        let items: Vec<String> = (0..30_000)
            .map(|i| format!("tenant-{i:05} Org {}", i % 97))
            .collect();
        let h: Vec<Utf32String> = items
            .iter()
            .map(|s| Utf32String::from(s.as_str()))
            .collect();
        let prio = vec![NO_PRIORITY; h.len()];
        for pat in ["ten 42", "org 9", "Tenant-0", "!org", "zzz", "t-1"] {
            let fast = Fuzzy::default().rank(pat, &h, &prio);
            let mut m = Matcher::new(Config::DEFAULT);
            let p = Pattern::parse(pat, CaseMatching::Smart, Normalization::Smart);
            let slow = h
                .iter()
                .filter(|x| p.score(x.slice(..), &mut m).is_some())
                .count();
            assert_eq!(fast.len(), slow, "{pat}");
        }
    }

    #[test]
    fn control_plane_first_then_recent() {
        let h = hay(&["control plane", "acme", "beta", "globex"]);
        let prio = [0, NO_PRIORITY, NO_PRIORITY, 1];
        assert_eq!(Fuzzy::default().rank("", &h, &prio), vec![0, 3, 1, 2]);
    }

    #[test]
    fn fragment_matches_fuzzily() {
        let h = hay(&["control plane", "acme-prod", "beta", "acme-staging"]);
        let prio = [0, NO_PRIORITY, NO_PRIORITY, NO_PRIORITY];
        let r = Fuzzy::default().rank("acprd", &h, &prio);
        assert_eq!(r.first(), Some(&1));
        assert!(!r.contains(&2));
    }
}

//! Fuzzy ranking for the instance filter and picker (nucleo-matcher). The
//! haystacks are converted to UTF-32 once when the list loads, so a
//! keystroke costs only the match and the sort.

use std::cmp::Reverse;

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

/// Priority of an entry that is neither the control plane nor recent.
pub const NO_PRIORITY: u32 = u32::MAX;

/// A reusable matcher (it owns scratch memory).
pub struct Fuzzy {
    matcher: Matcher,
}

impl Default for Fuzzy {
    fn default() -> Self {
        Fuzzy {
            matcher: Matcher::new(Config::DEFAULT),
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
        pattern: &str,
        haystacks: &[Utf32String],
        priority: &[u32],
    ) -> Vec<usize> {
        let prio = |i: usize| priority.get(i).copied().unwrap_or(NO_PRIORITY);
        let pattern = Pattern::parse(pattern, CaseMatching::Smart, Normalization::Smart);
        let mut scored: Vec<(u32, usize)> = haystacks
            .iter()
            .enumerate()
            .filter_map(|(i, h)| {
                pattern
                    .score(h.slice(..), &mut self.matcher)
                    .map(|s| (s, i))
            })
            .collect();
        scored.sort_unstable_by_key(|&(score, i)| {
            let pinned = prio(i) != 0;
            (pinned, Reverse(score), prio(i), i)
        });
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hay(items: &[&str]) -> Vec<Utf32String> {
        items.iter().map(|s| Utf32String::from(*s)).collect()
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

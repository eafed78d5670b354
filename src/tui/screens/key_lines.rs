//! The lines of the key map: each key, and under an open key each scope
//! using it, filtered by the `/` text. The key map's selection walks these
//! lines, so an open key's scopes — 100,001 under one key in a big fleet —
//! scroll and page like any other table, one [`Selection`] for both.
//!
//! [`Selection`]: crate::tui::screens::selection::Selection

use std::collections::HashSet;

use crate::domain::{KeyGroup, KeyUse};
use crate::tui::screens::text_filter::matches;

/// One line of the key map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLine {
    /// The key of group `.0`.
    Group(usize),
    /// Scope `.1` of group `.0`.
    Scope(usize, usize),
}

impl KeyLine {
    /// The group the line belongs to.
    pub fn group(self) -> usize {
        match self {
            KeyLine::Group(g) | KeyLine::Scope(g, _) => g,
        }
    }
}

/// The scope as the key map names it.
pub fn scope_label(u: &KeyUse) -> String {
    match &u.instance_id {
        Some(id) => format!("tenant: {id}"),
        None => "control plane".to_string(),
    }
}

/// The lines to show of `groups`, keys in `open` expanded, filtered by
/// `needle` (lower-cased; empty shows all). A filter matches a key by its
/// mask, fingerprint or providers, and a scope by its name, provider or
/// model; a key shows while it or one of its scopes matches, and shows its
/// matching scopes (all of them when the key matched) even when closed, so
/// typing a tenant's id finds it under its key.
pub fn key_lines(groups: &[KeyGroup], open: &HashSet<String>, needle: &str) -> Vec<KeyLine> {
    let mut lines = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let key_matches = needle.is_empty()
            || matches(&group.api_key_masked, needle)
            || matches(&group.key_fingerprint, needle)
            || group.providers.iter().any(|p| matches(p, needle));
        let at = lines.len();
        lines.push(KeyLine::Group(g));
        let expanded = open.contains(&group.key_fingerprint);
        if key_matches && !expanded {
            continue;
        }
        let mut found = false;
        for (s, u) in group.scopes.iter().enumerate() {
            if key_matches
                || matches(&scope_label(u), needle)
                || matches(&u.provider, needle)
                || matches(&u.model, needle)
            {
                found = true;
                lines.push(KeyLine::Scope(g, s));
            }
        }
        if !key_matches && !found {
            lines.truncate(at);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(fp: &str, ids: &[&str]) -> KeyGroup {
        let scopes: Vec<KeyUse> = ids
            .iter()
            .map(|id| KeyUse {
                instance_id: Some(id.to_string()),
                provider: "openai".into(),
                model: "gpt-4o".into(),
                api_key_masked: format!("sk-...{fp}"),
                key_fingerprint: fp.into(),
                last_test: None,
            })
            .collect();
        KeyGroup {
            key_fingerprint: fp.into(),
            api_key_masked: format!("sk-...{fp}"),
            providers: vec!["openai".into()],
            scope_count: scopes.len(),
            scopes,
        }
    }

    #[test]
    fn open_keys_list_their_scopes_and_a_filter_finds_a_scope_under_a_closed_key() {
        let groups = vec![group("aaaa", &["acme", "beta"]), group("bbbb", &["gamma"])];
        let none = HashSet::new();
        assert_eq!(
            key_lines(&groups, &none, ""),
            [KeyLine::Group(0), KeyLine::Group(1)]
        );
        let open: HashSet<String> = ["aaaa".to_string()].into();
        assert_eq!(
            key_lines(&groups, &open, ""),
            [
                KeyLine::Group(0),
                KeyLine::Scope(0, 0),
                KeyLine::Scope(0, 1),
                KeyLine::Group(1)
            ]
        );
        assert_eq!(
            key_lines(&groups, &none, "gam"),
            [KeyLine::Group(1), KeyLine::Scope(1, 0)]
        );
        assert_eq!(
            key_lines(&groups, &open, "bbbb"),
            [KeyLine::Group(1)],
            "a key matched by its mask stays closed"
        );
        assert!(key_lines(&groups, &open, "zzz").is_empty());
    }
}

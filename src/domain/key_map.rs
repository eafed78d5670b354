//! The key-usage map: which scopes share which key, by fingerprint (never
//! the key). [`KeyUse`] is one scope's row as the store reads it;
//! [`group`] folds them into one [`KeyGroup`] per fingerprint, the answer
//! to "this key leaked — where is it?".

use serde::{Deserialize, Serialize};

use super::TestResult;

/// One configured scope and the key it uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyUse {
    /// Instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// Provider.
    pub provider: String,
    /// Model.
    pub model: String,
    /// Mask of the key.
    pub api_key_masked: String,
    /// Keyed fingerprint of the key.
    pub key_fingerprint: String,
    /// The scope's last connection test, if any.
    pub last_test: Option<TestResult>,
}

/// Every scope that uses one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyGroup {
    /// Keyed fingerprint of the key.
    pub key_fingerprint: String,
    /// Mask of the key.
    pub api_key_masked: String,
    /// The providers it is configured for (usually one), sorted.
    pub providers: Vec<String>,
    /// How many scopes use it.
    pub scope_count: usize,
    /// The scopes, control plane first, then by id, each with its last test.
    pub scopes: Vec<KeyUse>,
}

/// One group per fingerprint: most-used key first, then by fingerprint.
pub fn group(mut uses: Vec<KeyUse>) -> Vec<KeyGroup> {
    // One sort, then runs of equal fingerprints: no map, no per-row copy
    // of the fingerprint (100,000 scopes is the target size).
    uses.sort_unstable_by(|a, b| {
        a.key_fingerprint
            .cmp(&b.key_fingerprint)
            .then_with(|| a.instance_id.cmp(&b.instance_id))
    });
    let mut groups = Vec::new();
    let mut rest = uses.into_iter().peekable();
    while let Some(first) = rest.next() {
        let mut scopes = vec![first];
        while let Some(next) = rest.next_if(|u| u.key_fingerprint == scopes[0].key_fingerprint) {
            scopes.push(next);
        }
        let mut providers: Vec<String> = Vec::new();
        for s in &scopes {
            if !providers.contains(&s.provider) {
                providers.push(s.provider.clone());
            }
        }
        providers.sort();
        groups.push(KeyGroup {
            key_fingerprint: scopes[0].key_fingerprint.clone(),
            api_key_masked: scopes[0].api_key_masked.clone(),
            providers,
            scope_count: scopes.len(),
            scopes,
        });
    }
    groups.sort_by(|a, b| {
        b.scope_count
            .cmp(&a.scope_count)
            .then_with(|| a.key_fingerprint.cmp(&b.key_fingerprint))
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn used(id: Option<&str>, provider: &str, fp: &str) -> KeyUse {
        KeyUse {
            instance_id: id.map(str::to_string),
            provider: provider.into(),
            model: "m".into(),
            api_key_masked: "sk-...abcd".into(),
            key_fingerprint: fp.into(),
            last_test: None,
        }
    }

    #[test]
    fn groups_by_fingerprint_most_used_first() {
        let groups = group(vec![
            used(Some("b"), "openai", "hmac:1"),
            used(Some("z"), "openai", "hmac:2"),
            used(None, "openai", "hmac:1"),
            used(Some("a"), "openai-compatible", "hmac:1"),
        ]);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].key_fingerprint, "hmac:1");
        assert_eq!(groups[0].scope_count, 3);
        let ids: Vec<_> = groups[0]
            .scopes
            .iter()
            .map(|s| s.instance_id.as_deref())
            .collect();
        assert_eq!(ids, vec![None, Some("a"), Some("b")]);
        assert_eq!(groups[0].providers, vec!["openai", "openai-compatible"]);
        assert_eq!(groups[1].scope_count, 1);
    }
}

//! What `plan` and `drift` say about a key reference they did not read.
//!
//! Reading a reference runs its `api_key_command` or opens its
//! `api_key_file`, and a fleet file arrives in a pull request: a review bot
//! or a CI gate that plans it would run the author's program with our
//! master key in reach. So by default neither command reads a reference; a
//! scope's key is judged only by the fingerprint `export` recorded beside
//! it, and `--resolve-keys` (where the keys are meant to be read) compares
//! the referenced key itself.

use serde::Serialize;

use super::KeyRef;

/// A key reference judged without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyReference {
    /// The stored key is the one the file's recorded `key_fingerprint` names.
    Unchanged,
    /// The stored key is not the one the file's recorded `key_fingerprint`
    /// names: applying would write the referenced key.
    Changed,
    /// Nothing recorded to compare with, and the reference was not read.
    NotRead,
}

impl KeyReference {
    /// The judgement of `reference` for a scope whose stored key has the
    /// fingerprint `stored` (`None`: no config, or unknown), given the
    /// fingerprint the file records; `None` for `keep_key`, which reads
    /// nothing anyway.
    pub fn judge(
        reference: &KeyRef,
        recorded: Option<&str>,
        stored: Option<&str>,
    ) -> Option<KeyReference> {
        if *reference == KeyRef::Keep {
            return None;
        }
        Some(match (recorded, stored) {
            (Some(r), Some(s)) if r == s => KeyReference::Unchanged,
            (Some(_), Some(_)) => KeyReference::Changed,
            _ => KeyReference::NotRead,
        })
    }

    /// The plan line's text.
    pub fn describe(self) -> &'static str {
        match self {
            KeyReference::Unchanged => {
                "key reference unchanged (the stored key is the recorded key_fingerprint)"
            }
            KeyReference::Changed => {
                "key reference changed (the stored key is not the recorded key_fingerprint); \
                 not read, --resolve-keys reads it"
            }
            KeyReference::NotRead => {
                "key reference not read (--resolve-keys reads and compares it)"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judged_by_the_recorded_fingerprint_only() {
        let cmd = KeyRef::Command("make-key".into());
        assert_eq!(
            KeyReference::judge(&cmd, Some("fp1"), Some("fp1")),
            Some(KeyReference::Unchanged)
        );
        assert_eq!(
            KeyReference::judge(&cmd, Some("fp1"), Some("fp2")),
            Some(KeyReference::Changed)
        );
        assert_eq!(
            KeyReference::judge(&cmd, None, Some("fp2")),
            Some(KeyReference::NotRead)
        );
        assert_eq!(
            KeyReference::judge(&cmd, Some("fp1"), None),
            Some(KeyReference::NotRead)
        );
        assert_eq!(
            KeyReference::judge(&KeyRef::Keep, Some("a"), Some("b")),
            None
        );
    }
}

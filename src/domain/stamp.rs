//! A scope's state stamp: a short hash of everything the config view shows
//! (record id, provider, model, base URL, key mask, last change time), or of
//! "no config". A fleet plan records the stamp of each scope it read, and
//! apply refuses a scope whose stamp moved, so a plan made on a state that
//! changed since is never applied over that change. It needs no version
//! column, so it works on a seed-only server as well as on the local store.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::ConfigView;

/// Hex digits kept: enough that two states never collide by chance.
const STAMP_LEN: usize = 16;

/// The stamp of one scope's observed state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StateStamp(String);

impl StateStamp {
    /// The stamp of `view`, or of a scope with no config when `None`.
    pub fn of(view: Option<&ConfigView>) -> StateStamp {
        let mut h = Sha256::new();
        match view {
            None => h.update(b"absent"),
            Some(v) => {
                // Length-prefixed, so no two field lists hash alike.
                let updated = v.updated_at.unix_timestamp_nanos().to_string();
                let id = v.id.to_string();
                for part in [
                    id.as_str(),
                    &v.provider,
                    &v.model,
                    v.base_url.as_deref().unwrap_or("\u{0}"),
                    &v.api_key_masked,
                    &updated,
                ] {
                    h.update((part.len() as u64).to_le_bytes());
                    h.update(part.as_bytes());
                }
            }
        }
        let mut hex = hex::encode(h.finalize());
        hex.truncate(STAMP_LEN);
        StateStamp(hex)
    }
}

impl fmt::Display for StateStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn view() -> ConfigView {
        ConfigView::new(
            crate::domain::ViewRecord {
                id: uuid::Uuid::nil().into(),
                api_key_masked: "sk-…abcd".into(),
                instance_id: None,
                created_at: OffsetDateTime::UNIX_EPOCH,
                updated_at: OffsetDateTime::UNIX_EPOCH,
            },
            crate::domain::ConfigFields::new("openai", "gpt-4o"),
        )
    }

    #[test]
    fn every_shown_field_moves_the_stamp() {
        let base = StateStamp::of(Some(&view()));
        assert_eq!(base, StateStamp::of(Some(&view())));
        assert_ne!(base, StateStamp::of(None));
        let mut v = view();
        v.model = "gpt-4.1".into();
        assert_ne!(base, StateStamp::of(Some(&v)));
        let mut v = view();
        v.api_key_masked = "sk-…wxyz".into();
        assert_ne!(base, StateStamp::of(Some(&v)));
        let mut v = view();
        v.base_url = Some(String::new());
        assert_ne!(base, StateStamp::of(Some(&v)), "empty is not unset");
        let mut v = view();
        v.updated_at += time::Duration::seconds(1);
        assert_ne!(base, StateStamp::of(Some(&v)));
    }
}

//! What a provider's extra free key endpoint said (xAI's key status,
//! DeepSeek's balance), and when: read at most once a day per key and
//! provider and kept in the store, so tests in between spend no extra call.
//! A key that the answer fails (blocked, or unable to pay) is re-read at
//! its next test instead, so fixing it shows at once; that read replaces
//! the model call it would otherwise make, so it costs nothing extra.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{Credit, Lifecycle};

/// How long a key endpoint's answer is reused before it is read again.
pub const KEY_FACTS_MAX_AGE: Duration = Duration::days(1);

/// The facts of one answer of a provider's key endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KeyFacts {
    /// The key's credit or balance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<Credit>,
    /// When the key stops working.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::timestamp::optional"
    )]
    pub key_expires_at: Option<OffsetDateTime>,
    /// The provider's flag that blocks the key (`api_key_blocked`,
    /// `api_key_disabled`, `team_blocked`), when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocked_by: Option<String>,
    /// The models the key may use, when its ACL names them; `None` when it
    /// allows every model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models_allowed: Option<Vec<String>>,
    /// The provider says the account cannot pay for calls (DeepSeek's
    /// `is_available: false`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cannot_pay: bool,
}

impl KeyFacts {
    /// True when the answer fails the key: it is re-read at the next test.
    pub fn fails_the_key(&self) -> bool {
        self.blocked_by.is_some() || self.cannot_pay
    }

    /// True when the key's ACL lets it use `model`.
    pub fn allows(&self, model: &str) -> bool {
        self.models_allowed
            .as_ref()
            .is_none_or(|models| models.iter().any(|m| m == "*" || m == model))
    }

    /// The lifecycle facts this answer carries.
    pub fn lifecycle(&self) -> Lifecycle {
        Lifecycle {
            retirement: None,
            credit: self.credit.clone(),
            key_expires_at: self.key_expires_at,
        }
    }
}

/// A key endpoint's answer and when it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyFactsRecord {
    /// When the endpoint answered.
    pub fetched_at: OffsetDateTime,
    /// What it said.
    pub facts: KeyFacts,
}

impl KeyFactsRecord {
    /// True when the answer may stand in for a new read at `now`: younger
    /// than [`KEY_FACTS_MAX_AGE`] and not failing the key.
    pub fn reusable_at(&self, now: OffsetDateTime) -> bool {
        now - self.fetched_at < KEY_FACTS_MAX_AGE && !self.facts.fails_the_key()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const READ: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

    #[test]
    fn an_answer_is_reused_for_a_day_unless_it_fails_the_key() {
        let good = KeyFactsRecord {
            fetched_at: READ,
            facts: KeyFacts::default(),
        };
        assert!(good.reusable_at(READ + Duration::hours(23)));
        assert!(!good.reusable_at(READ + Duration::hours(24)));
        let blocked = KeyFactsRecord {
            fetched_at: READ,
            facts: KeyFacts {
                blocked_by: Some("api_key_blocked".into()),
                ..KeyFacts::default()
            },
        };
        assert!(!blocked.reusable_at(READ + Duration::minutes(1)));
    }

    #[test]
    fn an_acl_allows_its_models_or_all() {
        let all = KeyFacts::default();
        assert!(all.allows("grok-4"));
        let some = KeyFacts {
            models_allowed: Some(vec!["grok-3".into()]),
            ..KeyFacts::default()
        };
        assert!(some.allows("grok-3") && !some.allows("grok-4"));
        let star = KeyFacts {
            models_allowed: Some(vec!["*".into()]),
            ..KeyFacts::default()
        };
        assert!(star.allows("grok-4"));
    }
}

//! Kept versions of a scope's config: one [`VersionEntry`] as `history`
//! shows it, and the [`Retention`] rule that says how many are kept. Every
//! create, update, delete and restore adds a version; the newest is the
//! scope's current state (or its deletion), the older ones are what
//! `restore` can bring back.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::{AuditAction, ConfigFields};

/// How many versions of a scope are kept by default.
pub const DEFAULT_KEEP: u32 = 10;

/// One version of a scope's config, without its key: what `history` lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionEntry {
    /// Instance id; `null` for the control plane.
    pub instance_id: Option<String>,
    /// The version number, counting from 1 per scope.
    pub version: u64,
    /// When the version was written.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who wrote it.
    pub actor: String,
    /// The write that made it (`create`, `update`, `delete`, `restore`).
    pub action: AuditAction,
    /// Names of the fields that changed from the version before.
    pub fields: Vec<String>,
    /// True when this version records the config's deletion.
    pub deleted: bool,
    /// The config's fields (provider, model, …); none for a deletion.
    #[serde(flatten)]
    pub config: Option<ConfigFields>,
    /// Mask of the key; `null` for a deletion.
    pub api_key_masked: Option<String>,
    /// Fingerprint of the key (never the key); `null` for a deletion.
    pub key_fingerprint: Option<String>,
}

/// Which versions of a scope are kept: the newest `keep` and/or those
/// younger than `max_age`. The newest version is always kept, whatever
/// the rule, since it is the scope's current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Keep at most this many versions (`None`: no count limit).
    pub keep: Option<u32>,
    /// Drop versions older than this (`None`: no age limit).
    pub max_age: Option<Duration>,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            keep: Some(DEFAULT_KEEP),
            max_age: None,
        }
    }
}

/// What one purge removes from a scope whose newest version is `newest`:
/// every version below `newest` that is at or below `through` or older
/// than `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurgeBounds {
    /// The newest version (never purged).
    pub newest: i64,
    /// Versions numbered at or below this go (0: none by count).
    pub through: i64,
    /// Versions written before this time go (`None`: none by age).
    pub before: Option<OffsetDateTime>,
}

impl Retention {
    /// What to purge once `newest` is written at `now`.
    pub fn bounds(&self, newest: i64, now: OffsetDateTime) -> PurgeBounds {
        PurgeBounds {
            newest,
            through: self
                .keep
                .map(|keep| (newest - i64::from(keep.max(1))).max(0))
                .unwrap_or(0),
            before: self.max_age.map(|age| now - age),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_rule_keeps_the_newest_n() {
        let now = OffsetDateTime::now_utc();
        let b = Retention::default().bounds(25, now);
        assert_eq!((b.newest, b.through, b.before), (25, 15, None));
        assert_eq!(Retention::default().bounds(3, now).through, 0);
        let one = Retention {
            keep: Some(0),
            max_age: None,
        };
        assert_eq!(one.bounds(5, now).through, 4, "at least the newest stays");
    }

    #[test]
    fn the_age_rule_sets_a_cutoff() {
        let now = OffsetDateTime::now_utc();
        let r = Retention {
            keep: None,
            max_age: Some(Duration::days(7)),
        };
        let b = r.bounds(9, now);
        assert_eq!(b.through, 0);
        assert_eq!(b.before, Some(now - Duration::days(7)));
    }
}

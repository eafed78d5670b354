//! `[versions]`: how many kept config versions of each scope survive a
//! write, and for how long.

use serde::Deserialize;

use crate::domain::ValidationError;

/// `[versions]`: which kept versions of each scope survive a write: the
/// newest `keep`, those younger than `days`, both when both are set. With
/// neither, the newest 10; with only `days`, no count limit. The newest
/// version always stays.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionSettings {
    /// Keep at most this many versions per scope (default 10, at least 1).
    #[serde(default)]
    pub keep: Option<u32>,
    /// Drop versions older than this many days (at least 1).
    #[serde(default)]
    pub days: Option<u32>,
}

impl VersionSettings {
    /// Refuses a zero count or age: it would keep nothing to restore.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.keep == Some(0) {
            return Err(ValidationError::new(
                "versions.keep",
                "must be at least 1 (the current version is always kept)",
            ));
        }
        if self.days == Some(0) {
            return Err(ValidationError::new("versions.days", "must be at least 1"));
        }
        Ok(())
    }

    /// The retention rule these settings give.
    pub fn retention(&self) -> crate::domain::Retention {
        crate::domain::Retention {
            keep: match (self.keep, self.days) {
                (Some(k), _) => Some(k.max(1)),
                (None, Some(_)) => None,
                (None, None) => Some(crate::domain::version::DEFAULT_KEEP),
            },
            max_age: self.days.map(|d| time::Duration::days(i64::from(d.max(1)))),
        }
    }
}

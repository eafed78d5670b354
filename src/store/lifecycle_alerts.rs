//! The lifecycle alerts already sent, per scope, written once for both
//! engines: the SQL and the store call. Claiming a mark is an insert that
//! does nothing when the row is there, so a threshold is sent once across
//! rounds, restarts and replicas; forgetting one deletes its row, so the
//! next crossing of that fact alerts again (see
//! [`crate::domain::lifecycle_alert`]).

use super::*;
use crate::domain::AlertMark;

/// Claims a mark (`$1` scope, `$2` mark, `$3` when): one row changed when
/// it is new.
pub const CLAIM: &str = "INSERT INTO lifecycle_alerts (scope, mark, sent_at) \
     VALUES ($1, $2, $3) ON CONFLICT (scope, mark) DO NOTHING";

/// Forgets a mark (`$1` scope, `$2` mark).
pub const FORGET: &str = "DELETE FROM lifecycle_alerts WHERE scope = $1 AND mark = $2";

impl Store {
    /// In one transaction, forgets `rearm` and claims `claim`; returns the
    /// claimed marks that were not there yet: the alerts to send.
    pub async fn settle_alerts(
        &self,
        claim: Vec<AlertMark>,
        rearm: Vec<AlertMark>,
    ) -> Result<Vec<AlertMark>, StoreError> {
        if claim.is_empty() && rearm.is_empty() {
            return Ok(Vec::new());
        }
        each!(self, s => s.settle_alerts(claim, rearm))
    }
}

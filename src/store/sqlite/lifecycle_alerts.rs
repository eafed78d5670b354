//! The lifecycle alerts already sent, on SQLite: the statements of
//! [`crate::store::lifecycle_alerts`] in one write transaction.

use rusqlite::params;

use super::{SqliteStore, StoreError};
use crate::domain::AlertMark;
use crate::store::lifecycle_alerts::{CLAIM, FORGET};
use crate::store::rows::{fmt_time, now};

impl SqliteStore {
    /// Forgets `rearm`, claims `claim`; returns the newly claimed marks.
    pub async fn settle_alerts(
        &self,
        claim: Vec<AlertMark>,
        rearm: Vec<AlertMark>,
    ) -> Result<Vec<AlertMark>, StoreError> {
        self.write(move |c| {
            let tx = c.begin()?;
            for m in &rearm {
                tx.prepare_cached(FORGET)?
                    .execute(params![m.scope.key(), m.mark])?;
            }
            let at = fmt_time(now());
            let mut claimed = Vec::new();
            for m in claim {
                let changed =
                    tx.prepare_cached(CLAIM)?
                        .execute(params![m.scope.key(), m.mark, at])?;
                if changed == 1 {
                    claimed.push(m);
                }
            }
            tx.commit()?;
            Ok(claimed)
        })
        .await
    }
}

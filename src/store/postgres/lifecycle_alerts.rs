//! The lifecycle alerts already sent, on PostgreSQL: the statements of
//! [`crate::store::lifecycle_alerts`] in one transaction.

use super::{PgStore, StoreError};
use crate::domain::AlertMark;
use crate::store::lifecycle_alerts::{CLAIM, FORGET};
use crate::store::rows::{fmt_time, now};

impl PgStore {
    /// Forgets `rearm`, claims `claim`; returns the newly claimed marks.
    pub async fn settle_alerts(
        &self,
        claim: Vec<AlertMark>,
        rearm: Vec<AlertMark>,
    ) -> Result<Vec<AlertMark>, StoreError> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let forget = tx.prepare_cached(FORGET).await?;
        for m in &rearm {
            tx.execute(&forget, &[&m.scope.key(), &m.mark]).await?;
        }
        let insert = tx.prepare_cached(CLAIM).await?;
        let at = fmt_time(now());
        let mut claimed = Vec::new();
        for m in claim {
            if tx.execute(&insert, &[&m.scope.key(), &m.mark, &at]).await? == 1 {
                claimed.push(m);
            }
        }
        tx.commit().await?;
        Ok(claimed)
    }
}

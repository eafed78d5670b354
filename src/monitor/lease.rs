//! Leadership among the processes on one store: the monitor lease, a row
//! every process competes for (`store::health`). The holder renews it every
//! third of its length; a holder that dies stops renewing, and another
//! process takes over once it expires, within one lease period. Together
//! with the round claim this keeps exactly one monitor per store, on
//! SQLite (several processes on one file) and on PostgreSQL (replicas).

use std::time::Duration;

use super::schedule::now_ms;
use crate::service::HealthAccess;

/// This process's claim on the lease.
pub struct Lease {
    access: HealthAccess,
    holder: String,
    length: Duration,
}

impl Lease {
    /// A claim as `holder` (unique per process) for `length` at a time.
    pub fn new(access: HealthAccess, holder: String, length: Duration) -> Lease {
        Lease {
            access,
            holder,
            length,
        }
    }

    /// Who this process is.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// How often to renew: a third of the length, so two missed renewals
    /// still leave it held.
    pub fn renew_every(&self) -> Duration {
        self.length / 3
    }

    /// Takes or renews the lease; false when another process holds it or
    /// the store did not answer.
    pub async fn hold(&self) -> bool {
        let now = now_ms();
        let until = now + i64::try_from(self.length.as_millis()).unwrap_or(i64::MAX);
        match self.access.take_lease(&self.holder, now, until).await {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(error = %e, "monitor lease: the store did not answer");
                false
            }
        }
    }

    /// Claims `round`; true when this process is to run it.
    pub async fn claim(&self, round: i64) -> bool {
        match self.access.claim_round(&self.holder, round, now_ms()).await {
            Ok(claimed) => claimed,
            Err(e) => {
                tracing::warn!(error = %e, "monitor round claim: the store did not answer");
                false
            }
        }
    }

    /// Gives the lease up (at shutdown), so a successor need not wait.
    pub async fn release(&self) {
        if let Err(e) = self.access.release_lease(&self.holder).await {
            tracing::warn!(error = %e, "monitor lease: release failed");
        }
    }

    /// Renews until a renewal fails; returns then (leadership lost).
    pub async fn keep(&self) {
        loop {
            tokio::time::sleep(self.renew_every()).await;
            if !self.hold().await {
                tracing::warn!(holder = %self.holder, "monitor lease lost");
                return;
            }
        }
    }
}

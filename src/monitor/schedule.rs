//! When each scope is tested. Rounds are numbered by wall-clock time
//! (`round = unix_ms / interval`), so every process on one store agrees on
//! which round is due and the lease row can admit each round once. Within a
//! round each scope has a fixed slot, a stable hash of its key spread over
//! the interval: the jitter that keeps 100,000 scopes from starting at once
//! and keeps each scope's tests one interval apart.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::domain::Scope;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Rounds of one interval, numbered by wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rounds {
    interval_ms: i64,
}

impl Rounds {
    /// Rounds `interval` long (at least one millisecond).
    pub fn new(interval: Duration) -> Rounds {
        Rounds {
            interval_ms: i64::try_from(interval.as_millis())
                .unwrap_or(i64::MAX)
                .max(1),
        }
    }

    /// The round running at `at_ms`.
    pub fn round_at(&self, at_ms: i64) -> i64 {
        at_ms.div_euclid(self.interval_ms)
    }

    /// When `round` starts, in Unix milliseconds.
    pub fn start_ms(&self, round: i64) -> i64 {
        round.saturating_mul(self.interval_ms)
    }

    /// The offset of `scope`'s slot within a round.
    pub fn slot(&self, scope: &Scope) -> Duration {
        let digest = Sha256::digest(scope.key().as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        let spread = u64::from_be_bytes(first) % u64::try_from(self.interval_ms).unwrap_or(1);
        Duration::from_millis(spread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::InstanceId;

    #[test]
    fn rounds_and_slots() {
        let r = Rounds::new(Duration::from_secs(300));
        assert_eq!(r.round_at(0), 0);
        assert_eq!(r.round_at(299_999), 0);
        assert_eq!(r.round_at(300_000), 1);
        assert_eq!(r.start_ms(2), 600_000);
        let scope = Scope::Instance(InstanceId::parse("acme").unwrap());
        assert_eq!(r.slot(&scope), r.slot(&scope), "stable");
        // 10,000 scopes spread over the interval: every tenth has someone.
        let mut deciles = [0usize; 10];
        for i in 0..10_000 {
            let s = Scope::Instance(InstanceId::parse(&format!("t{i}")).unwrap());
            let slot = r.slot(&s);
            assert!(slot < Duration::from_secs(300));
            deciles[(slot.as_millis() / 30_000) as usize] += 1;
        }
        assert!(
            deciles.iter().all(|&n| (800..1200).contains(&n)),
            "{deciles:?}"
        );
    }
}

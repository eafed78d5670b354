//! Pacing for the re-read whose cost grows with the fleet: the drift
//! comparison (every scope against the fleet file). After a read that took
//! `d`, the next one starts no sooner than [`READ_BACKOFF`] × `d` later, so
//! at 100,000 scopes it takes at most about a tenth of the TUI's time while
//! writes keep arriving; on a small store (reads of a few milliseconds) that
//! is every change-mark tick, as before. (The health board needs no pacing:
//! it merges only the states that changed, see `refresh.rs`.)

use std::time::{Duration, Instant};

/// How many times its own duration a full re-read waits before the next.
pub const READ_BACKOFF: u32 = 10;

/// When the next full re-read may start.
#[derive(Debug, Clone, Copy)]
pub(super) struct Paced {
    due: Instant,
}

impl Paced {
    /// A read may start now.
    pub(super) fn new() -> Paced {
        Paced {
            due: Instant::now(),
        }
    }

    /// How long until a read may start (zero when it may now).
    pub(super) fn wait(&self) -> Duration {
        self.due.saturating_duration_since(Instant::now())
    }

    /// Notes that a read just finished after `took`.
    pub(super) fn ran(&mut self, took: Duration) {
        self.due = Instant::now() + took * READ_BACKOFF;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_read_pushes_the_next_one_back() {
        let mut p = Paced::new();
        assert_eq!(p.wait(), Duration::ZERO);
        p.ran(Duration::from_secs(60));
        assert!(p.wait() > Duration::from_secs(590));
        p.ran(Duration::ZERO);
        assert_eq!(
            p.wait(),
            Duration::ZERO,
            "a read that cost nothing delays nothing"
        );
    }
}

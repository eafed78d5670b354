//! Pacing requests to a server behind a rate limit. Control planes sit
//! behind throttlers (NestJS allows 10 requests a minute by default) that
//! answer 429, or 503, with `Retry-After`. Every request of one client takes
//! a [`Slot`] here, so the pacing covers single commands, the reads that
//! build an instance list, `test --all` and bulk and fleet runs alike:
//!
//! - a throttled answer pauses every request to that server until the
//!   `Retry-After` has passed (retrying sooner only earns more 429s), and
//!   the throttled request is sent again; each request waits at most
//!   `[remote] throttle_wait_secs` in all (default [`DEFAULT_THROTTLE_WAIT`])
//!   for pauses, its own or another's, and gives up at once when the
//!   server asks for more;
//! - concurrency follows AIMD, as TCP's congestion window does: halved
//!   (once per pause) when throttled, raised by one slot per window's worth
//!   of answers after a [`QUIET_SPELL`] without a throttled answer.

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// Default of the longest total wait of one request for `Retry-After`s.
pub const DEFAULT_THROTTLE_WAIT: Duration = Duration::from_secs(60);
/// How long without a throttled answer before concurrency rises again.
pub const QUIET_SPELL: Duration = Duration::from_secs(2);
/// Most requests in flight at once to one server.
pub const MAX_IN_FLIGHT: usize = 64;
/// Wait after a 429 that names none; doubled on each further one.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// Shortest wait after a throttled answer, so `Retry-After: 0` cannot make
/// a busy loop.
pub const MIN_WAIT: Duration = Duration::from_millis(100);

/// The pace of one server.
pub struct Pacer {
    state: Mutex<PaceState>,
    wake: Notify,
    /// When the current pause ends, for a progress bar to show.
    pauses: watch::Sender<Option<Instant>>,
    budget: Duration,
    quiet: Duration,
}

struct PaceState {
    /// Requests allowed in flight (fractional: AIMD adds `1/limit` per answer).
    limit: f64,
    in_flight: usize,
    /// Every request waits until then.
    resume_at: Option<Instant>,
    last_throttle: Option<Instant>,
    throttled_answers: u64,
    /// The last throttled answer, for the error of a request that gives up.
    last_answer: String,
}

/// One request's place in flight; freed on drop.
pub struct Slot<'a> {
    pacer: &'a Pacer,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.pacer.lock().in_flight -= 1;
        self.pacer.wake.notify_one();
    }
}

impl Pacer {
    /// A pacer whose requests wait at most `budget` in all for `Retry-After`s.
    pub fn new(budget: Duration) -> Pacer {
        Pacer::with_quiet_spell(budget, QUIET_SPELL)
    }

    /// A pacer whose concurrency rises after `quiet` without a throttle.
    fn with_quiet_spell(budget: Duration, quiet: Duration) -> Pacer {
        Pacer {
            quiet,
            pauses: watch::Sender::new(None),
            state: Mutex::new(PaceState {
                limit: MAX_IN_FLIGHT as f64,
                in_flight: 0,
                resume_at: None,
                last_throttle: None,
                throttled_answers: 0,
                last_answer: String::new(),
            }),
            wake: Notify::new(),
            budget,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PaceState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The longest total wait of one request.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Requests allowed in flight now.
    pub fn limit(&self) -> usize {
        self.lock().limit as usize
    }

    /// How many throttled answers the server gave so far.
    pub fn throttled_answers(&self) -> u64 {
        self.lock().throttled_answers
    }

    /// Waits for a place in flight.
    pub async fn slot(&self) -> Slot<'_> {
        loop {
            let notified = self.wake.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            {
                let mut s = self.lock();
                if (s.in_flight as f64) < s.limit.floor().max(1.0) {
                    s.in_flight += 1;
                    return Slot { pacer: self };
                }
            }
            notified.await;
        }
    }

    /// What is left of the current pause, if any, and the throttled answer
    /// that started it.
    pub fn pause_left(&self) -> Option<(Duration, String)> {
        let s = self.lock();
        let at = s.resume_at?;
        let left = at.checked_duration_since(Instant::now())?;
        (!left.is_zero()).then(|| (left, s.last_answer.clone()))
    }

    /// The server throttled a request with `answer` (status and words) and
    /// asked for `wait`: every request pauses that long, and concurrency
    /// halves unless this pause already halved it.
    pub fn throttled(&self, wait: Duration, answer: String) {
        let now = Instant::now();
        let mut s = self.lock();
        s.throttled_answers += 1;
        s.last_answer = answer;
        s.last_throttle = Some(now);
        let paused = s.resume_at.is_some_and(|at| at > now);
        if !paused {
            s.limit = (s.limit.min(s.in_flight as f64) / 2.0).max(1.0);
        }
        let until = now + wait.max(MIN_WAIT);
        s.resume_at = Some(s.resume_at.map_or(until, |at| at.max(until)));
        self.pauses.send_replace(s.resume_at);
    }

    /// Follows the pauses: the instant each one ends.
    pub fn pauses(&self) -> watch::Receiver<Option<Instant>> {
        self.pauses.subscribe()
    }

    /// The server answered without throttling: after a quiet spell,
    /// concurrency grows by `1/limit` (one slot per window of answers).
    pub fn answered(&self) {
        let raised = {
            let mut s = self.lock();
            let quiet = s.last_throttle.is_none_or(|t| t.elapsed() >= self.quiet);
            let before = s.limit.floor();
            if quiet {
                s.limit = (s.limit + 1.0 / s.limit).min(MAX_IN_FLIGHT as f64);
            }
            s.limit.floor() > before
        };
        if raised {
            self.wake.notify_waiters();
        }
    }
}

/// A `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3),
/// as a wait from `now`; a date in the past is no wait.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
        let earlier = now - Duration::from_secs(30);
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", earlier),
            Some(Duration::from_secs(30))
        );
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-3", now), None);
    }

    #[tokio::test]
    async fn throttling_halves_concurrency_once_per_pause_and_pauses_everyone() {
        let pacer = Pacer::with_quiet_spell(DEFAULT_THROTTLE_WAIT, Duration::from_secs(3600));
        let slots: Vec<_> = futures_util::future::join_all((0..8).map(|_| pacer.slot())).await;
        let hour = Duration::from_secs(3600);
        pacer.throttled(hour, "HTTP 429".into());
        assert_eq!(pacer.limit(), 4);
        // The other answers of the same pause do not halve it again.
        pacer.throttled(hour, "HTTP 429".into());
        assert_eq!(pacer.limit(), 4);
        drop(slots);
        // Every request waits out the pause, not only the throttled one.
        let (left, answer) = pacer.pause_left().unwrap();
        assert!(left <= hour && left > hour / 2, "{left:?}");
        assert_eq!(answer, "HTTP 429");
        // Answers before a quiet spell do not raise it.
        for _ in 0..10 {
            pacer.answered();
        }
        assert_eq!(pacer.limit(), 4);
        assert_eq!(pacer.throttled_answers(), 2);
    }

    #[tokio::test]
    async fn a_pause_ends_and_quiet_answers_add_a_slot_per_window() {
        let pacer = Pacer::with_quiet_spell(DEFAULT_THROTTLE_WAIT, Duration::ZERO);
        let slots: Vec<_> = futures_util::future::join_all((0..8).map(|_| pacer.slot())).await;
        // `Retry-After: 0` still pauses MIN_WAIT, not a busy loop.
        pacer.throttled(Duration::ZERO, "HTTP 503".into());
        drop(slots);
        assert!(pacer.pause_left().is_some());
        tokio::time::sleep(MIN_WAIT + MIN_WAIT / 2).await;
        assert!(pacer.pause_left().is_none());
        // About a window's worth of answers (1/limit each) adds one slot.
        for _ in 0..5 {
            pacer.answered();
        }
        assert_eq!(pacer.limit(), 5);
    }

    #[tokio::test]
    async fn no_more_than_the_limit_are_in_flight() {
        let pacer = Pacer::new(DEFAULT_THROTTLE_WAIT);
        let slots: Vec<_> = futures_util::future::join_all((0..2).map(|_| pacer.slot())).await;
        pacer.throttled(Duration::ZERO, "HTTP 503".into());
        assert_eq!(pacer.limit(), 1);
        let mut next = std::pin::pin!(pacer.slot());
        assert!(futures_util::poll!(next.as_mut()).is_pending());
        drop(slots);
        assert!(futures_util::poll!(next.as_mut()).is_ready());
    }
}

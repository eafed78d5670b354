//! The open connections of the server: how many may be open at once, which
//! of them are idle, and the idle timer of each.
//!
//! Hyper's own header-read timer does not cover a client that sends nothing,
//! or only the start of the HTTP/2 preface (`PRI * HTTP/2`): the automatic
//! HTTP/1-or-2 builder waits for the first 24 bytes before it picks a
//! protocol and before any timer of either protocol starts. So the server
//! keeps its own rule, whatever the client sends: a connection with no
//! request in flight for [`super::ServeOptions::header_read_timeout`] is
//! closed. A request is in flight from the moment its head is parsed until
//! its response is handed back.
//!
//! Marking a request in flight is two atomic operations and a clock read:
//! the idle timer is not told of each request (that woke the connection's
//! task twice per request and armed a fresh timer after each one). It
//! sleeps for the idle time and, when it wakes, looks at what happened
//! meanwhile: still busy, or idle for less than the idle time, and it
//! sleeps again until the earliest moment the rule could hold.
//!
//! A flood of silent sockets opens them faster than any timer closes them,
//! so the number of open connections is capped below the process's file
//! descriptor limit. A connection past the cap takes the place of the
//! oldest idle one (an idle socket costs the server nothing to drop, a new
//! client is likely to send a request); when every open connection has a
//! request in flight, the newcomer is answered 503 at once and closed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// Descriptors kept free below the process limit for what is not a client
/// connection: the store, the log file, the listener, outbound probes.
const RESERVED_DESCRIPTORS: usize = 64;

/// The answer to a connection past the cap when none can give way: written
/// in one non-blocking write, then the socket is closed.
pub const BUSY_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 65\r\n\r\n\
{\"detail\":\"too many open connections, every one of them is busy\"}";

/// The table of open connections.
#[derive(Debug)]
pub struct Connections {
    /// Most connections open at once.
    max: usize,
    /// Id of the next connection; ids grow, so the smallest is the oldest.
    next: AtomicU64,
    open: Mutex<BTreeMap<u64, Arc<Activity>>>,
}

/// What one connection is doing: its requests in flight, and the signal
/// that it must give way to a newer one.
#[derive(Debug)]
pub struct Activity {
    /// Requests in flight.
    in_flight: AtomicUsize,
    /// When the connection was admitted: the origin of `last_end`.
    opened: Instant,
    /// When the last request ended (or the connection opened), in
    /// nanoseconds since `opened`.
    last_end: AtomicU64,
    evict: Notify,
}

/// Whether a newly accepted connection may be served.
#[derive(Debug)]
pub enum Admission {
    /// Yes; the slot leaves the table when dropped.
    Admitted(Slot),
    /// No: every open connection has a request in flight.
    Full,
}

/// One admitted connection's place in the table.
#[derive(Debug)]
pub struct Slot {
    id: u64,
    activity: Arc<Activity>,
    table: Arc<Connections>,
}

/// Held while one request is in flight on a connection.
#[derive(Debug)]
pub struct Busy(Arc<Activity>);

impl Connections {
    /// A table of at most `max` connections (at least one).
    pub fn new(max: usize) -> Arc<Connections> {
        Arc::new(Connections {
            max: max.max(1),
            next: AtomicU64::new(0),
            open: Mutex::new(BTreeMap::new()),
        })
    }

    /// The cap to use: `wanted`, lowered to fit under the process's file
    /// descriptor limit with room for the rest of the server.
    pub fn cap_for_descriptors(wanted: usize) -> usize {
        match descriptor_limit() {
            Some(limit) => wanted.min(limit.saturating_sub(RESERVED_DESCRIPTORS).max(1)),
            None => wanted,
        }
    }

    /// Most connections open at once.
    pub fn max(&self) -> usize {
        self.max
    }

    /// Admits one more connection, asking the oldest idle one to close when
    /// the table is full.
    pub fn admit(self: &Arc<Self>) -> Admission {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if open.len() >= self.max {
            let idle = open
                .iter()
                .find(|(_, a)| a.in_flight.load(Ordering::Acquire) == 0)
                .map(|(id, _)| *id);
            match idle {
                Some(id) => {
                    if let Some(evicted) = open.remove(&id) {
                        evicted.evict.notify_one();
                    }
                }
                None => return Admission::Full,
            }
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity {
            in_flight: AtomicUsize::new(0),
            opened: Instant::now(),
            last_end: AtomicU64::new(0),
            evict: Notify::new(),
        });
        open.insert(id, activity.clone());
        Admission::Admitted(Slot {
            id,
            activity,
            table: self.clone(),
        })
    }

    /// Connections open now.
    pub fn len(&self) -> usize {
        self.open.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

impl Slot {
    /// A handle that marks requests in flight, for the connection's service.
    pub fn activity(&self) -> Arc<Activity> {
        self.activity.clone()
    }

    /// Completes when the connection must close: it has had no request in
    /// flight for `idle`, or a newer connection took its place.
    pub async fn must_close(&self, idle: Duration) {
        tokio::select! {
            () = self.activity.evict.notified() => {}
            () = idle_for(&self.activity, idle) => {}
        }
    }
}

impl Activity {
    /// Marks one request in flight until the returned guard drops.
    pub fn busy(self: &Arc<Self>) -> Busy {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        Busy(self.clone())
    }

    /// Since when the connection has had no request in flight, or `None`
    /// while one is.
    fn idle_since(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let nanos = self.last_end.load(Ordering::Acquire);
        Some(self.opened + Duration::from_nanos(nanos))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let activity = &self.0;
        // Saturates rather than wrap: a connection open for 584 years.
        let nanos = u64::try_from(activity.opened.elapsed().as_nanos()).unwrap_or(u64::MAX);
        // `fetch_max`: of two requests ending at once, the later end counts.
        // Stored before the count drops, so whoever sees no request in
        // flight also sees when the last one ended.
        activity.last_end.fetch_max(nanos, Ordering::AcqRel);
        activity.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock().unwrap_or_else(|e| e.into_inner());
        open.remove(&self.id);
    }
}

/// Completes once `activity` has had no request in flight for `idle`.
async fn idle_for(activity: &Activity, idle: Duration) {
    let sleep = tokio::time::sleep(idle);
    tokio::pin!(sleep);
    loop {
        sleep.as_mut().await;
        let now = Instant::now();
        let next = match activity.idle_since() {
            Some(since) if now.saturating_duration_since(since) >= idle => return,
            Some(since) => since + idle,
            // Busy now: the earliest the rule can hold is `idle` after it ends.
            None => now + idle,
        };
        sleep.as_mut().reset(next);
    }
}

/// The soft limit on open file descriptors, when the platform has one.
#[cfg(unix)]
fn descriptor_limit() -> Option<usize> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit(2) writes into the struct we own.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
    if rc != 0 || lim.rlim_cur == libc::RLIM_INFINITY {
        return None;
    }
    usize::try_from(lim.rlim_cur).ok()
}

#[cfg(not(unix))]
fn descriptor_limit() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(a: Admission) -> Slot {
        match a {
            Admission::Admitted(s) => s,
            Admission::Full => panic!("refused"),
        }
    }

    #[test]
    fn past_the_cap_the_oldest_idle_connection_gives_way() {
        let table = Connections::new(2);
        let first = admitted(table.admit());
        let second = admitted(table.admit());
        let _busy = first.activity().busy();
        let third = admitted(table.admit());
        assert_eq!(table.len(), 2);
        let open = table.open.lock().unwrap();
        assert!(open.contains_key(&first.id), "the busy one stays");
        assert!(!open.contains_key(&second.id), "the idle one gave way");
        assert!(open.contains_key(&third.id));
    }

    #[test]
    fn when_every_connection_is_busy_the_newcomer_is_refused() {
        let table = Connections::new(1);
        let only = admitted(table.admit());
        let busy = only.activity().busy();
        assert!(matches!(table.admit(), Admission::Full));
        drop(busy);
        assert!(matches!(table.admit(), Admission::Admitted(_)));
    }

    #[test]
    fn the_busy_response_declares_its_body_length() {
        let text = std::str::from_utf8(BUSY_RESPONSE).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("content-length: {}", body.len())));
    }

    #[tokio::test]
    async fn a_request_in_flight_longer_than_the_idle_time_keeps_its_connection() {
        let table = Connections::new(1);
        let slot = admitted(table.admit());
        let idle = Duration::from_millis(100);
        let busy = slot.activity().busy();
        let close = slot.must_close(idle);
        tokio::pin!(close);
        // Three idle times with the request in flight.
        let waited = tokio::time::timeout(idle * 3, close.as_mut()).await;
        assert!(waited.is_err(), "closed while a request was in flight");
        drop(busy);
        let ended = Instant::now();
        close.await;
        assert!(
            ended.elapsed() >= idle,
            "closed {:?} after the request ended, before the idle time",
            ended.elapsed()
        );
    }

    #[test]
    fn the_idle_time_counts_from_the_end_of_the_last_request() {
        let table = Connections::new(1);
        let slot = admitted(table.admit());
        let activity = slot.activity();
        let busy = activity.busy();
        assert_eq!(activity.idle_since(), None, "busy, so not idle");
        let before_end = Instant::now();
        drop(busy);
        let since = activity.idle_since().expect("idle once the request ended");
        assert!(
            since >= before_end,
            "idle since {since:?}, before the request ended"
        );
    }

    #[tokio::test]
    async fn the_connection_that_gives_way_is_told_to_close() {
        let table = Connections::new(1);
        let old = admitted(table.admit());
        let _new = admitted(table.admit());
        // A week of idle time: only the eviction can end this wait.
        old.must_close(Duration::from_secs(604_800)).await;
    }
}

//! Killing a child process outright, with SIGKILL (no cleanup, no lock
//! release, no goodbye), at the moment a test chooses: the tests that check
//! a write cut off mid-way leaves every scope whole use it to stop the
//! writer once its first writes are seen in the store.
//!
//! Include it with `#[path = "support/sigkill.rs"] mod sigkill;`.
#![allow(dead_code)]

use std::process::Child;
use std::time::{Duration, Instant};

/// SIGKILLs `child` and reaps it.
pub fn sigkill(child: &mut Child) {
    // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGKILL);
    }
    let _ = child.wait();
}

/// SIGKILLs the process group that `child` leads (spawned with
/// `process_group(0)`), so a shell's children die with it, and reaps it.
pub fn sigkill_group(child: &mut Child) {
    // SAFETY: kill(2) on the group of a child we spawned and have not reaped.
    unsafe {
        libc::kill(-(child.id() as libc::pid_t), libc::SIGKILL);
    }
    let _ = child.wait();
}

/// Polls `seen` every 2 ms until it holds, then SIGKILLs `child`; fails the
/// test if `child` (called `who`, like "the apply") ends first or two
/// minutes pass with nothing seen (`what`, like "wrote").
pub fn sigkill_once(child: &mut Child, who: &str, what: &str, mut seen: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !seen() {
        assert!(Instant::now() < deadline, "{who} never {what}");
        assert!(child.try_wait().unwrap().is_none(), "{who} ended early");
        std::thread::sleep(Duration::from_millis(2));
    }
    sigkill(child);
}

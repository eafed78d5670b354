//! What a process costs, as the benches report it next to their timings:
//! the CPU time of another process (`/proc/PID/stat`) and its memory
//! (`/proc/PID/status`), and the CPU time of this process
//! (`clock_gettime`). Linux only, like the benches' machine.
//!
//! Include it with `#[path = "../tests/support/proc_usage.rs"] mod proc_usage;`.
#![allow(dead_code)]

/// User plus system CPU time of `pid` so far, in clock ticks (0 once the
/// process is gone).
pub fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces, so count from its closing ')':
    // utime and stime, the 14th and 15th fields, are then the 12th and 13th.
    let after_comm = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// The clock ticks per second of [`cpu_ticks`] (`USER_HZ`).
pub fn ticks_per_sec() -> f64 {
    // SAFETY: sysconf has no preconditions.
    (unsafe { libc::sysconf(libc::_SC_CLK_TCK) }) as f64
}

/// The `key` line (like `VmRSS:`) of `/proc/PID/status`, in KiB (0 when
/// absent).
pub fn status_kib(pid: u32, key: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// CPU seconds used by this process so far (all threads).
pub fn process_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

//! No core dump of a process that holds the master key.
//!
//! A crash of `serve`, `monitor` or the terminal UI would otherwise write
//! the process's memory — the master key, and any API key being sealed or
//! probed — to a core file, or hand it to a crash collector (systemd-coredump,
//! apport) that keeps it. So the long-running modes set the core-file limit
//! to zero and, on Linux, mark the process non-dumpable, which also stops
//! another process of the same user from attaching a debugger to read it.
//!
//! The key material is not `mlock`ed: it lives in zeroizing heap buffers
//! owned by the crypto layer, and locking them would need a page-aligned
//! allocator for secrets; with dumps off, the remaining way to disk is swap,
//! which an operator who cares encrypts or turns off.

/// Turns core dumps off for this process; a failure is logged, not fatal
/// (a container may forbid `prctl`), since the process works without it.
pub fn forbid() {
    #[cfg(unix)]
    {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit(2) reads the struct we own.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } != 0 {
            tracing::warn!(error = %std::io::Error::last_os_error(), "cannot set RLIMIT_CORE to 0");
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl(2) with PR_SET_DUMPABLE takes plain integers.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            tracing::warn!(error = %std::io::Error::last_os_error(), "cannot mark the process non-dumpable");
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn no_core_file_and_not_dumpable() {
        super::forbid();
        let mut lim = libc::rlimit {
            rlim_cur: 1,
            rlim_max: 1,
        };
        // SAFETY: getrlimit(2) and prctl(2) on this process, plain integers.
        unsafe {
            assert_eq!(libc::getrlimit(libc::RLIMIT_CORE, &mut lim), 0);
            assert_eq!(libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        }
        assert_eq!((lim.rlim_cur, lim.rlim_max), (0, 0));
    }
}

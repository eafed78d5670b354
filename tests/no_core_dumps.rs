//! `llmcfg serve` turns core dumps off: started with an
//! unlimited core-file limit, as a shell with `ulimit -c unlimited` would
//! start it, the running server's limit is 0, so a crash cannot write the
//! master key to a core file.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;

use std::os::unix::process::CommandExt;

use llmcfg_process::{ServeChild, llmcfg_command};

const MASTER_HEX: &str = "0202020202020202020202020202020202020202020202020202020202020202";

/// The `Max core file size` line of `/proc/PID/limits`, split in words.
fn core_limit(pid: u32) -> Vec<String> {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core line in {limits}"));
    line.split_whitespace()
        .skip(4)
        .map(str::to_string)
        .collect()
}

#[test]
fn serve_runs_with_a_core_file_limit_of_zero() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = llmcfg_command(home.path(), MASTER_HEX);
    // SAFETY: setrlimit(2) only, between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let mut lim = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::getrlimit(libc::RLIMIT_CORE, &mut lim);
            // As high as this process may go: a limit the server must lower.
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_CORE, &lim);
            Ok(())
        });
    }
    let mut parent = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit(2) writes into the struct we own.
    unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut parent) };
    assert!(
        parent.rlim_max > 0,
        "this test needs a hard core limit above 0 to show it is lowered"
    );
    let serve = ServeChild::spawn(cmd);
    // The URL is printed after startup, so the limit is set by now.
    assert_eq!(core_limit(serve.child.id()), ["0", "0", "bytes"]);
}

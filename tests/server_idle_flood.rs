//! `llmcfg serve` under a flood of silent sockets: the built
//! binary runs with `ulimit -n 256`, the test opens 300 TCP connections that
//! send nothing, and a `GET /healthz` made after every 20 of them is still
//! answered within a second. Before the connection cap the server ran out
//! of descriptors (`accept failed: Too many open files`) and the GET waited
//! in the listen backlog until the silent sockets went away.

#[path = "support/llmcfg_process.rs"]
mod llmcfg_process;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::time::Duration;

use llmcfg_process::{ServeChild, llmcfg_command};

const MASTER_HEX: &str = "0101010101010101010101010101010101010101010101010101010101010101";
/// The descriptor limit of the server process, as `ulimit -n 256`.
const FD_LIMIT: libc::rlim_t = 256;
const SILENT_SOCKETS: usize = 300;
/// The functional bound of the issue: a GET answered within a second.
const ANSWER_BOUND: Duration = Duration::from_secs(1);

/// `GET /healthz` on a fresh connection; the status line, or why not.
fn healthz(addr: &str) -> Result<String, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    s.set_read_timeout(Some(ANSWER_BOUND)).unwrap();
    s.set_write_timeout(Some(ANSWER_BOUND)).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer)
        .map_err(|e| format!("no answer within {ANSWER_BOUND:?}: {e}"))?;
    let text = String::from_utf8_lossy(&answer);
    Ok(text.lines().next().unwrap_or_default().to_string())
}

#[test]
fn three_hundred_silent_sockets_under_ulimit_256_do_not_stop_a_get() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = llmcfg_command(home.path(), MASTER_HEX);
    // SAFETY: setrlimit(2) only, between fork and exec; it allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit {
                rlim_cur: FD_LIMIT,
                rlim_max: FD_LIMIT,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let serve = ServeChild::spawn(cmd);
    let addr = serve.url.trim_start_matches("http://").to_string();

    let mut silent = Vec::with_capacity(SILENT_SOCKETS);
    for i in 0..SILENT_SOCKETS {
        silent.push(TcpStream::connect(&addr).unwrap());
        if i % 20 == 19 {
            let status = healthz(&addr)
                .unwrap_or_else(|why| panic!("after {} silent sockets: {why}", i + 1));
            assert!(
                status.starts_with("HTTP/1.1 200"),
                "after {} silent sockets: {status}",
                i + 1
            );
        }
    }
    // Still answered with all of them open.
    let status = healthz(&addr).unwrap();
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
}

//! `llmcfg` as a child process in a home of its own: a command with a
//! cleared environment whose config, data and state directories live under
//! one temp dir (run with its stdin text written, or on a given store), and
//! `llmcfg serve --listen 127.0.0.1:0` started from such a command, waited
//! on until it prints the URL it listens on, and killed when dropped so a
//! failing test leaves no server behind; a [`Replica`] is such a server in
//! a temp home of its own on a store other replicas share.
//!
//! Include it with `#[path = "support/llmcfg_process.rs"] mod llmcfg_process;`
//! (from benches: `#[path = "../tests/support/llmcfg_process.rs"]`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Lines, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

/// The built `llmcfg` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_llmcfg");

/// `llmcfg` with only `PATH` kept from the caller's environment, its home
/// and XDG directories under `home`, and its master key from `master_hex`.
pub fn llmcfg_command(home: &Path, master_hex: &str) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("LLMCFG_MASTER_KEY", master_hex);
    c
}

/// [`llmcfg_command`] on the store `store` (a SQLite path or a
/// `postgres://` URL), logging at `info`.
pub fn store_command(home: &Path, store: &str, master_hex: &str) -> Command {
    let mut c = llmcfg_command(home, master_hex);
    c.env("LLMCFG_STORE", store).env("LLMCFG_LOG", "info");
    c
}

/// Spawns `cmd` with `stdin` written to its standard input (then closed),
/// its stdout and stderr piped for `wait_with_output`.
pub fn spawn_with_stdin(cmd: &mut Command, stdin: &str) -> Child {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child
}

/// One replica of a scaled-out control plane: `llmcfg serve` in a home of
/// its own (config, data and logs; removed on drop) on a store that every
/// replica of the test shares, with the one master key they share.
pub struct Replica {
    /// The server.
    pub serve: ServeChild,
    /// Its home.
    pub home: tempfile::TempDir,
}

impl Replica {
    /// Starts a replica on `store` whose `config.toml` is `config_toml`
    /// (no file when empty).
    pub fn start(store: &str, master_hex: &str, config_toml: &str) -> Replica {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        if !config_toml.is_empty() {
            std::fs::create_dir_all(h.join("config/llmcfg")).unwrap();
            std::fs::write(h.join("config/llmcfg/config.toml"), config_toml).unwrap();
        }
        Replica {
            serve: ServeChild::spawn(store_command(h, store, master_hex)),
            home,
        }
    }

    /// Its log file.
    pub fn log(&self) -> PathBuf {
        self.home.path().join("state/llmcfg/llmcfg.log")
    }
}

/// A running `llmcfg serve`; killed and reaped on drop.
pub struct ServeChild {
    /// The process, for signals and its exit status.
    pub child: Child,
    /// `http://127.0.0.1:PORT` of the `/llm-config` API.
    pub url: String,
    /// The rest of its stdout, kept open so a later line never meets a
    /// closed pipe.
    lines: Lines<BufReader<ChildStdout>>,
}

impl ServeChild {
    /// Runs `cmd` as `serve --listen 127.0.0.1:0` and waits for the line
    /// that names the API's URL.
    pub fn spawn(mut cmd: Command) -> ServeChild {
        let mut child = cmd
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut serve = ServeChild {
            child,
            url: String::new(),
            lines,
        };
        serve.url = serve.next_url("/llm-config API");
        serve
    }

    /// The URL at the end of the next line of stdout, which must mention
    /// `what` (`/metrics` for the separate metrics listener).
    pub fn next_url(&mut self, what: &str) -> String {
        let line = self
            .lines
            .next()
            .unwrap_or_else(|| panic!("serve exited before printing {what}"))
            .unwrap();
        assert!(line.contains(what), "{line}");
        line.trim()
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .to_string()
    }

    /// Sends SIGTERM: the graceful shutdown a service manager asks for.
    pub fn sigterm(&self) {
        // SAFETY: kill(2) on the pid of a child we spawned and have not reaped.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        assert_eq!(rc, 0);
    }
}

impl Drop for ServeChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The built binary in a pseudo-terminal: portable-pty runs it, a reader
//! thread feeds vt100, and the tests poll the parsed screen (never raw-byte
//! matching, since ratatui sends cell diffs). Checks start-up, creating a
//! config through the form, `t` (needs the prober), and that `q` exits 0
//! with the terminal restored.

mod tui_support;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use tui_support::fake_provider::{self, GOOD_KEY};

const DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

struct Pty {
    _master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    _dir: tempfile::TempDir,
}

impl Pty {
    fn spawn() -> Pty {
        let dir = tempfile::tempdir().unwrap();
        let p = |name: &str| dir.path().join(name);
        for d in ["config", "data", "state", "home"] {
            std::fs::create_dir_all(p(d)).unwrap();
        }
        let key_file = p("master.hex");
        std::fs::write(&key_file, "22".repeat(32)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_llmcfg"));
        cmd.arg("--store");
        cmd.arg(p("data").join("llmcfg.db"));
        cmd.arg("--master-key-file");
        cmd.arg(&key_file);
        for var in [
            "LLMCFG_MASTER_KEY",
            "LLMCFG_STORE",
            "LLMCFG_CONFIG",
            "LLMCFG_REMOTE",
            "NO_COLOR",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("XDG_CONFIG_HOME", p("config"));
        cmd.env("XDG_DATA_HOME", p("data"));
        cmd.env("XDG_STATE_HOME", p("state"));
        cmd.env("HOME", p("home"));
        cmd.env("TERM", "xterm-256color");
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(40).unwrap(),
            NonZeroU16::new(120).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (s, r) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Pty {
            _master: pair.master,
            writer,
            child,
            screen,
            raw,
            _dir: dir,
        }
    }

    fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Polls the parsed screen until `pred` holds.
    fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if pred(&self.contents()) {
                return;
            }
            std::thread::sleep(POLL);
        }
        panic!("timed out waiting for {what}; screen:\n{}", self.contents());
    }

    /// Waits for the process to exit and returns its exit code.
    fn exit_code(&mut self) -> u32 {
        let start = Instant::now();
        while start.elapsed() < DEADLINE {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            std::thread::sleep(POLL);
        }
        self.child.kill().ok();
        panic!("the TUI did not exit; screen:\n{}", self.contents());
    }

    fn raw_contains(&self, needle: &[u8]) -> bool {
        self.raw
            .lock()
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle)
    }
}

#[test]
fn start_then_quit_restores_the_terminal() {
    let mut pty = Pty::spawn();
    pty.wait("the instance list", |s| {
        s.contains("Instances") && s.contains("control plane")
    });
    pty.send(":");
    pty.wait("the picker", |s| s.contains("Switch scope"));
    pty.send("\x1b");
    pty.wait("picker closed", |s| !s.contains("Switch scope"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    assert!(pty.raw_contains(b"\x1b[?1049l"), "alternate screen left");
    assert!(pty.raw_contains(b"\x1b[?25h"), "cursor shown");
}

#[test]
fn create_through_the_form_and_test() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let base = rt.block_on(fake_provider::start());
    let mut pty = Pty::spawn();
    pty.wait("the instance list", |s| {
        s.contains("control plane") && s.contains("no config")
    });
    pty.send("n");
    pty.wait("the form", |s| s.contains("Create configuration"));
    pty.send("\x1b[C"); // → openai
    pty.wait("openai", |s| s.contains("OpenAI (openai)"));
    pty.send("\t\t");
    pty.send(GOOD_KEY);
    pty.wait("masked key", |s| s.contains("••••••••"));
    assert!(!pty.contents().contains(GOOD_KEY), "the key is masked");
    pty.send("\t");
    pty.send(&base);
    pty.send("\r");
    pty.wait("saved", |s| {
        s.contains("OpenAI (openai)") && s.contains("never tested")
    });
    pty.send("t");
    pty.wait("test result", |s| s.contains("Connection successful"));
    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    assert!(pty.raw_contains(b"\x1b[?1049l"), "alternate screen left");
    assert!(pty.raw_contains(b"\x1b[?25h"), "cursor shown");
}

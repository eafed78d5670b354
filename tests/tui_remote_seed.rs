//! The TUI (the built binary in a pseudo-terminal) against a strict
//! seed-only server: the picker lists the control plane and the configured
//! instances although the server cannot list instances, `t` shows the
//! server's own verdict, create, edit and delete go through, features the
//! server lacks (live model list, audit history) say so in one line, and no
//! key reaches the screen.

mod seed_server;
mod tui_support;

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

use seed_server::{ADMIN_TOKEN, SeedServer};
use tui_support::fake_provider::{BAD_KEY, GOOD_KEY};

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
    /// The binary in remote mode against `url`, with `config` as its
    /// config.toml and every XDG directory in a temp dir.
    fn spawn_remote(url: &str, config: &str) -> Pty {
        let dir = tempfile::tempdir().unwrap();
        let p = |name: &str| dir.path().join(name);
        for d in ["config/llmcfg", "data", "state", "home", "cache"] {
            std::fs::create_dir_all(p(d)).unwrap();
        }
        std::fs::write(p("config/llmcfg/config.toml"), config).unwrap();
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_llmcfg"));
        for var in [
            "LLMCFG_MASTER_KEY",
            "LLMCFG_STORE",
            "LLMCFG_CONFIG",
            "NO_COLOR",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("LLMCFG_REMOTE", url);
        cmd.env("LLMCFG_TOKEN", ADMIN_TOKEN);
        cmd.env("XDG_CONFIG_HOME", p("config"));
        cmd.env("XDG_DATA_HOME", p("data"));
        cmd.env("XDG_STATE_HOME", p("state"));
        cmd.env("XDG_CACHE_HOME", p("cache"));
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

    fn raw_contains(&self, needle: &str) -> bool {
        let raw = self.raw.lock().unwrap();
        raw.windows(needle.len()).any(|w| w == needle.as_bytes())
    }
}

/// Polls `check` against the seed server's state until it holds.
fn eventually(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while start.elapsed() < DEADLINE {
        if check() {
            return;
        }
        std::thread::sleep(POLL);
    }
    panic!("timed out waiting for {what}");
}

#[test]
fn picker_test_create_edit_delete_against_a_seed_only_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let seed = rt.block_on(SeedServer::default_variant(&[GOOD_KEY]));
    seed.insert(Some("globex"), "openai", "gpt-4o", BAD_KEY);
    let mut pty = Pty::spawn_remote(
        &seed.url,
        "[[instances]]\nid = \"acme-prod\"\nname = \"ACME\"\n\n[[instances]]\nid = \"globex\"\n",
    );
    pty.wait("the instance list", |s| {
        s.contains("control plane") && s.contains("acme-prod") && s.contains("globex")
    });
    pty.send(":");
    pty.wait("the picker with every scope", |s| {
        s.contains("Switch scope")
            && s.contains("control plane")
            && s.contains("acme-prod")
            && s.contains("globex")
    });
    pty.send("glbx\r");
    pty.wait("globex selected", |s| s.contains("tenant: globex"));

    // The server's own verdict on a bad key: its message, and that it gave
    // no reason of ours.
    pty.send("t");
    pty.wait("the server's verdict", |s| {
        s.contains("Authentication failed") && s.contains("no_reason")
    });

    // Create on the control plane through the form.
    pty.send(":");
    pty.wait("the picker", |s| s.contains("Switch scope"));
    pty.send("control\r");
    pty.wait("control plane selected", |s| !s.contains("Switch scope"));
    pty.send("n");
    pty.wait("the form", |s| s.contains("Create configuration"));
    pty.send("\x1b[C"); // → openai
    pty.wait("openai", |s| s.contains("OpenAI (openai)"));
    pty.send("\t\t");
    pty.send(GOOD_KEY);
    pty.wait("masked key", |s| s.contains("••••••••"));
    pty.send("\x13"); // Ctrl-S
    pty.wait("saved", |s| s.contains("saved the configuration"));
    eventually("the row on the server", || seed.row(None).is_some());
    assert_eq!(seed.stored_key(None).as_deref(), Some(GOOD_KEY));
    assert_eq!(
        seed.requests_containing(GOOD_KEY),
        1,
        "the key is sent once"
    );

    pty.send("t");
    pty.wait("a good verdict", |s| s.contains("Connection successful"));

    // Edit the model only.
    pty.send("e");
    pty.wait("edit form", |s| s.contains("Edit configuration"));
    pty.send("\t\x0c"); // Tab to the model, Ctrl-L: the live list is an extension
    pty.wait("live list not offered", |s| {
        s.contains("does not offer live model lists")
    });
    pty.send("\x15gpt-4.1\x13"); // Ctrl-U, type, Ctrl-S
    pty.wait("edited", |s| {
        s.contains("gpt-4.1") && !s.contains("Edit configuration")
    });
    eventually("the edit on the server", || {
        seed.row(None).is_some_and(|r| r.model == "gpt-4.1")
    });
    assert_eq!(seed.stored_key(None).as_deref(), Some(GOOD_KEY));

    // The audit log is an llmcfg serve extension: one line says so.
    pty.send("h");
    pty.wait("not offered", |s| {
        s.contains("this server does not offer an audit log")
    });
    pty.send("\x1b");
    // Wait before the next key: ESC then a quick `d` would read as Alt-d.
    pty.wait("back on the list", |s| !s.contains("Audit history"));

    // Delete, confirmed.
    pty.send("d");
    pty.wait("confirm", |s| s.contains("Delete the LLM configuration"));
    pty.send("y");
    pty.wait("deleted", |s| {
        s.contains("No LLM configuration for the control plane")
    });
    eventually("the row gone", || seed.row(None).is_none());

    pty.send("q");
    assert_eq!(pty.exit_code(), 0);
    for key in [GOOD_KEY, BAD_KEY] {
        assert!(!pty.raw_contains(key), "a key reached the terminal");
        assert!(
            !pty.raw_contains(&key[8..20]),
            "part of a key reached the terminal"
        );
    }
    rt.block_on(seed.stop());
}

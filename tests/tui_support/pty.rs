//! The built binary in a pseudo-terminal: portable-pty runs it, a reader
//! thread feeds vt100, and tests poll the parsed screen (never raw-byte
//! matching, since ratatui sends cell diffs). [`Store`] is the temp store
//! and master key the binary runs on; the same files are opened through the
//! library to seed data, and through the CLI binary to check results.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use llmcfg::cli::{GlobalArgs, open_service};
use llmcfg::domain::{ApiKey, InstanceId, NewConfig, Scope};
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// How long any wait may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(20);

/// A temp directory with a store, a master-key file and a config.toml.
pub struct Store {
    /// The directory (removed on drop).
    pub dir: tempfile::TempDir,
}

impl Store {
    /// A fresh store directory with a master-key file and `config_toml`.
    pub fn new(config_toml: &str) -> Store {
        let dir = tempfile::tempdir().unwrap();
        for d in ["config", "data", "state", "home"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let key_file = dir.path().join("master.hex");
        std::fs::write(&key_file, "22".repeat(32)).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        std::fs::write(dir.path().join("config.toml"), config_toml).unwrap();
        Store { dir }
    }

    /// A path inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The SQLite file.
    pub fn db(&self) -> PathBuf {
        self.path("data").join("llmcfg.db")
    }

    /// The global arguments that open this store through the library.
    pub fn global(&self) -> GlobalArgs {
        GlobalArgs {
            instance: None,
            json: false,
            store: Some(self.db()),
            config: Some(self.path("config.toml")),
            master_key_file: Some(self.path("master.hex")),
            remote: None,
            read_only: false,
            no_color: true,
        }
    }

    /// Creates an openai config with `key` at `base_url` for each id
    /// (`None` is the control plane), through the library.
    pub fn seed(&self, ids: &[Option<String>], key: &str, base_url: &str) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let (handle, _, _) = open_service(&self.global()).await.unwrap();
            for id in ids {
                let scope = match id {
                    Some(id) => Scope::Instance(InstanceId::parse(id).unwrap()),
                    None => Scope::Global,
                };
                let config =
                    NewConfig::new("openai", "gpt-4o", ApiKey::new(key)).with_base_url(base_url);
                handle.create(&scope, config).await.unwrap();
            }
        });
    }

    /// The CLI binary on this store (its store, config and key file given
    /// as arguments, its state and home inside the directory), arguments
    /// still to add.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_llmcfg"));
        cmd.arg("--store")
            .arg(self.db())
            .arg("--config")
            .arg(self.path("config.toml"))
            .arg("--master-key-file")
            .arg(self.path("master.hex"))
            .env_remove("LLMCFG_MASTER_KEY")
            .env_remove("LLMCFG_REMOTE")
            .env("XDG_STATE_HOME", self.path("state"))
            .env("HOME", self.path("home"));
        cmd
    }

    /// Runs the CLI binary on this store; returns (exit code, stdout).
    pub fn cli(&self, args: &[&str]) -> (i32, String) {
        let out = self.command().args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// The model stored for `id` (`None` is the control plane), read
    /// through `llmcfg --json get`.
    pub fn model(&self, id: Option<&str>) -> String {
        let mut args = vec!["--json", "get"];
        if let Some(id) = id {
            args.splice(0..0, ["-i", id]);
        }
        let (code, out) = self.cli(&args);
        assert_eq!(code, 0, "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["model"].as_str().unwrap().to_string()
    }
}

/// How to start the binary.
pub struct Spawn<'a> {
    /// Terminal columns.
    pub cols: u16,
    /// Terminal rows.
    pub rows: u16,
    /// Pass `--master-key-file` (false: let the binary create `master.key`).
    pub key_file: bool,
    /// Extra arguments.
    pub args: &'a [&'a str],
    /// Extra environment variables.
    pub env: &'a [(&'a str, &'a str)],
}

impl<'a> Spawn<'a> {
    /// The default terminal with extra arguments `args`.
    pub fn with_args(args: &'a [&'a str]) -> Spawn<'a> {
        Spawn {
            args,
            ..Spawn::default()
        }
    }
}

impl Default for Spawn<'_> {
    fn default() -> Self {
        Spawn {
            cols: 120,
            rows: 40,
            key_file: true,
            args: &[],
            env: &[],
        }
    }
}

/// The running binary.
pub struct Pty {
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
}

impl Pty {
    /// Starts the TUI on `store`.
    pub fn spawn(store: &Store, how: Spawn<'_>) -> Pty {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: how.rows,
                cols: how.cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_llmcfg"));
        cmd.arg("--store");
        cmd.arg(store.db());
        cmd.arg("--config");
        cmd.arg(store.path("config.toml"));
        if how.key_file {
            cmd.arg("--master-key-file");
            cmd.arg(store.path("master.hex"));
        }
        for a in how.args {
            cmd.arg(a);
        }
        for var in [
            "LLMCFG_MASTER_KEY",
            "LLMCFG_STORE",
            "LLMCFG_CONFIG",
            "LLMCFG_REMOTE",
            "LLMCFG_TOKEN",
            "NO_COLOR",
            "DBUS_SESSION_BUS_ADDRESS",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("XDG_CONFIG_HOME", store.path("config"));
        cmd.env("XDG_DATA_HOME", store.path("data"));
        cmd.env("XDG_STATE_HOME", store.path("state"));
        cmd.env("HOME", store.path("home"));
        cmd.env("TERM", "xterm-256color");
        for (k, v) in how.env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).unwrap();
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(how.rows).unwrap(),
            NonZeroU16::new(how.cols).unwrap(),
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
            master: pair.master,
            writer,
            child,
            screen,
            raw,
        }
    }

    /// Types `bytes` into the terminal.
    pub fn send(&mut self, bytes: &str) {
        self.writer.write_all(bytes.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Pastes `text` as a terminal does: wrapped in bracketed-paste marks
    /// while the program has them switched on (its last `CSI ?2004` was
    /// `h`), else typed as keys, which is what made pastes run commands.
    pub fn paste(&mut self, text: &str) {
        let raw = self.raw();
        let last = |needle: &[u8]| raw.windows(needle.len()).rposition(|w| w == needle);
        let bracketed = match (last(b"\x1b[?2004h"), last(b"\x1b[?2004l")) {
            (Some(on), Some(off)) => on > off,
            (on, _) => on.is_some(),
        };
        if bracketed {
            self.send(&format!("\x1b[200~{text}\x1b[201~"));
        } else {
            self.send(text);
        }
    }

    /// Resizes the terminal (the binary gets SIGWINCH).
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.screen.lock().unwrap().screen_mut().set_size(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
        );
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    /// The parsed screen text.
    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Polls the parsed screen until `pred` holds.
    pub fn wait(&self, what: &str, pred: impl Fn(&str) -> bool) {
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
    pub fn exit_code(&mut self) -> u32 {
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

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Whether the raw output ever contained `needle`.
    pub fn raw_contains(&self, needle: &[u8]) -> bool {
        self.raw
            .lock()
            .unwrap()
            .windows(needle.len())
            .any(|w| w == needle)
    }

    /// Fails the test if `key` is on the screen now or was ever written to
    /// the terminal.
    pub fn assert_never_shown(&self, key: &str) {
        assert!(!self.contents().contains(key), "the key is on screen");
        assert!(
            !self.raw_contains(key.as_bytes()),
            "the key was written to the terminal"
        );
    }

    /// The raw output so far.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.running() {
            self.child.kill().ok();
        }
    }
}

/// Ids `t000`, `t001`, … for `n` tenants.
pub fn tenant_ids(n: usize) -> Vec<Option<String>> {
    (0..n).map(|i| Some(format!("t{i:03}"))).collect()
}

/// Polls `check` (the store, through the CLI) until it holds: for work the
/// TUI runs in the background after its screen has moved on.
pub fn eventually(what: &str, check: impl Fn() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(POLL);
    }
}

/// Every OSC 52 clipboard payload in `raw`, decoded.
pub fn osc52_payloads(raw: &[u8]) -> Vec<String> {
    use base64::Engine;
    let text = String::from_utf8_lossy(raw);
    text.split("\x1b]52;c;")
        .skip(1)
        .filter_map(|rest| {
            let end = rest.find(['\x07', '\x1b'])?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&rest[..end])
                .ok()?;
            String::from_utf8(bytes).ok()
        })
        .collect()
}

/// Whether `path` contains `needle` as bytes.
pub fn file_contains(path: &Path, needle: &str) -> bool {
    std::fs::read(path)
        .map(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .unwrap_or(false)
}

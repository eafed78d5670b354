//! The whole process at fleet scale, as a user meets it: the built binary in
//! a pseudo-terminal (portable-pty + vt100) over a store of 100,001
//! configured scopes (the control plane's config copied in SQL to 100,000
//! tenants, as `tests/tui_support/big_fleet.rs` does). Measured from the
//! spawn to the list's rows on screen (the first tenant's row: the first
//! rows read at start, or the whole list in a build that reads only that)
//! and to the whole list on screen (its count in the title), several
//! starts, medians; then, with every row marked, from writing each bulk key
//! to its dialog on screen.
//!
//! Run by `cargo bench --bench tui` after the criterion part;
//! `TUI_BENCH_START=only` runs this part alone (and skips the rest),
//! `TUI_BENCH_NO_START=1` skips it, and `TUI_BENCH_BIN=path` runs another
//! build of the binary (to measure a before/after pair on one machine).

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// Configured tenants besides the control plane.
const TENANTS: usize = 100_000;
/// Starts measured for the start-to-list median.
const STARTS: usize = 7;
const POLL: Duration = Duration::from_micros(250);
const GIVE_UP: Duration = Duration::from_secs(120);

/// A store of `TENANTS + 1` configured scopes in `dir`; returns its file
/// and master-key file.
fn seed(dir: &Path) -> (PathBuf, PathBuf) {
    let key_file = dir.join("master.hex");
    std::fs::write(&key_file, "44".repeat(32)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let db = dir.join("llmcfg.db");
    let global = llmcfg::cli::GlobalArgs {
        instance: None,
        json: false,
        store: Some(db.clone()),
        config: None,
        master_key_file: Some(key_file.clone()),
        remote: None,
        read_only: false,
        no_color: false,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (handle, _, _) = llmcfg::cli::open_service(&global).await.unwrap();
        let key = llmcfg::domain::ApiKey::new("sk-start-0123456789abcdefghij");
        let config = llmcfg::domain::NewConfig::new("openai", "gpt-4o", key);
        handle
            .create(&llmcfg::domain::Scope::Global, config)
            .await
            .unwrap();
    });
    drop(rt);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < {last})
         INSERT INTO configs (id, scope, provider, model, base_url, sealed_key, api_key_masked,
                              key_fingerprint, created_at, updated_at)
         SELECT printf('00000000-0000-7000-8000-%012d', x), printf('tenant-%06d', x),
                c.provider, c.model, c.base_url, c.sealed_key, c.api_key_masked,
                c.key_fingerprint, c.created_at, c.updated_at
         FROM n, configs c WHERE c.scope = '';
         COMMIT;",
        last = TENANTS - 1
    ))
    .unwrap();
    (db, key_file)
}

/// The binary running in a 120×40 pseudo-terminal, its screen parsed.
struct Running {
    _master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    screen: Arc<Mutex<vt100::Parser>>,
    started: Instant,
}

impl Running {
    fn start(dir: &Path, db: &Path, key_file: &Path) -> Running {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 40,
                cols: 120,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        // `TUI_BENCH_BIN` measures another build (a before/after pair).
        let bin = std::env::var_os("TUI_BENCH_BIN")
            .unwrap_or_else(|| env!("CARGO_BIN_EXE_llmcfg").into());
        let mut cmd = CommandBuilder::new(bin);
        cmd.arg("--store");
        cmd.arg(db);
        cmd.arg("--master-key-file");
        cmd.arg(key_file);
        for (var, sub) in [
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_DATA_HOME", "data"),
            ("XDG_STATE_HOME", "state"),
            ("HOME", "home"),
        ] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
            cmd.env(var, dir.join(sub));
        }
        cmd.env_remove("LLMCFG_MASTER_KEY");
        cmd.env("TERM", "xterm-256color");
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(40).unwrap(),
            NonZeroU16::new(120).unwrap(),
            0,
        )));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let s = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                s.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        let started = Instant::now();
        let child = pair.slave.spawn_command(cmd).unwrap();
        Running {
            _master: pair.master,
            writer,
            child,
            screen,
            started,
        }
    }

    /// Time from `since` until `needle` is on screen.
    fn until(&self, since: Instant, needle: &str) -> Duration {
        while since.elapsed() < GIVE_UP {
            if self
                .screen
                .lock()
                .unwrap()
                .screen()
                .contents()
                .contains(needle)
            {
                return since.elapsed();
            }
            std::thread::sleep(POLL);
        }
        panic!("{needle:?} never appeared");
    }

    /// Writes `keys`; returns the time until `needle` is on screen.
    fn key_to(&mut self, keys: &str, needle: &str) -> Duration {
        let at = Instant::now();
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        self.until(at, needle)
    }

    fn quit(mut self) {
        self.writer.write_all(b"q").unwrap();
        self.writer.flush().unwrap();
        self.child.wait().unwrap();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Start to list, and each bulk key to its dialog, printed.
pub fn start_and_bulk() {
    let dir = tempfile::tempdir().unwrap();
    let (db, key_file) = seed(dir.path());
    let total = TENANTS + 1;
    let listed = format!("Instances ({total})");
    let (mut rows, mut wholes) = (Vec::new(), Vec::new());
    for _ in 0..STARTS {
        let run = Running::start(dir.path(), &db, &key_file);
        rows.push(run.until(run.started, "tenant-000000"));
        wholes.push(run.until(run.started, &listed));
        run.quit();
    }
    for (what, starts) in [("list rows", rows), ("the whole list", wholes)] {
        println!(
            "start to {what} on screen ({total} configured scopes, {STARTS} starts): median {:.1} ms, min {:.1}, max {:.1}",
            ms(median(starts.clone())),
            ms(*starts.iter().min().unwrap()),
            ms(*starts.iter().max().unwrap())
        );
    }

    let mut run = Running::start(dir.path(), &db, &key_file);
    run.until(run.started, &listed);
    let mark_all = run.key_to("\x01", &format!("{total} marked"));
    println!(
        "Ctrl-a (mark all) to '{total} marked' on screen: {:.1} ms",
        ms(mark_all)
    );
    for (key, dialog, name) in [
        (
            "d",
            format!("Delete {total} configurations"),
            "d (bulk delete)",
        ),
        (
            "m",
            format!("Set the model of {total} scopes"),
            "m (set model)",
        ),
        (
            "P",
            format!("Set provider and key of {total} scopes"),
            "P (set provider)",
        ),
        ("t", format!("Test {total} scopes"), "t on marks"),
        ("T", format!("Test {total} scopes"), "T (test all)"),
    ] {
        let took = run.key_to(key, &dialog);
        println!(
            "{name} to its dialog on screen ({total} marked): {:.1} ms",
            ms(took)
        );
        run.key_to("\x1b", &format!("{total} marked"));
        // The dialog's title is gone once Esc was seen and drawn.
        let at = Instant::now();
        while run
            .screen
            .lock()
            .unwrap()
            .screen()
            .contents()
            .contains(&dialog)
        {
            assert!(at.elapsed() < GIVE_UP, "{dialog} never closed");
            std::thread::sleep(POLL);
        }
    }
    run.quit();
}

//! `master-key rotate` beside other llmcfg processes, through the real
//! binary on a real SQLite store with the default key file:
//!
//! - the reported reproduction: a reader looping `get` while the key
//!   rotates must never leave the store sealed under a key that exists
//!   nowhere;
//! - 20 rotations while 4 processes loop `get`, `update` and `test` and a
//!   TUI is open: after each, `master-key verify` passes and every
//!   acknowledged update is there; a refused write says "rotated by another
//!   process";
//! - SIGKILL of the rotation at 10 points over its run: a later open always
//!   recovers a readable store, the store is on a key that was on disk, and
//!   the key file left on disk is the one it uses.

mod cli_env;
#[path = "support/fake_provider.rs"]
mod fake_provider;
#[path = "support/sigkill.rs"]
mod sigkill;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cli_env::{Env, KEY2, code, stderr, stdout};
use fake_provider::{FakeProvider, Flavor};
use llmcfg::crypto::MasterKey;

fn key_file(env: &Env) -> PathBuf {
    env.store().with_file_name("master.key")
}

fn staged_file(env: &Env) -> PathBuf {
    env.store().with_file_name("master.key.new")
}

/// The check value of the key in `path`, if the file is there.
fn file_check(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(MasterKey::from_hex(&text, "test").unwrap().check_value())
}

/// The check value the store records, read without llmcfg.
fn recorded_check(env: &Env) -> String {
    let db = rusqlite::Connection::open_with_flags(
        env.store(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    db.busy_timeout(Duration::from_secs(10)).unwrap();
    db.query_row("SELECT value FROM meta WHERE key = 'key_check'", [], |r| {
        r.get(0)
    })
    .unwrap()
}

/// `master-key verify --json`: (exit code, configs opened, versions opened).
fn verify(env: &Env) -> (i32, u64, u64, String) {
    let out = env.run(&["--json", "master-key", "verify"], "");
    let text = stdout(&out);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    (
        code(&out),
        v["configs_opened"].as_u64().unwrap_or(0),
        v["versions_opened"].as_u64().unwrap_or(0),
        format!("{text}{}", stderr(&out)),
    )
}

fn rotate(env: &Env) -> Output {
    env.run(&["master-key", "rotate"], "")
}

/// Creates `n` OpenAI scopes `t1`..`tn` with `base_url`, one process each.
fn create_scopes(env: &Env, n: usize, base_url: &str) {
    for i in 1..=n {
        let key = format!("sk-proj-{i:040}");
        env.create_at(Some(&format!("t{i}")), "openai", "gpt-4o", base_url, &key);
    }
}

#[test]
fn rotating_beside_a_reader_never_loses_the_key() {
    let env = Arc::new(Env::new());
    create_scopes(&env, 30, "http://127.0.0.1:9/v1");
    for round in 0..5 {
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (env, stop) = (env.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for _ in 0..400 {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let out = env.run(&["-i", "t5", "get"], "");
                    if code(&out) != 0 {
                        failures.push(stderr(&out));
                    }
                }
                failures
            })
        };
        std::thread::sleep(Duration::from_millis(300));
        let out = rotate(&env);
        stop.store(true, Ordering::Relaxed);
        let reader_failures = reader.join().unwrap();
        assert_eq!(code(&out), 0, "round {round}: rotate: {}", stderr(&out));
        let out = env.run(&["-i", "t5", "get"], "");
        assert_eq!(code(&out), 0, "round {round}: get after: {}", stderr(&out));
        assert!(
            reader_failures.is_empty(),
            "round {round}: a get beside the rotation failed: {reader_failures:?}"
        );
        let (rc, configs, _, text) = verify(&env);
        assert_eq!((rc, configs), (0, 30), "round {round}: {text}");
        assert!(
            !staged_file(&env).exists(),
            "round {round}: a staged key was left"
        );
        assert_eq!(
            file_check(&key_file(&env)).as_deref(),
            Some(recorded_check(&env).as_str()),
            "round {round}: the key file is not the store's key"
        );
    }
}

/// What the workers saw.
#[derive(Default)]
struct Tally {
    /// Scope → the model of its last acknowledged update.
    acked: std::collections::BTreeMap<String, String>,
    /// Unexpected outcomes, described.
    faults: Vec<String>,
    /// Writes refused because the key rotated under them.
    refused: usize,
}

/// One worker: loops `get`, `update --model`, `test` on its own scope
/// until `stop`, idling while `paused`.
fn worker(
    env: Arc<Env>,
    scope: String,
    stop: Arc<AtomicBool>,
    paused: Arc<AtomicBool>,
    idle: Arc<AtomicUsize>,
    tally: Arc<Mutex<Tally>>,
) {
    let mut n = 0;
    let mut is_idle = false;
    while !stop.load(Ordering::Relaxed) {
        if paused.load(Ordering::Acquire) {
            if !is_idle {
                is_idle = true;
                idle.fetch_add(1, Ordering::AcqRel);
            }
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        if is_idle {
            is_idle = false;
            idle.fetch_sub(1, Ordering::AcqRel);
        }
        n += 1;
        let out = env.run(&["-i", &scope, "get"], "");
        if code(&out) != 0 {
            tally
                .lock()
                .unwrap()
                .faults
                .push(format!("{scope} get: {}", stderr(&out)));
        }
        let model = format!("gpt-4o-{n}");
        let out = env.run(&["-i", &scope, "update", "--model", &model], "");
        let mut t = tally.lock().unwrap();
        match code(&out) {
            0 => {
                t.acked.insert(scope.clone(), model);
            }
            7 if stderr(&out).contains("rotated by another process") => t.refused += 1,
            c => t
                .faults
                .push(format!("{scope} update exit {c}: {}", stderr(&out))),
        }
        drop(t);
        let out = env.run(&["-i", &scope, "test"], "");
        match code(&out) {
            0 | 5 => {}
            7 if stderr(&out).contains("rotated by another process") => {
                tally.lock().unwrap().refused += 1
            }
            c => tally
                .lock()
                .unwrap()
                .faults
                .push(format!("{scope} test exit {c}: {}", stderr(&out))),
        }
    }
    if !is_idle {
        idle.fetch_add(1, Ordering::AcqRel);
    }
}

/// The TUI running in a pseudo-terminal, and what it has drawn so far.
struct Tui {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    _pty: Box<dyn portable_pty::MasterPty + Send>,
    screen: Arc<Mutex<Vec<u8>>>,
}

/// The TUI on `env`'s store in a pseudo-terminal.
fn spawn_tui(env: &Env) -> Tui {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 30,
            cols: 120,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_llmcfg"));
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("HOME", env.path());
    cmd.env("XDG_CONFIG_HOME", env.path().join("config"));
    cmd.env("XDG_DATA_HOME", env.path().join("xdgdata"));
    cmd.env("XDG_STATE_HOME", env.path().join("state"));
    cmd.env("LLMCFG_STORE", env.store());
    cmd.env("TERM", "xterm-256color");
    let child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let raw = Arc::new(Mutex::new(Vec::new()));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let sink = raw.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    Tui {
        child,
        _pty: pair.master,
        screen: raw,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn twenty_rotations_beside_busy_processes_keep_every_key_and_update() {
    const WORKERS: usize = 4;
    let fake = FakeProvider::start(Flavor::OpenAi, &[KEY2], &["gpt-4o"]).await;
    let env = Arc::new(Env::new());
    for w in 0..WORKERS {
        env.create_at(
            Some(&format!("w{w}")),
            "openai",
            "gpt-4o",
            &fake.base_url(),
            KEY2,
        );
    }
    let mut tui = spawn_tui(&env);
    let screen = tui.screen.clone();
    let started = Instant::now();
    while !String::from_utf8_lossy(&screen.lock().unwrap()).contains("w3") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the TUI never showed the list"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    let stop = Arc::new(AtomicBool::new(false));
    let paused = Arc::new(AtomicBool::new(true));
    let idle = Arc::new(AtomicUsize::new(0));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (env, stop, paused, idle, tally) = (
                env.clone(),
                stop.clone(),
                paused.clone(),
                idle.clone(),
                tally.clone(),
            );
            std::thread::spawn(move || worker(env, format!("w{w}"), stop, paused, idle, tally))
        })
        .collect();
    let (idle_r, tally_r, stop_r) = (idle.clone(), tally.clone(), stop.clone());
    let wait_idle = move || {
        let idle = &idle_r;
        let since = Instant::now();
        while idle.load(Ordering::Acquire) < WORKERS {
            assert!(
                since.elapsed() < Duration::from_secs(60),
                "workers never paused"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    let env_r = env.clone();
    tokio::task::spawn_blocking(move || {
        let (tally, stop) = (tally_r, stop_r);
        for round in 0..20 {
            paused.store(false, Ordering::Release);
            std::thread::sleep(Duration::from_millis(150));
            let out = rotate(&env_r);
            assert_eq!(code(&out), 0, "round {round}: rotate: {}", stderr(&out));
            std::thread::sleep(Duration::from_millis(50));
            paused.store(true, Ordering::Release);
            wait_idle();
            let (rc, configs, _, text) = verify(&env_r);
            assert_eq!((rc, configs), (0, WORKERS as u64), "round {round}: {text}");
            let t = tally.lock().unwrap();
            assert!(t.faults.is_empty(), "round {round}: {:?}", t.faults);
            for (scope, model) in &t.acked {
                let now = env_r.get_json(Some(scope));
                assert_eq!(
                    now["model"].as_str(),
                    Some(model.as_str()),
                    "round {round}: the acknowledged update of {scope} is lost"
                );
            }
        }
        stop.store(true, Ordering::Relaxed);
    })
    .await
    .unwrap();
    for w in workers {
        w.join().unwrap();
    }
    assert!(
        tui.child.try_wait().unwrap().is_none(),
        "the TUI died during the rotations"
    );
    let _ = tui.child.kill();
    let t = tally.lock().unwrap();
    assert_eq!(t.acked.len(), WORKERS, "every worker got an update through");
    eprintln!(
        "writes refused as rotated by another process: {}",
        t.refused
    );
}

/// A store of `SCOPES` scopes (each with a kept version) and its key file,
/// made once and copied for every kill.
const SCOPES: usize = 1500;

fn seed_template() -> Env {
    let env = Env::new();
    let mut fleet = String::from(
        "[defaults]\nprovider = \"openai\"\nmodel = \"gpt-4o\"\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key_env = \"SEED_KEY\"\n",
    );
    for i in 0..SCOPES {
        fleet.push_str(&format!("[instances.k{i:04}]\n"));
    }
    std::fs::write(env.path().join("fleet.toml"), fleet).unwrap();
    let out = env
        .cmd()
        .current_dir(env.path())
        .env("SEED_KEY", KEY2)
        .args(["apply", "-f", "fleet.toml", "--yes"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    env
}

/// A fresh environment holding a copy of `template`'s store and key file.
fn copy_of(template: &Env) -> Env {
    let env = Env::new();
    let from = template.store().parent().unwrap().to_path_buf();
    let to = env.store().parent().unwrap().to_path_buf();
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
    env
}

fn spawn_rotate(env: &Env) -> std::process::Child {
    let mut cmd: Command = env.std_cmd(env!("CARGO_BIN_EXE_llmcfg"));
    cmd.args(["master-key", "rotate"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.spawn().unwrap()
}

/// Where in the run a kill lands.
enum KillAt {
    /// This long after the start.
    After(Duration),
    /// As soon as the staged key file exists.
    Staged,
    /// As soon as the store records a new key.
    Committed,
}

#[test]
fn sigkill_at_ten_points_of_a_rotation_always_recovers() {
    let template = seed_template();
    let old = file_check(&key_file(&template)).unwrap();
    // How long a whole rotation takes here, to spread the kills over it.
    let probe = copy_of(&template);
    let t0 = Instant::now();
    let mut child = spawn_rotate(&probe);
    assert!(child.wait().unwrap().success());
    let whole = t0.elapsed();
    let mut points: Vec<KillAt> = (0..8)
        .map(|i| KillAt::After(whole.mul_f64(f64::from(i) / 8.0)))
        .collect();
    points.push(KillAt::Staged);
    points.push(KillAt::Committed);

    let mut outcomes = BTreeSet::new();
    for (i, point) in points.iter().enumerate() {
        let env = copy_of(&template);
        let mut child = spawn_rotate(&env);
        let start = Instant::now();
        let deadline = start + Duration::from_secs(60);
        loop {
            let hit = match point {
                KillAt::After(d) => start.elapsed() >= *d,
                KillAt::Staged => staged_file(&env).exists(),
                KillAt::Committed => recorded_check(&env) != old,
            };
            if hit || child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        sigkill::sigkill(&mut child);

        // Never neither: the store is on a key that is on disk.
        let recorded = recorded_check(&env);
        let on_disk: Vec<String> = [key_file(&env), staged_file(&env)]
            .iter()
            .filter_map(|p| file_check(p))
            .collect();
        assert!(
            on_disk.contains(&recorded),
            "point {i}: the store is on a key that no file holds"
        );
        outcomes.insert(match (recorded == old, staged_file(&env).exists()) {
            (true, false) => "old key, nothing staged",
            (true, true) => "old key, new key staged",
            (false, true) => "new key committed, still staged",
            (false, false) => "new key in place",
        });

        // A later open recovers a readable store ...
        let (rc, configs, versions, text) = verify(&env);
        assert_eq!(rc, 0, "point {i}: {text}");
        assert_eq!(configs, SCOPES as u64, "point {i}: {text}");
        assert!(versions >= SCOPES as u64, "point {i}: {text}");
        // ... with the key it uses on disk, where the next open looks.
        assert!(
            !staged_file(&env).exists(),
            "point {i}: the staged key was not settled"
        );
        assert_eq!(
            file_check(&key_file(&env)).as_deref(),
            Some(recorded_check(&env).as_str()),
            "point {i}: the key file is not the store's key"
        );
        assert_eq!(
            recorded_check(&env),
            recorded,
            "point {i}: the open re-keyed the store"
        );
    }
    eprintln!("states the kills left: {outcomes:?}");
    assert!(
        outcomes.contains("old key, new key staged"),
        "no kill landed between staging and commit: {outcomes:?}"
    );

    // The same from LLMCFG_MASTER_KEY with --new-key-file: wherever the
    // rotation dies, the store is on the env key or on the key in the new
    // file, and that key opens every sealed key.
    let env_hex = std::fs::read_to_string(key_file(&template)).unwrap();
    for i in 0..5 {
        let env = copy_of(&template);
        std::fs::remove_file(key_file(&env)).unwrap();
        let new_file = env.path().join("next.key");
        let mut cmd = env.std_cmd(env!("CARGO_BIN_EXE_llmcfg"));
        cmd.env("LLMCFG_MASTER_KEY", env_hex.trim())
            .args(["master-key", "rotate", "--new-key-file"])
            .arg(&new_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(whole.mul_f64(f64::from(i) / 4.0));
        sigkill::sigkill(&mut child);
        let recorded = recorded_check(&env);
        let hex = if recorded == old {
            env_hex.trim().to_string()
        } else {
            assert_eq!(
                file_check(&new_file).as_deref(),
                Some(recorded.as_str()),
                "env point {i}: the store is on a key that no file holds"
            );
            std::fs::read_to_string(&new_file)
                .unwrap()
                .trim()
                .to_string()
        };
        let out = env
            .cmd()
            .env("LLMCFG_MASTER_KEY", &hex)
            .args(["--json", "master-key", "verify"])
            .output()
            .unwrap();
        assert_eq!(code(&out), 0, "env point {i}: {}", stderr(&out));
    }
}

#[test]
fn an_opener_leaves_a_live_rotations_staged_key_alone_and_clears_a_dead_ones() {
    let env = Env::new();
    env.create_at(
        Some("t1"),
        "openai",
        "gpt-4o",
        "http://127.0.0.1:9/v1",
        KEY2,
    );
    let key = key_file(&env);
    let before = file_check(&key).unwrap();
    // A rotation that has staged its key but not committed the store.
    llmcfg::crypto::source::stage_key_file(&key, &MasterKey::generate()).unwrap();
    let alive = llmcfg::crypto::RotationLock::try_acquire(&key)
        .unwrap()
        .expect("nobody holds the lock yet");
    let out = env.run(&["-i", "t1", "get"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        staged_file(&env).exists(),
        "an opener deleted the staged key of a rotation that is alive"
    );
    // The rotation dies (the kernel drops its lock): the next opener may
    // settle, and the store stayed on the old key, so the staged key goes.
    drop(alive);
    let out = env.run(&["-i", "t1", "get"], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        !staged_file(&env).exists(),
        "a dead rotation's staged key stayed"
    );
    assert_eq!(file_check(&key).unwrap(), before);
    assert_eq!(recorded_check(&env), before);
}

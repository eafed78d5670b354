//! Terminal UI benchmarks.
//!
//! Criterion: a filter keystroke (fuzzy match + sort), a sort step, marking
//! all, and one frame rendered at 120×40, over 100,000 instances (the frame
//! also with all 100,000 marked); then each bulk key to its dialog with all
//! 100,001 rows marked (`tui/bulk.rs`). Then, only under `cargo bench` (not
//! `cargo test --benches`), the built binary in a pseudo-terminal with
//! 100,000 instances in the store: time from spawn to the first frame and
//! to the loaded list, CPU used while idle for 10 s with auto-refresh on
//! (from `/proc/PID/stat`), and resident memory (`/proc/PID/status`). Last
//! (also only under `cargo bench`; `TUI_BENCH_NO_HEALTH=1` skips it), the
//! app loop in this process following monitor results at 100,000 scopes
//! (see `health_measurements`). Last, the whole process over 100,001
//! configured scopes: start to list, and each bulk key to its dialog
//! (`tui/start.rs`; `TUI_BENCH_START=only` runs that part alone).

#[path = "tui/bulk.rs"]
mod bulk;
#[path = "tui/health.rs"]
mod health;
#[path = "../tests/support/proc_usage.rs"]
mod proc_usage;
#[path = "tui/start.rs"]
mod start;

use std::hint::black_box;
use std::io::Read;
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::Criterion;
use llmcfg::domain::{
    ConfigFields, ConfigView, InstanceSummary, TestResult, TestStatus, ViewRecord,
};
use llmcfg::tui::keymap::KeyMap;
use llmcfg::tui::state::{AppState, Env};
use llmcfg::tui::theme::Theme;
use llmcfg::tui::ui;
use proc_usage::{cpu_ticks, process_cpu, status_kib, ticks_per_sec};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use time::macros::datetime;

const BIG: usize = 100_000;
const STORE_INSTANCES: usize = 100_000;
const IDLE: Duration = Duration::from_secs(10);

fn summaries(n: usize) -> Vec<InstanceSummary> {
    let at = datetime!(2026-02-27 10:00 UTC);
    let mut out = vec![InstanceSummary {
        instance_id: None,
        name: None,
        config: None,
        last_test: None,
    }];
    out.extend((0..n).map(|i| {
        let id = format!("tenant-{i:06}");
        let config = (i % 3 == 0).then(|| {
            ConfigView::new(
                ViewRecord {
                    id: uuid::Uuid::nil().into(),
                    api_key_masked: "sk-...abcd".into(),
                    instance_id: Some(id.clone()),
                    created_at: at,
                    updated_at: at,
                },
                ConfigFields::new("openai", "gpt-4o"),
            )
        });
        let last_test = (i % 6 == 0).then(|| TestResult {
            success: i % 12 == 0,
            ..TestResult::new(
                "openai",
                "gpt-4o",
                TestStatus::Ok,
                "Connection successful",
                200,
                at,
            )
        });
        InstanceSummary {
            instance_id: Some(id),
            name: Some(format!("Org {}", i % 977)),
            config,
            last_test,
        }
    }));
    out
}

fn state(n: usize) -> AppState {
    let env = Env {
        mode: "local: /data/llmcfg.db".into(),
        read_only: false,
        config_file: "/c".into(),
        store: "/s".into(),
        log_file: "/l".into(),
        context: None,
    };
    let mut s = AppState::new(
        env,
        Theme::default_colours(),
        KeyMap::defaults(),
        datetime!(2026-02-27 10:05 UTC),
    );
    s.list.set_entries(summaries(n), None);
    s.loading = false;
    s
}

fn benches(c: &mut Criterion) {
    let mut s = state(BIG);
    // Worst case: each keystroke is a new pattern, so all 100,000 are scored.
    let unrelated = ["t", "org 97", "ten42", "9", "tenant-0421", "o 1"];
    let mut i = 0;
    c.bench_function("filter keystroke, 100k instances, full rescan", |b| {
        b.iter(|| {
            s.list.filter = Some(tui_input::Input::new(
                unrelated[i % unrelated.len()].to_string(),
            ));
            s.list.refilter();
            i += 1;
            black_box(s.list.visible_len())
        })
    });
    // Typing "tenant-0421" key by key (then clearing): later keys only
    // re-score the previous matches.
    let typed = "tenant-0421";
    let mut n = 0;
    c.bench_function("filter keystroke, 100k instances, typing", |b| {
        b.iter(|| {
            let len = n % (typed.len() + 1);
            s.list.filter = Some(tui_input::Input::new(typed[..len].to_string()));
            s.list.refilter();
            n += 1;
            black_box(s.list.visible_len())
        })
    });
    // CPU time per full-rescan keystroke, immune to other processes on the machine.
    let rounds = 60;
    let cpu0 = process_cpu();
    for k in 0..rounds {
        s.list.filter = Some(tui_input::Input::new(
            unrelated[k % unrelated.len()].to_string(),
        ));
        s.list.refilter();
    }
    let per_key = (process_cpu() - cpu0) / rounds as f64;
    println!(
        "filter keystroke, full rescan: {:.2} ms CPU (all threads) per keystroke",
        per_key * 1e3
    );
    s.list.filter = None;
    s.list.refilter();
    c.bench_function("sort, 100k instances", |b| {
        b.iter(|| {
            // Cycles scope → provider → model → last test, one step per iteration.
            s.list.sort = s.list.sort.next();
            s.list.refilter();
            black_box(s.list.visible_len())
        })
    });
    let cpu0 = process_cpu();
    for _ in 0..rounds {
        s.list.sort = s.list.sort.next();
        s.list.refilter();
    }
    println!(
        "sort step: {:.2} ms CPU per step (cycling the four columns)",
        (process_cpu() - cpu0) / rounds as f64 * 1e3
    );
    s.list.sort = llmcfg::tui::screens::instances::SortBy::Scope;
    s.list.refilter();
    c.bench_function("mark all visible, 100k instances", |b| {
        b.iter(|| {
            s.list.clear_marks();
            s.list.mark_all_visible();
            black_box(s.list.marked_count())
        })
    });
    let s = state(BIG);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("render frame 120x40, 100k instances", |b| {
        b.iter(|| {
            terminal.draw(|f| ui::render(&s, f)).unwrap();
        })
    });
    let mut marked = state(BIG);
    marked.list.mark_all_visible();
    assert_eq!(marked.list.marked_count(), BIG + 1);
    c.bench_function("render frame 120x40, 100k marked", |b| {
        b.iter(|| {
            terminal.draw(|f| ui::render(&marked, f)).unwrap();
        })
    });
}

/// Seeds a store with `n` registered instances (bulk insert, one transaction).
fn seed_store(dir: &std::path::Path, n: usize) -> llmcfg::cli::GlobalArgs {
    let key_file = dir.join("master.hex");
    std::fs::write(&key_file, "33".repeat(32)).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let global = llmcfg::cli::GlobalArgs {
        instance: None,
        json: false,
        store: Some(dir.join("llmcfg.db")),
        config: None,
        master_key_file: Some(key_file),
        remote: None,
        read_only: false,
        no_color: false,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let (handle, _, _) = llmcfg::cli::open_service(&global).await.unwrap();
        let id = llmcfg::domain::InstanceId::parse("seed").unwrap();
        handle.add_instance(&id, None).await.unwrap();
    });
    drop(rt);
    let mut conn = rusqlite::Connection::open(dir.join("llmcfg.db")).unwrap();
    let tx = conn.transaction().unwrap();
    for i in 1..n {
        tx.execute(
            "INSERT INTO instances (id, name, created_at) VALUES (?1, ?2, '2026-02-27T10:00:00Z')",
            rusqlite::params![format!("tenant-{i:06}"), format!("Org {}", i % 977)],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    global
}

fn process_measurements() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let dir = tempfile::tempdir().unwrap();
    let global = seed_store(dir.path(), STORE_INSTANCES);
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
    cmd.arg(global.store.as_ref().unwrap());
    cmd.arg("--master-key-file");
    cmd.arg(global.master_key_file.as_ref().unwrap());
    // portable-pty starts the child in $HOME, so every directory must exist.
    for (var, sub) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("HOME", "home"),
    ] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        cmd.env(var, dir.path().join(sub));
    }
    cmd.env_remove("LLMCFG_MASTER_KEY");
    cmd.env("TERM", "xterm-256color");
    let parser = Arc::new(Mutex::new(vt100::Parser::new(
        NonZeroU16::new(40).unwrap(),
        NonZeroU16::new(120).unwrap(),
        0,
    )));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let p = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16384];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            p.lock().unwrap().process(&buf[..n]);
        }
    });
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    let pid = child.process_id().unwrap();
    let wait_for = |needle: &str| -> Duration {
        while start.elapsed() < Duration::from_secs(60) {
            if parser.lock().unwrap().screen().contents().contains(needle) {
                return start.elapsed();
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        panic!("{needle} never appeared");
    };
    let first_frame = wait_for("llmcfg");
    let loaded = wait_for(&format!("Instances ({})", STORE_INSTANCES + 1));
    // Let the start-up settle (the log writer, the first draw) before measuring idle.
    std::thread::sleep(Duration::from_secs(1));
    let rss = status_kib(pid, "VmRSS:");
    let hwm = status_kib(pid, "VmHWM:");
    let before = cpu_ticks(pid);
    std::thread::sleep(IDLE);
    let idle_ticks = cpu_ticks(pid) - before;
    let mut writer = pair.master.take_writer().unwrap();
    std::io::Write::write_all(&mut writer, b"q").unwrap();
    let status = child.wait().unwrap();
    let ticks_per_sec = ticks_per_sec();
    println!(
        "start to first frame ({STORE_INSTANCES} instances): {:.1} ms",
        first_frame.as_secs_f64() * 1e3
    );
    println!(
        "start to loaded list ({STORE_INSTANCES} instances): {:.1} ms",
        loaded.as_secs_f64() * 1e3
    );
    println!(
        "idle CPU over {} s: {idle_ticks} ticks = {:.2} % of one core",
        IDLE.as_secs(),
        idle_ticks as f64 / ticks_per_sec / IDLE.as_secs_f64() * 100.0
    );
    println!(
        "RSS with {STORE_INSTANCES} instances: {:.1} MiB (peak {:.1} MiB)",
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    println!("exit status: {status:?}");
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    if bench && std::env::var_os("TUI_BENCH_START").is_some_and(|v| v == "only") {
        return start::start_and_bulk();
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
        .configure_from_args();
    benches(&mut c);
    bulk::bulk_keys(&mut c);
    c.final_summary();
    // Only a real `cargo bench` run measures the process; `cargo test
    // --benches` runs the criterion part once as a smoke test.
    if std::env::args().any(|a| a == "--bench")
        && cfg!(target_os = "linux")
        && std::env::var_os("TUI_BENCH_NO_PROCESS").is_none()
    {
        process_measurements();
    }
    if std::env::args().any(|a| a == "--bench") && std::env::var_os("TUI_BENCH_NO_HEALTH").is_none()
    {
        health::health_measurements();
    }
    if bench && cfg!(target_os = "linux") && std::env::var_os("TUI_BENCH_NO_START").is_none() {
        start::start_and_bulk();
    }
}
